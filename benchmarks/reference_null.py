"""Cost of the `reference` null against the uniform fixed-count sampler (baseline, same run).

On the shared 2022 network at 93 % (or a synthetic 10-400-400-400-16-7 network with 7 % of the
weights when the shared data are absent): seconds per 1000 random networks, drawing only and
drawing + counting (with the published conventions), and the ratio reference / fixed_count.

    .venv/bin/python benchmarks/reference_null.py [--samples 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sparsemotifs.motifs.analysis import sample_null_counts
from sparsemotifs.motifs.graph import LayeredGraph, load_graph, strip_dead
from sparsemotifs.motifs.reference import sample_reference
from sparsemotifs.motifs.samplers import sample_fixed_count
from sparsemotifs.report.published_data import network_path


def test_graph() -> tuple[LayeredGraph, int, str]:
    path = network_path(0.93)
    if path is not None:
        graph = load_graph(path)
        return strip_dead(graph)[0], graph.widths[-1], str(path)
    rng = np.random.default_rng(0)
    widths = [10, 400, 400, 400, 16, 7]
    masks = [rng.random((a, b)) < 0.07 for a, b in zip(widths[:-1], widths[1:], strict=True)]
    bias = [rng.random(b) < 0.07 for b in widths[1:]]
    return strip_dead(LayeredGraph.from_masks(masks, bias))[0], 7, "synthetic 7 % network"


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    graph, out_width, name = test_graph()
    r = args.samples
    print(f"{name}: live widths {graph.widths}, {r} samples, best of {args.repeats}")
    scale = 1000 / r
    t_ref = best(lambda: sample_reference(graph, r, np.random.default_rng(1), out_width), 3)
    t_fc = best(lambda: sample_fixed_count(graph, r, np.random.default_rng(1)), 3)
    print(f"draw only : reference {t_ref * scale:7.2f} s, fixed_count {t_fc * scale:7.2f} s "
          f"per 1000; ratio {t_ref / t_fc:.2f}x")  # fmt: skip
    for null in ("reference", "fixed_count"):
        t = best(
            lambda null=null: sample_null_counts(
                graph,
                null,
                r,
                np.random.default_rng(1),
                connected_pairs=True,
                output_width=out_width if null == "reference" else None,
            ),
            args.repeats,
        )
        if null == "reference":
            t_ref_all = t
        else:
            t_fc_all = t
    print(f"draw+count: reference {t_ref_all * scale:7.2f} s, fixed_count {t_fc_all * scale:7.2f} s "
          f"per 1000; ratio {t_ref_all / t_fc_all:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
