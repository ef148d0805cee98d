"""Cost of the reference network's analysis (`sparsemotifs published reference-network`, the
`reference_network` job of every study): the shared 10-400-400-400-16-7 network at its 18 levels
under the four nulls, with the study's plan (`samples` null draws at the selected cut,
`samples_other` elsewhere) against the same analysis with `samples` at every level, both
measured in this run on `--baseline-cuts` (the full plan at all 18 levels would take minutes).

Single thread. Prints seconds per level and null for the plan, its total, and per baseline cut
the full-samples time and the ratio.

    .venv/bin/python benchmarks/reference_network.py [--samples 100] [--samples-other 10]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from sparsemotifs.contracts.names import NULLS  # noqa: E402
from sparsemotifs.report import published_data  # noqa: E402
from sparsemotifs.report.reference_network import analyse_level  # noqa: E402


def timed(cut: float, level: int, samples: int) -> dict[str, float]:
    path = published_data.network_path(cut)
    out = {}
    for null in NULLS:
        t = time.perf_counter()
        analyse_level(path, level, cut, [null], samples)
        out[null] = time.perf_counter() - t
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--samples-other", type=int, default=5)
    ap.add_argument("--selected-cut", type=float, default=0.93)
    ap.add_argument("--baseline-cuts", type=float, nargs="*", default=[0.65, 0.85])
    args = ap.parse_args()
    cuts = published_data.network_levels()
    if not cuts:
        sys.exit(published_data.missing_note(what=published_data.NETWORK_DIR))
    total = 0.0
    plan = {}
    print(f"{'cut':>5} {'samples':>7} " + " ".join(f"{n:>16}" for n in NULLS) + "    level s")
    for level, cut in enumerate(cuts):
        n = args.samples if abs(cut - args.selected_cut) < 1e-9 else args.samples_other
        times = timed(cut, level, n)
        plan[cut] = sum(times.values())
        total += plan[cut]
        print(
            f"{cut:5.2f} {n:7d} "
            + " ".join(f"{times[k]:16.2f}" for k in NULLS)
            + f" {plan[cut]:9.2f}"
        )
    print(f"plan total: {total:.1f} s on one thread ({args.samples} samples at {args.selected_cut}, "
          f"{args.samples_other} elsewhere)")  # fmt: skip
    for cut in args.baseline_cuts:
        level = cuts.index(min(cuts, key=lambda c: abs(c - cut)))
        full = sum(timed(cuts[level], level, args.samples).values())
        print(f"baseline cut {cuts[level]:.2f}: {args.samples} samples {full:.2f} s, plan "
              f"{plan[cuts[level]]:.2f} s, ratio full / plan = {full / plan[cuts[level]]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
