"""Batched MLP maths against torch autograd, and the batched Adam against torch.optim.Adam."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sparsemotifs.training.adam import adam_step
from sparsemotifs.training.ensemble import (
    Layout,
    initial_parameters,
    loss_and_gradient,
    predict,
    split_squared_errors,
)

WIDTHS = (5, 6, 4, 3)


def _sequential(layout: Layout, flat: torch.Tensor, k: int, activation: str) -> torch.nn.Sequential:
    """An independent torch.nn model holding network k's parameters (Linear.weight = W.T)."""
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "linear": torch.nn.Identity}[activation]
    mods = []
    for layer in range(layout.n_layers):
        n_in, n_out = layout.weight_shape(layer)
        lin = torch.nn.Linear(n_in, n_out, dtype=flat.dtype)
        with torch.no_grad():
            lin.weight.copy_(layout.view(flat, "weight", layer)[k].T)
            lin.bias.copy_(layout.view(flat, "bias", layer)[k])
        mods.append(lin)
        if layer < layout.n_layers - 1:
            mods.append(act())
    return torch.nn.Sequential(*mods)


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
def test_gradient_matches_autograd(activation):
    k, batch = 3, 9
    layout = Layout(WIDTHS, k)
    gen = torch.Generator().manual_seed(1)
    flat = torch.randn(layout.size, generator=gen, dtype=torch.float64) * 0.7
    grad = torch.zeros_like(flat)
    x = torch.randn(k, batch, WIDTHS[0], generator=gen, dtype=torch.float64)
    y = torch.randn(k, batch, WIDTHS[-1], generator=gen, dtype=torch.float64)
    loss = loss_and_gradient(layout, flat, grad, x, y, activation)
    for i in range(k):
        model = _sequential(layout, flat, i, activation)
        ref = torch.nn.functional.mse_loss(model(x[i]), y[i])
        ref.backward()
        assert loss[i].item() == pytest.approx(ref.item(), rel=1e-12)
        for layer, lin in enumerate(model[::2]):
            torch.testing.assert_close(
                layout.view(grad, "weight", layer)[i], lin.weight.grad.T, rtol=1e-10, atol=1e-12
            )
            torch.testing.assert_close(
                layout.view(grad, "bias", layer)[i], lin.bias.grad, rtol=1e-10, atol=1e-12
            )


def test_adam_matches_torch_adam_bit_for_bit():
    """Same gradients fed to both: our flat per-network Adam equals torch.optim.Adam exactly."""
    layout = Layout(WIDTHS, 1)
    gen = torch.Generator().manual_seed(2)
    ours = torch.randn(layout.size, generator=gen)
    ref = torch.nn.Parameter(ours.clone())
    opt = torch.optim.Adam([ref], lr=3e-3, betas=(0.8, 0.99), foreach=False)
    m, v = torch.zeros_like(ours), torch.zeros_like(ours)
    for step in range(1, 31):
        g = torch.randn(layout.size, generator=gen) * (1 + step % 4)
        ref.grad = g.clone()
        opt.step()
        adam_step(ours, g, m, v, [step], [3e-3], (0.8, 0.99), layout.spans)
        assert torch.equal(ours, ref.detach()), f"differs at step {step}"


def _combine(layouts_one: Layout, buffers: list[torch.Tensor], layout: Layout) -> torch.Tensor:
    out = torch.empty(layout.size)
    for kind, layer, *_ in layout.blocks:
        for i, buf in enumerate(buffers):
            layout.view(out, kind, layer)[i] = layouts_one.view(buf, kind, layer)[0]
    return out


def test_adam_with_per_network_steps_and_lrs_matches_separate_torch_adams():
    """Networks with different step counts (they stopped at different times) and learning rates
    in one flat buffer: each equals its own torch.optim.Adam bit for bit."""
    one, three = Layout(WIDTHS, 1), Layout(WIDTHS, 3)
    gen = torch.Generator().manual_seed(5)
    lrs = [1e-3, 5e-3, 2e-2]
    refs = [torch.nn.Parameter(torch.randn(one.size, generator=gen)) for _ in range(3)]
    opts = [torch.optim.Adam([p], lr=lr, foreach=False) for p, lr in zip(refs, lrs, strict=True)]
    for i, (p, opt) in enumerate(zip(refs, opts, strict=True)):
        for _ in range(3 * i + 1):  # network i has already taken 3 i + 1 steps
            p.grad = torch.randn(one.size, generator=gen)
            opt.step()
    ours = _combine(one, [p.detach() for p in refs], three)
    m = _combine(one, [opt.state[p]["exp_avg"] for p, opt in zip(refs, opts, strict=True)], three)
    v = _combine(
        one, [opt.state[p]["exp_avg_sq"] for p, opt in zip(refs, opts, strict=True)], three
    )
    steps = [3 * i + 1 for i in range(3)]
    for _ in range(10):
        grads = [torch.randn(one.size, generator=gen) for _ in range(3)]
        for p, opt, g in zip(refs, opts, grads, strict=True):
            p.grad = g.clone()
            opt.step()
        steps = [s + 1 for s in steps]
        adam_step(ours, _combine(one, grads, three), m, v, steps, lrs, (0.9, 0.999), three.spans)
    assert torch.equal(ours, _combine(one, [p.detach() for p in refs], three))


def test_training_matches_torch_nn_with_adam():
    """Whole step (our forward/backward + Adam) against nn.Sequential + torch.optim.Adam, float64."""
    layout = Layout(WIDTHS, 1)
    flat = initial_parameters([7], WIDTHS, "xavier_normal", 1.0).double()
    model = _sequential(layout, flat, 0, "tanh")
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    grad, m, v = torch.zeros_like(flat), torch.zeros_like(flat), torch.zeros_like(flat)
    gen = torch.Generator().manual_seed(3)
    for step in range(1, 26):
        x = torch.randn(1, 16, WIDTHS[0], generator=gen, dtype=torch.float64)
        y = torch.randn(1, 16, WIDTHS[-1], generator=gen, dtype=torch.float64)
        loss_and_gradient(layout, flat, grad, x, y, "tanh")
        adam_step(flat, grad, m, v, [step], [1e-2], (0.9, 0.999), layout.spans)
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x[0]), y[0]).backward()
        opt.step()
    for layer, lin in enumerate(model[::2]):
        torch.testing.assert_close(
            layout.view(flat, "weight", layer)[0], lin.weight.detach().T, rtol=1e-9, atol=1e-11
        )
        torch.testing.assert_close(
            layout.view(flat, "bias", layer)[0], lin.bias.detach(), rtol=1e-9, atol=1e-11
        )


@pytest.mark.parametrize("init", ["paper", "xavier_normal", "kaiming_normal", "orthogonal"])
def test_initialisation_depends_only_on_own_seed(init):
    alone = initial_parameters([5], WIDTHS, init, 1.5)
    together = initial_parameters([9, 5, 2], WIDTHS, init, 1.5)
    one, three = Layout(WIDTHS, 1), Layout(WIDTHS, 3)
    for layer in range(one.n_layers):
        assert torch.equal(
            one.view(alone, "weight", layer)[0], three.view(together, "weight", layer)[1]
        )
        assert torch.equal(
            three.view(together, "bias", layer),
            torch.zeros_like(three.view(together, "bias", layer)),
        )
    assert not torch.equal(
        three.view(together, "weight", 0)[0], three.view(together, "weight", 0)[1]
    )


def test_init_scales():
    widths = (200, 300, 100)
    layout = Layout(widths, 1)
    paper = layout.view(initial_parameters([0], widths, "paper", 2.0), "weight", 0)[0]
    assert paper.shape == (200, 300)  # source x target
    assert paper.std().item() == pytest.approx(0.4, rel=0.02)
    kaiming = layout.view(initial_parameters([0], widths, "kaiming_normal", 1.0), "weight", 0)[0]
    assert kaiming.std().item() == pytest.approx(np.sqrt(2 / 200), rel=0.02)
    xavier = layout.view(initial_parameters([0], widths, "xavier_normal", 1.0), "weight", 1)[0]
    assert xavier.std().item() == pytest.approx(np.sqrt(2 / 400), rel=0.03)
    orth = layout.view(initial_parameters([0], widths, "orthogonal", 3.0), "weight", 1)[
        0
    ]  # 300 x 100
    torch.testing.assert_close(orth.T @ orth, 9.0 * torch.eye(100), atol=1e-3, rtol=0)


def test_split_errors_match_direct_computation():
    layout = Layout(WIDTHS, 2)
    flat = initial_parameters([0, 1], WIDTHS, "paper", 3.0)
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(50, WIDTHS[0], generator=gen)
    y = torch.randn(50, WIDTHS[-1], generator=gen)
    sse = split_squared_errors(layout, flat, x, y, "tanh", rows_per_batch=7)
    for i in range(2):
        model = _sequential(layout, flat.double(), i, "tanh")
        ref = ((model(x.double()) - y.double()) ** 2).sum(0)
        torch.testing.assert_close(sse[i], ref.detach(), rtol=1e-5, atol=1e-6)
    out = predict(layout, flat, x, "tanh")
    assert out.shape == (2, 50, WIDTHS[-1])
