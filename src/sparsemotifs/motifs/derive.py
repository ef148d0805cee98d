"""Producers of derived ensembles: networks made from another ensemble's networks.

A derived ensemble of the registry (`registry.Ensemble(kind="derived", producer=NAME)`) is
analysed from its source's level files, each turned into the derived network by
`DERIVATIONS[NAME](graph, rng)` just before its motifs are counted; `rng` is seeded by
(`motifs.seed`, seed, level) so a derived network does not depend on the other files of its
chunk (and, for every producer but the original `random_masks`, by its name too, so two
derived ensembles of one network draw independent streams). A new derived ensemble adds its
function here and its entry to the registry.

Controls that share size and degrees (issue 12, item 2; `motifs.controls`):
- `null_degree`: one draw of the layer-wise degree-preserving null of the live graph (a "sample
  of the null": same live nodes, every degree kept); the verdict's reference;
- `null_min1`: one draw of `fixed_count_min1` on the live graph (live nodes and per-block edge
  counts kept, every live node keeps an edge);
- `random_masks_live`: uniform random masks with the live graph's per-block edge counts, drawn
  on its live nodes (random_pruned; its z under fixed_count should be ~N(0, 1): calibration).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

from sparsemotifs.motifs.controls import (
    degree_null_samples,
    min1_null_samples,
    random_masks_live,
    randomize_masks,
)
from sparsemotifs.motifs.graph import LayeredGraph
from sparsemotifs.motifs.init_pruning import magnitude_init


def null_degree(graph: LayeredGraph, rng: np.random.Generator) -> LayeredGraph:
    """One degree-preserving randomisation of the live graph (a sample of the degree null)."""
    return degree_null_samples(graph, 1, rng)[0]


def null_min1(graph: LayeredGraph, rng: np.random.Generator) -> LayeredGraph:
    """One draw of fixed_count_min1 on the live graph."""
    return min1_null_samples(graph, 1, rng)[0]


def random_live(graph: LayeredGraph, rng: np.random.Generator) -> LayeredGraph:
    """Uniform random masks with the live per-block edge counts, on the live nodes."""
    return random_masks_live(graph, rng)[0]


DERIVATIONS: dict[str, Callable[[LayeredGraph, np.random.Generator], LayeredGraph]] = {
    "random_masks": randomize_masks,
    "random_masks_live": random_live,
    "null_degree": null_degree,
    "null_min1": null_min1,
}


# producers that also need the network's seed and its ensemble's `network` settings
NETWORK_DERIVATIONS = {"magnitude_init": magnitude_init}


def names() -> list[str]:
    """Every producer name (`--derive` choices)."""
    return [*DERIVATIONS, *NETWORK_DERIVATIONS]


def derive(
    name: str,
    graph: LayeredGraph,
    base_seed: int,
    seed: int,
    level: int,
    *,
    draw: int = 0,
    network: dict | None = None,
) -> LayeredGraph:
    """The network of derivation `name` made from `graph` (seed `seed`, level `level`, draw)."""
    key = [base_seed, seed, level] + ([] if name == "random_masks" else [zlib.crc32(name.encode())])
    rng = np.random.default_rng(key + ([int(draw)] if draw else []))
    if name in NETWORK_DERIVATIONS:
        if network is None:
            raise ValueError(f"derivation {name!r} needs the network settings (network=...)")
        return NETWORK_DERIVATIONS[name](graph, rng, seed=seed, network=network)
    return DERIVATIONS[name](graph, rng)
