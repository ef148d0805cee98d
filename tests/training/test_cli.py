"""`sparsemotifs train` / `select` end to end: files, orientation, completion marker, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from sparsemotifs.cli import main
from sparsemotifs.io import load_npz

from .conftest import smooth_task

PARAMS = {
    "network": {"widths": [10, 12, 8, 7]},
    "training": {"batch_size": 32, "lr": 0.01, "max_epochs_per_level": 2, "device": "cpu",
                 "early_stopping": {"rule": "none"}},
    "pruning": {"schedule": [0.5, 0.8]},
}  # fmt: skip


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data.npz"
    smooth_task(n_train=256, n_val=128, n_test=128).save(path)
    return path


def _torch_model(arrays, n_layers):
    """nn.Linear layers from a level file: Linear.weight is the transpose of weight_l."""
    mods = []
    for li in range(n_layers):
        w, b = arrays[f"weight_{li}"], arrays[f"bias_{li}"]
        lin = torch.nn.Linear(*w.shape)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))
        mods += [lin, torch.nn.Tanh()]
    return torch.nn.Sequential(*mods[:-1])


def test_train_writes_levels_and_metrics(tmp_path, data_file):
    out, metrics = tmp_path / "nets", tmp_path / "m" / "metrics.parquet"
    rc = main(["train", "--data", str(data_file), "--seeds", "4", "9", "--out-dir", str(out),
               "--metrics", str(metrics), "--params", json.dumps(PARAMS), "--threads", "1"])  # fmt: skip
    assert rc == 0
    df = pd.read_parquet(metrics)
    assert len(df) == 6 and sorted(set(df.seed)) == [4, 9]
    for col in ["cut_fraction", "weights_kept", "edges_kept_0", "edges_kept_2", "loss_train", "loss_val",
                "loss_test", "loss_val_out3", "steps", "epochs", "wall_time_s", "status", "stopped_early"]:  # fmt: skip
        assert col in df.columns, col
    assert not (out / ".checkpoint" / "train_checkpoint.pt").exists()
    data = smooth_task(n_train=256, n_val=128, n_test=128)
    widths = PARAMS["network"]["widths"]
    for row in df.itertuples():
        arrays = load_npz(out / f"seed{row.seed}" / f"level{row.level}.npz")
        for li in range(3):
            mask = arrays[f"mask_{li}"]
            assert mask.dtype == np.uint8 and mask.shape == (widths[li], widths[li + 1])
            assert arrays[f"weight_{li}"].dtype == np.float32
            np.testing.assert_array_equal(mask.astype(bool), arrays[f"weight_{li}"] != 0)
            assert arrays[f"bias_mask_{li}"].shape == (widths[li + 1],)
            assert int(mask.sum()) == getattr(row, f"edges_kept_{li}")
        # the saved orientation reproduces the recorded test loss through torch.nn.Linear
        model = _torch_model(arrays, 3)
        with torch.no_grad():
            pred = model(torch.from_numpy(data.x["test"]))
        loss = float(((pred.numpy().astype(np.float64) - data.y["test"]) ** 2).mean())
        assert loss == pytest.approx(row.loss_test, rel=1e-4)

    levels = tmp_path / "levels.csv"
    rc = main(["select", str(metrics), "--out", str(levels), "--networks-dir", str(out),
               "--params", json.dumps({"selection": {"threshold": 1.0, "split": "train", "rule": "last_pass"}})])  # fmt: skip
    assert rc == 0
    lv = pd.read_csv(levels)
    for col in ["seed", "level", "cut_fraction", "weights_kept", "loss_train", "loss_val", "loss_test",
                "status", "selected", "dead_output", "selection_split"]:  # fmt: skip
        assert col in lv.columns, col
    assert lv.groupby("seed")["selected"].sum().tolist() == [1, 1]
    assert set(lv[lv.selected].level) == {2}  # threshold 1.0: everything passes


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"training": {"lr": -1}}, "training.lr"),
        ({"pruning": {"schedule": [0.5, 0.4]}}, "pruning.schedule"),
        ({"network": {"activation": "sigmoid"}}, "network.activation"),
        ({"networks": {}}, "networks"),
    ],
)
def test_bad_params_exit_2_naming_the_key(tmp_path, data_file, capsys, params, key):
    metrics = tmp_path / "metrics.csv"
    rc = main(["train", "--data", str(data_file), "--seeds", "0", "--out-dir", str(tmp_path / "n"),
               "--metrics", str(metrics), "--params", json.dumps(params)])  # fmt: skip
    assert rc == 2
    assert key in capsys.readouterr().err
    assert not metrics.exists()


def test_widths_not_matching_data_exit_2(tmp_path, data_file, capsys):
    params = {"network": {"widths": [9, 5, 7]}}
    rc = main(["train", "--data", str(data_file), "--seeds", "0", "--out-dir", str(tmp_path / "n"),
               "--metrics", str(tmp_path / "m.csv"), "--params", json.dumps(params)])  # fmt: skip
    assert rc == 2 and "network.widths" in capsys.readouterr().err


def test_missing_data_file_exit_2(tmp_path, capsys):
    rc = main(["train", "--data", str(tmp_path / "nope.npz"), "--seeds", "0", "--out-dir", str(tmp_path),
               "--metrics", str(tmp_path / "m.csv")])  # fmt: skip
    assert rc == 2 and "nope.npz" in capsys.readouterr().err
