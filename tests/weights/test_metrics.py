"""Weight metrics against hand-computed values on a 2-2-1 network; pruned weights excluded."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.cli import main
from sparsemotifs.contracts.network import level_path, save_level
from sparsemotifs.weights import metrics as wm
from sparsemotifs.weights.network import load_network, network_from_arrays

W0 = np.array([[1.0, -2.0], [3.0, 0.5]])
B0 = np.array([0.1, -0.2])
W1 = np.array([[2.0], [-1.0]])
B1 = np.array([0.3])


def small(mask0=None, bias_mask0=None):
    m0 = np.ones((2, 2)) if mask0 is None else mask0
    bm0 = np.ones(2) if bias_mask0 is None else bias_mask0
    return network_from_arrays(
        {
            "mask_0": m0.astype(np.uint8),
            "bias_mask_0": bm0.astype(np.uint8),
            "weight_0": W0,
            "bias_0": B0,
            "mask_1": np.ones((2, 1), np.uint8),
            "bias_mask_1": np.ones(1, np.uint8),
            "weight_1": W1,
            "bias_1": B1,
        }
    )


def test_strength_by_hand():
    net = small()
    s = wm.node_strength(net)
    # inputs: row sums of W0 + 1; hidden: out + in + bias; output: in + bias + 1
    np.testing.assert_allclose(s[0], [1 - 2 + 1, 3 + 0.5 + 1])
    np.testing.assert_allclose(s[1], [2 + (1 + 3) + 0.1, -1 + (-2 + 0.5) - 0.2])
    np.testing.assert_allclose(s[2], [2 - 1 + 0.3 + 1])
    np.testing.assert_allclose(wm.in_strength(net)[0], [4.1, -1.7])
    np.testing.assert_allclose(wm.out_strength(net)[1], [2.0, -1.0])
    np.testing.assert_allclose(wm.abs_strength(net)[0], [3.0, 3.5])
    np.testing.assert_allclose(wm.abs_strength(net)[1], [2 + 4 + 0.1, 1 + 2.5 + 0.2])
    np.testing.assert_allclose(wm.abs_strength(net)[2], [3.3])


def test_fluctuation_is_population_sd():
    net = small()
    y = wm.fluctuation(net)
    assert y == pytest.approx([2.25, 4.4, 0.0])
    for yl, s in zip(y, wm.node_strength(net), strict=True):
        assert yl == pytest.approx(np.std(s, ddof=0))


def test_pruned_weights_are_excluded_even_if_stored():
    mask0 = np.array([[1, 1], [0, 1]])
    net = small(mask0=mask0, bias_mask0=np.array([1, 0]))
    s = wm.node_strength(net)
    np.testing.assert_allclose(s[0], [0.0, 0.5 + 1])
    np.testing.assert_allclose(s[1], [2 + 1 + 0.1, -1 + (-2 + 0.5)])
    weights, biases = wm.link_weights(net)
    assert sorted(weights[0]) == [-2.0, 0.5, 1.0]
    assert list(biases[0]) == [0.1]


def test_rows_and_values_tables():
    net = small()
    rows = pd.DataFrame(wm.network_rows(net, {"ensemble": "e", "seed": 3, "level": 1}))
    assert list(rows.columns) == wm.TABLE_COLUMNS
    w0 = rows[(rows.metric == "weight") & (rows.layer == 0)].iloc[0]
    assert w0["n"] == 4 and w0["value"] == pytest.approx(W0.mean())
    assert w0["median"] == pytest.approx(np.median(W0)) and w0["max"] == 3.0
    fl = rows[rows.metric == "fluctuation"].sort_values("layer")["value"]
    assert list(fl) == pytest.approx([2.25, 4.4, 0.0])
    # in-strength exists for non-input layers only, out-strength for non-output layers only
    assert sorted(rows[rows.metric == "strength_in"].layer) == [1, 2]
    assert sorted(rows[rows.metric == "strength_out"].layer) == [0, 1]
    values = wm.network_values(net, {"ensemble": "e", "seed": 3, "level": 1})
    assert list(values.columns) == wm.VALUE_COLUMNS
    assert len(values[values.metric == "weight"]) == 6
    assert len(values[values.metric == "strength"]) == 5


def _save(tmp_path, seed, level, scale=1.0, mask0=None):
    path = level_path(tmp_path / "networks", seed, level)
    m0 = np.ones((2, 2)) if mask0 is None else mask0
    save_level(
        path,
        [W0 * scale, W1],
        [B0, B1],
        [m0, np.ones((2, 1))],
        [np.ones(2), np.ones(1)],
    )
    return path


def test_cli_json(tmp_path, capsys):
    paths = [_save(tmp_path, 0, 0), _save(tmp_path, 0, 1, mask0=np.array([[1, 1], [0, 1]]))]
    assert main(["weights", *map(str, paths), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    np.testing.assert_allclose(lines[0]["strength"][1], [6.1, -2.7], rtol=1e-6)
    assert lines[0]["fluctuation"] == pytest.approx([2.25, 4.4, 0.0], rel=1e-6)
    np.testing.assert_allclose(lines[1]["strength"][0], [0.0, 1.5], atol=1e-6)


def test_cli_table_and_bad_file(tmp_path, capsys):
    good = _save(tmp_path, 1, 0)
    out, values = tmp_path / "w.parquet", tmp_path / "v.parquet"
    args = ["weights", str(good), "--ensemble", "trained", "--out", str(out)]
    assert main([*args, "--values-out", str(values)]) == 0
    table = pd.read_parquet(out)
    assert set(table["seed"]) == {1} and set(table["ensemble"]) == {"trained"}
    assert len(pd.read_parquet(values)) > 0
    bad = level_path(tmp_path / "networks", 2, 0)
    arrays = dict(np.load(good))
    arrays["weight_1"] = np.zeros((3, 1), np.float32)
    bad.parent.mkdir(parents=True)
    np.savez(bad, **arrays)
    out2 = tmp_path / "w2.parquet"
    assert main(["weights", str(good), str(bad), "--out", str(out2)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "weight_1" in err
    assert not out2.exists()


def test_load_network_rejects_nan(tmp_path):
    path = _save(tmp_path, 0, 0)
    arrays = dict(np.load(path))
    arrays["bias_0"] = np.array([np.nan, 0.0], np.float32)
    np.savez(path, **arrays)
    with pytest.raises(Exception, match="bias_0 contains NaN"):
        load_network(path)


SHARED = Path(
    os.environ.get("SPARSEMOTIFS_SHARED", Path(__file__).resolve().parents[2].parent / "shared")
)
ZAHN = SHARED / "reference" / "data" / "zahn2022_network"


@pytest.mark.skipif(not ZAHN.exists(), reason="../shared reference data not available")
def test_reference_network_strength_by_explicit_sums():
    """The published 10-400-400-400-16-7 network: strengths equal per-node sums done with
    explicit index loops over the file's raw arrays (mask applied by hand)."""
    path = ZAHN / "cut0.93.npz"
    raw = dict(np.load(path))
    net = load_network(path)
    s = wm.node_strength(net)
    assert [len(x) for x in s] == [10, 400, 400, 400, 16, 7]
    w = [raw[f"weight_{li}"].astype(np.float64) * raw[f"mask_{li}"] for li in range(5)]
    b = [raw[f"bias_{li}"].astype(np.float64) * raw[f"bias_mask_{li}"] for li in range(5)]
    for i in (0, 3, 9):
        assert s[0][i] == pytest.approx(sum(w[0][i, j] for j in range(400)) + 1.0)
    for layer, i in ((2, 17), (3, 399)):
        expected = sum(w[layer][i, j] for j in range(w[layer].shape[1]))
        expected += sum(w[layer - 1][k, i] for k in range(400)) + b[layer - 1][i]
        assert s[layer][i] == pytest.approx(expected)
    assert s[5][4] == pytest.approx(sum(w[4][k, 4] for k in range(16)) + b[4][4] + 1.0)
    assert wm.fluctuation(net)[2] == pytest.approx(np.std(s[2]))
