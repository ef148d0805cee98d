"""Trend: does the spread across seeds shrink with sparsity? Paired by seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs.contracts.names import SELECTED
from sparsemotifs.convergence.describe import order_table
from sparsemotifs.convergence.permutation import distances_to_centroid
from sparsemotifs.convergence.prepare import Prepared, level_cut_fractions
from sparsemotifs.convergence.profiles import significance_profiles

# Default reference ("dense-ish") cut fraction for the paired trend test: the paper quotes the
# spread at 85 % (sd of z 8-10) against 93 % (sd about 3).
REFERENCE_CUT = 0.85


def _trend_one(dev: pd.DataFrame, reference_level: int | None) -> dict:
    """dev: columns seed, level (int or SELECTED), cut_fraction, deviation."""
    from scipy import stats as sps  # imported here: scipy.stats costs ~1 s at CLI start-up

    per_level = dev[dev.level != SELECTED]
    out: dict = {}
    by_level = per_level.groupby("level").agg(
        spread=("deviation", "mean"), cut=("cut_fraction", "mean"), n=("seed", "size")
    )
    by_level = by_level[(by_level.n >= 2) & np.isfinite(by_level.spread)]
    out["n_levels"] = len(by_level)
    rho = p = np.nan
    if len(by_level) >= 3 and by_level.spread.nunique() > 1 and by_level.cut.nunique() > 1:
        rho, p = sps.spearmanr(by_level.cut, by_level.spread)
    out["rho_levels"], out["p_levels"] = float(rho), float(p)
    pooled = per_level[np.isfinite(per_level.deviation) & np.isfinite(per_level.cut_fraction)]
    rho = p = np.nan
    if len(pooled) >= 3 and pooled.deviation.nunique() > 1 and pooled.cut_fraction.nunique() > 1:
        rho, p = sps.spearmanr(pooled.cut_fraction, pooled.deviation)
    out["n_pooled"], out["rho_pooled"], out["p_pooled"] = len(pooled), float(rho), float(p)

    out.update(
        {
            "reference_level": reference_level,
            "n_pairs": 0,
            "median_dev_reference": np.nan,
            "median_dev_selected": np.nan,
            "wilcoxon_stat": np.nan,
            "wilcoxon_p": np.nan,
        }
    )
    if reference_level is None:
        return out
    ref = per_level[per_level.level == str(reference_level)].set_index("seed")
    sel = dev[dev.level == SELECTED].set_index("seed")
    sel = sel[sel.selected_level > reference_level]  # only seeds pruned beyond the reference
    pairs = (
        ref[["deviation"]]
        .rename(columns={"deviation": "deviation_ref"})
        .join(sel[["deviation"]].rename(columns={"deviation": "deviation_sel"}), how="inner")
        .dropna()
    )
    out["n_pairs"] = len(pairs)
    if len(pairs):
        out["median_dev_reference"] = float(pairs.deviation_ref.median())
        out["median_dev_selected"] = float(pairs.deviation_sel.median())
    diff = pairs.deviation_ref - pairs.deviation_sel
    if len(pairs) >= 2 and (diff != 0).any():
        res = sps.wilcoxon(pairs.deviation_ref, pairs.deviation_sel)
        out["wilcoxon_stat"], out["wilcoxon_p"] = float(res.statistic), float(res.pvalue)
    return out


def _reference_level(cuts: pd.DataFrame, ensemble: str, reference_cut: float) -> int | None:
    c = cuts[(cuts.ensemble == ensemble) & np.isfinite(cuts.cut_fraction)]
    c = c[c.cut_fraction > 0]
    if c.empty:
        return None
    return int(c.loc[(c.cut_fraction - reference_cut).abs().idxmin(), "level"])


def dispersion_trend(
    prepared: Prepared, levels: pd.DataFrame, reference_cut: float = REFERENCE_CUT
) -> pd.DataFrame:
    """Does the spread across seeds shrink with sparsity? Paired by seed.

    Deviation of a seed at a level = |z - ensemble mean z at that level| per motif, and for
    motif = "profile" the distance of its SP vector to the ensemble's SP centroid. Reported:
    Spearman rho of the per-level mean deviation vs cut fraction (n = levels), the pooled
    Spearman over seed x level (its p ignores within-seed dependence: descriptive), and a paired
    Wilcoxon signed-rank test of each seed's deviation at the reference level (cut fraction
    closest to `reference_cut`) vs at its own selected level (seeds selected beyond it only).
    """
    cuts = level_cut_fractions(levels)
    m = prepared.motifs[np.isfinite(prepared.motifs["z"])]
    keys = ["ensemble", "level", "null", "motif"]
    mean_z = m.groupby(keys)["z"].transform("mean")
    dev = m.assign(deviation=(m["z"] - mean_z).abs())

    sp = significance_profiles(prepared.motifs)
    prof_rows = []
    for (ensemble, level, null), g in sp.groupby(level=["ensemble", "level", "null"], sort=False):
        cols = [c for c in g.columns if np.isfinite(g[c]).all()]
        if not cols:
            continue
        d = distances_to_centroid(g[cols].to_numpy())
        prof_rows.append(
            pd.DataFrame(
                {
                    "ensemble": ensemble,
                    "level": level,
                    "null": null,
                    "motif": "profile",
                    "seed": g.index.get_level_values("seed"),
                    "deviation": d,
                }
            )
        )
    meta = prepared.motifs.drop_duplicates(["ensemble", "level", "null", "seed"])[
        ["ensemble", "level", "null", "seed", "cut_fraction", "selected_level"]
    ]
    parts = [
        dev[
            [
                "ensemble",
                "level",
                "null",
                "motif",
                "seed",
                "deviation",
                "cut_fraction",
                "selected_level",
            ]
        ]
    ]
    if prof_rows:
        parts.append(pd.concat(prof_rows).merge(meta, on=["ensemble", "level", "null", "seed"]))
    dev = pd.concat(parts, ignore_index=True)

    rows = []
    for (ensemble, null, motif), g in dev.groupby(["ensemble", "null", "motif"], sort=False):
        ref = _reference_level(cuts, ensemble, reference_cut)
        row = {"ensemble": ensemble, "null": null, "motif": motif}
        row.update(_trend_one(g, ref))
        if ref is not None:
            rc = cuts[(cuts.ensemble == ensemble) & (cuts.level == ref)].cut_fraction
            row["reference_cut"] = float(rc.iloc[0]) if len(rc) else np.nan
        rows.append(row)
    cols = [
        "ensemble",
        "null",
        "motif",
        "n_levels",
        "rho_levels",
        "p_levels",
        "n_pooled",
        "rho_pooled",
        "p_pooled",
        "reference_level",
        "reference_cut",
        "n_pairs",
        "median_dev_reference",
        "median_dev_selected",
        "wilcoxon_stat",
        "wilcoxon_p",
    ]
    return order_table(pd.DataFrame(rows).reindex(columns=cols), ["ensemble", "null", "motif"])
