"""Shared pieces of the figures: the Agg backend, atomic PNG + PDF saving, annotated empty
panels, names in canonical order and level ticks labelled with cut fractions."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sparsemotifs import registry  # noqa: E402
from sparsemotifs.contracts.names import MOTIFS, NULLS, ordered  # noqa: E402
from sparsemotifs.io import atomic_path  # noqa: E402


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
