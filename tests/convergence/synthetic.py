"""Synthetic levels/motifs tables with known structure, shared by the convergence and report tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs.contracts.names import MOTIFS

FIXED_UNDER_DEGREE = {"edges", "diverging_2", "converging_2", "chain_2"}
BASE_PROFILE = np.array([np.nan, 18.0, 16.0, -15.0, 20.0, 12.0, -10.0, 19.0, 27.0])


def make_tables(
    n_seeds: int = 10,
    cuts=(0.0, 0.5, 0.85, 0.9, 0.93),
    nulls=("fixed_count", "degree"),
    spread=lambda cut: 4.0 * (1.2 - cut),
    seed: int = 0,
    diverged: tuple[int, int] | None = (0, 1),
    never_passing_seed: int | None = 1,
    threshold: float = 1e-3,
):
    """levels and motifs tables; trained z = BASE_PROFILE + spread(cut) * N(0, 1).

    Seed 0 diverges at level 1 (if `diverged`), seed 1 never passes the threshold.
    """
    rng = np.random.default_rng(seed)
    level_rows, motif_rows = [], []
    for ensemble in ("trained", "control_task"):
        for s in range(n_seeds):
            passing_until = len(cuts) - 1 - (s % 2)  # alternate selected levels
            for level, cut in enumerate(cuts):
                loss = 1.5e-4 * (1 + level) if level <= passing_until else 5e-3
                if s == never_passing_seed and ensemble == "trained":
                    loss = 5e-3
                status = "diverged" if diverged == (s, level) and ensemble == "trained" else "ok"
                if status == "diverged":
                    loss = np.inf
                level_rows.append(
                    {
                        "ensemble": ensemble,
                        "seed": s,
                        "level": level,
                        "cut_fraction": cut,
                        "weights_kept": 1 - cut,
                        "loss_train": loss,
                        "loss_val": loss * 1.1,
                        "loss_test": loss * 1.2,
                        "status": status,
                        "selected": False,
                        "dead_output": bool(s == 3 and level == passing_until),
                    }
                )
    levels = pd.DataFrame(level_rows)
    for _, g in levels.groupby(["ensemble", "seed"]):
        ok = g[(g.loss_val <= threshold) & (g.status == "ok") & (g.level > 0)]
        if len(ok):
            levels.loc[ok.index[-1], "selected"] = True
    for ensemble in ("trained", "random_pruned", "control_task"):
        for s in range(n_seeds):
            for level, cut in enumerate(cuts):
                if level == 0:
                    continue
                sd = spread(cut)
                for null in nulls:
                    for i, motif in enumerate(MOTIFS):
                        if ensemble == "trained":
                            z = BASE_PROFILE[i] + sd * rng.normal()
                        elif ensemble == "control_task":
                            z = -0.5 * BASE_PROFILE[i] + 6.0 * rng.normal()
                        else:
                            z = rng.normal()
                        if motif == "edges" or (null == "degree" and motif in FIXED_UNDER_DEGREE):
                            z = np.nan
                        motif_rows.append(
                            {
                                "ensemble": ensemble,
                                "seed": s,
                                "level": level,
                                "null": null,
                                "motif": motif,
                                "count": 100.0,
                                "null_mean": 90.0,
                                "null_sd": 1.0,
                                "z": z,
                                "p": np.nan,
                            }
                        )
    motifs = pd.DataFrame(motif_rows)
    return levels, motifs
