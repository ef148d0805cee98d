"""Summary paragraphs (markdown) with the measured answers of the closed-loop and weight stages.

Pure functions of the tables, so the sentences are tested on constructed tables and the report's
summary only concatenates them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

SEPARATES = 2.0  # median KL / permutation-null ratio from which a metric "separates" the groups


def _g(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.3g}"


def _ordered(names) -> list[str]:
    names = list(dict.fromkeys(names))
    return [n for n in ("trained", "control_task") if n in names] + sorted(
        n for n in names if n not in ("trained", "control_task")
    )


def motif_relation(
    closed_loop: pd.DataFrame, levels: pd.DataFrame, motifs: pd.DataFrame, null: str | None = None
) -> pd.DataFrame:
    """Spearman correlation across seeds, at each seed's selected level, between the network's
    median position miss and its motif z-scores (one row per motif; `null` defaults to degree)."""
    cols = ["null", "motif", "n_seeds", "rho", "p"]
    if "selected" not in levels or motifs.empty:
        return pd.DataFrame(columns=cols)
    nulls = list(dict.fromkeys(motifs["null"]))
    null = null or ("degree" if "degree" in nulls else nulls[0])
    sel = levels[levels["selected"].fillna(False).astype(bool)][["seed", "level"]]
    cl = closed_loop.merge(sel, on=["seed", "level"])[["seed", "level", "position_median_cm"]]
    # the flown ensemble's z (the subject's: `trained`, or with variants the first variant)
    flown = set(closed_loop["ensemble"]) if "ensemble" in closed_loop else {"trained"}
    z = motifs[(motifs["null"] == null) & (motifs["ensemble"].isin(flown))]
    merged = cl.merge(z[["seed", "level", "motif", "z"]], on=["seed", "level"])
    rows = []
    for motif, g in merged.groupby("motif", sort=True):
        g = g[np.isfinite(g["z"]) & np.isfinite(g["position_median_cm"])]
        if len(g) >= 3 and g["z"].nunique() > 1 and g["position_median_cm"].nunique() > 1:
            res = sps.spearmanr(g["position_median_cm"], g["z"])
            rows.append([null, motif, len(g), float(res.statistic), float(res.pvalue)])
        else:
            rows.append([null, motif, len(g), np.nan, np.nan])
    return pd.DataFrame(rows, columns=cols)


def closed_loop_paragraph(
    closed_loop: pd.DataFrame,
    levels: pd.DataFrame,
    loss: str = "loss_test",
    motifs: pd.DataFrame | None = None,
    references: dict | None = None,
) -> list[str]:
    """How function degrades with sparsity compared with the loss (medians over seeds); with
    several flown ensembles (variants, column `ensemble`) one subsection each."""
    lines = ["## Closed-loop function", ""]
    if closed_loop.empty:
        return [*lines, "No closed-loop results (stage disabled or no networks).", ""]
    names = list(dict.fromkeys(closed_loop["ensemble"])) if "ensemble" in closed_loop else []
    if len(names) <= 1:
        return lines + _closed_loop_lines(closed_loop, levels, loss, motifs, references)
    for name in names:
        lv = levels[levels["ensemble"] == name] if "ensemble" in levels else levels
        cl = closed_loop[closed_loop["ensemble"] == name]
        lines += [f"### {name}", ""]
        lines += _closed_loop_lines(cl, lv, loss, motifs, references)
        references = None  # the dataset's own misses are the same for every variant: once
    return lines


def _closed_loop_lines(closed_loop, levels, loss, motifs, references) -> list[str]:
    lines: list[str] = []
    merged = closed_loop.merge(
        levels[[c for c in ("seed", "level", loss, "weights_kept", "selected") if c in levels]],
        on=["seed", "level"],
        how="left",
    )
    per = merged.groupby("level").median(numeric_only=True)
    dense, last = per.iloc[0], per.iloc[-1]
    n_traj = int(closed_loop["n_trajectories"].median())
    sparsity = 1.0 - per["weights_kept"] if "weights_kept" in per else pd.Series(np.nan, per.index)
    pos_factor = last["position_median_cm"] / dense["position_median_cm"]
    loss_factor = last[loss] / dense[loss] if loss in per else np.nan
    lines.append(
        f"Each network flew its predicted controls for {n_traj} test trajectories (20 ms from "
        "the initial state; medians over seeds of each network's median miss). Dense networks "
        f"reach the desired position within {_g(dense['position_median_cm'])} cm (90th "
        f"percentile {_g(dense['position_p90_cm'])} cm), theta within "
        f"{_g(dense['theta_median_rad'])} rad and phi within {_g(dense['phi_median_rad'])} rad. "
        f"At the sparsest level ({_g(100 * sparsity.iloc[-1])} % pruned) the position miss is "
        f"{_g(last['position_median_cm'])} cm, a factor {_g(pos_factor)}, while the {loss} "
        f"grows by a factor {_g(loss_factor)}."
    )
    if references:
        t, m = references.get("true_controls", {}), references.get("mean_controls", {})
        lines.append(
            f"For scale, on the same flights the dataset's own controls miss by "
            f"{_g(t.get('position_median_cm', np.nan))} cm (its float32 storage) and a constant "
            f"predictor (mean training controls) by {_g(m.get('position_median_cm', np.nan))} cm "
            f"(theta {_g(m.get('theta_median_rad', np.nan))} rad, phi "
            f"{_g(m.get('phi_median_rad', np.nan))} rad)."
        )
    doubled = per.index[per["position_median_cm"] > 2 * dense["position_median_cm"]]
    loss_doubled = per.index[per[loss] > 2 * dense[loss]] if loss in per else []
    if len(doubled) or len(loss_doubled):

        def where(idx):
            if not len(idx):
                return "at no level"
            return f"from level {int(idx[0])} ({_g(100 * sparsity.loc[idx[0]])} % pruned)"

        lines.append(
            f"The position miss first exceeds twice its dense value {where(doubled)}; the loss "
            f"{where(loss_doubled)}."
        )
    if "selected" in merged and merged["selected"].fillna(False).astype(bool).any():
        sel = merged[merged["selected"].fillna(False).astype(bool)]
        lines.append(
            f"At each seed's selected level (median {_g(100 * (1 - sel['weights_kept'].median()))} "
            f"% pruned, {len(sel)} seeds) the median position miss is "
            f"{_g(sel['position_median_cm'].median())} cm and the phi miss "
            f"{_g(sel['phi_median_rad'].median())} rad."
        )
    if motifs is not None:
        rel = motif_relation(closed_loop, levels, motifs).dropna(subset=["rho"])
        if len(rel):
            parts = [
                f"{r.motif} rho = {r.rho:.2f} (p = {r.p:.2g})"
                for r in rel.sort_values("p").itertuples()
            ]
            lines.append(
                f"Across {int(rel['n_seeds'].max())} seeds at their selected levels, the "
                f"Spearman correlation of the position miss with the {rel['null'].iloc[0]}-null "
                f"z-score: {'; '.join(parts)}."
            )
    failed = int(closed_loop["n_failed"].sum())
    if failed:
        lines.append(f"{failed} flights could not be integrated and are excluded.")
    return [*lines, ""]


def weights_paragraph(compare: pd.DataFrame) -> list[str]:
    """Whether link weights, strength and fluctuation separate accurate from poor networks."""
    lines = ["## Weights, node strength and layer fluctuation", ""]
    bins = compare[compare["comparison"] == "loss_bins"] if len(compare) else compare
    if bins.empty:
        return [*lines, "No weight comparisons (stage disabled or too few seeds per level).", ""]
    ratio = bins.groupby(["ensemble_a", "metric"])["kl_ratio"].median()
    kl = bins.groupby(["ensemble_a", "metric"])["kl"].median()
    for ens in _ordered(ratio.index.get_level_values(0)):
        r = ratio.loc[ens]
        parts = [
            f"{m} {_g(kl.loc[(ens, m)])} ({_g(r[m])}x its null)"
            if np.isfinite(r[m])
            else f"{m} n/a (too few networks per bin)"
            for m in ("weight", "strength", "fluctuation", "strength_abs")
            if m in r
        ]
        sep = [m for m in ("strength", "fluctuation") if m in r and r[m] >= SEPARATES]
        verdict = (
            f"{' and '.join(sep)} separate accurate from poor networks"
            if sep
            else "neither strength nor fluctuation separates accurate from poor networks"
        )
        w = r.get("weight", np.nan)
        wv = "do" if np.isfinite(w) and w >= SEPARATES else "do not"
        lines.append(
            f"{ens}: symmetrised KL divergence between the most and least accurate third of "
            f"the networks at each level (median over levels and layers): {', '.join(parts)}. "
            f"By the criterion KL >= {SEPARATES:g}x the permutation null, {verdict}; "
            f"link-weight distributions {wv}."
        )
    ens = compare[compare["comparison"] == "ensembles"]
    if len(ens):
        r = ens.groupby(["ensemble_b", "metric"])["kl_ratio"].median()
        for other in r.index.get_level_values(0).unique():
            parts = [f"{m} {_g(v)}x" for m, v in r.loc[other].items() if np.isfinite(v)]
            lines.append(
                f"trained vs {other} (KL / null, median over levels and layers): "
                f"{', '.join(parts)}."
            )
    return [*lines, ""]
