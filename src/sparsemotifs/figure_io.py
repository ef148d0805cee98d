"""Figure plumbing every stage that draws shares (report, weights, function): the headless Agg
backend, atomic PNG + PDF writing and annotated empty panels. It sits at the bottom of the
layout (it imports no stage) so that an earlier stage never imports the report stage for it."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from sparsemotifs.io import atomic_path  # noqa: E402


def save_figure(fig: plt.Figure, out_dir: str | Path, name: str, dpi: int = 150) -> list[Path]:
    """Write `name`.png and `name`.pdf atomically (no partial file on failure); close the figure."""
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
