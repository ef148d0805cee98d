"""Figures of the ensemble study, each saved as PNG and PDF under fixed names.

Every figure degrades to an annotated empty panel rather than failing on degenerate data (one
seed, all-NaN z, no selected level), so a report can always be built.
"""

from __future__ import annotations

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
from sparsemotifs.contracts.names import MOTIFS, NULLS, SELECTED, ordered  # noqa: E402
from sparsemotifs.io import atomic_path  # noqa: E402
from sparsemotifs.report import published  # noqa: E402

FIGURE_NAMES = list(registry.FIGURES)


def save_figure(fig: plt.Figure, out_dir: str | Path, name: str, dpi: int = 150) -> list[Path]:
    """Write `name`.png and `name`.pdf atomically; close the figure."""
    paths = []
    for ext in ("png", "pdf"):
        path = Path(out_dir) / f"{name}.{ext}"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=ext, dpi=dpi, bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths


def empty_panel(ax: plt.Axes, message: str) -> None:
    """An annotated empty panel: a figure degrades instead of failing on degenerate data."""
    ax.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=9,
        color="0.4",
        wrap=True,
    )
    ax.set_xticks([])
    ax.set_yticks([])


def _ensembles(values) -> list[str]:
    return ordered(values, registry.names())


def nulls_in_order(values) -> list[str]:
    return ordered(values, NULLS)


def _motifs(values) -> list[str]:
    return ordered(values, MOTIFS, sort_rest=True)


def _level_ticks(ax: plt.Axes, cuts: pd.Series) -> None:
    """Level index on x, labelled with its cut fraction (the schedule is crowded near 0.9)."""
    cuts = cuts.dropna().sort_index()
    ax.set_xticks(cuts.index.to_numpy())
    ax.set_xticklabels([f"{c:.2f}" for c in cuts.to_numpy()], rotation=90, fontsize=7)
    ax.set_xlabel("cut fraction (level)")


# ----------------------------------------------------------------------------- (a) loss
def plot_loss_vs_sparsity(levels: pd.DataFrame, threshold: float, split: str = "val") -> plt.Figure:
    """Loss of the chosen split against the cut fraction, one line per seed, per ensemble."""
    column = f"loss_{split}"
    ensembles = _ensembles(levels["ensemble"]) or [registry.SUBJECT]
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
        _level_ticks(ax, lv.groupby("level")["cut_fraction"].mean())
        ax.set_ylabel(f"{split} loss (scaled MSE)")
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- (b) selection
def selected_share_table(levels: pd.DataFrame) -> pd.DataFrame:
    """Share of networks selected at each cut fraction ('none' = never passed), ours and paper."""
    rows = []
    for ensemble in _ensembles(levels["ensemble"]):
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
        ax.set_xlabel("cut fraction at the selected level ('none' = never under the threshold)")
        ax.set_ylabel("share of networks")
        ax.tick_params(axis="x", rotation=90)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- (c) z selected
def symlog_if_wide(ax: plt.Axes, values: np.ndarray) -> None:
    values = values[np.isfinite(values)]
    if values.size and np.abs(values).max() > 60:
        ax.set_yscale("symlog", linthresh=3)


def plot_z_selected(prepared: stats.Prepared) -> plt.Figure:
    """z at each network's selected level per motif, ensembles side by side, one panel per null."""
    m = prepared.motifs
    m = m[(m.level == SELECTED) & np.isfinite(m.z)]
    nulls = nulls_in_order(prepared.motifs["null"]) or ["(none)"]
    fig, axes = plt.subplots(len(nulls), 1, figsize=(10, 3.6 * len(nulls)), squeeze=False)
    for ax, null in zip(axes[:, 0], nulls, strict=True):
        d = m[m.null == null]
        ax.set_title(f"z at the selected level, null = {null}")
        if d.empty:
            empty_panel(ax, "no finite z at the selected level")
            continue
        order = _motifs(d.motif)
        hue_order = _ensembles(d.ensemble)
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
        symlog_if_wide(ax, d.z.to_numpy())
        ax.tick_params(axis="x", rotation=30)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- (d) z vs sparsity
Z_PANEL_COLUMNS = 4  # panels per row: the figure stays readable at page width


def informative_panels(m: pd.DataFrame, nulls: list[str]) -> list[tuple[str, str | None]]:
    """(null, motif) of every motif with a finite z under that null, nulls in order; a null
    with none gets one (null, None) panel. `m` holds the rows with finite z only."""
    panels: list[tuple[str, str | None]] = []
    for null in nulls:
        motifs = _motifs(m.loc[m.null == null, "motif"])
        panels += [(null, motif) for motif in motifs] or [(null, None)]
    return panels


def _panel_grid(panels: list[tuple[str, str | None]]) -> list[tuple[int, int]]:
    """(row, column) of each panel: each null starts a new row, rows wrap at Z_PANEL_COLUMNS."""
    cells, row, col, last = [], -1, Z_PANEL_COLUMNS, None
    for null, _ in panels:
        if null != last or col == Z_PANEL_COLUMNS:
            row, col = row + 1, 0
        cells.append((row, col))
        col, last = col + 1, null
    return cells


def _plot_z_band(ax: plt.Axes, d: pd.DataFrame) -> None:
    for ensemble in _ensembles(d.ensemble):
        g = d[d.ensemble == ensemble].groupby("level_num")["z"].agg(["mean", "std"])
        color = registry.color(ensemble)
        ax.plot(g.index, g["mean"], color=color, lw=1.2, label=ensemble)
        sd = g["std"].fillna(0)
        ax.fill_between(g.index, g["mean"] - sd, g["mean"] + sd, color=color, alpha=0.2, lw=0)
    ax.axhline(0, color="k", lw=0.4)
    ax.tick_params(labelsize=7)


def plot_z_vs_sparsity(prepared: stats.Prepared) -> plt.Figure:
    """z of each motif against sparsity, one panel per motif that the null leaves informative
    (finite z for some network): motifs a null fixes, or whose z is NaN everywhere, are left
    out rather than drawn as empty panels. Rows of at most Z_PANEL_COLUMNS panels per null."""
    m = prepared.motifs
    m = m[(m.level != SELECTED) & np.isfinite(m.z)].copy()
    m["level_num"] = m.level.astype(int)
    nulls = nulls_in_order(prepared.motifs["null"]) or ["(none)"]
    panels = informative_panels(m, nulls)
    cells = _panel_grid(panels)
    n_rows = cells[-1][0] + 1
    fig, axes = plt.subplots(
        n_rows,
        Z_PANEL_COLUMNS,
        figsize=(10.5, 2.3 * n_rows + 0.6),
        squeeze=False,
    )
    cuts = m.groupby("level_num")["cut_fraction"].mean()
    used = set(cells)
    for (null, motif), (r, c) in zip(panels, cells, strict=True):
        ax = axes[r, c]
        if motif is None:
            ax.set_title(f"{null}", fontsize=8)
            empty_panel(ax, "no motif with a finite z" if len(prepared.motifs) else "no data")
            continue
        ax.set_title(f"{motif} | {null}", fontsize=8)
        _plot_z_band(ax, m[(m.null == null) & (m.motif == motif)])
        _level_ticks(ax, cuts)
        if len(cuts):
            ax.set_xlim(cuts.index.min() - 0.3, cuts.index.max() + 0.3)
        if (r + 1, c) in used and panels[cells.index((r + 1, c))][0] == null:
            ax.tick_params(labelbottom=False)  # the panel below (same null) carries the labels
            ax.set_xlabel("")
    for r in range(n_rows):
        for c in range(Z_PANEL_COLUMNS):
            if (r, c) not in used:
                axes[r, c].set_visible(False)
    handles, labels = [], []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    if handles:
        fig.legend(handles, labels, loc="upper right", fontsize=8, ncol=len(handles))
    fig.suptitle(
        "z against sparsity: mean across seeds, band = ± 1 sd (motifs each null leaves informative)",
        fontsize=10,
        x=0.02,
        ha="left",
    )
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


# ----------------------------------------------------------------------------- (e) heatmap
def plot_profile_heatmap(prepared: stats.Prepared, ensemble: str | None = None) -> plt.Figure:
    """Pairwise SP correlation between seeds at the selected level, one panel per null."""
    sp = stats.significance_profiles(prepared.motifs) if len(prepared.motifs) else None
    nulls = nulls_in_order(prepared.motifs["null"]) or ["(none)"]
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
    from sparsemotifs.report.published_figure import plot_published_comparison

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
