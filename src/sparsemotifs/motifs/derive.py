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

from sparsemotifs.motifs.controls import randomize_masks
from sparsemotifs.motifs.graph import LayeredGraph

DERIVATIONS: dict[str, Callable[[LayeredGraph, np.random.Generator], LayeredGraph]] = {
    "random_masks": randomize_masks,
}


def derive(name: str, graph: LayeredGraph, base_seed: int, seed: int, level: int) -> LayeredGraph:
    """The network of derivation `name` made from `graph` (seed `seed`, level `level`)."""
    return DERIVATIONS[name](graph, np.random.default_rng([base_seed, seed, level]))
