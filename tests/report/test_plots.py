"""Every figure is written as PNG and PDF, also from degenerate tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sparsemotifs import convergence as stats
from sparsemotifs.contracts.names import MOTIFS
from sparsemotifs.report import plots, published, z_sparsity


def _check_files(out_dir):
    for name in plots.FIGURE_NAMES:
        png = (out_dir / f"{name}.png").read_bytes()
        pdf = (out_dir / f"{name}.pdf").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 1000, name
        assert pdf.startswith(b"%PDF") and len(pdf) > 1000, name
    assert not list(out_dir.glob(".*")), "temporary files left behind"


def _figures(levels, motifs, out_dir):
    levels, motifs = stats.validate_levels(levels), stats.validate_motifs(motifs)
    conv = stats.convergence_table(stats.prepare(levels, motifs), n_boot=20)
    paths = plots.make_figures(levels, motifs, conv, out_dir, threshold=1e-3, dpi=60)
    assert len(paths) == 2 * len(plots.FIGURE_NAMES)
    _check_files(out_dir)


def test_all_figures_from_synthetic_tables(synthetic, tmp_path):
    levels, motifs = synthetic(n_seeds=6)
    pairs = motifs[motifs.motif == "chain_3"].assign(motif="connected_pairs_3")
    _figures(levels, pd.concat([motifs, pairs], ignore_index=True), tmp_path)


def _one_seed(synthetic):
    levels, motifs = synthetic(n_seeds=1, diverged=None, never_passing_seed=None)
    return levels, motifs


def _all_nan(synthetic):
    levels, motifs = synthetic(n_seeds=3)
    return levels, motifs.assign(z=np.nan)


def _no_selection(synthetic):
    levels, motifs = synthetic(n_seeds=3)
    return levels.assign(selected=False, loss_val=np.inf, status="diverged"), motifs


def _no_motifs(synthetic):
    levels, motifs = synthetic(n_seeds=2)
    return levels, motifs.iloc[:0]


@pytest.mark.parametrize("case", [_one_seed, _all_nan, _no_selection, _no_motifs])
def test_figures_survive_degenerate_tables(synthetic, tmp_path, case):
    _figures(*case(synthetic), tmp_path)


def test_selected_share_sums_to_one_and_matches_paper(synthetic):
    levels, _ = synthetic(n_seeds=8)
    table = plots.selected_share_table(stats.validate_levels(levels))
    sums = table.groupby("source", observed=True)["share"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)
    paper = table[table.source.str.startswith("paper")].set_index("cut")["share"]
    assert paper["0.93"] == pytest.approx(214 / 400)
    ours = table[table.source.str.contains("trained")].set_index("cut")["share"]
    assert ours["none"] == pytest.approx(1 / 8)  # seed 1 never passes


def test_published_data_is_consistent():
    assert sum(published.OPTIMAL_LEVEL_COUNTS.values()) == published.OPTIMAL_LEVEL_TOTAL
    table = published.published_z_table()
    assert set(table.motif) <= set(MOTIFS)
    assert table.set_index("motif").loc["bi_parallel", "mean"] == 27.4
    assert pd.isna(table.set_index("motif").loc["chain_3", "mean"])


def test_z_vs_sparsity_shows_only_informative_motifs(synthetic):
    """One panel per motif with a finite z under its null (none for motifs a null fixes or
    whose z is NaN everywhere), at most Z_PANEL_COLUMNS per row, readable at page width."""
    levels, motifs = synthetic(n_seeds=4)
    levels, motifs = stats.validate_levels(levels), stats.validate_motifs(motifs)
    motifs.loc[(motifs.null == "fixed_count") & (motifs.motif == "bi_fan"), "z"] = np.nan
    fig = plots.plot_z_vs_sparsity(stats.prepare(levels, motifs))
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert not any("undefined" in t or "no data" in t for t in texts)
    finite = motifs[np.isfinite(motifs.z)]
    expected = {f"{m} | {n}" for n, m in finite[["null", "motif"]].drop_duplicates().values}
    assert set(titles) == expected
    assert "bi_fan | fixed_count" not in titles and "edges | degree" not in titles
    assert fig.get_size_inches()[0] <= 11
    assert all(ax.get_subplotspec().colspan.stop <= z_sparsity.Z_PANEL_COLUMNS for ax in fig.axes)
