"""Our ensembles next to the published one: hand-computed small cases, the real published data
against the numbers stated independently in the data README / paper_protocol.md, and the CLI
with the data present and absent (skipped with a note naming the setting, never an error)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.cli import main
from sparsemotifs.motifs.graph import LayeredGraph
from sparsemotifs.report import published, published_data
from sparsemotifs.report.published_compare import (
    PUBLISHED,
    comparison_table,
    describe,
    network_live_structure,
)

needs_data = pytest.mark.skipif(
    published_data.missing_note() is not None
    or published_data.missing_note(what=published_data.ZSCORES_FILE) is not None,
    reason=f"the reference study's data are absent ({published_data.reference_data_dir()}); "
    f"set ${published_data.ENV_VAR}",
)


def test_describe_by_hand():
    d = describe([1.0, 2.0, 3.0, 10.0, np.nan])
    assert d["n"] == 4 and d["mean"] == 4.0 and d["median"] == 2.5
    assert d["sd"] == pytest.approx(np.sqrt((9 + 4 + 1 + 36) / 3))  # ddof = 1
    assert d["q25"] == 1.75 and d["q75"] == 4.75
    assert describe([])["n"] == 0 and np.isnan(describe([np.nan])["mean"])


def test_live_structure_in_the_published_convention_by_hand():
    """3-3-2 network: input 2 has no edge (dead), hidden 2 is fed only by the bias (live with
    bias_only_live) but has no output (dead); the hidden bias row feeds output 0.

    Published convention: layer 0 = 2 live inputs + its bias row (live: edges to hidden 0 and 2,
    hidden 2 is dead so only hidden 0 counts) = 3; layer 1 = 2 live neurons + bias row = 3;
    output layer = 2 live outputs."""
    m0 = np.array([[1, 1, 0], [0, 1, 0], [0, 0, 0]])
    m1 = np.array([[1, 0], [0, 1], [0, 0]])
    g = LayeredGraph.from_masks([m0, m1], [np.array([1, 0, 1]), np.array([1, 0])])
    s = network_live_structure(g)
    assert s["live_nodes"] == [3, 3, 2]
    assert s["weight_edges"] == [3, 2] and s["bias_edges"] == [1, 1]
    assert s["edges"] == 7
    no_bias = network_live_structure(LayeredGraph.from_masks([m0, m1]))
    assert no_bias["live_nodes"] == [2, 2, 2] and no_bias["bias_edges"] == [0, 0]


def _ours():
    levels = pd.DataFrame(
        {"seed": [0, 0, 1, 1], "level": [0, 1, 0, 1], "cut_fraction": [0.0, 0.5, 0.0, 0.5],
         "loss_train": [1e-4, 2e-3, 3e-4, 5e-4], "loss_val": [2e-4, 3e-3, 4e-4, 6e-4],
         "loss_test": [2e-4, 3e-3, 4e-4, 6e-4], "status": "ok",
         "selected": [True, False, False, True]}
    )  # fmt: skip
    motifs = pd.DataFrame(
        {"ensemble": "trained", "seed": [0, 0, 1, 1], "level": [0, 1, 0, 1], "null": "degree",
         "motif": "bi_fan", "z": [1.0, 3.0, 2.0, 5.0]}
    )  # fmt: skip
    live = pd.DataFrame(
        {"ensemble": "trained", "network": [0, 0, 1, 1], "cut_fraction": [0.0, 0.5, 0.0, 0.5],
         "live_nodes": [[10, 5], [8, 4], [10, 5], [6, 2]], "weight_edges": [[50], [20], [50], [10]],
         "bias_edges": [[5], [1], [5], [0]], "edges": [55, 21, 55, 10]}
    )  # fmt: skip
    return levels, motifs, live


def test_comparison_table_by_hand():
    levels, motifs, live = _ours()
    losses = pd.DataFrame(
        {"network": [7, 7, 8, 8], "level": [0, 1, 0, 1], "cut_fraction": [0.0, 0.5, 0.0, 0.5],
         "loss_train": [1e-4, 9e-4, 1e-4, 5e-3], "loss_val": 1.0, "loss_test": 1.0}
    )  # fmt: skip
    sel = {"trained": {"split": "val", "threshold": 1e-3, "rule": "first_failure"}}
    t = comparison_table(levels, motifs, live, sel, losses, None)
    q = t.set_index(["ensemble", "quantity", "cut_fraction", "split"])
    # share under the own rule (val <= 1e-3) and the published one (train <= 1e-3) at cut 0.5
    own = q.loc[("trained", "share_under", 0.5, "val"), "value"]
    assert own == 0.5
    assert q.loc[("trained", "share_under", 0.5, "train"), "value"] == 0.5
    assert q.loc[(PUBLISHED, "share_under", 0.5, "train"), "value"] == 0.5
    # selection: ours from the `selected` column (one each at 0.0 and 0.5); theirs last_pass
    s = t[t["quantity"] == "selected_share"].set_index(["ensemble", "cut_fraction"])["value"]
    assert s[("trained", 0.0)] == 0.5 and s[("trained", 0.5)] == 0.5
    assert s[(PUBLISHED, 0.5)] == 0.5 and s[(PUBLISHED, 0.0)] == 0.5
    loss = q.loc[("trained", "loss", 0.5, "train")]
    assert loss["median"] == pytest.approx(1.25e-3) and loss["n"] == 2
    # live nodes of layer 1 at cut 0.5: 4 and 2 -> median 3; edges 21, 10
    nodes = t[(t["quantity"] == "live_nodes") & (t["layer"] == 1) & (t["cut_fraction"] == 0.5)]
    assert nodes["median"].item() == 3.0
    # z per level and at the selected level (seed 0 at level 0: 1.0; seed 1 at level 1: 5.0)
    z = t[t["quantity"] == "z"].set_index("cut_fraction")
    assert z.loc[0.5, "mean"] == 4.0 and z.loc[0.0, "mean"] == 1.5
    zs = t[t["quantity"] == "z_selected"]
    assert zs["mean"].item() == 3.0 and zs["n"].item() == 2 and zs["null"].item() == "degree"
    assert set(t["ensemble"]) == {"trained", PUBLISHED}


def test_without_published_data_only_our_rows():
    levels, motifs, live = _ours()
    t = comparison_table(levels, motifs, live, {"trained": {}}, None, None)
    assert set(t["ensemble"]) == {"trained"} and len(t)


@needs_data
def test_published_side_matches_the_stated_numbers():
    """Independent statements: paper_protocol.md's optimal-level counts and shares, the data
    README's z at 93 % (200 networks) and live nodes ~[9, 176, 399, 94, 6, 7]."""
    t = comparison_table(
        pd.DataFrame(), pd.DataFrame(columns=["ensemble"]), None, {},
        published_data.load_losses(), published_data.load_motif_zscores(),
    )  # fmt: skip
    assert set(t["ensemble"]) == {PUBLISHED}
    sel = t[t["quantity"] == "selected_share"].set_index("cut_fraction")
    for cut, k in published.OPTIMAL_LEVEL_COUNTS.items():
        assert sel.loc[cut, "n"] == k, cut
    share = t[t["quantity"] == "share_under"].set_index("cut_fraction")["value"]
    for cut, s in published.SHARE_UNDER_THRESHOLD.items():
        assert share[cut] == pytest.approx(s, abs=0.011), cut
    z = t[(t["quantity"] == "z") & (t["cut_fraction"] == 0.93)].set_index("motif")
    stated = {"bi_parallel": (29.9, 3.8), "bi_fan": (20.0, 2.9), "diverging_2": (17.1, 2.9),
              "connected_pairs_2": (-15.9, 3.2)}  # fmt: skip
    for motif, (mean, sd) in stated.items():
        assert z.loc[motif, "n"] == 200
        assert z.loc[motif, "mean"] == pytest.approx(mean, abs=0.05), motif
        assert z.loc[motif, "sd"] == pytest.approx(sd, abs=0.05), motif
    nodes = t[(t["quantity"] == "live_nodes") & (t["cut_fraction"] == 0.93)].sort_values("layer")
    assert np.allclose(nodes["median"], [9, 176, 399, 94, 6, 7], atol=20)
    assert nodes["median"].iloc[0] == 9 and nodes["median"].iloc[-1] == 7
    zs = t[t["quantity"] == "z_selected"].set_index("motif")
    assert zs.loc["bi_fan", "mean"] == pytest.approx(
        published.PUBLISHED_Z["bi_fan"]["mean"], abs=0.1
    )
    assert zs.loc["bi_fan", "n"] == 370  # every network of the table at its selected level
    loss = t[(t["quantity"] == "loss") & (t["split"] == "train")].set_index("cut_fraction")
    assert loss.loc[0.0, "median"] == pytest.approx(4.8e-4, rel=0.02)  # data README
    assert loss.loc[0.94, "median"] == pytest.approx(4.8e-3, rel=0.02)


def _study(tmp_path):
    """Levels, motifs and network files of a 2-seed ensemble (3-4-2 networks, 2 levels)."""
    rng = np.random.default_rng(0)
    rows = []
    for seed in (0, 1):
        for level, cut in ((0, 0.0), (1, 0.93)):
            d = tmp_path / "networks" / f"seed{seed}"
            d.mkdir(parents=True, exist_ok=True)
            m0 = (rng.random((3, 4)) > cut / 2).astype(np.uint8)
            m1 = (rng.random((4, 2)) > cut / 2).astype(np.uint8)
            m0[0, 0] = m1[0, 0] = 1
            np.savez(d / f"level{level}.npz", mask_0=m0, mask_1=m1,
                     bias_mask_0=np.ones(4, np.uint8), bias_mask_1=np.zeros(2, np.uint8))  # fmt: skip
            rows.append({"seed": seed, "level": level, "cut_fraction": cut, "weights_kept": 1 - cut,
                         "loss_train": 1e-4, "loss_val": 1e-4, "loss_test": 1e-4, "status": "ok",
                         "selected": level == 1})  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "levels.csv", index=False)
    pd.DataFrame(
        [{"ensemble": "trained", "seed": s, "level": lv, "null": "degree", "motif": "bi_fan", "z": 1.0}
         for s in (0, 1) for lv in (0, 1)]
    ).to_csv(tmp_path / "motifs.csv", index=False)  # fmt: skip


def _compare_args(tmp_path, data_dir, *extra):
    return [
        "published", "compare", "--levels", f"trained={tmp_path / 'levels.csv'}",
        "--networks", f"trained={tmp_path / 'networks'}", "--selection", "trained=val,0.001,first_failure",
        "--motifs", str(tmp_path / "motifs.csv"), "--reference-data", str(data_dir),
        "--out", str(tmp_path / "out" / "cmp.csv"), "--figures-dir", str(tmp_path / "fig"),
        "--summary-out", str(tmp_path / "out" / "sec.md"), *extra,
    ]  # fmt: skip


def test_cli_absent_data_is_skipped_with_a_note(tmp_path):
    _study(tmp_path)
    absent = tmp_path / "no_such_dir"
    ref = tmp_path / "out" / "ref.csv"
    assert (
        main(["published", "reference-network", "--reference-data", str(absent), "--out", str(ref)])
        == 0
    )
    assert pd.read_csv(ref).empty
    assert main(_compare_args(tmp_path, absent, "--reference-network", str(ref))) == 0
    t = pd.read_csv(tmp_path / "out" / "cmp.csv")
    assert set(t["ensemble"]) == {"trained"}
    text = (tmp_path / "out" / "sec.md").read_text()
    assert "report.reference_data" in text and str(absent) in text
    assert "The reference pipeline's own network" in text
    for name in ("published_losses", "published_live", "published_z", "reference_network_z"):
        assert (tmp_path / "fig" / f"{name}.png").stat().st_size > 0
        assert (tmp_path / "fig" / f"{name}.pdf").stat().st_size > 0


@needs_data
def test_cli_with_data_puts_ours_beside_theirs(tmp_path):
    _study(tmp_path)
    assert main(_compare_args(tmp_path, published_data.reference_data_dir())) == 0
    t = pd.read_csv(tmp_path / "out" / "cmp.csv")
    assert set(t["ensemble"]) == {"trained", PUBLISHED}
    nodes = t[(t["quantity"] == "live_nodes") & (t["ensemble"] == "trained")]
    assert set(nodes["layer"]) == {0, 1, 2}
    text = (tmp_path / "out" / "sec.md").read_text()
    assert "Note:" not in text and "| published |" in text
    # the data README's figures at 93 % (200 networks) and live nodes ~[9, 176, 399, 94, 6, 7]
    assert "| bi_parallel |" in text and "29.9 ± 3.8 (200)" in text and "20.0 ± 2.9 (200)" in text
    assert "| 0.93 | published | 200 | [9, 173, 400, 110, 6, 7] |" in text


def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
    _study(tmp_path)
    args = _compare_args(tmp_path, tmp_path)
    bad = [
        a if a != "trained=val,0.001,first_failure" else "trained=val,abc,first_failure"
        for a in args
    ]
    assert main(bad) == 2
    assert "abc" in capsys.readouterr().err
    (tmp_path / "networks" / "seed1" / "level1.npz").write_bytes(b"not a file")
    assert main(args) == 2
    assert "level1.npz" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path / "fig").exists()


def test_figures_degrade_on_an_empty_table(tmp_path):
    from sparsemotifs.figure_io import save_figure
    from sparsemotifs.report import published_figures as pf
    from sparsemotifs.report.published_compare import COLUMNS

    empty = pd.DataFrame(columns=COLUMNS)
    for name, fig in {
        "a": pf.plot_losses(empty, "note"), "b": pf.plot_live(empty), "c": pf.plot_z(empty),
        "d": pf.plot_reference_network(None, "absent"),
    }.items():  # fmt: skip
        assert save_figure(fig, tmp_path, name)[0].stat().st_size > 0
