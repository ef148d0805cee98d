"""Magnitude pruning at initialisation (the magnitude_init control): the weights are training's
own starting weights, the masks keep the largest |w| at the trained network's live counts."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sparsemotifs.config import validate_section
from sparsemotifs.motifs.derive import derive
from sparsemotifs.motifs.graph import LayeredGraph, strip_dead
from sparsemotifs.motifs.init_pruning import initial_weights, magnitude_init, top_magnitude_mask
from sparsemotifs.training.ensemble import Layout
from sparsemotifs.training.trainer import EnsembleTrainer
from tests.training.conftest import sections, smooth_task

WIDTHS = [10, 12, 12, 7]


@pytest.mark.parametrize("init", ["paper", "xavier_normal", "kaiming_normal", "orthogonal"])
def test_initial_weights_are_the_ones_training_starts_from(init, monkeypatch):
    """Record the state `EnsembleTrainer.run` actually starts from (seed 9 inside a chunk)."""
    net, tr, pr = sections(network={"init": init, "init_gain": 1.3}, pruning={"schedule": [0.5]})
    tr = {**tr, "max_steps_per_level": 1}
    seen = {}
    original = EnsembleTrainer._initial_state

    def spy(self):
        state = original(self)
        seen["params"] = state.params.clone()
        return state

    monkeypatch.setattr(EnsembleTrainer, "_initial_state", spy)
    EnsembleTrainer(smooth_task(n_train=64, n_val=32, n_test=32), [4, 9], net, tr, pr).run()
    layout = Layout(tuple(WIDTHS), 2)
    ours = initial_weights(9, net)
    for li, w in enumerate(ours):
        start = layout.view(seen["params"], "weight", li)[1].numpy()
        np.testing.assert_array_equal(w, start, err_msg=f"{init} layer {li}")
        assert np.all(layout.view(seen["params"], "bias", li).numpy() == 0)  # biases start at 0


def _trained_like(rng) -> LayeredGraph:
    """A pruned network with dead nodes and bias edges (widths WIDTHS)."""
    masks = [rng.random((10, 12)) < 0.3, rng.random((12, 12)) < 0.25, rng.random((12, 7)) < 0.4]
    bias = [rng.random(12) < 0.5, rng.random(12) < 0.5, rng.random(7) < 0.5]
    return LayeredGraph.from_masks(masks, bias)


def test_masks_keep_largest_initial_magnitudes_at_live_counts():
    net = validate_section("network", {"widths": WIDTHS, "init": "xavier_normal"})
    graph = _trained_like(np.random.default_rng(1))
    _, report = strip_dead(graph)
    assert report.edges_live != graph.edge_counts()  # dead nodes removed edges
    out = magnitude_init(graph, np.random.default_rng(0), seed=5, network=net)
    weights = initial_weights(5, net)
    for li, (m, w) in enumerate(zip(out.blocks, weights, strict=True)):
        assert m.sum() == report.edges_live[li]
        kept, dropped = np.abs(w[m]), np.abs(w[~m])
        assert kept.min() > dropped.max()  # brute force: every kept |w| beats every dropped one
    for li, b in enumerate(out.bias):
        assert b.sum() == report.bias_edges_live[li]  # the trained network's live bias count
    # the workflow's entry point gives the same masks (derived from seed 5's file)
    same = derive("magnitude_init", graph, 0, 5, 3, network=net)
    for a, b in zip(same.blocks, out.blocks, strict=True):
        np.testing.assert_array_equal(a, b)


def test_ties_break_by_position_like_training():
    w = np.array([[0.5, -0.5, 0.1], [0.5, 0.2, -0.5]])
    np.testing.assert_array_equal(
        top_magnitude_mask(w, 2), [[True, True, False], [False, False, False]]
    )


def test_widths_must_match_the_network_section():
    net = validate_section("network", {"widths": [10, 12, 7]})
    with pytest.raises(ValueError, match="differ from network.widths"):
        magnitude_init(_trained_like(np.random.default_rng(0)), None, seed=0, network=net)


def test_iid_init_gives_uniform_masks_in_distribution():
    """Over seeds, every cell of a block is kept equally often (= random masks in law)."""
    net = validate_section("network", {"widths": [10, 8, 6, 7], "init": "paper"})
    graph = LayeredGraph.from_masks(
        [np.ones((10, 8), bool), np.eye(8, 6, dtype=bool) | np.eye(8, 6, -2, dtype=bool),
         np.ones((6, 7), bool)]
    )  # fmt: skip
    keep = int(strip_dead(graph)[1].edges_live[1])
    freq = np.zeros((8, 6))
    n = 400
    for seed in range(n):
        freq += magnitude_init(graph, np.random.default_rng(seed), seed=seed, network=net).blocks[1]
    expected = n * keep / freq.size
    chi2 = ((freq - expected) ** 2 / expected).sum()
    assert stats.chi2.sf(chi2, freq.size - 1) > 1e-3
