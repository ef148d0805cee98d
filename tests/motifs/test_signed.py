"""Signed motifs: edge classes, exact coloured counts against brute force, consistency."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from sparsemotifs.motifs.counts import MOTIFS, SPAN, count_motifs
from sparsemotifs.motifs.graph import LayeredGraph
from sparsemotifs.motifs.signed import (
    MOTIF_EDGES,
    ColouredGraph,
    classify,
    colour,
    compositions,
    count_coloured,
    count_coloured_batch,
    keyed_counts,
    strip_dead_coloured,
    zambra_thresholds,
)
from tests.motifs.signed_helpers import brute_force_coloured, random_coloured


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("bias", [False, True])
def test_coloured_counts_match_brute_force(n_classes, bias):
    rng = np.random.default_rng(100 * n_classes + bias)
    nontrivial = 0
    for _ in range(80):
        graph = random_coloured(rng, n_classes, max_layers=5, max_width=4, bias=bias)
        got = count_coloured(graph)
        ref = brute_force_coloured(graph)
        for m in MOTIFS:
            n_pos = max(graph.n_blocks - SPAN[m] + 1, 0)
            for comp in compositions(MOTIF_EDGES[m], n_classes):
                assert got[m][comp].shape == (n_pos,)
                expected = [ref[m][p, comp] for p in range(n_pos)]
                assert list(got[m][comp]) == expected, (m, comp)
        # several compositions of a 4-edge motif present: the colours are really exercised
        nontrivial += len({comp for (_, comp) in ref["bi_fan"] | ref["bi_parallel"]}) >= 2
    assert nontrivial > 15


def test_wider_mixed_graph_with_bias_and_dense_blocks():
    rng = np.random.default_rng(7)
    for _ in range(4):
        widths = [4, 6, 5, 4]
        blocks = [
            np.where(
                rng.random((widths[i], widths[i + 1])) < 0.7,
                rng.integers(1, 3, (widths[i], widths[i + 1])),
                0,
            ).astype(np.int8)
            for i in range(3)
        ]
        bias = [
            np.where(rng.random(w) < 0.6, rng.integers(1, 3, w), 0).astype(np.int8)
            for w in widths[1:]
        ]
        graph = ColouredGraph(tuple(blocks), tuple(bias), ("neg", "pos"))
        got, ref = count_coloured(graph), brute_force_coloured(graph)
        for m in MOTIFS:
            for comp, v in got[m].items():
                assert list(v) == [ref[m][p, comp] for p in range(v.size)], (m, comp)


@pytest.mark.parametrize("n_classes", [1, 2, 3])
def test_sum_over_compositions_is_the_unsigned_count(n_classes):
    rng = np.random.default_rng(n_classes)
    widths = [10, 40, 35, 30, 6, 3]
    blocks, bias = [], []
    for i in range(len(widths) - 1):
        shape = (widths[i], widths[i + 1])
        blocks.append(
            np.where(rng.random(shape) < 0.3, rng.integers(1, n_classes + 1, shape), 0).astype(
                np.int8
            )
        )
        bias.append(
            np.where(
                rng.random(shape[1]) < 0.5, rng.integers(1, n_classes + 1, shape[1]), 0
            ).astype(np.int8)
        )
    graph = ColouredGraph(tuple(blocks), tuple(bias), tuple(f"c{i}" for i in range(n_classes)))
    got = count_coloured(graph)
    plain = count_motifs(graph.topology())
    for m in MOTIFS:
        np.testing.assert_array_equal(sum(got[m].values()), plain[m])
    if n_classes == 1:  # a single class: the composition is forced
        for m in MOTIFS:
            assert list(got[m]) == [(MOTIF_EDGES[m],)]


def test_batch_equals_single_and_keys_are_ordered():
    rng = np.random.default_rng(4)
    graphs = [random_coloured(rng, 2, max_layers=4, max_width=4, bias=False) for _ in range(30)]
    shapes = {tuple(b.shape for b in g.blocks) for g in graphs}
    shape = max(shapes, key=lambda s: sum(a * b for a, b in s))
    same = [g for g in graphs if tuple(b.shape for b in g.blocks) == shape][:1]
    g = same[0]
    variants = [g] + [
        ColouredGraph(
            tuple(np.where(b > 0, 3 - b, 0).astype(np.int8) for b in g.blocks), g.bias, g.labels
        )
    ]
    batch = count_coloured_batch(
        [np.stack([v.blocks[i] for v in variants]) for i in range(g.n_blocks)],
        [None] * g.n_blocks,
        2,
    )
    for i, v in enumerate(variants):
        single = count_coloured(v)
        for m in MOTIFS:
            for comp, arr in single[m].items():
                np.testing.assert_array_equal(batch[m][comp][i], arr)
    keys = list(keyed_counts(count_coloured(g), g.labels))
    assert keys[:2] == ["edges|pos=0", "edges|pos=1"]
    assert keys[-5:] == [f"bi_parallel|pos={k}" for k in range(5)]
    # swapping the two signs maps k positive edges to E - k
    flipped = count_coloured(variants[1])
    orig = count_coloured(g)
    for m in MOTIFS:
        e = MOTIF_EDGES[m]
        for k in range(e + 1):
            np.testing.assert_array_equal(flipped[m][(e - k, k)], orig[m][(k, e - k)])


def test_complete_positive_bifan_closed_form():
    # complete 3 x 4 block, row 0 negative: bi-fans with 0, 2 or 4 positive edges
    w = np.full((3, 4), 2, dtype=np.int8)
    w[0] = 1
    graph = ColouredGraph((w,), (None,), ("neg", "pos"))
    got = count_coloured(graph)["bi_fan"]
    assert got[(0, 4)][0] == math.comb(2, 2) * math.comb(4, 2)  # both rows positive
    assert got[(2, 2)][0] == 2 * math.comb(4, 2)  # row 0 with one positive row
    assert got[(4, 0)][0] == got[(1, 3)][0] == got[(3, 1)][0] == 0


def test_sign_classes_bias_signs_and_zero_weights():
    masks = [np.array([[1, 1], [1, 0]], bool), np.array([[1], [1]], bool)]
    graph = LayeredGraph.from_masks(masks, [np.array([1, 1], bool), None])
    weights = [np.array([[0.5, -0.2], [0.0, 9.0]]), np.array([[-1.0], [2.0]])]
    biases = [np.array([-0.1, 0.3]), None]
    cg = colour(graph, weights, biases, "sign")
    assert cg.blocks[0].tolist() == [[2, 1], [1, 0]]  # 0.0 is not positive; 9.0 is masked out
    assert cg.bias[0].tolist() == [1, 2]
    assert cg.blocks[1].tolist() == [[1], [2]]
    assert cg.class_edge_counts() == [[3, 2], [1, 1]]


def test_zambra_thresholds_against_the_fitted_density():
    rng = np.random.default_rng(0)
    w = np.concatenate([rng.normal(0.1, 0.5, 5000), [-3.0, 4.0]])
    for c in (0.55, 0.1):
        t = zambra_thresholds(w, c)
        mu, sd = w.mean(), w.std()
        # the band is where the fitted density is at least c times its maximum
        for edge in (t.b0, t.b1):
            assert norm.pdf(edge, mu, sd) == pytest.approx(c * norm.pdf(mu, mu, sd), rel=1e-9)
        grid = np.linspace(-3, 4, 20001)
        inside = norm.pdf(grid, mu, sd) >= c * norm.pdf(mu, mu, sd)
        assert grid[inside].min() == pytest.approx(t.b0, abs=1e-3)
        assert grid[inside].max() == pytest.approx(t.b1, abs=1e-3)
        # hand-computed class edges
        assert t.lo == pytest.approx(t.b0 + 0.2 * (1.1 * -3.0 - t.b0))
        assert t.hi == pytest.approx(t.b1 + 0.2 * (1.1 * 4.0 - t.b1))
        values = np.array(
            [
                -3.0,
                t.lo - 1e-9,
                t.lo,
                t.b0 - 1e-9,
                t.b0,
                t.mu,
                t.b1,
                t.b1 + 1e-9,
                t.hi,
                t.hi + 1e-9,
                4.0,
            ]
        )
        assert classify(values, "zambra", t).tolist() == [0, 0, 1, 1, -1, -1, -1, 1, 1, 2, 2]


def test_zambra_band_edges_are_deleted_and_biases_classified():
    t = zambra_thresholds(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]), 0.55)
    # mu 0, sigma sqrt 2: band +-1.546, mild up to +-1.677 (hand-computed)
    assert (t.b1, t.hi) == (pytest.approx(1.5465, abs=1e-3), pytest.approx(1.6772, abs=1e-3))
    graph = LayeredGraph.from_masks([np.ones((2, 2), bool)], [np.ones(2, bool)])
    cg = colour(graph, [np.array([[-2.0, 0.01], [1.9, 1.6]])], [np.array([0.0, -2.1])], "zambra", t)
    assert cg.labels == ("sneg", "mild", "spos")
    assert cg.blocks[0].tolist() == [[1, 0], [3, 2]]
    assert cg.bias[0].tolist() == [0, 1]
    assert int((cg.topology().blocks[0]).sum()) == 3


def test_strip_dead_coloured_follows_the_topology():
    rng = np.random.default_rng(3)
    for _ in range(20):
        g = random_coloured(rng, 2, max_layers=4, max_width=4, bias=True)
        live, report = strip_dead_coloured(g)
        from sparsemotifs.motifs.graph import strip_dead

        topo, ref_report = strip_dead(g.topology())
        assert report == ref_report
        for a, b in zip(live.topology().blocks, topo.blocks, strict=True):
            np.testing.assert_array_equal(a, b)
        assert [x is None for x in live.bias] == [x is None for x in topo.bias]
        assert sum(sum(c) for c in live.class_edge_counts()) == sum(topo.edge_counts()) + sum(
            max(b, 0) for b in topo.bias_edge_counts()
        )


def _reference_network():
    from tests.conftest import REPO

    for base in (REPO.parent / "shared", REPO.parents[1] / "shared"):
        path = base / "reference/data/zahn2022_network/cut0.93.npz"
        if path.exists():
            return path
    pytest.skip("reference network not available")


def test_reference_network_signed_counts_are_consistent():
    """The real 93 % network: coloured counts add up to the plain ones, per layer position."""
    from sparsemotifs.motifs.signed import load_coloured

    graph, _ = strip_dead_coloured(load_coloured(_reference_network()))
    got = count_coloured(graph)
    plain = count_motifs(graph.topology())
    for m in MOTIFS:
        np.testing.assert_array_equal(sum(got[m].values()), plain[m])
    # every bias of this network is kept: the bias rows carry both signs
    assert all(b is not None and set(np.unique(b)) == {1, 2} for b in graph.bias[:3])


def test_balanced_cycles_match_brute_force_sign_products():
    from sparsemotifs.motifs.signed import balanced_counts
    from tests.motifs.signed_helpers import coloured_edges

    rng = np.random.default_rng(21)
    checked = 0
    for _ in range(40):
        graph = random_coloured(rng, 2, max_layers=4, max_width=4, bias=True)
        got = balanced_counts(count_coloured(graph), graph.labels)
        ref = brute_force_coloured(graph)
        _, edges = coloured_edges(graph)
        for m in ("bi_fan", "bi_parallel"):
            # sign product of the occurrence positive <=> an even number of class-0 edges
            expected = sum(v for (_, comp), v in ref[m].items() if (-1) ** comp[0] == 1)
            assert int(got[f"{m}|balanced"].sum()) == expected
            checked += expected > 0
    assert checked > 10
    three = random_coloured(rng, 3)
    assert balanced_counts(count_coloured(three), three.labels) == {}
