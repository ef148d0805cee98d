"""Description: spread of each motif's z across seeds (sd, CV, bootstrap CI), network counts.

Every random draw comes from a generator seeded by (seed, group key), so a table does not depend
on which other groups happen to be present.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from sparsemotifs import registry
from sparsemotifs.contracts.names import MOTIFS, NULLS, sort_frame
from sparsemotifs.convergence.prepare import Prepared


def group_rng(seed: int, *key) -> np.random.Generator:
    """Generator seeded by (seed, stable hash of the group key)."""
    digest = zlib.crc32("|".join(str(k) for k in key).encode())
    return np.random.default_rng([int(seed), digest])


def bootstrap_mean_ci(
    values: np.ndarray, n_boot: int, rng: np.random.Generator, confidence: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of the finite values (vectorised resampling)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 2 or n_boot < 1:
        return (np.nan, np.nan)
    means = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def describe(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> dict:
    """n, mean, sd (ddof 1), CV = sd/|mean|, median and bootstrap 95 % CI of the finite values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    mean = float(x.mean()) if n else np.nan
    sd = float(x.std(ddof=1)) if n >= 2 else np.nan
    cv = sd / abs(mean) if n >= 2 and mean != 0 else np.nan
    low, high = bootstrap_mean_ci(x, n_boot, rng)
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "cv": cv,
        "median": float(np.median(x)) if n else np.nan,
        "ci_low": low,
        "ci_high": high,
    }


def convergence_table(
    prepared: Prepared, n_boot: int = 2000, seed: int = 0, extra_keys: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Per ensemble x level x null x motif (x extra keys such as `layer`): spread of z across seeds."""
    keys = ["ensemble", "level", "null", *extra_keys, "motif"]
    rows = []
    for key, group in prepared.motifs.groupby(keys, sort=False):
        rng = group_rng(seed, "convergence", *key)
        row = dict(zip(keys, key, strict=True))
        row.update(describe(group["z"].to_numpy(), n_boot, rng))
        row["cut_fraction"] = float(group["cut_fraction"].mean())
        rows.append(row)
    out = pd.DataFrame(
        rows,
        columns=[*keys, "n", "mean", "sd", "cv", "median", "ci_low", "ci_high", "cut_fraction"],
    )
    out = out.merge(prepared.excluded, on=["ensemble", "level"], how="left")
    out["n_excluded_diverged"] = out["n_excluded_diverged"].fillna(0).astype(int)
    return order_table(out, keys)


def order_table(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Stable sort by `keys` in canonical ensemble, null, motif and level order."""
    orders = {"ensemble": registry.names(), "null": NULLS, "motif": MOTIFS}
    return sort_frame(df, keys, orders)


def network_counts(levels: pd.DataFrame, ensemble: str | None = None) -> dict:
    """How many networks were trained, diverged, never passed the threshold, had dead outputs."""
    ensemble = ensemble or registry.SUBJECT
    lv = levels[levels.ensemble == ensemble]
    seeds = lv.seed.unique()
    diverged_seeds = lv.loc[lv.status == "diverged", "seed"].unique()
    selected = lv[lv.selected]
    dead = int(selected["dead_output"].sum()) if "dead_output" in lv.columns else None
    return {
        "ensemble": ensemble,
        "networks": int(len(seeds)),
        "diverged_networks": int(len(diverged_seeds)),
        "diverged_levels": int((lv.status == "diverged").sum()),
        "selected": int(selected.seed.nunique()),
        "never_passing": int(len(seeds) - selected.seed.nunique()),
        "dead_output_selected": dead,
    }
