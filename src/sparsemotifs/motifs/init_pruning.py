"""Magnitude pruning at initialisation: the control `magnitude_init` (issue 12 item 2, issue 11).

Why: the ΔZ of issue 11 asks how far training moves a network's motif profile away from what
its own initial weights, pruned by magnitude to the same size, would give. For each analysed
(trained) network this regenerates the weights that network's training started from, exactly
as training does (`training.ensemble.initial_parameters`: the seed's own generator, the
ensemble's `network.init`, `init_gain` and widths), and keeps in every block the largest |w|,
as many as the trained network keeps *live* edges in that block after dead-node removal (ties
by position, as training's stable sort). Dead nodes of the result are removed when it is
analysed, as for trained levels.

What it is, in law: paper, Xavier and Kaiming normal draw a block's weights i.i.d., so the
top-e cells of a block by |w| are a uniformly random e-subset: for them the masks equal random
masks with the same per-block counts in distribution. Orthogonal is not i.i.d.: its law is
invariant under permutations of rows and of columns, so every cell is kept equally often, but
the kept set need not be a uniform subset (orthogonality couples the magnitudes within a row). Biases start at exactly 0 for every init (training
never initialises them otherwise), so their magnitude ranks nothing: bias edges are kept as a
uniformly random subset of each layer's nodes, as many as the trained network's live bias
edges (its `prune_biases`/`bias_cutoff` treatment is in that count).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sparsemotifs.motifs.graph import LayeredGraph, strip_dead


def initial_weights(seed: int, network: Mapping) -> list[np.ndarray]:
    """Weight blocks (n_l x n_{l+1}, source x target) that training of `seed` starts from."""
    from sparsemotifs.training.ensemble import Layout, initial_parameters  # torch only here

    widths = tuple(int(w) for w in network["widths"])
    flat = initial_parameters(
        [int(seed)], widths, str(network["init"]), float(network.get("init_gain", 1.0))
    )
    layout = Layout(widths, 1)
    return [layout.view(flat, "weight", li)[0].numpy().copy() for li in range(layout.n_layers)]


def top_magnitude_mask(weights: np.ndarray, keep: int) -> np.ndarray:
    """Boolean mask of the `keep` largest |w| (ties: the earlier flat position, like training)."""
    flat = np.abs(weights).ravel()
    order = np.argsort(-flat, kind="stable")
    mask = np.zeros(flat.size, dtype=bool)
    mask[order[: int(keep)]] = True
    return mask.reshape(weights.shape)


def magnitude_init(
    graph: LayeredGraph,
    rng: np.random.Generator,
    *,
    seed: int,
    network: Mapping,
    bias_only_live: bool = True,
) -> LayeredGraph:
    """The initial weights of `seed` pruned by |w| to `graph`'s live per-block edge counts.

    `graph` is the trained network at one level (full widths); `network` the `network` section
    its ensemble was trained with. Returns full-width masks (not yet stripped of dead nodes).
    """
    widths = tuple(int(w) for w in network["widths"])
    if graph.widths != widths:
        raise ValueError(
            f"network widths {list(graph.widths)} differ from network.widths {list(widths)} "
            "the initial weights are generated with"
        )
    _, report = strip_dead(graph, bias_only_live)
    weights = initial_weights(seed, network)
    blocks = tuple(
        top_magnitude_mask(w, e) for w, e in zip(weights, report.edges_live, strict=True)
    )
    bias = []
    for li, b in enumerate(graph.bias):
        if b is None:
            bias.append(None)
            continue
        keep = max(report.bias_edges_live[li], 0)
        chosen = np.zeros(b.size, dtype=bool)
        chosen[rng.permutation(b.size)[:keep]] = True  # biases start at 0: no ranking
        bias.append(chosen)
    return LayeredGraph(blocks, tuple(bias))
