"""Exact counts against brute-force subset enumeration and closed forms of complete graphs."""

from __future__ import annotations

from collections import Counter
from math import comb

import numpy as np
import pytest

from sparsemotifs.motifs.counts import MOTIFS, SPAN, count_batch, count_motifs
from sparsemotifs.motifs.graph import LayeredGraph
from tests.motifs.helpers import (
    brute_force_counts,
    connected_pairs_brute,
    nodes_and_edges,
    random_graph,
)


@pytest.mark.parametrize("bias", [False, True])
def test_counts_match_brute_force_on_random_small_graphs(bias):
    rng = np.random.default_rng(11 if bias else 12)
    n_checked = 0
    for _ in range(150):
        graph = random_graph(rng, max_layers=5, max_width=3, bias=bias)
        got = count_motifs(graph, connected_pairs=True)
        ref = brute_force_counts(graph)
        for m in MOTIFS:
            n_pos = max(graph.n_blocks - SPAN[m] + 1, 0)
            assert got[m].shape == (n_pos,)
            assert list(got[m]) == [ref[m][p] for p in range(n_pos)], m
            assert sum(ref[m].values()) == got[m].sum()
        for hops, name in ((2, "connected_pairs_2"), (3, "connected_pairs_3")):
            ref_cp = connected_pairs_brute(graph, hops)
            assert list(got[name]) == [ref_cp[p] for p in range(got[name].size)]
        assert list(got["converging_3_as_published"]) == _published_converging_3(graph)
        n_checked += any(got[m].sum() for m in MOTIFS)
    assert n_checked > 50  # most graphs are non-trivial


def _published_converging_3(graph):
    """The reference study's count, from the explicit edge list: per block, C(d, 2) summed over
    targets whose in-degree d (bias edges included) is at least 3."""
    _, edges = nodes_and_edges(graph)
    out = []
    for li in range(graph.n_blocks):
        deg = Counter(t for s, t in edges if s[0] == li)
        out.append(sum(comb(d, 2) for d in deg.values() if d >= 3))
    return out


def test_counts_on_wider_graphs_with_bias_and_isolated_nodes():
    rng = np.random.default_rng(5)
    for _ in range(6):
        widths = [3, 5, 4, 3]
        masks = [rng.random((widths[li], widths[li + 1])) < 0.5 for li in range(3)]
        masks[1][0] = False  # an isolated-ish node
        masks[1][:, 2] = False
        graph = LayeredGraph.from_masks(masks, [rng.random(w) < 0.5 for w in widths[1:]])
        got = count_motifs(graph)
        ref = brute_force_counts(graph)
        for m in MOTIFS:
            assert list(got[m]) == [ref[m][p] for p in range(got[m].size)], m


def test_batch_counts_equal_single_counts():
    rng = np.random.default_rng(3)
    graphs = [
        LayeredGraph.from_masks(
            [rng.random((4, 5)) < 0.5, rng.random((5, 3)) < 0.5, rng.random((3, 2)) < 0.6],
            [rng.random(5) < 0.5, None, rng.random(2) < 0.5],
        )
        for _ in range(4)
    ]
    blocks = [np.stack([g.blocks[li] for g in graphs]) for li in range(3)]
    bias = [np.stack([g.bias[0] for g in graphs]), None, np.stack([g.bias[2] for g in graphs])]
    batch = count_batch(blocks, bias, connected_pairs=True)
    for i, g in enumerate(graphs):
        single = count_motifs(g, connected_pairs=True)
        for m, v in single.items():
            np.testing.assert_array_equal(batch[m][i], v)


def _complete_closed_forms(widths, bias):
    """Counts of complete layered graphs; a bias node is one more source in layers 0..L-1."""
    src = [w + (1 if bias else 0) for w in widths[:-1]]  # sources per block
    n = widths
    nb = len(widths) - 1
    return {
        "edges": sum(src[li] * n[li + 1] for li in range(nb)),
        "diverging_2": sum(src[li] * comb(n[li + 1], 2) for li in range(nb)),
        "converging_2": sum(n[li + 1] * comb(src[li], 2) for li in range(nb)),
        "chain_2": sum(src[li] * n[li + 1] * n[li + 2] for li in range(nb - 1)),
        "diverging_3": sum(src[li] * comb(n[li + 1], 3) for li in range(nb)),
        "converging_3": sum(n[li + 1] * comb(src[li], 3) for li in range(nb)),
        "chain_3": sum(src[li] * n[li + 1] * n[li + 2] * n[li + 3] for li in range(nb - 2)),
        "bi_fan": sum(comb(src[li], 2) * comb(n[li + 1], 2) for li in range(nb)),
        "bi_parallel": sum(src[li] * comb(n[li + 1], 2) * n[li + 2] for li in range(nb - 1)),
        "connected_pairs_2": sum(src[li] * n[li + 2] for li in range(nb - 1)),
        "connected_pairs_3": sum(src[li] * n[li + 3] for li in range(nb - 2)),
        "converging_3_as_published": sum(
            n[li + 1] * comb(src[li], 2) for li in range(nb) if src[li] >= 3
        ),
    }


@pytest.mark.parametrize("bias", [False, True])
def test_dense_paper_architecture_needs_64_bits(bias):
    widths = [10, 400, 400, 400, 16, 7]
    masks = [np.ones((widths[li], widths[li + 1]), dtype=np.uint8) for li in range(5)]
    biases = [np.ones(w, dtype=np.uint8) for w in widths[1:]] if bias else None
    got = {
        k: int(v.sum())
        for k, v in count_motifs(LayeredGraph.from_masks(masks, biases), True).items()
    }
    expected = _complete_closed_forms(widths, bias)
    assert got == expected
    assert max(expected.values()) > 2**31  # the test exercises 64-bit arithmetic


def test_counting_does_not_modify_inputs():
    rng = np.random.default_rng(0)
    masks = [
        (rng.random((4, 5)) < 0.5).astype(np.int64),
        (rng.random((5, 3)) < 0.5).astype(np.int64),
    ]
    copies = [m.copy() for m in masks]
    count_motifs(LayeredGraph.from_masks(masks, [np.ones(5), None]))
    for m, c in zip(masks, copies, strict=True):
        np.testing.assert_array_equal(m, c)
