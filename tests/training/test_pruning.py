"""Magnitude pruning against a brute-force numpy reference; masks only shrink; exact counts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sparsemotifs.training.ensemble import Layout
from sparsemotifs.training.pruning import keep_count, prune

WIDTHS = (6, 9, 7, 4)


def _reference_keep(values: np.ndarray, alive: np.ndarray, keep: int) -> np.ndarray:
    """The `keep` alive entries of largest |value|, ties to the lower index (plain Python sort)."""
    candidates = [i for i in range(values.size) if alive[i]]
    candidates.sort(key=lambda i: (-abs(values[i]), i))
    out = np.zeros(values.size, dtype=bool)
    out[candidates[:keep]] = True
    return out


def test_keep_count_rounds_half_up():
    assert keep_count(160000, 0.85) == 24000
    assert keep_count(10, 0.25) == 8  # 7.5 -> 8
    assert keep_count(7, 0.5) == 4  # 3.5 -> 4
    assert keep_count(400 * 16, 0.93) == 448


@pytest.mark.parametrize("scope", ["layer", "global"])
def test_prune_matches_reference_and_only_shrinks(scope):
    k = 3
    layout = Layout(WIDTHS, k)
    gen = torch.Generator().manual_seed(0)
    params = torch.randn(layout.size, generator=gen)
    # ties: repeat some magnitudes to exercise the deterministic tie-breaking
    params[::5] = 0.5
    masks = torch.ones_like(params)
    prev = masks.clone()
    for fraction in (0.3, 0.6, 0.9):
        # fresh values everywhere, pruned positions included: the mask alone must prevent resurrection
        params = torch.randn(layout.size, generator=gen)
        params[::5] = 0.5
        before = params.clone()
        prune(layout, params, masks, fraction, scope=scope, prune_biases=True)
        assert torch.all(masks <= prev), "a pruned entry came back"
        assert torch.equal(params, before * masks)
        for kind in ("weight", "bias"):
            blocks_v = [
                layout.view(before, kind, li).reshape(k, -1).numpy()
                for li in range(layout.n_layers)
            ]
            blocks_a = [
                layout.view(prev, kind, li).reshape(k, -1).numpy() > 0
                for li in range(layout.n_layers)
            ]
            blocks_m = [
                layout.view(masks, kind, li).reshape(k, -1).numpy() > 0
                for li in range(layout.n_layers)
            ]
            for i in range(k):
                if scope == "layer":
                    for v, a, m in zip(blocks_v, blocks_a, blocks_m, strict=True):
                        assert m[i].sum() == keep_count(v.shape[1], fraction)
                        np.testing.assert_array_equal(
                            m[i], _reference_keep(v[i], a[i], keep_count(v.shape[1], fraction))
                        )
                else:
                    v = np.concatenate([b[i] for b in blocks_v])
                    a = np.concatenate([b[i] for b in blocks_a])
                    m = np.concatenate([b[i] for b in blocks_m])
                    np.testing.assert_array_equal(
                        m, _reference_keep(v, a, keep_count(v.size, fraction))
                    )
        prev = masks.clone()


def test_biases_untouched_when_not_pruned():
    layout = Layout(WIDTHS, 2)
    params = torch.randn(layout.size, generator=torch.Generator().manual_seed(1))
    masks = torch.ones_like(params)
    prune(layout, params, masks, 0.8, prune_biases=False)
    for li in range(layout.n_layers):
        assert torch.all(layout.view(masks, "bias", li) == 1)
        assert layout.view(masks, "weight", li)[0].sum() == keep_count(
            WIDTHS[li] * WIDTHS[li + 1], 0.8
        )
