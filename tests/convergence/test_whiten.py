"""Exact cross-motif covariance under the fixed-count null vs Monte Carlo, and whitening."""

from __future__ import annotations

import numpy as np

from sparsemotifs.convergence.whiten import motif_covariance, whitened_z, whitening_matrix
from sparsemotifs.motifs.counts import MOTIFS, count_batch
from sparsemotifs.motifs.exact import FixedCountModel
from sparsemotifs.motifs.graph import LayeredGraph
from sparsemotifs.motifs.samplers import sample_fixed_count


def _graph(seed=0):
    rng = np.random.default_rng(seed)
    masks = [rng.random((4, 5)) < 0.5, rng.random((5, 5)) < 0.4, rng.random((5, 4)) < 0.5]
    return LayeredGraph.from_masks(masks, [rng.random(5) < 0.5, None, rng.random(4) < 0.5])


def test_cross_covariance_matches_sampled_counts():
    g = _graph()
    cov = motif_covariance(g)
    model = FixedCountModel(g)
    for i, m in enumerate(MOTIFS):  # diagonal = the existing exact variance of totals
        assert np.isclose(cov[i, i], model.cov(m).sum(), rtol=1e-12, atol=1e-9)
    rng = np.random.default_rng(1)
    blocks, bias = sample_fixed_count(g, 100_000, rng)
    counts = count_batch(blocks, bias)
    x = np.stack([counts[m].sum(axis=1) for m in MOTIFS[1:]], axis=1).astype(float)
    sampled = np.cov(x.T)
    sd = np.sqrt(np.diag(cov[1:, 1:]))
    err = (sampled - cov[1:, 1:]) / np.outer(sd, sd)  # in correlation units
    assert np.abs(err).max() < 0.02  # sampling sd ~ 1/sqrt(1e5) * (1 + r^2) ~ 0.005
    assert abs(cov[0, 0]) < 1e-9  # edges are fixed


def test_whitening_gives_identity_under_the_null():
    g = _graph(2)
    names = list(MOTIFS[1:])
    cov = motif_covariance(g, names)
    w = whitening_matrix(cov)
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    np.testing.assert_allclose(w @ corr @ w.T, np.eye(len(names)), atol=1e-8)
    np.testing.assert_allclose(w, w.T)  # symmetric root: entries stay tied to their motif
    z = dict.fromkeys(MOTIFS, 1.0) | {"edges": float("nan")}
    out = whitened_z(g, z)
    assert np.isnan(out["edges"]) and all(np.isfinite(out[m]) for m in names)
