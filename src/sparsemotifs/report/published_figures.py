"""Figures of our ensembles next to the published one (pure functions of the comparison table
of `published_compare` and of the reference network's table). Each degrades to an annotated
panel where a side is missing, e.g. when the published data are absent."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from sparsemotifs import registry
from sparsemotifs.contracts import outputs
from sparsemotifs.figure_io import empty_panel
from sparsemotifs.report.published_compare import COMPARED_MOTIFS, PUBLISHED

PUBLISHED_COLOR = "black"
PUBLISHED_FIGURES = outputs.PUBLISHED_FIGURES


def _color(ensemble: str) -> str:
    return PUBLISHED_COLOR if ensemble == PUBLISHED else registry.color(ensemble)


def _band(ax, g: pd.DataFrame, label: str, color: str, ls: str = "-") -> None:
    g = g.sort_values("cut_fraction")
    x = g["cut_fraction"].to_numpy(dtype=float)
    ax.plot(x, g["median"], marker="o", ms=2.5, color=color, ls=ls, label=label)
    ax.fill_between(x, g["q25"].to_numpy(float), g["q75"].to_numpy(float), color=color, alpha=0.15)


def _symlog(ax) -> None:
    """Symmetric-log y (z spans 1 to 1000s) with plain tick labels."""
    ax.set_yscale("symlog", linthresh=10)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))


def _legend_below(fig: plt.Figure, axes) -> None:
    """One legend for every panel's lines (each label once)."""
    seen: dict[str, object] = {}
    for ax in axes:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, h)
    if seen:
        fig.legend(list(seen.values()), list(seen), fontsize=7, loc="outside lower center", ncol=4)


def _z_axis(ax, motif: str) -> None:
    ax.axhline(0, color="0.5", lw=0.6)
    _symlog(ax)
    ax.set(title=motif, xlabel="cut fraction", ylabel="z")
    ax.grid(alpha=0.3)


def _finish_z(fig: plt.Figure, axes, used: int, note: str | None) -> plt.Figure:
    """Hide unused panels, one legend below, the note."""
    for ax in axes.ravel()[used:]:
        ax.set_visible(False)
    _legend_below(fig, axes.ravel())
    _note(fig, note)
    return fig


def _note(fig: plt.Figure, note: str | None) -> None:
    if note:
        fig.text(0.01, -0.02, textwrap.fill(note, 140), fontsize=7, color="0.3", va="top")


def plot_losses(table: pd.DataFrame, note: str | None = None) -> plt.Figure:
    """Loss per cut (median, IQR), share under the threshold, selected-level histogram."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4), constrained_layout=True)
    ensembles = list(dict.fromkeys(table["ensemble"]))
    loss = table[(table["quantity"] == "loss") & (table["split"] == "train")]
    for ens in ensembles:
        g = loss[loss["ensemble"] == ens]
        if len(g):
            _band(axes[0], g, ens, _color(ens))
    axes[0].set(yscale="log", xlabel="cut fraction", ylabel="train loss (scaled MSE)",
                title="train loss: median and IQR over networks")  # fmt: skip
    share = table[table["quantity"] == "share_under"]
    for (ens, split, thr), g in share.groupby(["ensemble", "split", "threshold"], sort=False):
        g = g.sort_values("cut_fraction")
        ls = "-" if (split, thr) == ("train", 1e-3) else "--"
        axes[1].plot(g["cut_fraction"], g["value"], marker="o", ms=2.5, ls=ls, color=_color(ens),
                     label=f"{ens}: {split} <= {thr:g}")  # fmt: skip
    axes[1].set(xlabel="cut fraction", ylabel="share of networks", ylim=(-0.02, 1.02),
                title="share under the threshold")  # fmt: skip
    sel = table[table["quantity"] == "selected_share"]
    cuts = sorted(sel["cut_fraction"].unique())
    width = 0.8 / max(len(ensembles), 1)
    for i, ens in enumerate(ensembles):
        g = sel[sel["ensemble"] == ens].set_index("cut_fraction")["value"].reindex(cuts).fillna(0)
        axes[2].bar(
            np.arange(len(cuts)) + i * width, g.to_numpy(), width, color=_color(ens), label=ens
        )
    axes[2].set_xticks(
        np.arange(len(cuts)) + 0.4 - width / 2, [f"{c:.2f}" for c in cuts], rotation=90
    )
    axes[2].set(xlabel="selected cut fraction", ylabel="share of networks", title="selected level")
    for ax in axes:
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    if table.empty:
        for ax in axes:
            empty_panel(ax, "no data")
    _note(fig, note)
    return fig


def plot_live(table: pd.DataFrame, note: str | None = None) -> plt.Figure:
    """Median live nodes per layer (published convention) and live edges, against the cut."""
    nodes = table[table["quantity"] == "live_nodes"]
    layers = sorted(int(v) for v in nodes["layer"].dropna().unique()) or [0]
    n_panels = len(layers) + 2
    cols = 4
    rows = int(np.ceil(n_panels / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), constrained_layout=True,
                             squeeze=False)  # fmt: skip
    flat = axes.ravel()
    panels = [("live_nodes", layer, f"live nodes, layer {layer}") for layer in layers]
    panels += [
        ("edges", None, "live edges (weights + biases)"),
        ("bias_edges", None, "live bias edges"),
    ]
    for ax, (quantity, layer, title) in zip(flat, panels, strict=False):
        sub = table[table["quantity"] == quantity]
        if layer is not None:
            sub = sub[sub["layer"] == layer]
        if quantity == "bias_edges":  # summed over blocks: medians per block added
            sub = sub.groupby(["ensemble", "cut_fraction"], as_index=False)[
                ["median", "q25", "q75"]
            ].sum()
        for ens, g in sub.groupby("ensemble", sort=False):
            _band(ax, g, ens, _color(ens))
        if sub.empty:
            empty_panel(ax, "no data")
        ax.set(title=title, xlabel="cut fraction")
        if quantity != "live_nodes":
            _symlog(ax)
        ax.grid(alpha=0.3)
    for ax in flat[len(panels) :]:
        ax.set_visible(False)
    _legend_below(fig, flat)
    _note(fig, note)
    return fig


def plot_z(table: pd.DataFrame, note: str | None = None) -> plt.Figure:
    """z per motif against the cut: the published ensemble (reference null) and ours per null."""
    z = table[table["quantity"] == "z"]
    motifs = [m for m in COMPARED_MOTIFS if m in set(z["motif"])] or ["(none)"]
    cols = 4
    rows = int(np.ceil(len(motifs) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), constrained_layout=True,
                             squeeze=False)  # fmt: skip
    styles = {"reference": "-", "fixed_count": ":", "fixed_count_min1": "--", "degree": "-."}
    for ax, motif in zip(axes.ravel(), motifs, strict=False):
        sub = z[z["motif"] == motif]
        for (ens, null), g in sub.groupby(["ensemble", "null"], sort=False):
            _band(ax, g, f"{ens} ({null})", _color(ens), styles.get(null, "-"))
        if sub.empty:
            empty_panel(ax, "no data")
        _z_axis(ax, motif)
    return _finish_z(fig, axes, len(motifs), note)


def plot_reference_network(table: pd.DataFrame | None, note: str | None = None) -> plt.Figure:
    """z of the reference pipeline's own network per motif against the cut, one line per null."""
    rows = int(np.ceil(len(COMPARED_MOTIFS) / 4))
    fig, axes = plt.subplots(rows, 4, figsize=(16, 3.2 * rows), constrained_layout=True)
    if table is None or table.empty:
        for ax in axes.ravel():
            empty_panel(ax, "reference network not analysed")
        _note(fig, note)
        return fig
    for ax, motif in zip(axes.ravel(), COMPARED_MOTIFS, strict=False):
        sub = table[table["motif"] == motif]
        for null, g in sub.groupby("null", sort=False):
            g = g.sort_values("cut_fraction")
            ax.plot(g["cut_fraction"], pd.to_numeric(g["z"], errors="coerce"), marker="o", ms=2.5,
                    label=null)  # fmt: skip
        _z_axis(ax, motif)
    return _finish_z(fig, axes, len(COMPARED_MOTIFS), note)
