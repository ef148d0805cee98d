"""`sparsemotifs simulate`: outputs, formats and argument errors (nothing left behind)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sparsemotifs.cli import main
from sparsemotifs.contracts.tables import SIMULATION_COLUMNS

FAST = '{"simulation": {"rtol": 1e-6}}'


def test_writes_parquet_with_exact_columns_and_meta(tmp_path, caplog):
    out = tmp_path / "sim" / "shard0.parquet"
    with caplog.at_level("INFO"):
        rc = main(["simulate", "--n", "12", "--seed", "3", "--out", str(out), "--params", FAST])
    assert rc == 0
    table = pd.read_parquet(out)
    assert list(table.columns) == SIMULATION_COLUMNS and len(table) == 12
    meta = json.loads((tmp_path / "sim" / "shard0.parquet.meta.json").read_text())
    for key in ("seed", "n", "shard", "shards", "blocks", "rtol", "params", "replaced", "dropped",
                "max_steps_used", "wall_time_s"):  # fmt: skip
        assert key in meta, key
    assert meta["seed"] == 3 and meta["n"] == 12 and meta["rtol"] == 1e-6
    assert "0 replaced" in caplog.text and "0 dropped" in caplog.text


def test_csv_output_and_params_supply_n_and_seed(tmp_path):
    out = tmp_path / "t.csv"
    params = '{"simulation": {"n_trajectories": 7, "seed": 2, "rtol": 1e-6}}'
    assert main(["simulate", "--out", str(out), "--params", params]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == SIMULATION_COLUMNS and len(table) == 7
    again = tmp_path / "u.parquet"
    assert main(["simulate", "--n", "7", "--seed", "2", "--out", str(again), "--params", FAST]) == 0
    pd.testing.assert_frame_equal(table, pd.read_parquet(again), check_exact=False, rtol=1e-15)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--n", "0"], "n_trajectories"),
        (["--n", "5", "--shard", "2", "--shards", "2"], "--shard"),
        (["--n", "5", "--shards", "0"], "--shards"),
        (["--n", "5", "--params", '{"simulation": {"rtol": -1}}'], "simulation.rtol"),
        (["--n", "5", "--params", '{"simulation": {"bogus": 1}}'], "bogus"),
        (["--n", "5", "--params", '{"rtol": 1e-6}'], "unknown section"),
        (["--n", "5", "--params", "{not json"], "--params"),
        (["--params", "{}"], "n_trajectories"),
    ],
)
def test_bad_arguments_fail_cleanly(tmp_path, capsys, args, message):
    out = tmp_path / "t.parquet"
    assert main(["simulate", "--out", str(out), *args]) != 0
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_unknown_suffix_is_rejected(tmp_path, capsys):
    out = tmp_path / "t.txt"
    assert main(["simulate", "--n", "3", "--out", str(out)]) != 0
    assert "t.txt" in capsys.readouterr().err and list(tmp_path.iterdir()) == []
