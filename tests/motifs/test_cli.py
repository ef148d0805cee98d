"""The `sparsemotifs motifs` command: JSON lines, tables, errors (exit 2, file named)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.cli import main
from sparsemotifs.motifs.counts import MOTIFS, count_motifs
from sparsemotifs.motifs.derive import randomize_masks
from sparsemotifs.motifs.graph import load_graph, strip_dead
from tests.conftest import run_cli
from tests.motifs.helpers import brute_force_counts


def _write_net(path, seed, widths=(5, 9, 8, 3), density=0.35, bias=True):
    rng = np.random.default_rng(seed)
    arrays = {}
    for li in range(len(widths) - 1):
        arrays[f"mask_{li}"] = (rng.random((widths[li], widths[li + 1])) < density).astype(
            np.float32
        )
        arrays[f"weight_{li}"] = rng.normal(size=(widths[li + 1], widths[li]))
        if bias:
            arrays[f"bias_mask_{li}"] = (rng.random(widths[li + 1]) < 0.5).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    return arrays


def _lines(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_count_prints_one_json_line_per_file_matching_brute_force(tmp_path, capsys):
    files = [tmp_path / f"n{i}.npz" for i in range(3)]
    for i, f in enumerate(files):
        _write_net(f, i)
    assert main(["motifs", "count", *map(str, files), "--bias-nodes", "--per-layer", "--json"]) == 0
    out = _lines(capsys)
    assert len(out) == 3
    for f, obj in zip(files, out, strict=True):
        ref = brute_force_counts(load_graph(f))
        for m in MOTIFS:
            assert isinstance(obj[m], int) and obj[m] == sum(ref[m].values())
            assert obj["per_layer"][m] == [ref[m][p] for p in range(len(obj["per_layer"][m]))]
    assert main(["motifs", "count", str(files[0]), "--json"]) == 0  # without bias nodes
    no_bias = _lines(capsys)[0]
    assert no_bias["edges"] == int(sum(np.load(files[0])[f"mask_{li}"].sum() for li in range(3)))


def test_count_strip_removes_dead_nodes(tmp_path, capsys):
    f = tmp_path / "n.npz"
    np.savez(f, mask_0=np.array([[1, 0], [1, 0]]), mask_1=np.array([[1], [0]]))
    main(["motifs", "count", str(f), "--json"])
    main(["motifs", "count", str(f), "--json", "--strip"])
    raw, stripped = _lines(capsys)
    assert raw["edges"] == 3 and stripped["edges"] == 3  # node 1 of layer 1 has no input or output
    np.savez(f, mask_0=np.array([[1, 1], [1, 0]]), mask_1=np.array([[1], [0]]))
    main(["motifs", "count", str(f), "--json"])
    main(["motifs", "count", str(f), "--json", "--strip"])
    raw, stripped = _lines(capsys)
    assert raw["edges"] == 4 and stripped["edges"] == 3  # the dead end 0 -> 1 is removed


@pytest.mark.parametrize("null", ["fixed_count", "fixed_count_min1", "degree"])
def test_zscore_json_lines_and_determinism(tmp_path, capsys, null):
    files = [tmp_path / f"n{i}.npz" for i in range(2)]
    for i, f in enumerate(files):
        _write_net(f, 10 + i)
    args = ["motifs", "zscore", *map(str, files), "--null", null, "--samples", "50", "--seed", "3"]
    assert main([*args, "--bias-nodes", "--json"]) == 0
    first = capsys.readouterr().out
    assert main([*args, "--bias-nodes", "--json"]) == 0
    assert capsys.readouterr().out == first  # same seed, same numbers
    out = [json.loads(line) for line in first.splitlines()]
    assert len(out) == 2 and "NaN" not in first
    for obj in out:
        assert set(obj) == set(MOTIFS)
        for m in MOTIFS:
            assert set(obj[m]) == {"count", "null_mean", "null_sd", "z", "p"}
        assert obj["edges"]["z"] is None
        assert obj["bi_fan"]["z"] is not None
        assert (obj["bi_fan"]["p"] is None) == (null == "fixed_count")
        if null == "degree":
            assert obj["chain_2"]["z"] is None and obj["chain_3"]["z"] is not None


def test_malformed_files_exit_2_naming_the_file(tmp_path, capsys):
    good = tmp_path / "good.npz"
    _write_net(good, 0)
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"PK\x03\x04garbage")
    nonbinary = tmp_path / "nonbinary.npz"
    np.savez(nonbinary, mask_0=np.full((2, 2), 0.3))
    mismatched = tmp_path / "mismatched.npz"
    np.savez(mismatched, mask_0=np.ones((2, 3)), mask_1=np.ones((2, 2)))
    for bad, what in [
        (corrupt, "not a readable"),
        (nonbinary, "0/1"),
        (mismatched, "do not match"),
    ]:
        for action in (["count"], ["zscore", "--null", "fixed_count"]):
            assert main(["motifs", *action, str(good), str(bad), "--json"]) == 2
            captured = capsys.readouterr()
            assert str(bad) in captured.err and what in captured.err
            assert captured.out == ""  # nothing printed for the good file either
    # a real process: exit status 2 and a one-line message naming the file
    proc = run_cli("motifs", "count", str(tmp_path / "absent.npz"), "--json")
    assert proc.returncode == 2 and "absent.npz" in proc.stderr and "error" in proc.stderr


def test_table_columns_seed_independence_and_random_control(tmp_path):
    paths = [tmp_path / "trained" / f"seed{s}" / "level4.npz" for s in (1, 2)]
    for i, p in enumerate(paths):
        _write_net(p, 20 + i)
    params = json.dumps({"motifs": {"samples": 40, "seed": 5}})
    out_all, out_one = tmp_path / "all.csv", tmp_path / "one.parquet"
    layer_out = tmp_path / "layers.csv"
    base = ["motifs", "table", "--ensemble", "trained", "--null", "fixed_count", "--null", "degree"]
    assert main([*base, *map(str, paths), "--params", params, "--out", str(out_all), "--per-layer-out", str(layer_out)]) == 0  # fmt: skip
    assert main([*base, str(paths[1]), "--params", params, "--out", str(out_one)]) == 0
    table = pd.read_csv(out_all)
    assert list(table.columns[:10]) == [
        "ensemble", "seed", "level", "null", "motif", "count", "null_mean", "null_sd", "z", "p",
    ]  # fmt: skip
    assert set(table["seed"]) == {1, 2} and set(table["level"]) == {4}
    assert set(table["null"]) == {"fixed_count", "degree"}
    # a file's numbers do not depend on which other files share the job
    one = pd.read_parquet(out_one)
    sub = table[table["seed"] == 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(sub[one.columns], one, check_dtype=False)
    layers = pd.read_csv(layer_out)
    assert {"layer", "motif", "z"} <= set(layers.columns)
    # per-layer counts add up to the totals
    sums = layers.groupby(["seed", "null", "motif"])["count"].sum()
    tot = table[table["motif"].isin(MOTIFS)].set_index(["seed", "null", "motif"])["count"]
    assert (sums.reindex(tot.index) == tot).all()
    # random_pruned control: same per-layer edge counts as stored, different wiring
    ctrl = tmp_path / "ctrl.csv"
    assert main([*base[:2], "--ensemble", "random_pruned", "--null", "fixed_count", str(paths[0]), "--params", params, "--out", str(ctrl), "--derive", "random_masks"]) == 0  # fmt: skip
    c = pd.read_csv(ctrl)
    assert (c["ensemble"] == "random_pruned").all()
    # deterministic in (motifs seed, seed, level): uniform masks with the stored edge counts
    rand = randomize_masks(load_graph(paths[0]), np.random.default_rng([5, 1, 4]))
    assert rand.edge_counts() == load_graph(paths[0]).edge_counts()
    live = strip_dead(rand)[0]
    expected = count_motifs(live)
    for m in MOTIFS:
        assert c.loc[c["motif"] == m, "count"].iloc[0] == expected[m].sum()
    trained_bifan = table.query("seed == 1 and motif == 'bi_fan'")["count"].iloc[0]
    assert c.loc[c["motif"] == "bi_fan", "count"].iloc[0] != trained_bifan


def test_samples_other_levels_keep_full_samples_at_selected_levels_and_named_cuts(tmp_path):
    paths = [tmp_path / f"seed{s}" / f"level{lv}.npz" for s in (0, 1) for lv in (0, 1, 2)]
    for i, p in enumerate(paths):
        _write_net(p, 40 + i)
    metrics = tmp_path / "metrics.csv"
    # seed 0 passes levels 0, 1 (selected 1); seed 1 passes 0 only (selected 0)
    pd.DataFrame(
        {"seed": [0, 0, 0, 1, 1, 1], "level": [0, 1, 2] * 2, "cut_fraction": [0, 0.5, 0.8] * 2,
         "weights_kept": 1.0, "loss_train": 0.0, "loss_val": [1, 1, 9, 1, 9, 9],
         "loss_test": 0.0, "status": "ok"}
    ).to_csv(metrics, index=False)  # fmt: skip
    selection = json.dumps({"selection": {"threshold": 2.0, "split": "val"}})
    motifs = {"samples": 30, "samples_other_levels": 4, "full_sample_cuts": [0.8], "seed": 1}
    out = tmp_path / "t.csv"
    argv = ["motifs", "table", *map(str, paths), "--ensemble", "trained", "--null", "degree",
            "--params", json.dumps({"motifs": motifs}), "--out", str(out)]  # fmt: skip
    assert main([*argv, "--metrics", str(metrics), "--selection", selection]) == 0
    got = pd.read_csv(out).groupby(["seed", "level"])["samples"].first().to_dict()
    assert got == {(0, 0): 4, (0, 1): 30, (0, 2): 30, (1, 0): 30, (1, 1): 4, (1, 2): 30}
    # several selections read the same networks: the union of their selected levels (no cuts)
    loose = json.dumps({"selection": {"threshold": 10.0, "split": "val", "rule": "last_pass"}})
    strict = json.dumps({"selection": {"threshold": 2.0, "split": "val"}})
    both = tmp_path / "both.csv"
    no_cuts = json.dumps({"motifs": {**motifs, "full_sample_cuts": []}})
    argv_both = [*argv[:-1], str(both), "--params", no_cuts, "--metrics", str(metrics)]
    assert main([*argv_both, "--selection", strict]) == 0
    got = pd.read_csv(both).groupby(["seed", "level"])["samples"].first().to_dict()
    assert got == {(0, 0): 4, (0, 1): 30, (0, 2): 4, (1, 0): 30, (1, 1): 4, (1, 2): 4}
    assert main([*argv_both, "--selection", strict, "--selection", loose]) == 0
    got = pd.read_csv(both).groupby(["seed", "level"])["samples"].first().to_dict()
    assert got == {(0, 0): 4, (0, 1): 30, (0, 2): 30, (1, 0): 30, (1, 1): 4, (1, 2): 30}
    # a full-sample level's numbers are those of a run with `samples` everywhere
    full = tmp_path / "full.csv"
    del motifs["samples_other_levels"]
    argv[argv.index("--params") + 1] = json.dumps({"motifs": motifs})
    assert main([*argv[:-1], str(full)]) == 0
    a, b = (pd.read_csv(f).query("seed == 0 and level == 1") for f in (out, full))
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    # the selection is needed to know which levels are selected
    assert main([*argv[:-1], str(tmp_path / "x.csv"), "--params",
                 json.dumps({"motifs": {**motifs, "samples_other_levels": 4}})]) == 2  # fmt: skip
    assert not (tmp_path / "x.csv").exists()


def test_table_rejects_bad_params_and_paths(tmp_path, capsys):
    p = tmp_path / "seed1" / "level2.npz"
    _write_net(p, 0)
    out = tmp_path / "o.csv"
    base = ["motifs", "table", "--ensemble", "x", "--null", "degree", "--out", str(out)]
    assert main([*base, str(p), "--params", '{"motifs": {"samples": 1}}']) == 2
    assert "samples" in capsys.readouterr().err
    q = tmp_path / "net.npz"
    _write_net(q, 0)
    assert main([*base, str(q)]) == 2
    assert "net.npz" in capsys.readouterr().err
    assert not out.exists()


def test_connected_pairs_scored_on_request(tmp_path, capsys):
    path = tmp_path / "seed3" / "level1.npz"
    _write_net(path, 30)
    out = tmp_path / "t.csv"
    params = json.dumps({"motifs": {"samples": 30, "connected_pairs_z": True}})
    args = ["motifs", "table", str(path), "--ensemble", "e", "--null", "fixed_count"]
    assert main([*args, "--params", params, "--out", str(out)]) == 0
    table = pd.read_csv(out).set_index("motif")
    main(["motifs", "count", str(path), "--json", "--bias-nodes", "--strip"])
    counted = _lines(capsys)[0]
    for m in ("connected_pairs_2", "connected_pairs_3"):
        assert table.loc[m, "count"] == counted[m]
        assert np.isfinite(table.loc[m, "null_mean"]) and np.isnan(table.loc[m, "sp"])
    assert np.isnan(table.loc["bi_fan", "p"])  # motifs keep the exact null
    main(
        ["motifs", "zscore", str(path), "--null", "degree", "--samples", "20", "--connected-pairs"]
    )
    obj = _lines(capsys)[0]
    assert obj["connected_pairs_3"]["null_sd"] is not None


def test_table_draws_extend_a_single_draw_and_magnitude_init_needs_network(tmp_path, capsys):
    """--draws k: draw 0 is the k = 1 table, draws differ; magnitude_init reads --network."""
    p = tmp_path / "seed3" / "level2.npz"
    _write_net(p, 7, widths=(10, 9, 8, 7))
    params = json.dumps({"motifs": {"samples": 20, "seed": 1}})
    base = ["motifs", "table", str(p), "--ensemble", "null_degree", "--null", "fixed_count",
            "--null", "degree", "--params", params, "--derive", "null_degree"]  # fmt: skip
    one, three = tmp_path / "one.csv", tmp_path / "three.csv"
    assert main([*base, "--out", str(one)]) == 0
    assert main([*base, "--out", str(three), "--draws", "3"]) == 0
    a, b = pd.read_csv(one), pd.read_csv(three)
    assert set(a["draw"]) == {0} and sorted(set(b["draw"])) == [0, 1, 2]
    pd.testing.assert_frame_equal(b[b["draw"] == 0].reset_index(drop=True), a)
    bifan = b[(b["motif"] == "bi_fan") & (b["null"] == "degree")].set_index("draw")["z"]
    assert bifan.nunique() > 1  # independent draws, not copies
    net = json.dumps({"network": {"widths": [10, 9, 8, 7], "init": "paper"}})
    mi = ["motifs", "table", str(p), "--ensemble", "magnitude_init", "--null", "fixed_count",
          "--params", params, "--derive", "magnitude_init"]  # fmt: skip
    assert main([*mi, "--out", str(tmp_path / "x.csv")]) == 2
    assert "needs --network" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
    wrong = json.dumps({"network": {"widths": [10, 9, 9, 7]}})
    assert main([*mi, "--out", str(tmp_path / "x.csv"), "--network", wrong]) == 2
    err = capsys.readouterr().err
    assert str(p) in err and "differ from network.widths" in err
    assert main([*mi, "--out", str(tmp_path / "mi.csv"), "--network", net]) == 0
    m = pd.read_csv(tmp_path / "mi.csv")
    assert (m["ensemble"] == "magnitude_init").all() and set(m["draw"]) == {0}
    assert main(["motifs", "table", str(p), "--ensemble", "trained", "--null", "fixed_count",
                 "--params", params, "--out", str(tmp_path / "y.csv"), "--draws", "2"]) == 2  # fmt: skip
