"""The comparison figure with the published z table (figures/published_comparison)."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sparsemotifs import registry
from sparsemotifs.contracts.names import SELECTED
from sparsemotifs.report import published
from sparsemotifs.report.plots import nulls_in_order, symlog_if_wide


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
    nulls = nulls_in_order(ours["null"])
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
    symlog_if_wide(ax, np.concatenate([ours["mean"].to_numpy(dtype=float), [0.0]]))
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=7)
    note = textwrap.fill(published.METHOD_DIFFERENCES, 130)
    fig.text(0.01, -0.02, note, fontsize=7, va="top", ha="left")
    fig.tight_layout()
    return fig
