"""Scale-aware statistics of motif z across seeds (issue 12, item 3).

Why: z grows like sqrt(edges), so spreads and trends of raw z across levels mostly track size
(|z - mean z| shrinks with z as the networks thin out). Provided here:

- `effect_sizes`: per-edge effect sizes next to z: the relative excess (count - E)/E and
  z / sqrt(edges) (z per square root of the network's edge count, the scale z grows with);
- `spread_table`: n, mean, sd, CV of a quantity across seeds with percentile bootstrap CIs for
  the mean *and* for sd and CV (networks resampled);
- `level_mix`: which levels the "selected" pseudo-level pools (it is secondary; per level is
  primary);
- `sp_deviation`: each seed's angular distance from its ensemble's mean profile direction, a
  scale-free spread;
- `seed_slopes` / `trend_table`: trends with the seed as the unit (each seed's least-squares
  slope against cut fraction over its passing levels, then a Wilcoxon signed-rank test of the
  slopes across seeds), Holm-adjusted within the table; the profile deviation of the trained
  ensemble under the primary null is the confirmatory row, the rest exploratory.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

PRIMARY_NULL = "fixed_count_min1"


def _rng(seed: int, *key) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32("|".join(map(str, key)).encode())])


def holm(p) -> np.ndarray:
    """Holm step-down adjusted p-values (NaN stays NaN and does not count as a test)."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    q = p[ok]
    order = np.argsort(q)
    m = q.size
    adj = np.maximum.accumulate((m - np.arange(m)) * q[order])
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def bh(p) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (scipy), NaN kept."""
    from scipy import stats as sps

    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = sps.false_discovery_control(p[ok], method="bh")
    return out


NETWORK = ["ensemble", "seed", "level", "null"]


def effect_sizes(motifs: pd.DataFrame) -> pd.DataFrame:
    """Add rel_excess = (count - null_mean)/null_mean and z_per_sqrt_edges = z/sqrt(edges)."""
    keys = [k for k in NETWORK + ["draw"] if k in motifs.columns]
    edges = motifs.loc[motifs["motif"] == "edges", keys + ["count"]].rename(
        columns={"count": "_edges"}
    )
    out = motifs.merge(edges, on=keys, how="left")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = out["null_mean"].astype(float)
        out["rel_excess"] = np.where(mean > 0, (out["count"] - mean) / mean, np.nan)
        out["z_per_sqrt_edges"] = out["z"] / np.sqrt(out["_edges"].astype(float))
    return out.drop(columns="_edges")


def _ci(boot: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    boot = boot[np.isfinite(boot)]
    if boot.size < 10:
        return np.nan, np.nan
    tail = (1 - confidence) / 2
    lo, hi = np.quantile(boot, [tail, 1 - tail])
    return float(lo), float(hi)


def describe_spread(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> dict:
    """n, mean, sd, CV and percentile bootstrap CIs of each (finite values only)."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    row = {"n": int(n), "mean": np.nan, "sd": np.nan, "cv": np.nan}
    for k in ("mean", "sd", "cv"):
        row[f"{k}_ci_low"] = row[f"{k}_ci_high"] = np.nan
    if n == 0:
        return row
    row["mean"] = float(x.mean())
    if n < 2:
        return row
    row["sd"] = float(x.std(ddof=1))
    row["cv"] = row["sd"] / abs(row["mean"]) if row["mean"] != 0 else np.nan
    if n_boot > 0:
        b = x[rng.integers(0, n, size=(n_boot, n))]
        mean, sd = b.mean(axis=1), b.std(axis=1, ddof=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            cv = sd / np.abs(mean)
        for k, v in (("mean", mean), ("sd", sd), ("cv", cv)):
            row[f"{k}_ci_low"], row[f"{k}_ci_high"] = _ci(v)
    return row


def spread_table(
    motifs: pd.DataFrame, value: str = "z", n_boot: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Per ensemble x level x null x motif: spread of `value` across seeds, with CIs."""
    keys = ["ensemble", "level", "null", "motif"]
    rows = []
    for key, g in motifs.groupby(keys, sort=False):
        row = dict(zip(keys, key, strict=True), value=value)
        row.update(describe_spread(g[value].to_numpy(), n_boot, _rng(seed, "spread", value, *key)))
        rows.append(row)
    return pd.DataFrame(rows)


def level_mix(levels: pd.DataFrame) -> pd.DataFrame:
    """Per ensemble: how many seeds the selected pseudo-level takes from each level."""
    sel = levels[levels["selected"].astype(bool)]
    rows = []
    for ens, g in sel.groupby("ensemble", sort=False):
        counts = g["level"].value_counts().sort_index()
        rows.append(
            {
                "ensemble": ens,
                "n_selected": int(counts.sum()),
                "level_mix": ", ".join(f"level {lv}: {c}" for lv, c in counts.items()),
            }
        )
    return pd.DataFrame(rows, columns=["ensemble", "n_selected", "level_mix"])


def sp_deviation(motifs: pd.DataFrame, motif_set=None) -> pd.DataFrame:
    """Angular distance (radians) of each seed's SP from its ensemble x level x null mean SP."""
    z = motifs[np.isfinite(motifs["z"])]
    if motif_set is not None:
        z = z[z["motif"].isin(motif_set)]
    rows = []
    for (ens, level, null), g in z.groupby(["ensemble", "level", "null"], sort=False):
        wide = g.pivot_table(index="seed", columns="motif", values="z", aggfunc="first").dropna(
            axis=1, how="any"
        )
        if wide.shape[1] < 2 or wide.shape[0] < 2:
            continue
        x = wide.to_numpy(dtype=float)
        x = x / np.linalg.norm(x, axis=1, keepdims=True)
        centre = x.mean(axis=0)
        centre = centre / np.linalg.norm(centre)
        ang = np.arccos(np.clip(x @ centre, -1.0, 1.0))
        rows.append(
            pd.DataFrame(
                {"ensemble": ens, "level": level, "null": null, "seed": wide.index, "value": ang}
            )
        )
    cols = ["ensemble", "level", "null", "seed", "value"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)


def seed_slopes(df: pd.DataFrame, x: str = "cut_fraction", min_levels: int = 3) -> dict:
    """Each seed's OLS slope of `value` on x (its own levels), then a test of the slopes.

    df: columns seed, x, value (passing levels only: the caller filters). Seeds with fewer
    than `min_levels` finite points are dropped. Returns n_seeds, mean and median slope, a
    bootstrap CI of the mean slope and the Wilcoxon signed-rank p (two-sided) of slopes vs 0.
    """
    from scipy import stats as sps

    slopes = []
    for _, g in df.groupby("seed", sort=True):
        g = g[np.isfinite(g[x]) & np.isfinite(g["value"])]
        if len(g) >= min_levels and g[x].nunique() > 1:
            slopes.append(float(np.polyfit(g[x].to_numpy(float), g["value"].to_numpy(float), 1)[0]))
    s = np.array(slopes)
    out = {"n_seeds": int(s.size), "mean_slope": np.nan, "median_slope": np.nan}
    out.update(slope_ci_low=np.nan, slope_ci_high=np.nan, p_wilcoxon=np.nan)
    if s.size == 0:
        return out
    out["mean_slope"], out["median_slope"] = float(s.mean()), float(np.median(s))
    if s.size >= 2:
        rng = np.random.default_rng(s.size)
        out["slope_ci_low"], out["slope_ci_high"] = _ci(
            s[rng.integers(0, s.size, (2000, s.size))].mean(axis=1)
        )
    if s.size >= 5 and (s != 0).any():
        out["p_wilcoxon"] = float(sps.wilcoxon(s).pvalue)
    return out


def trend_table(
    motifs: pd.DataFrame,
    cut_fractions: pd.DataFrame,
    *,
    primary_null: str = PRIMARY_NULL,
    min_levels: int = 3,
) -> pd.DataFrame:
    """Trends with sparsity, seed as the unit, on scale-free quantities; Holm within the table.

    motifs: per-level rows of passing networks (integer levels); cut_fractions: ensemble, seed,
    level, cut_fraction. Quantities: "profile_deviation" (angular distance to the ensemble's mean
    SP) and, per motif, "rel_excess". Confirmatory: profile_deviation of the trained ensemble
    under `primary_null`; every other row is exploratory. `p_holm`/`p_bh`: adjusted over all rows.
    """
    m = effect_sizes(motifs)
    dev = sp_deviation(motifs).assign(quantity="profile_deviation", motif="profile")
    rel = m[np.isfinite(m["rel_excess"]) & (m["motif"] != "edges")]
    rel = rel.assign(quantity="rel_excess", value=rel["rel_excess"])
    parts = [dev, rel[["ensemble", "level", "null", "seed", "motif", "quantity", "value"]]]
    long = pd.concat(parts, ignore_index=True)
    long = long.merge(cut_fractions, on=["ensemble", "seed", "level"], how="inner")
    rows = []
    for (ens, null, quantity, motif), g in long.groupby(
        ["ensemble", "null", "quantity", "motif"], sort=False
    ):
        row = {"ensemble": ens, "null": null, "quantity": quantity, "motif": motif}
        row.update(seed_slopes(g, min_levels=min_levels))
        row["confirmatory"] = bool(
            ens == "trained" and null == primary_null and quantity == "profile_deviation"
        )
        rows.append(row)
    out = pd.DataFrame(rows)
    if not out.empty:
        out["p_holm"] = holm(out["p_wilcoxon"])
        out["p_bh"] = bh(out["p_wilcoxon"])
    return out
