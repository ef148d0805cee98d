"""Figure of closed-loop function against sparsity, next to the loss (pure function of tables)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sparsemotifs.figure_io import save_figure  # noqa: E402,F401  (re-exported)
from sparsemotifs.weights.figures import sparsity_by_level  # noqa: E402


def _band(ax, x, grouped: pd.core.groupby.SeriesGroupBy, label: str, color=None) -> None:
    med = grouped.median()
    lo, hi = grouped.quantile(0.25), grouped.quantile(0.75)
    xs = x.reindex(med.index).to_numpy()
    (line,) = ax.plot(xs, med.to_numpy(), marker="o", ms=3, label=label, color=color)
    ax.fill_between(xs, lo.to_numpy(), hi.to_numpy(), alpha=0.2, color=line.get_color())


def plot_function_vs_sparsity(
    closed_loop: pd.DataFrame, levels: pd.DataFrame, loss: str = "loss_test"
) -> plt.Figure:
    """Three panels against sparsity: test loss, position miss (cm), angle misses (rad).

    Lines are medians over seeds (of each network's median over trajectories), bands their
    interquartile range; dashed lines are the seeds' median 90th percentiles.
    """
    names = list(dict.fromkeys(closed_loop["ensemble"])) if "ensemble" in closed_loop else []
    if len(names) > 1 and "ensemble" in levels:
        return _plot_ensembles(closed_loop, levels, loss, names)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), constrained_layout=True)
    x = sparsity_by_level(levels)
    ok = levels[levels["status"] == "ok"] if "status" in levels.columns else levels
    if loss in ok.columns and len(ok):
        _band(axes[0], x, ok.groupby("level")[loss], loss)
    axes[0].set(ylabel=f"{loss} (MSE, scaled)", yscale="log", title="loss")
    if len(closed_loop):
        cl = closed_loop.groupby("level")
        _band(axes[1], x, cl["position_median_cm"], "median over trajectories")
        p90 = cl["position_p90_cm"].median()
        axes[1].plot(x.reindex(p90.index), p90, ls="--", color="C0", label="90th percentile")
        for name, color in (("theta", "C1"), ("phi", "C2")):
            _band(axes[2], x, cl[f"{name}_median_rad"], f"{name} median", color=color)
            p90 = cl[f"{name}_p90_rad"].median()
            axes[2].plot(x.reindex(p90.index), p90, ls="--", color=color, label=f"{name} 90th pct")
    else:
        for ax in axes[1:]:
            ax.text(0.5, 0.5, "no closed-loop results", ha="center", transform=ax.transAxes)
    axes[1].set(ylabel="reached-position error (cm)", yscale="log", title="closed loop: position")
    axes[2].set(ylabel="reached-angle error (rad)", yscale="log", title="closed loop: angles")
    for ax in axes:
        ax.set_xlabel("sparsity (fraction of weights pruned)")
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    return fig


def _plot_ensembles(closed_loop, levels, loss: str, names: list[str]) -> plt.Figure:
    """The three panels with one median line (and interquartile band) per flown ensemble
    (variants side by side); angles: theta solid, phi dashed."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), constrained_layout=True)
    for i, name in enumerate(names):
        color = f"C{i % 10}"
        lv = levels[levels["ensemble"] == name]
        cl = closed_loop[closed_loop["ensemble"] == name].groupby("level")
        x = sparsity_by_level(lv)
        ok = lv[lv["status"] == "ok"] if "status" in lv.columns else lv
        if loss in ok.columns and len(ok):
            _band(axes[0], x, ok.groupby("level")[loss], name, color=color)
        _band(axes[1], x, cl["position_median_cm"], name, color=color)
        for angle, style in (("theta", "-"), ("phi", "--")):
            med = cl[f"{angle}_median_rad"].median()
            axes[2].plot(
                x.reindex(med.index), med, ls=style, marker="o", ms=3, color=color,
                label=f"{name} {angle}",
            )  # fmt: skip
    axes[0].set(ylabel=f"{loss} (MSE, scaled)", yscale="log", title="loss")
    axes[1].set(ylabel="reached-position error (cm)", yscale="log", title="closed loop: position")
    axes[2].set(ylabel="reached-angle error (rad)", yscale="log", title="closed loop: angles")
    for ax in axes:
        ax.set_xlabel("sparsity (fraction of weights pruned)")
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    return fig


def function_vs_loss(closed_loop: pd.DataFrame, levels: pd.DataFrame, loss: str = "loss_test"):
    """Per level: median loss and median position/angle errors over seeds, with their ratio to
    the first (dense) level, so degradation of function and of loss can be compared."""
    merged = closed_loop.merge(levels[["seed", "level", loss]], on=["seed", "level"])
    per = merged.groupby("level")[
        [loss, "position_median_cm", "theta_median_rad", "phi_median_rad"]
    ]
    med = per.median()
    first = med.iloc[0].replace(0, np.nan)
    return med.join(med.div(first).add_suffix("_rel"))
