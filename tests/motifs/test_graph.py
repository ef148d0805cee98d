"""Dead-node removal, live reports, mask loading and randomisation."""

from __future__ import annotations

import numpy as np
import pytest

from sparsemotifs.io import InputError
from sparsemotifs.motifs.derive import randomize_masks
from sparsemotifs.motifs.graph import (
    LayeredGraph,
    graph_from_arrays,
    load_graph,
    strip_dead,
)
from tests.motifs.helpers import random_graph


def _naive_live(graph: LayeredGraph, bias_only_live: bool):
    """Remove one dead node at a time until none is left (explicit loops, no vectorisation)."""
    widths = graph.widths
    alive = {(li, i) for li, n in enumerate(widths) for i in range(n)}
    last = len(widths) - 1
    changed = True
    while changed:
        changed = False
        for li, i in sorted(alive):
            has_in = li == 0 or any(
                (li - 1, k) in alive and graph.blocks[li - 1][k, i] for k in range(widths[li - 1])
            )
            if (
                li > 0
                and bias_only_live
                and graph.bias[li - 1] is not None
                and graph.bias[li - 1][i]
            ):
                has_in = True
            has_out = li == last or any(
                (li + 1, k) in alive and graph.blocks[li][i, k] for k in range(widths[li + 1])
            )
            if not (has_in and has_out):
                alive.remove((li, i))
                changed = True
    return alive


@pytest.mark.parametrize("bias_only_live", [True, False])
def test_strip_reaches_the_fixed_point_of_naive_removal(bias_only_live):
    rng = np.random.default_rng(7)
    for _ in range(200):
        graph = random_graph(rng, max_layers=5, max_width=4)
        live, report = strip_dead(graph, bias_only_live=bias_only_live)
        ref = _naive_live(graph, bias_only_live)
        assert report.nodes_live == [
            sum((li, i) in ref for i in range(n)) for li, n in enumerate(graph.widths)
        ]
        assert report.iterations <= 2  # one forward + backward pass, then a confirming pass
        live2, report2 = strip_dead(live, bias_only_live=bias_only_live)
        assert report2.nodes_live == report.nodes_live  # idempotent
        for w, w2 in zip(live.blocks, live2.blocks, strict=True):
            np.testing.assert_array_equal(w, w2)
        # every live node is fed and feeds (the definition, checked on the result)
        for li, w in enumerate(live.blocks):
            assert w.any(axis=1).all() or w.shape[0] == 0
            fed = w.any(axis=0)
            if bias_only_live and live.bias[li] is not None:
                fed = fed | live.bias[li]
            assert fed.all()
        assert report.edges_live == [int(w.sum()) for w in live.blocks]


def test_output_losing_all_inputs_is_reported_not_fatal():
    m0 = np.array([[1, 1], [0, 1]])
    m1 = np.array([[1, 0, 0], [1, 0, 0]])  # outputs 1 and 2 get no input
    bias = [None, np.array([0, 1, 0])]  # output 1 is fed by its bias only
    arrays_before = [m0.copy(), m1.copy(), bias[1].copy()]
    graph = LayeredGraph.from_masks([m0, m1], bias)
    live, report = strip_dead(graph, bias_only_live=True)
    assert report.nodes_live == [2, 2, 2]
    assert report.dead_outputs == 1 and report.constant_outputs == 1
    live, report = strip_dead(graph, bias_only_live=False)
    assert report.nodes_live == [2, 2, 1] and report.dead_outputs == 2
    assert live.bias[1] is None  # the bias node lost its only edge
    for a, b in zip([m0, m1, bias[1]], arrays_before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_fully_disconnected_network_strips_to_empty_layers():
    graph = LayeredGraph.from_masks([np.zeros((3, 4)), np.ones((4, 2))])
    live, report = strip_dead(graph)
    assert report.nodes_live == [0, 0, 0] and report.dead_outputs == 2
    assert [w.shape for w in live.blocks] == [(0, 0), (0, 0)]


def test_strip_does_not_modify_caller_arrays():
    rng = np.random.default_rng(1)
    arrays = {f"mask_{li}": (rng.random((4, 4)) < 0.3).astype(np.float32) for li in range(3)}
    arrays["bias_mask_1"] = np.ones(4)
    before = {k: v.copy() for k, v in arrays.items()}
    strip_dead(graph_from_arrays(arrays), bias_only_live=False)
    for k in arrays:
        np.testing.assert_array_equal(arrays[k], before[k])


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"weight_0": np.ones((2, 2))}, "no mask_0"),
        ({"mask_0": np.ones((2, 3)), "mask_2": np.ones((3, 2))}, "mask_1 is missing"),
        ({"mask_0": np.ones((2, 3)), "mask_1": np.ones((4, 2))}, "layer sizes do not match"),
        ({"mask_0": np.ones(3)}, "must be 2-D"),
        ({"mask_0": np.full((2, 2), 0.5)}, "only 0/1"),
        (
            {"mask_0": np.ones((2, 3)), "bias_mask_0": np.ones(2)},
            "bias_mask_0 must have shape (3,)",
        ),
        ({"mask_0": np.ones((2, 3)), "bias_mask_1": np.ones(3)}, "no matching mask_1"),
        ({"mask_0": np.ones((2, 3)), "bias_mask_0": np.array([0, 2, 1])}, "only 0/1"),
    ],
)
def test_malformed_arrays_raise_input_error_naming_the_problem(arrays, message):
    with pytest.raises(InputError, match="net.npz") as exc:
        graph_from_arrays(arrays, "dir/net.npz")
    assert message in str(exc.value)


def test_corrupt_and_missing_files(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="bad.npz"):
        load_graph(bad)
    with pytest.raises(InputError, match="missing.npz"):
        load_graph(tmp_path / "missing.npz")


def test_randomized_masks_keep_per_block_edge_counts_and_are_deterministic():
    rng = np.random.default_rng(2)
    graph = random_graph(rng, max_layers=5, max_width=6)
    a = randomize_masks(graph, np.random.default_rng(9))
    b = randomize_masks(graph, np.random.default_rng(9))
    assert a.edge_counts() == graph.edge_counts()
    assert a.bias_edge_counts() == graph.bias_edge_counts()
    for x, y in zip(a.blocks, b.blocks, strict=True):
        np.testing.assert_array_equal(x, y)
