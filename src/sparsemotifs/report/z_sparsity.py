"""The z-against-sparsity figure: one panel per motif that each null leaves informative."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sparsemotifs import convergence as stats
from sparsemotifs import registry
from sparsemotifs.contracts.names import SELECTED
from sparsemotifs.report.figure_kit import (
    empty_panel,
    ensembles_in,
    level_ticks,
    motifs_in,
    nulls_in,
)

Z_PANEL_COLUMNS = 4  # panels per row: the figure stays readable at page width


def informative_panels(m: pd.DataFrame, nulls: list[str]) -> list[tuple[str, str | None]]:
    """(null, motif) of every motif with a finite z under that null, nulls in order; a null
    with none gets one (null, None) panel. `m` holds the rows with finite z only."""
    panels: list[tuple[str, str | None]] = []
    for null in nulls:
        motifs = motifs_in(m.loc[m.null == null, "motif"])
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
    for ensemble in ensembles_in(d.ensemble):
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
    nulls = nulls_in(prepared.motifs["null"]) or ["(none)"]
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
        level_ticks(ax, cuts)
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
