"""Shared pieces of the report's figures: names in canonical order and level ticks labelled
with cut fractions; saving and empty panels come from the bottom-level `figure_io` (re-exported
here for the report's modules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparsemotifs import registry
from sparsemotifs.contracts.names import MOTIFS, NULLS, ordered
from sparsemotifs.figure_io import empty_panel, save_figure

if TYPE_CHECKING:
    import matplotlib.pyplot as plt
    import pandas as pd

__all__ = ["empty_panel", "ensembles_in", "level_ticks", "motifs_in", "nulls_in", "save_figure"]


def ensembles_in(values) -> list[str]:
    """Distinct ensemble names in registry order."""
    return ordered(values, registry.names())


def nulls_in(values) -> list[str]:
    """Distinct null names in canonical order."""
    return ordered(values, NULLS)


def motifs_in(values) -> list[str]:
    """Distinct motif names in canonical order, others sorted after them."""
    return ordered(values, MOTIFS, sort_rest=True)


def level_ticks(ax: plt.Axes, cuts: pd.Series) -> None:
    """Level index on x, labelled with its cut fraction (the schedule is crowded near 0.9)."""
    cuts = cuts.dropna().sort_index()
    ax.set_xticks(cuts.index.to_numpy())
    ax.set_xticklabels([f"{c:.2f}" for c in cuts.to_numpy()], rotation=90, fontsize=7)
    ax.set_xlabel("cut fraction (level)")
