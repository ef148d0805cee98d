"""Device choice of a training job: a GPU request is honoured or fails loudly (never a silent CPU)."""

from __future__ import annotations

import json
import logging
import os

import pandas as pd
import pytest
import torch

from sparsemotifs.training.device import DeviceError, resolve_device
from tests.conftest import run_cli

from .conftest import smooth_task

PARAMS = {
    "network": {"widths": [10, 8, 7]},
    "training": {"batch_size": 32, "lr": 0.01, "max_epochs_per_level": 1, "device": "auto",
                 "early_stopping": {"rule": "none"}, "threads": 1},
    "pruning": {"schedule": [0.5]},
}  # fmt: skip

# (setting, GPUs requested, CUDA available) -> device, or None for an error
CASES = [
    ("auto", 0, False, "cpu"),
    ("auto", 0, True, "cuda"),
    ("auto", 1, True, "cuda"),
    ("auto", 1, False, None),  # the case this module exists for: no silent CPU in a GPU job
    ("cuda", 0, False, None),
    ("cuda", 2, False, None),
    ("cuda", 0, True, "cuda"),
    ("cpu", 0, True, "cpu"),
    ("cpu", 1, True, "cpu"),
]


@pytest.mark.parametrize(("name", "gpus", "available", "expected"), CASES)
def test_resolution_table(name, gpus, available, expected):
    if expected is None:
        with pytest.raises(DeviceError):
            resolve_device(name, gpus=gpus, cuda_available=available)
    else:
        assert resolve_device(name, gpus=gpus, cuda_available=available).type == expected


def test_gpu_job_without_cuda_message_names_the_fixes():
    with pytest.raises(DeviceError) as err:
        resolve_device("auto", gpus=1, cuda_available=False)
    msg = str(err.value)
    assert "asked for 1 GPU(s) but finds no CUDA device" in msg
    assert "resources.train.gpu: 0" in msg and "resources.train.cpu_fallback: true" in msg


def test_fallback_is_explicit_and_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="sparsemotifs.training.device"):
        device = resolve_device("auto", gpus=1, cpu_fallback=True, cuda_available=False)
    assert device.type == "cpu"
    assert "training on the CPU instead" in caplog.text and "no CUDA device" in caplog.text


def test_negative_gpus_refused():
    with pytest.raises(DeviceError, match="--gpus"):
        resolve_device("auto", gpus=-1, cuda_available=False)


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data.npz"
    smooth_task(n_train=128, n_val=64, n_test=64).save(path)
    return path


def _train(tmp_path, data_file, *extra):
    # CUDA_VISIBLE_DEVICES="" hides any GPU, so this is "a machine without CUDA" everywhere.
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    return run_cli(
        "train", "--data", data_file, "--seeds", "0", "1", "--out-dir", tmp_path / "nets",
        "--metrics", tmp_path / "metrics.csv", "--params", json.dumps(PARAMS), *extra, env=env,
    )  # fmt: skip


def test_gpu_training_job_without_cuda_fails_with_documented_message(tmp_path, data_file):
    proc = _train(tmp_path, data_file, "--gpus", "1")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(
        "sparsemotifs train: error: this training job asked for 1 GPU(s) but finds no CUDA device"
    ), proc.stderr
    assert not (tmp_path / "metrics.csv").exists() and not (tmp_path / "nets").exists()


def test_cpu_fallback_trains_and_records_device_and_threads(tmp_path, data_file):
    proc = _train(tmp_path, data_file, "--gpus", "1", "--cpu-fallback", "--threads", "2")
    assert proc.returncode == 0, proc.stderr
    assert "training on the CPU instead" in proc.stderr
    assert "on cpu with 2 torch threads (1 GPU(s) requested)" in proc.stderr
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    assert set(metrics["device"]) == {"cpu"} and set(metrics["threads"]) == {2}


def test_cpu_job_records_study_threads(tmp_path, data_file):
    proc = _train(tmp_path, data_file)
    assert proc.returncode == 0, proc.stderr
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    assert set(metrics["device"]) == {"cpu"} and set(metrics["threads"]) == {1}
    assert torch.device(metrics["device"][0]).type == "cpu"
