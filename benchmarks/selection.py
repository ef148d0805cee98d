"""Selection and dead-output exclusion at the paper's size, each against its baseline in the run.

(1) `select_levels` with the per_output_r2 threshold (R² of 7 outputs per level) vs the mean_mse
threshold, 400 seeds x 18 levels; (2) `convergence.prepare` leaving dead-output networks out
(the default) vs keeping them, 400 seeds x 18 levels x 3 ensembles x 3 nulls x 9 motifs.
Run: .venv/bin/python benchmarks/selection.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from sparsemotifs import convergence as stats
from sparsemotifs.contracts.names import MOTIFS
from sparsemotifs.training.selection import output_variances, select_levels

N_SEEDS, N_LEVELS, OUTPUTS = 400, 18, [f"o{i}" for i in range(7)]


def best_of(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def metrics(rng) -> pd.DataFrame:
    n = N_SEEDS * N_LEVELS
    df = pd.DataFrame({"seed": np.repeat(np.arange(N_SEEDS), N_LEVELS),
                       "level": np.tile(np.arange(N_LEVELS), N_SEEDS),
                       "cut_fraction": np.tile(np.linspace(0, 0.96, N_LEVELS), N_SEEDS),
                       "weights_kept": 1.0, "status": "ok", "dead_outputs": 0})  # fmt: skip
    growth = np.tile(np.geomspace(1e-4, 1e-1, N_LEVELS), N_SEEDS)
    for name in OUTPUTS:
        df[f"loss_val_{name}"] = growth * rng.lognormal(0, 0.5, n)
    df["loss_val"] = df[[f"loss_val_{o}" for o in OUTPUTS]].mean(axis=1)
    df["loss_train"] = df["loss_test"] = df["loss_val"]
    return df


def tables(rng, levels: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    lv = levels.assign(ensemble="trained", dead_output=rng.random(len(levels)) < 0.1)
    keys = lv[["seed", "level"]]
    parts = []
    for ensemble in ("trained", "random_pruned", "null_degree"):
        for null in ("fixed_count", "fixed_count_min1", "degree"):
            block = keys.loc[keys.index.repeat(len(MOTIFS))].reset_index(drop=True)
            parts.append(block.assign(ensemble=ensemble, null=null,
                                      motif=np.tile(MOTIFS, len(keys)),
                                      z=rng.normal(size=len(block))))  # fmt: skip
    return lv, pd.concat(parts, ignore_index=True)


def main() -> None:
    rng = np.random.default_rng(0)
    m = metrics(rng)
    variances = {"val": dict.fromkeys(OUTPUTS, 0.02)}
    base = {"split": "val", "rule": "first_failure", "threshold": 1e-3}
    r2 = {**base, "threshold_kind": "per_output_r2", "min_r2": 0.95}
    t_mse = best_of(lambda: select_levels(m, base))
    t_r2 = best_of(lambda: select_levels(m, r2, variances))
    print(f"select_levels, {N_SEEDS} seeds x {N_LEVELS} levels: mean_mse {t_mse * 1e3:.0f} ms, "
          f"per_output_r2 ({len(OUTPUTS)} outputs) {t_r2 * 1e3:.0f} ms, ratio "
          f"{t_r2 / t_mse:.2f}")  # fmt: skip
    assert output_variances({"val": np.eye(2)}, ["a", "b"])["val"]["a"] == 0.25
    levels = select_levels(m, base)
    lv, motifs = tables(rng, levels)
    t_keep = best_of(lambda: stats.prepare(lv, motifs, exclude_dead_outputs=False))
    t_drop = best_of(lambda: stats.prepare(lv, motifs, exclude_dead_outputs=True))
    print(f"prepare, {len(motifs)} motif rows: keeping dead outputs {t_keep:.2f} s, leaving them "
          f"out (default) {t_drop:.2f} s, ratio {t_drop / t_keep:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
