"""The reference study's training/pruning defects as options: bias pruning at the layer's weight
cutoff (constructed example computed by hand) and a dense level without early stopping."""

from __future__ import annotations

import pytest
import torch

from sparsemotifs.training.ensemble import Layout
from sparsemotifs.training.pruning import prune
from sparsemotifs.training.trainer import EnsembleTrainer

from .conftest import sections

WIDTHS = (2, 3, 1)
W0 = [[0.9, -0.1, 0.5], [0.05, -0.7, 0.3]]
B0 = [0.5, -0.2, 0.6]
W1 = [[0.2], [-0.8], [0.3]]
B1 = [0.25]


def _buffers(scales=(1.0,)):
    """K networks; network k has its weights scaled by scales[k], biases unscaled."""
    layout = Layout(WIDTHS, len(scales))
    params = torch.zeros(layout.size)
    for k, s in enumerate(scales):
        layout.view(params, "weight", 0)[k] = torch.tensor(W0) * s
        layout.view(params, "bias", 0)[k] = torch.tensor(B0)
        layout.view(params, "weight", 1)[k] = torch.tensor(W1) * s
        layout.view(params, "bias", 1)[k] = torch.tensor(B1)
    return layout, params, torch.ones_like(params)


def _bias_masks(layout, masks):
    return [layout.view(masks, "bias", li).tolist() for li in range(layout.n_layers)]


def test_weight_cutoff_by_hand():
    # cut 0.5, layer scope. Layer 0 keeps round(3) = 3 weights: 0.9, 0.7, 0.5 -> cutoff 0.5;
    # biases with |b| >= 0.5 survive: 0.5 (equal: kept) and 0.6. Layer 1 keeps round(1.5) = 2
    # weights: 0.8, 0.3 -> cutoff 0.3; its bias 0.25 goes.
    # Network 2 (weights x2): cutoffs 1.0 and 0.6 -> every bias goes.
    layout, params, masks = _buffers(scales=(1.0, 2.0))
    prune(layout, params, masks, 0.5, bias_cutoff="weight")
    assert _bias_masks(layout, masks) == [
        [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]],
        [[0.0], [0.0]],
    ]
    # weights are pruned exactly as with the own cutoff
    _, p_own, m_own = _buffers(scales=(1.0, 2.0))
    prune(layout, p_own, m_own, 0.5, bias_cutoff="own")
    for li in range(layout.n_layers):
        assert torch.equal(layout.view(masks, "weight", li), layout.view(m_own, "weight", li))
    # own cutoff by hand: layer 0 keeps round(1.5) = 2 biases (0.6, 0.5), layer 1 round(0.5) = 1
    assert _bias_masks(layout, m_own) == [
        [[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]],
        [[1.0], [1.0]],
    ]
    assert float(layout.view(params, "bias", 1)[0, 0]) == 0.0  # pruned biases are zeroed


def test_weight_cutoff_global_scope_by_hand():
    # global: keep round(4.5) = 5 of the 9 weights: 0.9, 0.8, 0.7, 0.5, 0.3 (layer 0's, by
    # position) -> cutoff 0.3 for every layer: biases 0.5 and 0.6 survive, 0.25 goes
    layout, params, masks = _buffers()
    prune(layout, params, masks, 0.5, scope="global", bias_cutoff="weight")
    assert _bias_masks(layout, masks) == [[[1.0, 0.0, 1.0]], [[0.0]]]


def test_weight_cutoff_never_resurrects_and_rejects_unknown():
    layout, params, masks = _buffers()
    prune(layout, params, masks, 0.5, bias_cutoff="weight")
    layout.view(params, "bias", 1)[0] = 5.0  # a large value at a pruned bias
    prune(layout, params, masks, 0.6, bias_cutoff="weight")
    assert float(layout.view(masks, "bias", 1)[0, 0]) == 0.0
    with pytest.raises(ValueError, match="bias_cutoff"):
        prune(layout, params, masks, 0.7, bias_cutoff="nope")


def test_bias_cutoff_option_reaches_the_trainer(task):
    net, tr, pr = sections(pruning={"schedule": [0.9], "bias_cutoff": "weight"})
    df = EnsembleTrainer(task, [0], net, tr, pr).run()
    net, tr, pr_own = sections(pruning={"schedule": [0.9]})
    own = EnsembleTrainer(task, [0], net, tr, pr_own).run()
    kept = [c for c in df.columns if c.startswith("biases_kept_")]
    assert len(kept) == 3
    defect = df[df.level == 1][kept].to_numpy().sum()
    correct = own[own.level == 1][kept].to_numpy().sum()
    assert correct == 1 + 1 + 1  # round(0.1 x 12), round(0.1 x 12), round(0.1 x 7)
    assert defect < correct  # biases are small beside the surviving 10 % largest weights


def test_dense_level_without_early_stopping(task):
    """A network with lr 0 stops at its first check with the windowed rule; with
    dense_early_stopping false it runs to the cap at the dense level only."""
    stopping = {"rule": "paper", "warmup": 20, "window": 8, "check_every": 5, "ratio": 1.0001}
    base = {"max_epochs_per_level": 4, "early_stopping": stopping}
    runs = {}
    for flag in (True, False):
        net, tr, pr = sections(
            training={**base, "dense_early_stopping": flag}, pruning={"schedule": [0.5]}
        )
        trainer = EnsembleTrainer(task, [1], net, tr, pr, lr_overrides={1: 0.0})
        runs[flag] = (trainer.run(), trainer.step_cap)
    on, _ = runs[True]
    off, cap = runs[False]
    assert on[on.level == 0].iloc[0]["steps"] == 20 and on[on.level == 0].iloc[0]["stopped_early"]
    dense = off[off.level == 0].iloc[0]
    assert dense["steps"] == cap and not dense["stopped_early"]
    pruned = off[off.level == 1].iloc[0]
    assert pruned["steps"] == 20 and pruned["stopped_early"]  # the rule still works after
