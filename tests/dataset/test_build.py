"""Training data built from a simulated table: scaler fitted on train only, shared by val/test."""

from __future__ import annotations

import numpy as np
import pytest

from sparsemotifs.dataset import build_training_data, inputs_outputs, split_indices
from sparsemotifs.flight.simulate import simulate


@pytest.fixture(scope="module")
def table():
    return simulate(120, 8, settings={"rtol": 1e-6})[0]


def test_training_split_spans_exactly_minus_half_to_half(table):
    data = build_training_data(table, split_seed=3)
    for arrays in (data.x, data.y):
        assert (arrays["train"].min(axis=0) == -0.5).all()
        assert (arrays["train"].max(axis=0) == 0.5).all()
    assert data.n_inputs == 10 and data.n_outputs == 7


def test_val_and_test_use_the_training_scaler(table):
    data = build_training_data(table, split_seed=3)
    x_raw, y_raw = inputs_outputs(table)
    idx = split_indices(len(table), (0.64, 0.16, 0.20), 3)
    for split in ("val", "test"):
        for scaler, scaled, raw in ((data.x_scaler, data.x, x_raw), (data.y_scaler, data.y, y_raw)):
            back = scaler.inverse(scaled[split])
            # float32 storage: equality up to float32 resolution of the span
            assert (np.abs(back - raw[idx[split]]) <= 1e-6 * scaler.span).all()
            # and not the split's own min-max (which would map its extremes to exactly +-0.5)
        assert not (
            (data.x[split].min(axis=0) == -0.5).all() and (data.x[split].max(axis=0) == 0.5).all()
        )
