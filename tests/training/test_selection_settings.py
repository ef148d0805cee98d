"""Selection settings of issue 12 item 5, each against a hand-computed case: per-output R²
thresholds, seed outcomes in the levels table, recorded settings, the CLI's --data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.dataset.build import MinMaxScaler, TrainingData
from sparsemotifs.io import InputError, read_table, write_table
from sparsemotifs.training.selection import add_r2, output_variances, select_levels
from tests.conftest import run_cli

# two outputs on the val split: a = [-0.5, 0.5, -0.5, 0.5] (variance 0.25),
# b = [0, 0.2, 0, 0.2] (variance 0.01)
Y = {"val": np.array([[-0.5, 0.0], [0.5, 0.2], [-0.5, 0.0], [0.5, 0.2]])}
NAMES = ["a", "b"]
# per-output val MSE by level: level 0 a .01 (R² .96), b .0001 (R² .99) -> passes min_r2 .95
# level 1: a .005 (R² .98), b .002 (R² .80) -> fails, though its mean MSE .0035 is small
# level 2: a .004 (R² .984), b .0003 (R² .97) -> passes (last_pass selects it)
PER_OUTPUT = [(0.01, 0.0001), (0.005, 0.002), (0.004, 0.0003)]


def _metrics() -> pd.DataFrame:
    rows = []
    for level, (a, b) in enumerate(PER_OUTPUT):
        rows.append({"seed": 0, "level": level, "cut_fraction": 0.3 * level,
                     "weights_kept": 1 - 0.3 * level, "loss_train": 0.0, "loss_val": (a + b) / 2,
                     "loss_test": 0.0, "loss_val_a": a, "loss_val_b": b, "status": "ok",
                     "dead_outputs": 0})  # fmt: skip
    return pd.DataFrame(rows)


def test_output_variances_and_r2_by_hand():
    var = output_variances(Y, NAMES)
    assert var["val"] == pytest.approx({"a": 0.25, "b": 0.01})
    r2 = add_r2(_metrics(), var, require="val")
    assert r2["r2_val_a"].tolist() == pytest.approx([0.96, 0.98, 0.984])
    assert r2["r2_val_b"].tolist() == pytest.approx([0.99, 0.80, 0.97])


@pytest.mark.parametrize(
    ("kind", "rule", "passes", "selected"),
    [
        ("per_output_r2", "first_failure", [True, False, True], 0),
        ("per_output_r2", "last_pass", [True, False, True], 2),
        ("mean_mse", "first_failure", [True, True, True], 2),  # mean MSE <= 0.006 everywhere
    ],
)
def test_per_output_r2_threshold(kind, rule, passes, selected):
    sel = {"split": "val", "rule": rule, "threshold": 0.006, "threshold_kind": kind,
           "min_r2": 0.95}  # fmt: skip
    df = select_levels(_metrics(), sel, output_variances(Y, NAMES))
    assert df["passes"].tolist() == passes
    assert int(df.loc[df["selected"], "level"].iloc[0]) == selected
    assert set(df["selection_threshold_kind"]) == {kind}
    assert set(df["selection_min_r2"]) == {0.95}


def test_per_output_r2_needs_variances_and_per_output_losses():
    sel = {"split": "val", "rule": "last_pass", "threshold": 1, "threshold_kind": "per_output_r2",
           "min_r2": 0.9}  # fmt: skip
    with pytest.raises(InputError, match="select --data"):
        select_levels(_metrics(), sel)
    with pytest.raises(InputError, match="loss_val_a"):
        select_levels(_metrics().drop(columns="loss_val_a"), sel, output_variances(Y, NAMES))


def test_outcome_columns_and_recorded_settings():
    # seed 0 passes 0-1; seed 1 fails the dense level and passes at 1 and 2; seed 2 never
    losses = {0: [1e-4, 2e-4, 5e-3], 1: [5e-3, 2e-4, 3e-4], 2: [5e-3] * 3}
    rows = [
        {"seed": s, "level": k, "cut_fraction": 0.3 * k, "weights_kept": 1.0, "loss_train": v,
         "loss_val": v, "loss_test": v, "status": "ok"}
        for s, vals in losses.items() for k, v in enumerate(vals)
    ]  # fmt: skip
    sel = {"split": "val", "rule": "first_failure", "threshold": 1e-3,
           "exclude_dead_outputs": False}  # fmt: skip
    df = select_levels(pd.DataFrame(rows), sel).groupby("seed").first()
    assert df["outcome"].to_dict() == {
        0: "selected",
        1: "failed at the dense level, passes later",
        2: "never passes",
    }
    assert df["passing_levels"].to_dict() == {0: "0 1", 1: "1 2", 2: ""}
    assert not df["selection_exclude_dead_outputs"].any()
    default = select_levels(pd.DataFrame(rows), {**sel, "exclude_dead_outputs": True})
    assert default["selection_exclude_dead_outputs"].all()


def _data_file(path):
    y = {s: Y["val"].astype(np.float32) for s in ("train", "val", "test")}
    x = {s: np.zeros((4, 1), np.float32) for s in y}
    scaler = MinMaxScaler(np.zeros(2), np.ones(2))
    TrainingData(x, y, MinMaxScaler(np.zeros(1), np.ones(1)), scaler, ["x"], NAMES, {}).save(path)


def test_select_cli_per_output_r2(tmp_path):
    metrics = tmp_path / "m.csv"
    write_table(_metrics(), metrics)
    params = json.dumps(
        {"selection": {"threshold_kind": "per_output_r2", "min_r2": 0.95, "rule": "last_pass"}}
    )
    out = tmp_path / "levels.csv"
    res = run_cli("select", str(metrics), "--params", params, "--out", str(out))
    assert res.returncode == 2 and "--data" in res.stderr and not out.exists()
    _data_file(tmp_path / "d.npz")
    res = run_cli("select", str(metrics), "--params", params, "--out", str(out),
                  "--data", str(tmp_path / "d.npz"))  # fmt: skip
    assert res.returncode == 0, res.stderr
    levels = read_table(out)
    assert levels["passes"].tolist() == [True, False, True]
    assert levels["r2_val_b"].tolist() == pytest.approx([0.99, 0.80, 0.97], abs=1e-5)
