"""Adam over the flat buffer of K networks, each with its own step count and learning rate.

Per-network step counts are needed because networks stop (freeze) at different steps and keep
their moments into the next pruning level. The arithmetic follows torch.optim.Adam's
single-tensor path operation by operation (same float32 ops, bias corrections in Python
floats), so an unmasked single network gets the same numbers as torch.optim.Adam.
"""

from __future__ import annotations

import torch

EPS = 1e-8


@torch.no_grad()
def adam_step(
    params: torch.Tensor,
    grad: torch.Tensor,
    exp_avg: torch.Tensor,
    exp_avg_sq: torch.Tensor,
    steps: list[int],
    lrs: list[float],
    betas: tuple[float, float],
    blocks: list[tuple[int, int]],
    scratch: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> None:
    """One in-place update of flat buffers; `steps` (already incremented) and `lrs` per network.

    `blocks` lists the (offset, size) of the buffer's blocks, each holding the K networks one
    after another (Layout.blocks), so per-network scalars broadcast as (K, 1) over a (K, n) view.
    When all networks share step and lr, Python scalars are used as torch does; elementwise
    division/multiplication by the same float32 value gives the same bits either way.
    `scratch`: two buffers shaped like params, reused to avoid large allocations every step.
    """
    beta1, beta2 = betas
    step_size = [lr / (1 - beta1**s) for lr, s in zip(lrs, steps, strict=True)]
    bias_correction2_sqrt = [(1 - beta2**s) ** 0.5 for s in steps]

    exp_avg.lerp_(grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    if scratch is None:
        scratch = (torch.empty_like(params), torch.empty_like(params))
    denom, scaled_avg = scratch
    torch.sqrt(exp_avg_sq, out=denom)
    if len(set(steps)) == 1 and len(set(lrs)) == 1:
        denom.div_(bias_correction2_sqrt[0]).add_(EPS)
        params.addcdiv_(exp_avg, denom, value=-step_size[0])
        return
    k = len(steps)
    per_net = torch.tensor([step_size, bias_correction2_sqrt], dtype=params.dtype)
    per_net = per_net.to(params.device).unsqueeze(-1)  # (2, K, 1)
    for offset, size in blocks:
        view = slice(offset, offset + size)
        denom[view].view(k, -1).div_(per_net[1])
        torch.mul(exp_avg[view].view(k, -1), per_net[0], out=scaled_avg[view].view(k, -1))
    params.addcdiv_(scaled_avg, denom.add_(EPS), value=-1.0)
