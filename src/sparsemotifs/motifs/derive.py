"""Producers of derived ensembles: networks made from another ensemble's networks.

A derived ensemble of the registry (`registry.Ensemble(kind="derived", producer=NAME)`) is
analysed from its source's level files, each turned into the derived network by
`DERIVATIONS[NAME](graph, rng)` just before its motifs are counted; `rng` is seeded by
(`motifs.seed`, seed, level) so a derived network does not depend on the other files of its
chunk. A new derived ensemble adds its function here and its entry to the registry.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sparsemotifs.motifs.graph import LayeredGraph


def randomize_masks(graph: LayeredGraph, rng: np.random.Generator) -> LayeredGraph:
    """Uniform random masks with the same per-block edge counts and bias-edge counts."""
    blocks, bias = [], []
    for w, b in zip(graph.blocks, graph.bias, strict=True):
        flat = np.zeros(w.size, dtype=bool)
        flat[rng.permutation(w.size)[: int(w.sum())]] = True
        blocks.append(flat.reshape(w.shape))
        if b is None:
            bias.append(None)
        else:
            nb = np.zeros(b.size, dtype=bool)
            nb[rng.permutation(b.size)[: int(b.sum())]] = True
            bias.append(nb)
    return LayeredGraph(tuple(blocks), tuple(bias))


DERIVATIONS: dict[str, Callable[[LayeredGraph, np.random.Generator], LayeredGraph]] = {
    "random_masks": randomize_masks,
}


def derive(name: str, graph: LayeredGraph, base_seed: int, seed: int, level: int) -> LayeredGraph:
    """The network of derivation `name` made from `graph` (seed `seed`, level `level`)."""
    return DERIVATIONS[name](graph, np.random.default_rng([base_seed, seed, level]))
