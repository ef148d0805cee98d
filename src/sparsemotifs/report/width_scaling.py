"""How the motif statistics change with the networks' width (issue 14, item 4).

Why: z grows like sqrt(edges), so z-scores of networks of different widths are not comparable
as they stand, and the published ensemble (width 400) has z several times ours at width 48. This
table puts each width's counts, z, per-edge effect sizes (z / sqrt(edges), the relative excess
(count - E) / E), profile similarity and verdict side by side, with the published ensemble as the
last point, so that one can see which of them follow the size and which do not.

One row per (source, ensemble, null, level, motif) at two levels: each seed's `selected` level,
and one fixed level for all widths (the sparsest at which every width still has >= 5 passing
networks, or the one nearest a given cut), only networks passing there (the verdict's rule). Means over seeds with a
percentile bootstrap CI of mean z (the seed is the unit). `mean_r` and `verdict` are the
ensemble's (one per null and level) from tables/profile_similarity.csv and tables/verdict.csv.
The published rows (source `published`) are its per-network z under its own method (the
reference null) at the published level nearest the fixed level's cut, and at 93 % (where its
z are quoted; the published tables have no selection), with their
mean pairwise SP correlation computed here the way ours is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs.contracts.names import MOTIFS, SELECTED
from sparsemotifs.convergence.describe import bootstrap_mean_ci, group_rng

DEFAULT_CUT = 0.93
PUBLISHED = "published"
PUBLISHED_WIDTH = 400
COLUMNS = [
    "source", "ensemble", "hidden_width", "null", "level", "cut_fraction", "motif", "n_networks",
    "mean_edges", "mean_count", "mean_z", "z_ci_low", "z_ci_high", "sd_z", "mean_z_per_sqrt_edges",
    "mean_rel_excess", "mean_r", "verdict",
]  # fmt: skip
SHOWN = ("bi_fan", "bi_parallel", "diverging_2", "chain_3")


def nearest_level(levels: pd.DataFrame, cut: float) -> str | None:
    """The level (as text) whose cut fraction is nearest `cut` (the sparser one on a tie)."""
    lv = levels.dropna(subset=["cut_fraction"]).drop_duplicates("level")
    if lv.empty:
        return None
    dist = (lv["cut_fraction"].astype(float) - cut).abs()
    best = lv.assign(_d=dist.round(9)).sort_values(["_d", "cut_fraction"], ascending=[True, False])
    return str(int(best["level"].iloc[0]))


def common_level(levels: pd.DataFrame, ensembles, min_networks: int = 5) -> str | None:
    """The sparsest level at which every ensemble has >= `min_networks` passing networks
    (`passes`; without that column every row counts); None if there is none."""
    from sparsemotifs.convergence.study_verdict import _as_bool

    lv = levels[levels["ensemble"].isin(list(ensembles))]
    if "passes" in lv.columns:
        lv = lv[_as_bool(lv["passes"])]
    counts = lv.groupby(["level", "ensemble"])["seed"].nunique().unstack("ensemble")
    counts = counts.reindex(columns=list(ensembles)).fillna(0)
    ok = counts[(counts >= min_networks).all(axis=1)]
    return str(int(ok.index.max())) if len(ok) else None


def _rows_of(z: pd.DataFrame, base: dict, n_boot: int, seed: int) -> list[dict]:
    rows = []
    for motif, g in z.groupby("motif", sort=False):
        finite = g[np.isfinite(g["z"].astype(float))]
        edges = g["live_edges"].astype(float)
        zz = finite["z"].to_numpy(float)
        low, high = bootstrap_mean_ci(zz, n_boot, group_rng(seed, "width", *base.values(), motif))
        with np.errstate(invalid="ignore", divide="ignore"):
            per_edge = finite["z"].astype(float) / np.sqrt(finite["live_edges"].astype(float))
            mean = g["null_mean"].astype(float)
            excess = np.where(mean > 0, (g["count"].astype(float) - mean) / mean, np.nan)
        rows.append(
            {
                **base,
                "motif": motif,
                "n_networks": int(g["seed"].nunique()),
                "mean_edges": float(edges.mean()),
                "mean_count": float(g["count"].astype(float).mean()),
                "mean_z": float(zz.mean()) if zz.size else np.nan,
                "z_ci_low": low,
                "z_ci_high": high,
                "sd_z": float(zz.std(ddof=1)) if zz.size > 1 else np.nan,
                "mean_z_per_sqrt_edges": float(per_edge.mean()) if zz.size else np.nan,
                "mean_rel_excess": float(np.nanmean(excess))
                if np.isfinite(excess).any()
                else np.nan,
            }
        )
    return rows


def _lookup(table: pd.DataFrame | None, ensemble: str, null: str, level: str, col: str):
    if table is None or table.empty:
        return np.nan
    hit = table[
        (table["ensemble"] == ensemble)
        & (table["null"] == null)
        & (table["level"].astype(str) == level)
    ]
    return hit[col].iloc[0] if len(hit) else np.nan


def ours(
    motifs: pd.DataFrame,
    levels: pd.DataFrame,
    widths: dict[str, int],
    verdict: pd.DataFrame | None = None,
    profile: pd.DataFrame | None = None,
    *,
    cut: float | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Rows of our trained ensembles `widths` ({ensemble: hidden width}); `motifs` is
    tables/motifs.csv (draw 0 is used), `levels` the ensembles' levels tables (`ensemble`).

    The fixed level: the one nearest `cut`, or with `cut` None the sparsest level at which every
    width still has >= 5 passing networks (narrow networks stop passing at lighter pruning, and
    a level no width passes compares nothing)."""
    from sparsemotifs.convergence.study_verdict import _as_bool, passing_only

    m = motifs[motifs["ensemble"].isin(widths) & motifs["motif"].isin(MOTIFS)]
    if "draw" in m.columns:
        m = m[m["draw"] == 0]
    m = m.assign(level=m["level"].astype(str))
    lv = levels.assign(level=levels["level"].astype(int))
    at_level = passing_only(m, lv)
    rows = []
    shared = common_level(lv, widths) if cut is None else None
    for ensemble, width in widths.items():
        own = lv[lv["ensemble"] == ensemble]
        level = nearest_level(own, cut) if cut is not None else shared
        sel = own[_as_bool(own["selected"])]
        chosen = sel[["seed", "level"]].astype({"level": str})
        picks = [(SELECTED, m[m["ensemble"] == ensemble].merge(chosen, on=["seed", "level"]))]
        if level is not None:
            picks.append((level, at_level[(at_level["ensemble"] == ensemble)
                                          & (at_level["level"] == level)]))  # fmt: skip
        for name, z in picks:
            cuts = own[own["level"].astype(str) == name]["cut_fraction"]
            if name == SELECTED:
                cuts = own.merge(sel[["seed", "level"]], on=["seed", "level"])["cut_fraction"]
            for null, g in z.groupby("null", sort=False):
                base = {
                    "source": "ours", "ensemble": ensemble, "hidden_width": int(width),
                    "null": null, "level": name,
                    "cut_fraction": float(cuts.median()) if len(cuts) else np.nan,
                }  # fmt: skip
                extra = {
                    "mean_r": _lookup(profile, ensemble, null, name, "mean_r"),
                    "verdict": _lookup(verdict, ensemble, null, name, "verdict"),
                }
                rows += [{**r, **extra} for r in _rows_of(g, base, n_boot, seed)]
    return pd.DataFrame(rows).reindex(columns=COLUMNS)


def published(
    zscores: pd.DataFrame | None, *, cut: float = DEFAULT_CUT, n_boot: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Rows of the published ensemble at the cut nearest `cut` (empty when the data are absent)."""
    from sparsemotifs.convergence.profiles import (
        mean_pairwise,
        pairwise_profile_correlation,
        significance_profiles,
    )

    if zscores is None or zscores.empty:
        return pd.DataFrame(columns=COLUMNS)
    at = zscores.assign(level=zscores["level"].astype(int))
    level = nearest_level(at, cut)
    if level is None:
        return pd.DataFrame(columns=COLUMNS)
    z = at[(at["level"].astype(str) == level) & at["motif"].isin(MOTIFS)]
    z = z.assign(seed=z["network"], live_edges=z["edges"], ensemble=PUBLISHED, null="reference")
    sp = significance_profiles(z.assign(level=level))
    r = pairwise_profile_correlation(sp.to_numpy(dtype=float))
    mean_r = float(mean_pairwise(r)[0]) if r.size else np.nan
    base = {
        "source": PUBLISHED, "ensemble": PUBLISHED, "hidden_width": PUBLISHED_WIDTH,
        "null": "reference", "level": level, "cut_fraction": float(z["cut_fraction"].median()),
    }  # fmt: skip
    rows = [{**row, "mean_r": mean_r} for row in _rows_of(z, base, n_boot, seed)]
    return pd.DataFrame(rows).reindex(columns=COLUMNS)


def width_scaling_table(ours_rows: pd.DataFrame, published_rows: pd.DataFrame) -> pd.DataFrame:
    """Ours by width, then the published ensemble."""
    parts = [p for p in (ours_rows, published_rows) if len(p)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["_src"] = (out["source"] == PUBLISHED).astype(int)
    out["_sel"] = (out["level"].astype(str) == SELECTED).astype(int)
    out["_m"] = out["motif"].map({m: i for i, m in enumerate(MOTIFS)})
    keys = ["_src", "_sel", "null", "hidden_width", "_m"]
    return (
        out.sort_values(keys, kind="stable")
        .drop(columns=["_src", "_sel", "_m"])
        .reset_index(drop=True)
    )


def width_scaling_figure(table: pd.DataFrame, out_dir, name: str = "width_scaling") -> list:
    """z (top) and z / sqrt(edges) (bottom) against hidden width at the fixed cut, one panel per
    shown motif, one line per null; the published ensemble as black diamonds at width 400."""
    import matplotlib.pyplot as plt

    from sparsemotifs.figure_io import empty_panel, save_figure

    fixed = table[table["level"].astype(str) != SELECTED]
    mine = fixed[fixed["source"] == "ours"]
    pub = fixed[fixed["source"] == PUBLISHED]
    if len(mine) and len(pub):  # the published point at the cut nearest ours
        gap = (pub["cut_fraction"] - mine["cut_fraction"].median()).abs()
        pub = pub[gap == gap.min()]
    fixed = pd.concat([mine, pub])
    fig, axes = plt.subplots(2, len(SHOWN), figsize=(3.2 * len(SHOWN), 5.6), squeeze=False)
    for j, motif in enumerate(SHOWN):
        rows = fixed[fixed["motif"] == motif]
        for i, (col, label) in enumerate(
            [("mean_z", "mean z"), ("mean_z_per_sqrt_edges", "z / sqrt(edges)")]
        ):
            ax = axes[i, j]
            if rows.empty:
                empty_panel(ax, f"no {motif} rows")
                continue
            for null, g in rows[rows["source"] == "ours"].groupby("null", sort=False):
                g = g.sort_values("hidden_width")
                ax.plot(g["hidden_width"], g[col], marker="o", label=f"ours, {null}")
                if col == "mean_z":
                    ax.fill_between(g["hidden_width"], g["z_ci_low"], g["z_ci_high"], alpha=0.2)
            pub = rows[rows["source"] == PUBLISHED]
            if len(pub):
                ax.plot(pub["hidden_width"], pub[col], "kD", label="published (reference)")
            ax.set_xscale("log", base=2)
            ax.axhline(0, color="0.7", lw=0.8)
            ax.set_title(motif if i == 0 else "")
            ax.set_xlabel("hidden width" if i == 1 else "")
            ax.set_ylabel(label if j == 0 else "")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 4), fontsize=8)
    cut = mine["cut_fraction"].median() if len(mine) else np.nan
    where = f"at {100 * cut:.0f} % pruned" if np.isfinite(cut) else "no common passing level"
    fig.suptitle(f"Motif z and per-edge effect size against width, {where}", fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 0.96))
    return save_figure(fig, out_dir, name)
