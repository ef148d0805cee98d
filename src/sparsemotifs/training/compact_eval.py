"""Full-split evaluation of pruned networks on their live units only.

After every level each network's loss is computed on the whole train, validation and test splits
(10^6 rows at the paper's scale): dense forward passes of K x rows x 330k multiply-adds, a large
share of a study's cost (benchmarks/train_width400.py). At high cut fractions most hidden units
of a pruned network are dead: no surviving outgoing weight (their activation reaches nothing), or
no surviving incoming weight and no bias (pre-activation 0, and act(0) = 0 for every activation
offered: tanh, relu, linear). Dropping them removes only exact zeros from every sum, so the
outputs agree with the dense evaluation up to float32 rounding of the summation order.

Networks without a removable unit take the batched dense path unchanged (bit-identical to
`split_squared_errors`); the others are evaluated one by one on their compacted blocks.
"""

from __future__ import annotations

import torch

from sparsemotifs.training.ensemble import Layout, _activate, split_squared_errors

# compaction pays when it removes at least this share of a network's multiply-adds
MIN_SAVING = 0.1


def live_unit_indices(layout: Layout, masks: torch.Tensor, k: int) -> list[torch.Tensor]:
    """Per layer, indices of network k's units that can influence the outputs (inputs and
    outputs always kept), iterated to the fixed point of the forward and backward rules."""
    w = [layout.view(masks, "weight", li)[k] != 0 for li in range(layout.n_layers)]
    b = [layout.view(masks, "bias", li)[k] != 0 for li in range(layout.n_layers)]
    alive = [torch.ones(n, dtype=torch.bool, device=masks.device) for n in layout.widths]
    while True:
        before = [a.clone() for a in alive]
        for li in range(layout.n_layers - 1):  # forward: fed by a live unit or a bias
            fed = w[li][alive[li]].any(dim=0) | b[li]
            alive[li + 1] &= fed
        for li in range(layout.n_layers - 1, 0, -1):  # backward: feeds a live unit
            alive[li] &= w[li][:, alive[li + 1]].any(dim=1)
        if all(torch.equal(x, y) for x, y in zip(before, alive, strict=True)):
            break
    return [torch.nonzero(a).flatten() for a in alive]


def multiply_adds(sizes: list[int]) -> int:
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def compact_split_squared_errors(
    layout: Layout,
    params: torch.Tensor,
    masks: torch.Tensor,
    x: torch.Tensor,
    y: torch.Tensor,
    activation: str,
    rows_per_batch: int,
) -> torch.Tensor:
    """Like `split_squared_errors` ((K, n_out) float64 sums over a split), live units only."""
    full = multiply_adds(list(layout.widths))
    plans = {}
    for k in range(layout.k):
        idx = live_unit_indices(layout, masks, k)
        if multiply_adds([len(i) for i in idx]) <= (1 - MIN_SAVING) * full:
            plans[k] = idx
    total = torch.zeros(layout.k, y.shape[1], dtype=torch.float64, device=params.device)
    dense = [k for k in range(layout.k) if k not in plans]
    if dense:
        sub = layout.subset(len(dense))
        sel = torch.tensor(dense, dtype=torch.long, device=params.device)
        flat = torch.cat(
            [
                layout.view(params, kind, li).index_select(0, sel).reshape(-1)
                for kind, li, *_ in layout.blocks
            ]
        )
        total[sel] = split_squared_errors(sub, flat, x, y, activation, rows_per_batch)
    for k, idx in plans.items():
        ws, bs = [], []
        for li in range(layout.n_layers):
            w = layout.view(params, "weight", li)[k]
            ws.append(w.index_select(0, idx[li]).index_select(1, idx[li + 1]).contiguous())
            bs.append(layout.view(params, "bias", li)[k].index_select(0, idx[li + 1]))
        xs = x.index_select(1, idx[0]) if len(idx[0]) < x.shape[1] else x
        for start in range(0, xs.shape[0], rows_per_batch):
            h = xs[start : start + rows_per_batch]
            for li in range(layout.n_layers):
                h = torch.addmm(bs[li], h, ws[li])
                if li < layout.n_layers - 1:
                    h = _activate(h, activation)
            diff = h - y[start : start + rows_per_batch]
            total[k] += (diff * diff).sum(dim=0, dtype=torch.float64)
    return total
