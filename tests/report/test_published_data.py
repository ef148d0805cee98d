"""Loader of the reference study's published data: absent -> a note, synthetic cases by hand, and
the real files against the figures stated independently in paper_protocol.md / data README."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.report import published, published_data

DATA = published_data.reference_data_dir()
needs_data = pytest.mark.skipif(
    published_data.missing_note() is not None
    or published_data.missing_note(what="published_motif_zscores.csv.gz") is not None,
    reason=f"the reference study's data are absent ({DATA.resolve()}); set "
    f"${published_data.ENV_VAR} or run from a checkout with ../shared",
)


def test_absent_directory_gives_none_and_a_note_naming_the_setting(tmp_path):
    root = tmp_path / "nothing"
    assert published_data.load_losses(root) is None
    assert published_data.load_motif_zscores(root) is None
    assert published_data.network_path(0.93, root) is None
    assert published_data.network_levels(root) == []
    note = published_data.missing_note(root)
    assert published_data.SETTING in note and str(root) in note


def test_explicit_path_and_environment_override(tmp_path, monkeypatch):
    monkeypatch.setenv(published_data.ENV_VAR, str(tmp_path))
    assert published_data.reference_data_dir() == tmp_path
    assert published_data.reference_data_dir("x/y") == published_data.Path("x/y")


def _losses(rows):
    return pd.DataFrame(
        [
            {"network": n, "level": lv, "cut_fraction": lv / 10, "loss_train": v,
             "loss_val": v, "loss_test": v}
            for n, vals in rows.items()
            for lv, v in enumerate(vals)
        ]
    )  # fmt: skip


def test_selection_rules_and_shares_by_hand():
    losses = _losses({0: [5e-4, 2e-3, 9e-4, 3e-3], 1: [2e-3, 2e-3, 2e-3, 2e-3], 2: [1e-4] * 4})
    last = published_data.selected_levels(losses, 1e-3, rule="last_pass").set_index("network")
    first = published_data.selected_levels(losses, 1e-3, rule="first_failure").set_index("network")
    assert last["level"].to_dict() == {0: 2, 1: -1, 2: 3}
    assert first["level"].to_dict() == {0: 0, 1: -1, 2: 3}
    hist = published_data.selected_level_histogram(last.reset_index())
    assert hist["networks"].tolist() == [1, 1] and hist["share"].tolist() == [1 / 3, 1 / 3]
    share = published_data.share_under_threshold(losses, 1e-3)
    assert share["share"].tolist() == pytest.approx([2 / 3, 1 / 3, 2 / 3, 1 / 3])
    dist = published_data.loss_distribution(losses)
    assert dist["median"].iloc[0] == pytest.approx(5e-4) and dist["n"].tolist() == [3] * 4
    with pytest.raises(ValueError, match="split"):
        published_data.loss_distribution(losses, "nope")


@needs_data
def test_published_losses_reproduce_the_stated_selection_and_cliff():
    losses = published_data.load_losses()
    assert losses["network"].nunique() == 400 and losses["level"].nunique() == 18
    hist = published_data.selected_level_histogram(published_data.selected_levels(losses))
    assert dict(zip(hist["cut_fraction"].round(2), hist["networks"], strict=True)) == (
        published.OPTIMAL_LEVEL_COUNTS
    )
    share = published_data.share_under_threshold(losses).set_index("cut_fraction")["share"]
    for cut, expected in published.SHARE_UNDER_THRESHOLD.items():
        assert share[cut] == pytest.approx(expected, abs=0.006)
    med = published_data.loss_distribution(losses).set_index("cut_fraction")["median"]
    assert med[0.0] == pytest.approx(4.8e-4, rel=0.02)
    assert med[0.93] == pytest.approx(9.7e-4, rel=0.02)
    assert med[0.94] == pytest.approx(4.8e-3, rel=0.02)


@needs_data
def test_published_z_and_live_structure_at_93_percent():
    z = published_data.load_motif_zscores()
    dist = published_data.z_distribution(z)
    at = dist[np.isclose(dist["cut_fraction"], 0.93)].set_index("motif")
    stated = {  # data/README.md: mean +- sd over 200 networks at 93 %
        "bi_parallel": (29.9, 3.8),
        "bi_fan": (20.0, 2.9),
        "diverging_2": (17.1, 2.9),
        "connected_pairs_2": (-15.9, 3.2),
    }
    for motif, (mean, sd) in stated.items():
        assert at.loc[motif, "n"] == 200
        assert at.loc[motif, "mean"] == pytest.approx(mean, abs=0.05)
        assert at.loc[motif, "sd"] == pytest.approx(sd, abs=0.05)
    live = published_data.live_structure_by_level(z).set_index("cut_fraction")
    nodes = live.loc[0.93, "median_live_nodes"]
    assert nodes[0] == 9 and nodes[-1] == 7 and 150 < nodes[1] < 200
    assert max(live.loc[0.93, "median_bias_edges"]) <= 12  # almost every bias pruned
    assert published_data.network_levels()[0] == 0.0 and len(published_data.network_levels()) == 18
