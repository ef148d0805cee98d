"""K masked MLPs held as batched tensors, so one batched matmul per layer serves all of them.

Every per-network quantity (weights, biases, masks, Adam moments) lives in ONE flat buffer laid
out layer by layer; within a layer the K networks' blocks are contiguous, so `weight(l)` is a
contiguous (K, n_in, n_out) view that torch.baddbmm takes directly, and whole-model operations
(Adam, masking) are single calls over the flat buffer. Weights are stored source x target
(row = source node, the transpose of torch.nn.Linear.weight), the motif file orientation.

Forward and backward are written out by hand: the gradient of network k depends only on
network k's data and parameters, never on how many networks share the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch

ACTIVATIONS = ("tanh", "relu", "linear")
INITS = ("paper", "xavier_normal", "kaiming_normal", "orthogonal")
PAPER_STD = 0.2
PURPOSE_INIT = 0x1217  # SeedSequence keys: each use of a seed gets its own independent stream


@dataclass(frozen=True)
class Layout:
    """Offsets of every layer's weight and bias block in the flat buffer of K networks."""

    widths: tuple[int, ...]
    k: int

    @property
    def n_layers(self) -> int:
        return len(self.widths) - 1

    def weight_shape(self, layer: int) -> tuple[int, int]:
        return self.widths[layer], self.widths[layer + 1]

    @cached_property
    def blocks(self) -> list[tuple[str, int, int, tuple[int, ...]]]:
        """(kind, layer, offset, per-network shape) of every block, in buffer order."""
        out, offset = [], 0
        for layer in range(self.n_layers):
            n_in, n_out = self.weight_shape(layer)
            out.append(("weight", layer, offset, (n_in, n_out)))
            offset += self.k * n_in * n_out
            out.append(("bias", layer, offset, (n_out,)))
            offset += self.k * n_out
        return out

    @cached_property
    def size(self) -> int:
        return sum(self.k * int(np.prod(shape)) for *_, shape in self.blocks)

    @cached_property
    def _index(self) -> dict[tuple[str, int], tuple[int, int, tuple[int, ...]]]:
        return {
            (kind, layer): (offset, self.k * int(np.prod(shape)), shape)
            for kind, layer, offset, shape in self.blocks
        }

    def view(self, flat: torch.Tensor, kind: str, layer: int) -> torch.Tensor:
        """Contiguous (K, *shape) view of one block of a flat buffer."""
        offset, n, shape = self._index[(kind, layer)]
        return flat[offset : offset + n].view(self.k, *shape)

    @cached_property
    def spans(self) -> list[tuple[int, int]]:
        """(offset, size) of every block; a block holds the K networks one after another."""
        return [(offset, self.k * int(np.prod(shape))) for *_, offset, shape in self.blocks]

    def subset(self, k: int) -> Layout:
        return Layout(self.widths, k)


def _network_generator(seed: int, purpose: int) -> torch.Generator:
    state = np.random.SeedSequence([int(seed), purpose]).generate_state(1, np.uint64)[0]
    gen = torch.Generator(device="cpu")
    gen.manual_seed(int(state) & ((1 << 63) - 1))
    return gen


def init_weight(
    n_in: int, n_out: int, init: str, gain: float, gen: torch.Generator
) -> torch.Tensor:
    """One layer's weights, (n_in, n_out), float32, from the network's own generator.

    paper: N(0, (gain*0.2)^2) without fan-in scaling (the reference study);
    xavier_normal: N(0, gain^2 * 2/(n_in+n_out)); kaiming_normal: N(0, gain^2 * 2/n_in);
    orthogonal: gain * a (semi-)orthogonal matrix.
    """
    torch_layout = torch.empty(n_out, n_in, dtype=torch.float32)  # nn.Linear orientation
    if init == "paper":
        torch.nn.init.normal_(torch_layout, 0.0, gain * PAPER_STD, generator=gen)
    elif init == "xavier_normal":
        torch.nn.init.xavier_normal_(torch_layout, gain=gain, generator=gen)
    elif init == "kaiming_normal":
        torch.nn.init.normal_(torch_layout, 0.0, gain * np.sqrt(2.0 / n_in), generator=gen)
    elif init == "orthogonal":
        torch.nn.init.orthogonal_(torch_layout, gain=gain, generator=gen)
    else:
        raise ValueError(f"unknown init {init!r}; allowed: {', '.join(INITS)}")
    return torch_layout.T.contiguous()


def initial_parameters(
    seeds: Sequence[int], widths: Sequence[int], init: str, gain: float
) -> torch.Tensor:
    """Flat CPU buffer of the K networks' initial parameters; network k depends on seeds[k] only."""
    layout = Layout(tuple(widths), len(seeds))
    flat = torch.zeros(layout.size, dtype=torch.float32)
    for k, seed in enumerate(seeds):
        gen = _network_generator(seed, PURPOSE_INIT)
        for layer in range(layout.n_layers):
            layout.view(flat, "weight", layer)[k] = init_weight(
                *layout.weight_shape(layer), init, gain, gen
            )
    return flat  # biases stay 0 for every init


def _activate(pre: torch.Tensor, activation: str) -> torch.Tensor:
    """In place on a fresh pre-activation tensor.

    tanh is computed as 2 sigmoid(2x) - 1: the same function (within ~1e-7 absolute in float32),
    but about twice as fast as torch.tanh on CPU, where it dominated small networks' step time.
    """
    if activation == "tanh":
        return torch.sigmoid_(pre.mul_(2.0)).mul_(2.0).sub_(1.0)
    if activation == "relu":
        return torch.relu_(pre)
    return pre


def _activation_slope(post: torch.Tensor, activation: str) -> torch.Tensor | None:
    """d act / d pre expressed through the activation's output (None = identity)."""
    if activation == "tanh":
        return torch.addcmul(post.new_ones(()), post, post, value=-1.0)  # 1 - post^2
    if activation == "relu":
        return (post > 0).to(post.dtype)
    return None


def forward(
    layout: Layout, flat: torch.Tensor, x: torch.Tensor, activation: str
) -> list[torch.Tensor]:
    """Activations of every layer for x of shape (K, B, n_in); the last entry is the (linear) output."""
    acts = [x]
    h = x
    for layer in range(layout.n_layers):
        w = layout.view(flat, "weight", layer)
        b = layout.view(flat, "bias", layer)
        h = torch.baddbmm(b.unsqueeze(1), h, w)
        if layer < layout.n_layers - 1:
            h = _activate(h, activation)
        acts.append(h)
    return acts


def predict(layout: Layout, flat: torch.Tensor, x: torch.Tensor, activation: str) -> torch.Tensor:
    """Outputs (K, B, n_out) for inputs shared by all networks, (B, n_in), or per network, (K, B, n_in)."""
    if x.dim() == 2:
        x = x.unsqueeze(0).expand(layout.k, *x.shape)
    return forward(layout, flat, x, activation)[-1]


def mse_per_network(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(K,) mean squared error over rows and outputs, each network on its own targets."""
    diff = out - y
    return (diff * diff).mean(dim=(1, 2))


def loss_and_gradient(
    layout: Layout,
    flat: torch.Tensor,
    grad: torch.Tensor,
    x: torch.Tensor,
    y: torch.Tensor,
    activation: str,
) -> torch.Tensor:
    """Per-network MSE (K,) of a minibatch; writes d(loss_k)/d(params_k) into `grad` (flat)."""
    acts = forward(layout, flat, x, activation)
    out = acts[-1]
    diff = out - y
    loss = (diff * diff).mean(dim=(1, 2))
    delta = diff * (2.0 / (out.shape[1] * out.shape[2]))
    for layer in range(layout.n_layers - 1, -1, -1):
        h_in = acts[layer]
        torch.bmm(h_in.transpose(1, 2), delta, out=layout.view(grad, "weight", layer))
        torch.sum(delta, dim=1, out=layout.view(grad, "bias", layer))
        if layer > 0:
            delta = torch.bmm(delta, layout.view(flat, "weight", layer).transpose(1, 2))
            slope = _activation_slope(h_in, activation)
            if slope is not None:
                delta.mul_(slope)
    return loss


@torch.no_grad()
def split_squared_errors(
    layout: Layout,
    flat: torch.Tensor,
    x: torch.Tensor,
    y: torch.Tensor,
    activation: str,
    rows_per_batch: int,
) -> torch.Tensor:
    """Sum of squared errors per network and output, (K, n_out), float64, over a whole split.

    Rows are taken `rows_per_batch` at a time (memory ~ K x rows x widest layer floats); the
    blocks do not depend on K, so neither do the sums.
    """
    total = torch.zeros(layout.k, y.shape[1], dtype=torch.float64, device=flat.device)
    for start in range(0, x.shape[0], rows_per_batch):
        xb, yb = x[start : start + rows_per_batch], y[start : start + rows_per_batch]
        diff = predict(layout, flat, xb, activation) - yb
        total += (diff * diff).sum(dim=1, dtype=torch.float64)
    return total
