"""Cost of the samples-of-the-null controls (null_degree, null_min1) per analysed network.

Each derived network is produced (one degree-preserving / fixed_count_min1 chain on the live
graph) and then analysed like a real network under every default null; the baseline is the
analysis of the network itself in the same run. The ratio is the motif stage's added cost per
control ensemble (the default study: widths 10-48-48-48-16-7, 100 null samples, three nulls).
Run: .venv/bin/python benchmarks/null_samples.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sparsemotifs.config import validate_section
from sparsemotifs.contracts.network import level_path, save_level
from sparsemotifs.motifs.cli import analyse_file_rows

WIDTHS = (10, 48, 48, 48, 16, 7)
NULLS = ["fixed_count", "fixed_count_min1", "degree"]


def network(density: float, rng, out: Path) -> Path:
    """A level file with heterogeneous degrees (lognormal propensities) at `density`."""
    masks = []
    for a, b in zip(WIDTHS[:-1], WIDTHS[1:], strict=True):
        p = np.outer(rng.lognormal(0, 0.7, a), rng.lognormal(0, 0.7, b))
        masks.append(rng.random((a, b)) < np.clip(p * density / p.mean(), 0, 1))
    bias = [np.ones(b, dtype=bool) for b in WIDTHS[1:]]
    path = level_path(out, 0, 3)
    save_level(path, [m.astype(np.float32) for m in masks], [b * 0.0 for b in bias], masks, bias)
    return path


def timed(path: Path, params: dict, derivation: str | None) -> float:
    """Seconds to produce (if derived) and analyse one network under every default null."""
    start = time.perf_counter()
    analyse_file_rows(path, ensemble="x", nulls=NULLS, params=params, derivation=derivation)
    return time.perf_counter() - start


def main() -> int:
    params = validate_section("motifs", {"samples": 100})
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        for density in (0.5, 0.15, 0.06):
            path = network(density, rng, Path(tmp) / f"d{density}")
            base = timed(path, params, None)
            for name in ("null_degree", "null_min1", "random_masks_live"):
                t = timed(path, params, name)
                print(f"density {density:.2f}: {name:18s} {t:6.2f} s vs the network itself "
                      f"{base:6.2f} s  ratio {t / base:4.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
