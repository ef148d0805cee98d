"""Small synthetic regression tasks and validated config sections for the training tests."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sparsemotifs.config import validate_section
from sparsemotifs.dataset import MinMaxScaler, TrainingData

OUTPUTS = [f"out{i}" for i in range(7)]


def smooth_task(n_train=512, n_val=256, n_test=256, seed=0) -> TrainingData:
    """Inputs uniform on [-0.5, 0.5]^10; 7 smooth outputs of a few inputs each (scale ~0.3)."""
    rng = np.random.default_rng(seed)
    x, y = {}, {}
    for split, n in (("train", n_train), ("val", n_val), ("test", n_test)):
        xs = rng.uniform(-0.5, 0.5, size=(n, 10))
        ys = np.stack(
            [
                0.4 * np.sin(3 * xs[:, i]) + 0.3 * xs[:, (i + 1) % 10] * xs[:, (i + 3) % 10]
                for i in range(7)
            ],
            axis=1,
        )
        x[split], y[split] = xs.astype(np.float32), ys.astype(np.float32)
    unit = MinMaxScaler(np.zeros(10), np.ones(10))
    return TrainingData(
        x, y, unit, MinMaxScaler(np.zeros(7), np.ones(7)), output_names=list(OUTPUTS)
    )


def sections(network=None, training=None, pruning=None):
    net = {"widths": [10, 12, 12, 7], **(network or {})}
    tr = {
        "batch_size": 32,
        "lr": 0.01,
        "max_epochs_per_level": 3,
        "device": "cpu",
        "early_stopping": {"rule": "none"},
        **(training or {}),
    }
    pr = {"schedule": [0.5, 0.75, 0.9], **(pruning or {})}
    return (
        validate_section("network", net),
        validate_section("training", tr),
        validate_section("pruning", pr),
    )


@pytest.fixture(autouse=True)
def _one_thread():
    """Bit-for-bit comparisons assume a fixed thread count."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def task() -> TrainingData:
    return smooth_task()
