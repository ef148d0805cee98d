"""Samplers keep what they claim and are uniform on tiny cases (chi-square, fixed seeds)."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from scipy.stats import chisquare

from sparsemotifs.motifs.counts import count_batch
from sparsemotifs.motifs.graph import LayeredGraph, strip_dead
from sparsemotifs.motifs.samplers import sample_degree, sample_fixed_count, sample_fixed_count_min1


def _all_matrices(rows, cols):
    for bits in itertools.product((False, True), repeat=rows * cols):
        yield np.array(bits).reshape(rows, cols)


def _full(blocks, bias, i):
    """Sample i of a one-block batch as a hashable matrix (bias row appended)."""
    m = blocks[0][i]
    if bias[0] is not None:
        m = np.vstack([m, bias[0][i][None]])
    return m.tobytes()


def _assert_uniform(states, blocks, bias, r):
    freq = Counter(_full(blocks, bias, i) for i in range(r))
    keys = [s.tobytes() for s in states]
    assert set(freq) <= set(keys), "sampler produced a state outside the model"
    observed = np.array([freq.get(k, 0) for k in keys])
    p = chisquare(observed).pvalue
    assert p > 1e-3, f"non-uniform sampler: chi-square p = {p:.2e} over {len(keys)} states"


def test_fixed_count_sampler_is_uniform():
    w = np.array([[1, 1, 0], [1, 0, 0]], dtype=bool)
    graph = LayeredGraph.from_masks([w])
    r = 3000
    blocks, bias = sample_fixed_count(graph, r, np.random.default_rng(1))
    states = [m for m in _all_matrices(2, 3) if m.sum() == 3]
    _assert_uniform(states, blocks, bias, r)


@pytest.mark.parametrize("with_bias", [False, True])
@pytest.mark.parametrize(
    "rows",
    [
        [[1, 1, 0, 0], [0, 1, 0, 1], [1, 0, 1, 0]],  # half full: the edges are switched
        [[0, 0, 1, 1], [0, 1, 0, 1], [1, 1, 1, 0]],  # 7 of 12 cells: switched via the complement
    ],
)
def test_degree_sampler_is_uniform_over_matrices_with_the_same_margins(rows, with_bias):
    full = np.array(rows, dtype=bool)
    graph = (
        LayeredGraph.from_masks([full[:2]], [full[2]])
        if with_bias
        else LayeredGraph.from_masks([full])
    )
    r = 3000
    blocks, bias = sample_degree(graph, r, np.random.default_rng(2 if full.sum() == 6 else 3))
    states = [
        m
        for m in _all_matrices(3, 4)
        if (m.sum(axis=1) == full.sum(axis=1)).all() and (m.sum(axis=0) == full.sum(axis=0)).all()
    ]
    assert len(states) > 10
    _assert_uniform(states, blocks, bias, r)


def test_degree_sampler_leaves_a_complete_block_as_it_is():
    w = np.ones((4, 5), dtype=bool)
    blocks, _ = sample_degree(LayeredGraph.from_masks([w]), 8, np.random.default_rng(0))
    assert blocks[0].all() and blocks[0].shape == (8, 4, 5)


@pytest.mark.parametrize("method", ["chain", "rejection"])
@pytest.mark.parametrize("with_bias", [False, True])
def test_min1_sampler_is_uniform_over_masks_without_empty_rows_or_columns(with_bias, method):
    if with_bias:
        w = np.array([[1, 1, 0], [0, 0, 0]], dtype=bool)
        w[1, 1] = True
        b = np.array([0, 0, 1], dtype=bool)
        graph = LayeredGraph.from_masks([w], [b])
        states = [
            m
            for m in _all_matrices(3, 3)
            if m[:2].sum() == 3
            and m[2].sum() == 1
            and m[:2].any(axis=1).all()
            and m.any(axis=0).all()
        ]
    else:
        w = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 1]], dtype=bool)
        graph = LayeredGraph.from_masks([w])
        states = [
            m
            for m in _all_matrices(3, 3)
            if m.sum() == 4 and m.any(axis=1).all() and m.any(axis=0).all()
        ]
    r = 3000
    blocks, bias = sample_fixed_count_min1(graph, r, np.random.default_rng(3), method=method)
    assert len(states) > 10
    _assert_uniform(states, blocks, bias, r)


def _random_live_graph(seed):
    rng = np.random.default_rng(seed)
    widths = [5, 12, 10, 4]
    masks = [rng.random((widths[li], widths[li + 1])) < 0.3 for li in range(3)]
    graph = LayeredGraph.from_masks(masks, [rng.random(w) < 0.4 for w in widths[1:]])
    return strip_dead(graph)[0]


def test_degree_sampler_keeps_every_degree_including_bias_edges():
    graph = _random_live_graph(0)
    blocks, bias = sample_degree(graph, 40, np.random.default_rng(0))
    changed = False
    for li, (w, b) in enumerate(zip(graph.blocks, graph.bias, strict=True)):
        full = w if b is None else np.vstack([w, b[None]])
        sampled = (
            blocks[li] if b is None else np.concatenate([blocks[li], bias[li][:, None]], axis=1)
        )
        assert (sampled.sum(axis=2) == full.sum(axis=1)).all()
        assert (sampled.sum(axis=1) == full.sum(axis=0)).all()
        changed |= bool((sampled != full).any())
    assert changed


@pytest.mark.parametrize("method", ["auto", "chain"])
@pytest.mark.parametrize("bias_counts_as_input", [True, False])
def test_min1_sampler_keeps_counts_and_minimum_degrees(bias_counts_as_input, method):
    graph = _random_live_graph(1)
    if not bias_counts_as_input:
        graph = strip_dead(graph, bias_only_live=False)[0]
    blocks, bias = sample_fixed_count_min1(
        graph,
        40,
        np.random.default_rng(0),
        bias_counts_as_input=bias_counts_as_input,
        method=method,
    )
    for li, (w, b) in enumerate(zip(graph.blocks, graph.bias, strict=True)):
        s = blocks[li]
        assert (s.sum(axis=(1, 2)) == w.sum()).all()
        assert (s.sum(axis=2) >= 1).all()
        fed = s.sum(axis=1)
        if b is not None:
            assert (bias[li].sum(axis=1) == b.sum()).all()
            if bias_counts_as_input:
                fed = fed + bias[li]
        assert (fed >= 1).all()


def test_uniformity_check_detects_an_unmixed_chain():
    """The chi-square check has power: half a switch per edge is visibly not uniform."""
    full = np.array([[1, 1, 0, 0], [0, 1, 0, 1], [1, 0, 1, 0]], dtype=bool)
    blocks, bias = sample_degree(
        LayeredGraph.from_masks([full]), 3000, np.random.default_rng(2), 0.5
    )
    states = [
        m
        for m in _all_matrices(3, 4)
        if (m.sum(axis=1) == full.sum(axis=1)).all() and (m.sum(axis=0) == full.sum(axis=0)).all()
    ]
    with pytest.raises(AssertionError, match="non-uniform"):
        _assert_uniform(states, blocks, bias, 3000)


def test_min1_chain_and_exact_rejection_agree_on_a_larger_block():
    rng = np.random.default_rng(8)
    w = rng.random((7, 9)) < 0.45
    w[np.arange(7), np.arange(7)] = True
    w[np.arange(2), np.arange(7, 9)] = True
    graph = LayeredGraph.from_masks([w])
    r = 3000
    stats = {}
    for method in ("chain", "rejection"):
        blocks, bias = sample_fixed_count_min1(graph, r, np.random.default_rng(1), method=method)
        counts = count_batch(blocks, bias)
        stats[method] = {m: counts[m][:, 0].astype(float) for m in ("diverging_2", "bi_fan")}
    for m in ("diverging_2", "bi_fan"):
        a, b = stats["chain"][m], stats["rejection"][m]
        se = np.sqrt(a.var() / r + b.var() / r)
        assert abs(a.mean() - b.mean()) < 4.5 * se, m
        assert 0.85 < a.std() / b.std() < 1.15, m
