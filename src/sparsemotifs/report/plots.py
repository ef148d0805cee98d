"""Figures of the ensemble study, each saved as PNG and PDF under fixed names.

Every figure degrades to an annotated empty panel rather than failing on degenerate data (one
seed, all-NaN z, no selected level), so a report can always be built.
"""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.transforms as mtransforms  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sparsemotifs import convergence as stats  # noqa: E402
from sparsemotifs import registry  # noqa: E402
from sparsemotifs.contracts import outputs  # noqa: E402
from sparsemotifs.contracts.names import SELECTED  # noqa: E402
from sparsemotifs.report import published  # noqa: E402
from sparsemotifs.report.figure_kit import (  # noqa: E402
    empty_panel,
    ensembles_in,
    level_ticks,
    motifs_in,
    nulls_in,
    save_figure,
)
from sparsemotifs.report.z_sparsity import plot_z_vs_sparsity  # noqa: E402

FIGURE_NAMES = list(outputs.FIGURES)


# ----------------------------------------------------------------------------- (a) loss
def plot_loss_vs_sparsity(levels: pd.DataFrame, threshold: float, split: str = "val") -> plt.Figure:
    """Loss of the chosen split against the cut fraction, one line per seed, per ensemble."""
    column = f"loss_{split}"
    ensembles = ensembles_in(levels["ensemble"]) or [registry.SUBJECT]
    fig, axes = plt.subplots(1, len(ensembles), figsize=(5.5 * len(ensembles), 4), squeeze=False)
    for ax, ensemble in zip(axes[0], ensembles, strict=True):
        lv = levels[levels.ensemble == ensemble]
        ax.set_title(f"{ensemble}: {split} loss per seed ({lv.seed.nunique()} seeds)")
        loss = lv.pivot_table(index="level", columns="seed", values=column, aggfunc="first")
        finite = loss.where(np.isfinite(loss) & (loss > 0))
        if finite.notna().sum().sum() == 0:
            empty_panel(ax, "no finite loss values")
            continue
        ax.plot(
            finite.index,
            finite.to_numpy(),
            color=registry.color(ensemble, "C0"),
            lw=0.7,
            alpha=max(0.15, min(0.8, 8 / finite.shape[1])),
        )
        ax.set_yscale("log")
        ax.axhline(threshold, color="k", ls="--", lw=1, label=f"threshold {threshold:g}")
        sel = lv[lv.selected & np.isfinite(lv[column]) & (lv[column] > 0)]
        ax.plot(sel.level, sel[column], "o", ms=3, color="k", label="selected")
        bad = lv[(lv.status == "diverged") | ~np.isfinite(lv[column])]
        if len(bad):
            top = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
            ax.plot(
                bad.level,
                np.full(len(bad), 0.97),
                "x",
                color="red",
                transform=top,
                label=f"diverged / non-finite ({len(bad)})",
            )
        level_ticks(ax, lv.groupby("level")["cut_fraction"].mean())
        ax.set_ylabel(f"{split} loss (scaled MSE)")
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- (b) selection
def selected_share_table(levels: pd.DataFrame) -> pd.DataFrame:
    """Share of networks selected at each cut fraction ('none' = never passed), ours and paper."""
    rows = []
    for ensemble in ensembles_in(levels["ensemble"]):
        lv = levels[levels.ensemble == ensemble]
        n = lv.seed.nunique()
        if n == 0:
            continue
        sel = lv[lv.selected]
        for cut, count in sel.cut_fraction.round(4).value_counts().items():
            rows.append(
                {"source": f"ours ({ensemble}, n={n})", "cut": f"{cut:.2f}", "share": count / n}
            )
        rows.append(
            {
                "source": f"ours ({ensemble}, n={n})",
                "cut": "none",
                "share": (n - sel.seed.nunique()) / n,
            }
        )
    for cut, share in published.optimal_level_share().items():
        rows.append(
            {
                "source": f"paper (n={published.OPTIMAL_LEVEL_TOTAL})",
                "cut": f"{cut:.2f}",
                "share": share,
            }
        )
    out = pd.DataFrame(rows, columns=["source", "cut", "share"])
    order = sorted(c for c in out.cut.unique() if c != "none") + ["none"]
    out["cut"] = pd.Categorical(out["cut"], categories=order, ordered=True)
    return out.sort_values(["source", "cut"]).reset_index(drop=True)


def plot_selected_sparsity(levels: pd.DataFrame) -> plt.Figure:
    """Share of networks selected at each cut fraction, ours beside the paper's."""
    fig, ax = plt.subplots(figsize=(8, 4))
    table = selected_share_table(levels)
    ax.set_title("selected (optimally sparse) level: share of networks")
    if table.empty:
        empty_panel(ax, "no selection data")
    else:
        sns.barplot(data=table, x="cut", y="share", hue="source", ax=ax)
        ax.set_xlabel(
            "cut fraction at the selected level ('none' = no level selected: never under the "
            "threshold, or failed at the dense level and passes later)"
        )
        ax.set_ylabel("share of networks")
        ax.tick_params(axis="x", rotation=90)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- (c) z selected
def _symlog_if_wide(ax: plt.Axes, values: np.ndarray) -> None:
    values = values[np.isfinite(values)]
    if values.size and np.abs(values).max() > 60:
        ax.set_yscale("symlog", linthresh=3)


def plot_z_selected(prepared: stats.Prepared) -> plt.Figure:
    """z at each network's selected level per motif, ensembles side by side, one panel per null."""
    m = prepared.motifs
    m = m[(m.level == SELECTED) & np.isfinite(m.z)]
    nulls = nulls_in(prepared.motifs["null"]) or ["(none)"]
    fig, axes = plt.subplots(len(nulls), 1, figsize=(10, 3.6 * len(nulls)), squeeze=False)
    for ax, null in zip(axes[:, 0], nulls, strict=True):
        d = m[m.null == null]
        ax.set_title(f"z at the selected level, null = {null}")
        if d.empty:
            empty_panel(ax, "no finite z at the selected level")
            continue
        order = motifs_in(d.motif)
        hue_order = ensembles_in(d.ensemble)
        palette = {e: registry.color(e) for e in hue_order}
        sns.boxplot(
            data=d,
            x="motif",
            y="z",
            hue="ensemble",
            order=order,
            hue_order=hue_order,
            palette=palette,
            showfliers=False,
            ax=ax,
            boxprops={"alpha": 0.5},
        )
        sns.stripplot(
            data=d,
            x="motif",
            y="z",
            hue="ensemble",
            order=order,
            hue_order=hue_order,
            palette=palette,
            dodge=True,
            size=2,
            ax=ax,
            legend=False,
        )
        ax.axhline(0, color="k", lw=0.5)
        _symlog_if_wide(ax, d.z.to_numpy())
        ax.tick_params(axis="x", rotation=30)
        if len(hue_order) > 5:  # variants and their null samples: beside the panel, not over it
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        else:
            ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- (e) heatmap
def plot_profile_heatmap(prepared: stats.Prepared, ensemble: str | None = None) -> plt.Figure:
    """Pairwise SP correlation between seeds at the selected level, one panel per null."""
    sp = stats.significance_profiles(prepared.motifs) if len(prepared.motifs) else None
    nulls = nulls_in(prepared.motifs["null"]) or ["(none)"]
    fig, axes = plt.subplots(1, len(nulls), figsize=(4.8 * len(nulls), 4.2), squeeze=False)
    for ax, null in zip(axes[0], nulls, strict=True):
        key = (ensemble or registry.SUBJECT, SELECTED, null)
        if sp is None or key not in sp.index.droplevel("seed"):
            ax.set_title(f"{key[0]}, selected level, {null}")
            empty_panel(ax, "no networks at the selected level")
            continue
        group = sp.xs(key, level=["ensemble", "level", "null"])
        r = stats.pairwise_profile_correlation(group.to_numpy())
        n = r.shape[0]
        mean_r = stats.mean_pairwise(r)[0] if n >= 2 else np.nan
        ax.set_title(
            f"{key[0]}, selected level, {null}\nmean pairwise r = {mean_r:.3f} (n = {n})",
            fontsize=9,
        )
        if n < 2 or not np.isfinite(r).any():
            empty_panel(ax, "fewer than 2 networks with a defined profile")
            continue
        image = ax.imshow(r, vmin=-1, vmax=1, cmap="RdBu_r", interpolation="nearest")
        seeds = group.index.to_numpy()
        if n <= 30:
            ax.set_xticks(range(n), seeds, rotation=90, fontsize=6)
            ax.set_yticks(range(n), seeds, fontsize=6)
        ax.set_xlabel("seed")
        ax.set_ylabel("seed")
        fig.colorbar(image, ax=ax, shrink=0.8, label="Pearson r of SPs")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- (f) published
def plot_published_comparison(convergence: pd.DataFrame) -> plt.Figure:
    """Our z at the selected level against the published means and sds."""
    ref = published.published_z_table()
    motifs = list(ref.motif)
    ours = convergence[
        (convergence.ensemble == registry.SUBJECT)
        & (convergence.level.astype(str) == SELECTED)
        & convergence.motif.isin(motifs)
        & (convergence.n > 0)
    ]
    nulls = nulls_in(ours["null"])
    fig, ax = plt.subplots(figsize=(9, 5))
    x = np.arange(len(motifs))
    width = 0.8 / (1 + max(1, len(nulls)))
    ax.errorbar(
        x - 0.4 + width / 2,
        ref["mean"].astype(float),
        yerr=ref["sd"].astype(float),
        fmt="s",
        color="k",
        capsize=3,
        label="paper: mean ± sd",
    )
    ax.plot(
        x - 0.4 + width / 2,
        ref["median"].astype(float),
        "D",
        mfc="none",
        color="k",
        label="paper: median",
    )
    for k, null in enumerate(nulls):
        d = ours[ours.null == null].set_index("motif").reindex(motifs)
        ax.errorbar(
            x - 0.4 + width * (k + 1.5),
            d["mean"],
            yerr=d["sd"].fillna(0),
            fmt="o",
            capsize=3,
            color=f"C{k}",
            label=f"ours: mean ± sd, {null}",
        )
        # our connected-pairs statistic = how the paper counted chains, at the chain positions
        pairs = convergence[
            (convergence.ensemble == registry.SUBJECT)
            & (convergence.level.astype(str) == SELECTED)
            & (convergence.null == null)
            & convergence.motif.isin(list(published.PAPER_CHAIN_STATISTIC))
            & (convergence.n > 0)
        ]
        for row in pairs.itertuples():
            pos = motifs.index(published.PAPER_CHAIN_STATISTIC[row.motif])
            ax.errorbar(
                pos - 0.4 + width * (k + 1.5) + width * 0.35,
                row.mean,
                yerr=0 if np.isnan(row.sd) else row.sd,
                fmt="o",
                mfc="none",
                capsize=2,
                color=f"C{k}",
                label=f"ours: connected pairs (paper's chain statistic), {null}",
            )
    if ours.empty:
        ax.text(
            0.5,
            0.9,
            "no finite z of ours at the selected level",
            ha="center",
            transform=ax.transAxes,
            color="0.4",
        )
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xticks(x, motifs, rotation=30)
    ax.set_ylabel("z at the selected level (trained)")
    ax.set_title("our z-scores next to the published table")
    _symlog_if_wide(ax, np.concatenate([ours["mean"].to_numpy(dtype=float), [0.0]]))
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=7)
    note = textwrap.fill(published.METHOD_DIFFERENCES, 130)
    fig.text(0.01, -0.02, note, fontsize=7, va="top", ha="left")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- all
def make_figures(
    levels: pd.DataFrame,
    motifs: pd.DataFrame,
    convergence: pd.DataFrame,
    out_dir: str | Path,
    threshold: float,
    split: str = "val",
    dpi: int = 150,
) -> list[Path]:
    """Draw every figure of FIGURE_NAMES into out_dir (PNG and PDF); return the paths."""
    prepared = stats.prepare(levels, motifs)
    builders = {
        "loss_vs_sparsity": lambda: plot_loss_vs_sparsity(levels, threshold, split),
        "selected_sparsity": lambda: plot_selected_sparsity(levels),
        "z_selected": lambda: plot_z_selected(prepared),
        "z_vs_sparsity": lambda: plot_z_vs_sparsity(prepared),
        "profile_heatmap": lambda: plot_profile_heatmap(prepared),
        "published_comparison": lambda: plot_published_comparison(convergence),
    }
    paths: list[Path] = []
    with sns.axes_style("whitegrid"), warnings.catch_warnings():
        # seaborn 0.13 passes matplotlib a deprecated boxplot argument; not ours to fix
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="seaborn")
        warnings.filterwarnings("ignore", message=".*vert: bool.*")
        for name in FIGURE_NAMES:
            paths += save_figure(builders[name](), out_dir, name, dpi)
    return paths
