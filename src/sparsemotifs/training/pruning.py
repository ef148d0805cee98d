"""Magnitude pruning with masks that only shrink.

Level k removes schedule[k-1] of each layer's ORIGINAL weight count: the layer keeps
round((1-f) * n) weights, chosen by magnitude among those still alive (a pruned weight can never
come back, unlike the reference code which re-ranked raw weights). Ties are broken by position
(stable sort), so the result is deterministic. Biases, if pruned, get their own cut: the same
fraction of the layer's biases by bias magnitude. `bias_cutoff="weight"` reproduces the reference
code's defect instead: a bias survives only if its magnitude reaches the layer's weight cutoff
(the smallest surviving |weight| of the layer, of all layers with scope global); biases are far
smaller than the weights they sit beside, so at high cut fractions almost all of them go.
"""

from __future__ import annotations

import math

import torch

from sparsemotifs.training.ensemble import Layout


def keep_count(n: int, fraction: float) -> int:
    """Entries kept out of n at cut fraction f: round half up of (1-f)*n (no banker's rounding)."""
    return int(math.floor((1.0 - fraction) * n + 0.5 + 1e-9))


def _top_mask(values: torch.Tensor, alive: torch.Tensor, keep: int) -> torch.Tensor:
    """Per row of (K, n): mask of the `keep` largest |values| among alive entries (stable ties)."""
    score = torch.where(alive, values.abs(), torch.full_like(values, -1.0))
    order = torch.sort(score, dim=1, descending=True, stable=True).indices
    new = torch.zeros_like(alive)
    new.scatter_(1, order[:, :keep], True)
    return new & alive  # never resurrects: only alive entries can be among the top ones


def _weight_cutoffs(layout: Layout, params: torch.Tensor, masks: torch.Tensor, scope: str):
    """Per layer, (K,) smallest surviving |weight| (+inf where none survives)."""
    cuts = []
    for li in range(layout.n_layers):
        p = layout.view(params, "weight", li).reshape(layout.k, -1)
        m = layout.view(masks, "weight", li).reshape(layout.k, -1).bool()
        cuts.append(torch.where(m, p.abs(), torch.full_like(p, math.inf)).min(dim=1).values)
    if scope == "global" and cuts:
        low = torch.stack(cuts).min(dim=0).values
        cuts = [low] * len(cuts)
    return cuts


def _prune_biases_at_weight_cutoff(
    layout: Layout, params: torch.Tensor, masks: torch.Tensor, scope: str
) -> None:
    """The reference defect: keep a surviving bias iff |bias| >= its layer's weight cutoff."""
    for li, cut in enumerate(_weight_cutoffs(layout, params, masks, scope)):
        p = layout.view(params, "bias", li).reshape(layout.k, -1)
        m = layout.view(masks, "bias", li).reshape(layout.k, -1)
        keep = m.bool() & (p.abs() >= cut[:, None])
        m.copy_(keep.to(m.dtype))


def _prune_blocks(
    layout: Layout,
    params: torch.Tensor,
    masks: torch.Tensor,
    kind: str,
    fraction: float,
    scope: str,
) -> None:
    layers = range(layout.n_layers)
    views_p = [layout.view(params, kind, li).reshape(layout.k, -1) for li in layers]
    views_m = [layout.view(masks, kind, li).reshape(layout.k, -1) for li in layers]
    if scope == "layer":
        for p, m in zip(views_p, views_m, strict=True):
            keep = min(keep_count(p.shape[1], fraction), int(m.sum(1).min()))
            m.copy_(_top_mask(p, m.bool(), keep).to(m.dtype))
    elif scope == "global":
        p_all = torch.cat(views_p, dim=1)
        m_all = torch.cat(views_m, dim=1)
        keep = min(keep_count(p_all.shape[1], fraction), int(m_all.sum(1).min()))
        new = _top_mask(p_all, m_all.bool(), keep).to(m_all.dtype)
        start = 0
        for m in views_m:
            m.copy_(new[:, start : start + m.shape[1]])
            start += m.shape[1]
    else:
        raise ValueError(f"unknown pruning scope {scope!r}")


@torch.no_grad()
def prune(
    layout: Layout,
    params: torch.Tensor,
    masks: torch.Tensor,
    fraction: float,
    *,
    scope: str = "layer",
    prune_biases: bool = True,
    bias_cutoff: str = "own",
) -> None:
    """Shrink `masks` in place to cut fraction `fraction`; zero pruned params. Flat buffers.

    bias_cutoff: "own" (the biases' own magnitude ranking) or "weight" (the reference defect).
    """
    _prune_blocks(layout, params, masks, "weight", fraction, scope)
    if prune_biases:
        if bias_cutoff == "own":
            _prune_blocks(layout, params, masks, "bias", fraction, scope)
        elif bias_cutoff == "weight":
            _prune_biases_at_weight_cutoff(layout, params, masks, scope)
        else:
            raise ValueError(f"unknown bias_cutoff {bias_cutoff!r}; choose own or weight")
    params.mul_(masks)
