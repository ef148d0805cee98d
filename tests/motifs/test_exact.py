"""Exact fixed-count moments against exhaustive enumeration, Monte Carlo and motifs.md formulas."""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pytest

from sparsemotifs.motifs.analysis import analyse
from sparsemotifs.motifs.counts import MOTIFS, count_batch
from sparsemotifs.motifs.exact import FixedCountModel
from sparsemotifs.motifs.graph import LayeredGraph
from sparsemotifs.motifs.samplers import sample_fixed_count


def _subsets(n_cells, k, shape):
    for cells in itertools.combinations(range(n_cells), k):
        a = np.zeros(n_cells, dtype=bool)
        a[list(cells)] = True
        yield a.reshape(shape)


def _enumerate(widths, edges, bias_edges):
    """All graphs of the fixed-count null (each equally likely) as a list of LayeredGraph."""
    block_opts = [
        list(_subsets(widths[li] * widths[li + 1], edges[li], (widths[li], widths[li + 1])))
        for li in range(len(edges))
    ]
    bias_opts = [
        [None] if b is None else list(_subsets(widths[li + 1], b, (widths[li + 1],)))
        for li, b in enumerate(bias_edges)
    ]
    return [
        LayeredGraph(tuple(c[: len(edges)]), tuple(c[len(edges) :]))
        for c in itertools.product(*block_opts, *bias_opts)
    ]


CASES = [
    ([2, 3, 2, 2], [3, 3, 2], [None, None, None]),
    ([2, 3, 2, 2], [3, 3, 2], [1, 2, None]),
    ([3, 2, 3, 2], [2, 4, 3], [2, None, 1]),
    ([2, 2, 2, 2, 2], [2, 3, 2, 1], [1, 1, None, 1]),
    ([1, 3, 3], [2, 4], [3, 0]),
    ([2, 2, 3, 2], [2, 3, 3], [1, 2, 1]),
    ([3, 2, 2, 2, 2], [3, 2, 2, 3], [None, 1, None, 1]),
]


@pytest.mark.parametrize(("widths", "edges", "bias_edges"), CASES)
def test_exact_moments_match_exhaustive_enumeration(widths, edges, bias_edges):
    graphs = _enumerate(widths, edges, bias_edges)
    nb = len(edges)
    blocks = [np.stack([g.blocks[k] for g in graphs]) for k in range(nb)]
    bias = [
        None if b is None else np.stack([g.bias[k] for g in graphs])
        for k, b in enumerate(bias_edges)
    ]
    counts = count_batch(blocks, bias)  # checked against single-graph counts in test_counts
    model = FixedCountModel(graphs[0])
    for m in MOTIFS:
        values = counts[m].astype(float)  # (states, positions)
        np.testing.assert_allclose(model.mean(m), values.mean(axis=0), rtol=1e-10, atol=1e-10)
        centred = values - values.mean(axis=0)
        exact_cov = centred.T @ centred / len(values)
        np.testing.assert_allclose(model.cov(m), exact_cov, rtol=1e-9, atol=1e-9)
        # the variance of the total includes the covariances between positions
        np.testing.assert_allclose(
            model.cov(m).sum(), values.sum(axis=1).var(), rtol=1e-9, atol=1e-9
        )


def test_positions_sharing_a_block_are_correlated():
    graphs = _enumerate([2, 3, 3, 2], [3, 5, 3], [None] * 3)
    cov = FixedCountModel(graphs[0]).cov("bi_parallel")
    assert abs(cov[0, 1]) > 1e-3  # bi_parallel at positions 0 and 1 share block 1


def test_motifs_md_closed_forms():
    rng = np.random.default_rng(0)
    widths = [5, 9, 7, 4]
    masks = [rng.random((widths[li], widths[li + 1])) < 0.4 for li in range(3)]
    bias = [rng.random(w) < 0.5 for w in widths[1:]]
    graph = LayeredGraph.from_masks(masks, bias)
    model = FixedCountModel(graph)
    e = [int(m.sum()) for m in masks]
    b = [int(x.sum()) for x in bias]
    chain2 = [(e[li] + b[li]) * e[li + 1] / widths[li + 1] for li in range(2)]
    np.testing.assert_allclose(model.mean("chain_2"), chain2, rtol=1e-12)
    div2 = []
    for li in range(3):
        n_cells = widths[li] * widths[li + 1]
        q2 = e[li] * (e[li] - 1) / (n_cells * (n_cells - 1))
        div2.append(widths[li] * comb(widths[li + 1], 2) * q2 + comb(b[li], 2))
    np.testing.assert_allclose(model.mean("diverging_2"), div2, rtol=1e-12)


def test_exact_moments_match_the_uniform_sampler():
    rng = np.random.default_rng(4)
    widths = [6, 10, 9, 5]
    masks = [rng.random((widths[li], widths[li + 1])) < 0.35 for li in range(3)]
    graph = LayeredGraph.from_masks(masks, [rng.random(w) < 0.5 for w in widths[1:]])
    r = 4000
    res = analyse(graph, "fixed_count", samples=r, rng=np.random.default_rng(1), exact=False)
    ex = analyse(graph, "fixed_count")
    for m in MOTIFS[1:]:
        mc, exact = res.total[m], ex.total[m]
        se = exact["null_sd"] / np.sqrt(r)
        assert abs(mc["null_mean"] - exact["null_mean"]) < 4.5 * se, m
        assert 0.9 < mc["null_sd"] / exact["null_sd"] < 1.1, m
        for p, (a, b) in enumerate(zip(res.per_layer[m], ex.per_layer[m], strict=True)):
            if b["null_sd"] > 0:
                assert abs(a["null_mean"] - b["null_mean"]) < 4.5 * b["null_sd"] / np.sqrt(r), (
                    m,
                    p,
                )


def test_sampled_fixed_count_keeps_edge_counts():
    rng = np.random.default_rng(5)
    graph = LayeredGraph.from_masks(
        [rng.random((4, 6)) < 0.5, rng.random((6, 3)) < 0.5], [rng.random(6) < 0.5, None]
    )
    blocks, bias = sample_fixed_count(graph, 50, np.random.default_rng(0))
    for w, s in zip(graph.blocks, blocks, strict=True):
        assert (s.sum(axis=(1, 2)) == w.sum()).all()
    assert (bias[0].sum(axis=1) == graph.bias[0].sum()).all() and bias[1] is None


def test_sampled_connected_pairs_match_exhaustive_enumeration():
    widths, edges, bias_edges = [2, 3, 2, 2], [3, 3, 2], [1, 2, None]
    graphs = _enumerate(widths, edges, bias_edges)
    r = 3000
    res = analyse(
        graphs[0], "fixed_count", samples=r, rng=np.random.default_rng(2), connected_pairs=True
    )
    blocks = [np.stack([g.blocks[k] for g in graphs]) for k in range(3)]
    bias = [
        None if graphs[0].bias[k] is None else np.stack([g.bias[k] for g in graphs])
        for k in range(3)
    ]
    all_counts = count_batch(blocks, bias, connected_pairs=True)
    for m in ("connected_pairs_2", "connected_pairs_3"):
        values = all_counts[m].sum(axis=1).astype(float)
        got = res.total[m]
        assert abs(got["null_mean"] - values.mean()) < 4.5 * values.std() / np.sqrt(r), m
        assert 0.9 < got["null_sd"] / values.std() < 1.1, m
        assert got["z"] == (got["count"] - got["null_mean"]) / got["null_sd"]
