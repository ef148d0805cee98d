"""The one figure writer of every stage: both formats, atomic (nothing left on failure)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from sparsemotifs import figure_io
from sparsemotifs.function import figures as function_figures
from sparsemotifs.report import figure_kit
from sparsemotifs.weights import figures as weights_figures


def test_one_helper_shared_by_every_stage():
    assert figure_kit.save_figure is figure_io.save_figure
    assert weights_figures.save_figure is figure_io.save_figure
    assert function_figures.save_figure is figure_io.save_figure


def test_writes_png_and_pdf_and_closes(tmp_path):
    fig, ax = plt.subplots()
    figure_io.empty_panel(ax, "nothing")
    paths = figure_io.save_figure(fig, tmp_path, "x")
    assert [p.name for p in paths] == ["x.png", "x.pdf"]
    assert paths[0].read_bytes()[:4] == b"\x89PNG" and paths[1].read_bytes()[:4] == b"%PDF"
    assert not plt.fignum_exists(fig.number)


def test_failure_leaves_no_partial_file(tmp_path, monkeypatch):
    fig, _ = plt.subplots()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(RuntimeError):
        figure_io.save_figure(fig, tmp_path, "y")
    assert list(tmp_path.iterdir()) == []
