"""Convergence verdict hot paths vs their obvious alternatives, measured in the same run.

(1) the exact cross-motif fixed-count covariance (`whiten.motif_covariance`) of a paper-sized
network vs estimating it from 200 exact fixed-count draws (the sampled route it replaces; its
estimate still has ~7 % error per correlation); (2) the seed-bootstrap of the similarity gain
(`verdict.compare`, multiplicity weights) vs re-indexing the similarity matrices per resample,
for 400 seeds as in the paper. Run: .venv/bin/python benchmarks/convergence.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from sparsemotifs.convergence import verdict
from sparsemotifs.convergence.whiten import motif_covariance
from sparsemotifs.motifs.analysis import sample_null_counts
from sparsemotifs.motifs.counts import MOTIFS
from sparsemotifs.motifs.graph import LayeredGraph

WIDTHS, DENSITY, N_SEEDS, N_BOOT = (10, 400, 400, 400, 16, 7), 0.08, 400, 200


def best_of(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def sampled_cov(graph, rng):
    counts = sample_null_counts(graph, "fixed_count", 200, rng)
    return np.cov(np.stack([counts[m].sum(axis=1) for m in MOTIFS], axis=1).T)


def loop_gain_boot(s_t, s_n, n_boot, rng):
    n = s_t.shape[0]
    out = []
    for _ in range(n_boot):
        idx = rng.integers(0, n, size=n)
        distinct = idx[:, None] != idx[None, :]
        out.append(s_t[np.ix_(idx, idx)][distinct].mean() - s_n[np.ix_(idx, idx)][distinct].mean())
    return np.quantile(out, [0.025, 0.975])


def table(rng, name):
    names = verdict.informative_motifs("fixed_count_min1")
    rows = [
        {"ensemble": name, "seed": s, "level": 0, "null": "fixed_count_min1", "motif": m,
         "z": rng.normal(2, 1)}
        for s in range(N_SEEDS) for m in names
    ]  # fmt: skip
    return pd.DataFrame(rows)


def main() -> None:
    rng = np.random.default_rng(0)
    graph = LayeredGraph.from_masks(
        [rng.random((a, b)) < DENSITY for a, b in zip(WIDTHS[:-1], WIDTHS[1:], strict=True)]
    )
    exact = best_of(lambda: motif_covariance(graph), repeat=1)
    sampled = best_of(lambda: sampled_cov(graph, rng), repeat=1)
    print(f"cross-motif covariance, paper width: exact {exact:.2f} s, 200 draws {sampled:.2f} s, "
          f"ratio {sampled / exact:.1f}x")  # fmt: skip
    t, n = table(rng, "t"), table(rng, "n")
    vec = best_of(lambda: verdict.compare(t, n, "fixed_count_min1", n_boot=N_BOOT))
    sp = verdict.profiles(t, "fixed_count_min1")
    seeds = np.arange(N_SEEDS)
    s_t = verdict.seed_similarity(sp, seeds, "cosine")
    s_n = verdict.seed_similarity(verdict.profiles(n, "fixed_count_min1"), seeds, "cosine")
    loop = best_of(lambda: loop_gain_boot(s_t, s_n, N_BOOT, rng), repeat=1)
    print(
        f"gain bootstrap, {N_SEEDS} seeds x {N_BOOT}: compare() {vec:.2f} s (whole verdict), "
        f"re-indexing loop {loop:.2f} s (bootstrap only), ratio {loop / vec:.1f}x"
    )


if __name__ == "__main__":
    main()
