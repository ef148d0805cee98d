"""Figures of the weight metrics against sparsity per ensemble (pure functions of the tables)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sparsemotifs.figure_io import save_figure  # noqa: E402,F401  (re-exported)


def sparsity_by_level(levels: pd.DataFrame) -> pd.Series:
    """Median fraction of pruned weights per level (1 - weights_kept), indexed by level."""
    if "weights_kept" not in levels.columns:
        return pd.Series(levels["level"].unique(), index=levels["level"].unique(), dtype=float)
    return 1.0 - levels.groupby("level")["weights_kept"].median()


# (metric, statistic column, y label) per figure row
ROWS = (
    ("fluctuation", "value", "layer fluctuation Y_l"),
    ("strength", "value", "mean node strength"),
    ("strength_abs", "value", "mean |w| strength"),
    ("weight", "sd", "sd of kept weights"),
)


def plot_weights_vs_sparsity(
    table: pd.DataFrame, levels: Mapping[str, pd.DataFrame] | None = None
) -> plt.Figure:
    """Rows: fluctuation, mean strength, mean |w| strength, weight sd; columns: ensembles; one
    line per layer (median over seeds). x = sparsity from the ensemble's levels table when given,
    else the level index."""
    ensembles = list(dict.fromkeys(table["ensemble"])) or ["(none)"]
    fig, axes = plt.subplots(
        len(ROWS), len(ensembles), figsize=(4.2 * len(ensembles), 2.6 * len(ROWS)),
        squeeze=False, constrained_layout=True, sharex="col",
    )  # fmt: skip
    for j, ens in enumerate(ensembles):
        df = table[table["ensemble"] == ens]
        lv = (levels or {}).get(ens)
        x = sparsity_by_level(lv) if lv is not None else None
        for i, (metric, stat, label) in enumerate(ROWS):
            ax = axes[i, j]
            sub = df[df["metric"] == metric]
            for layer, g in sub.groupby("layer"):
                med = g.groupby("level")[stat].median()
                xs = x.reindex(med.index).to_numpy() if x is not None else med.index.to_numpy()
                ax.plot(xs, med.to_numpy(), marker="o", ms=2.5, label=f"layer {layer}")
            if sub.empty:
                ax.text(0.5, 0.5, "no data", ha="center", transform=ax.transAxes)
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
            if i == 0:
                ax.set_title(ens)
                if ax.get_legend_handles_labels()[0]:
                    ax.legend(fontsize=6, ncol=2)
        axes[-1, j].set_xlabel("sparsity" if x is not None else "level")
    return fig


def plot_weight_separation(compare: pd.DataFrame) -> plt.Figure:
    """KL(accurate, poor) / permutation null per metric against level (median over layers)."""
    fig, ax = plt.subplots(figsize=(6.5, 3.8), constrained_layout=True)
    sub = compare[compare["comparison"] == "loss_bins"]
    for (ens, metric), g in sub.groupby(["ensemble_a", "metric"]):
        med = g.groupby("level")["kl_ratio"].median()
        ax.plot(med.index, med.to_numpy(), marker="o", ms=3, label=f"{ens}: {metric}")
    ax.axhline(1.0, color="0.5", lw=0.8)
    ax.set(xlabel="level", ylabel="KL / permutation null", yscale="log",
           title="accurate vs poor networks (loss bins)")  # fmt: skip
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=6, ncol=2)
    else:
        ax.text(0.5, 0.5, "no comparisons", ha="center", transform=ax.transAxes)
    return fig
