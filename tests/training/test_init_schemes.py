"""The initialisation schemes of `network.init` against torch.nn.init (config/init_schemes.yaml).

Reference: torch's own initialisers on a tensor of the same layer shape (nn.Linear orientation,
fan_in = inputs), independent generator. Ours must have the same distribution (two-sample
Kolmogorov-Smirnov on the pooled entries of a few seeds) and torch's scale; the same test must
tell two different schemes apart, so it has the power to fail.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats as sps

from sparsemotifs.training.ensemble import INITS, Layout, initial_parameters

WIDTHS = (120, 200, 80)  # two layers: fan_in 120 -> 200 outputs, 200 -> 80
SEEDS = [0, 1, 2]


def _ours(init: str, gain: float, layer: int) -> np.ndarray:
    flat = initial_parameters(SEEDS, WIDTHS, init, gain)
    return Layout(WIDTHS, len(SEEDS)).view(flat, "weight", layer).numpy()  # (K, n_in, n_out)


def _torch(init: str, gain: float, layer: int) -> np.ndarray:
    n_in, n_out = WIDTHS[layer], WIDTHS[layer + 1]
    gen = torch.Generator().manual_seed(1234 + layer)
    out = []
    for _ in SEEDS:
        w = torch.empty(n_out, n_in)
        if init == "xavier_normal":
            torch.nn.init.xavier_normal_(w, gain=gain, generator=gen)
        elif init == "kaiming_normal":  # He: fan_in, ReLU gain sqrt(2), times our gain
            torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu", generator=gen)
            w.mul_(gain)
        elif init == "orthogonal":
            torch.nn.init.orthogonal_(w, gain=gain, generator=gen)
        else:  # paper: N(0, (0.2 gain)^2), no fan scaling
            torch.nn.init.normal_(w, 0.0, 0.2 * gain, generator=gen)
        out.append(w.T.numpy())
    return np.stack(out)


@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("gain", [1.0, 1.7])
def test_init_has_torchs_distribution(init, gain):
    for layer in range(len(WIDTHS) - 1):
        ours, ref = _ours(init, gain, layer), _torch(init, gain, layer)
        assert ours.shape == ref.shape
        p = sps.ks_2samp(ours.ravel(), ref.ravel()).pvalue
        assert p > 1e-3, (init, gain, layer, p)
        np.testing.assert_allclose(ours.std(), ref.std(), rtol=0.03)


@pytest.mark.parametrize(
    ("a", "b"), [("paper", "xavier_normal"), ("xavier_normal", "kaiming_normal")]
)
def test_the_distribution_test_tells_schemes_apart(a, b):
    p = sps.ks_2samp(_ours(a, 1.0, 0).ravel(), _torch(b, 1.0, 0).ravel()).pvalue
    assert p < 1e-6


def test_orthogonal_rows_or_columns_are_orthonormal_times_gain():
    w = _ours("orthogonal", 1.7, 0)  # (K, 120, 200): 120 orthogonal rows of length 1.7
    for k in range(len(SEEDS)):
        np.testing.assert_allclose(w[k] @ w[k].T, 1.7**2 * np.eye(120), atol=1e-4)
    w = _ours("orthogonal", 1.0, 1)  # (K, 200, 80): 80 orthonormal columns
    np.testing.assert_allclose(w[0].T @ w[0], np.eye(80), atol=1e-4)


def test_schemes_give_different_weights_from_the_same_seed():
    drawn = {init: _ours(init, 1.0, 0) for init in INITS}
    for a in INITS:
        for b in INITS:
            if a < b:
                assert not np.allclose(drawn[a], drawn[b])
