"""Evaluation on live units only agrees with the dense evaluation (float tolerance), and is the
dense evaluation bit for bit where nothing can be removed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sparsemotifs.motifs.graph import LayeredGraph, live_node_masks
from sparsemotifs.training.compact_eval import compact_split_squared_errors, live_unit_indices
from sparsemotifs.training.ensemble import Layout, split_squared_errors
from sparsemotifs.training.pruning import prune

WIDTHS = (10, 40, 40, 40, 16, 7)


def _pruned(fraction, k=3, seed=0, bias_cutoff="own"):
    layout = Layout(WIDTHS, k)
    gen = torch.Generator().manual_seed(seed)
    params = torch.randn(layout.size, generator=gen) * 0.3
    masks = torch.ones_like(params)
    if fraction > 0:
        prune(layout, params, masks, fraction, bias_cutoff=bias_cutoff)
    return layout, params, masks


def _data(n=3000, seed=1):
    gen = torch.Generator().manual_seed(seed)
    return torch.rand(n, 10, generator=gen) - 0.5, torch.rand(n, 7, generator=gen)


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
@pytest.mark.parametrize("fraction,bias_cutoff", [(0.9, "own"), (0.95, "weight"), (0.97, "own")])
def test_compact_matches_dense_evaluation(activation, fraction, bias_cutoff):
    layout, params, masks = _pruned(fraction, bias_cutoff=bias_cutoff)
    x, y = _data()
    dense = split_squared_errors(layout, params, x, y, activation, 1024)
    compact = compact_split_squared_errors(layout, params, masks, x, y, activation, 1024)
    np.testing.assert_allclose(compact.numpy(), dense.numpy(), rtol=2e-5, atol=1e-9)
    removed = [
        sum(len(i) for i in live_unit_indices(layout, masks, k)) < sum(WIDTHS)
        for k in range(layout.k)
    ]
    assert any(removed), "the case must exercise the compacted path"


def test_dense_networks_take_the_batched_path_bit_for_bit():
    layout, params, masks = _pruned(0.0)
    x, y = _data()
    dense = split_squared_errors(layout, params, x, y, "tanh", 1024)
    compact = compact_split_squared_errors(layout, params, masks, x, y, "tanh", 1024)
    assert torch.equal(compact, dense)


def test_live_units_match_the_motif_liveness_rule():
    """Independent reference: the motif package's dead-node removal (bias edges count as input)."""
    layout, _, masks = _pruned(0.96, k=4, seed=3, bias_cutoff="weight")
    for k in range(layout.k):
        blocks = [layout.view(masks, "weight", li)[k].numpy() > 0 for li in range(5)]
        bias = [layout.view(masks, "bias", li)[k].numpy() > 0 for li in range(5)]
        alive, _ = live_node_masks(LayeredGraph.from_masks(blocks, bias), bias_only_live=True)
        got = live_unit_indices(layout, masks, k)
        for li in range(1, 5):  # hidden layers (inputs and outputs are always evaluated)
            assert got[li].tolist() == np.nonzero(alive[li])[0].tolist()
