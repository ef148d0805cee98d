"""ΔZ: how far training moves each motif's z from that of its own initial weights (issue 11).

Why: a motif over-represented in a trained, pruned network may owe it to pruning by magnitude
alone rather than to training. ΔZ = z(trained network at level k) - z(the same seed's initial
weights magnitude-pruned to the same live per-block edge counts, `magnitude_init`), per seed,
level, null and motif. ΔZ > 0: training made the motif more over-represented (or less under-
represented) than pruning the untrained weights would; ΔZ < 0: less; ΔZ ~ 0: the magnitude
pruning of the initial weights already explains the motif's z. For i.i.d. initialisations the
magnitude_init masks are random masks in distribution, so ΔZ also measures training against
random wiring of the same size.

Pairs are found in the registry: every derived ensemble whose producer is `magnitude_init` is
paired with its source (each trained variant, i.e. each initialisation scheme, has its own).
Per (ensemble, null, level, motif) the summary gives the seed mean with a percentile bootstrap
CI (seeds resampled: the seed is the unit; with at least `MIN_SEEDS` seeds), a one-sample t test of mean ΔZ = 0 and its Holm
adjustment within the table. Motifs with undefined z (NaN: the null fixes them or a null sd of
0) in either network are left out, never read as 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs import registry
from sparsemotifs.contracts.names import MOTIFS, NULLS, SELECTED, sort_frame
from sparsemotifs.convergence.describe import bootstrap_mean_ci, group_rng

PRODUCER = "magnitude_init"
MIN_SEEDS = 5  # seeds needed for a CI and a test of mean ΔZ
DELTA_Z_COLUMNS = [
    "ensemble", "null", "seed", "level", "cut_fraction", "motif", "z_trained", "z_init",
    "delta_z",
]  # fmt: skip
SUMMARY_COLUMNS = [
    "ensemble", "null", "level", "cut_fraction", "motif", "n_seeds", "mean_z_trained",
    "mean_z_init", "mean_delta_z", "sd_delta_z", "ci_low", "ci_high", "p_mean_zero", "p_holm",
]  # fmt: skip


def pairs(present: set[str] | None = None) -> list[tuple[str, str]]:
    """(trained ensemble, its magnitude_init ensemble) for every registered pair (both present)."""
    out = [(e.source, e.name) for e in registry.ENSEMBLES if e.producer == PRODUCER]
    return [p for p in out if present is None or set(p) <= present]


def delta_z_table(motifs: pd.DataFrame) -> pd.DataFrame:
    """Per-seed ΔZ rows from a prepared motifs table (levels as str, `cut_fraction`, draw 0)."""
    m = motifs[(motifs["level"].astype(str) != SELECTED) & motifs["motif"].isin(MOTIFS)]
    if "draw" in m.columns:
        m = m[m["draw"] == 0]
    parts = []
    for trained, init in pairs(set(m["ensemble"])):
        keys = ["null", "seed", "level", "motif"]
        t = m.loc[m["ensemble"] == trained, [*keys, "z", "cut_fraction"]]
        i = m.loc[m["ensemble"] == init, [*keys, "z"]]
        j = t.merge(i, on=keys, suffixes=("_trained", "_init"))
        j = j[np.isfinite(j["z_trained"]) & np.isfinite(j["z_init"])]
        parts.append(j.assign(ensemble=trained, delta_z=j["z_trained"] - j["z_init"]))
    if not parts:
        return pd.DataFrame(columns=DELTA_Z_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["level"] = out["level"].astype(int)
    out = sort_frame(
        out, ["ensemble", "null", "level", "motif", "seed"],
        {"ensemble": registry.names(), "null": NULLS, "motif": MOTIFS},
    )  # fmt: skip
    return out.reindex(columns=DELTA_Z_COLUMNS)


def delta_z_summary(
    table: pd.DataFrame, n_boot: int = 2000, seed: int = 0, min_seeds: int = MIN_SEEDS
) -> pd.DataFrame:
    """Seed mean of ΔZ per (ensemble, null, level, motif) with a seed-bootstrap CI and tests.

    CI and test only with at least `min_seeds` seeds (a percentile bootstrap of 2-4 values
    covers badly); fewer seeds give the mean and NaN CI and p.
    """
    from scipy import stats as sps

    from sparsemotifs.convergence.scale import holm

    rows = []
    for key, g in table.groupby(["ensemble", "null", "level", "motif"], sort=False):
        d = g["delta_z"].to_numpy(dtype=float)
        low, high, p = np.nan, np.nan, np.nan
        if d.size >= max(min_seeds, 2):
            low, high = bootstrap_mean_ci(d, n_boot, group_rng(seed, "delta_z", *key))
            p = float(sps.ttest_1samp(d, 0.0).pvalue) if np.ptp(d) > 0 else np.nan
        rows.append({
            **dict(zip(["ensemble", "null", "level", "motif"], key, strict=True)),
            "cut_fraction": float(g["cut_fraction"].mean()), "n_seeds": int(g["seed"].nunique()),
            "mean_z_trained": float(g["z_trained"].mean()), "mean_z_init": float(g["z_init"].mean()),
            "mean_delta_z": float(d.mean()), "sd_delta_z": float(d.std(ddof=1)) if d.size > 1 else np.nan,
            "ci_low": low, "ci_high": high, "p_mean_zero": p,
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    if not out.empty:
        out["p_holm"] = holm(out["p_mean_zero"])
    return out
