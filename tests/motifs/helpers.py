"""Independent references for the motif tests: random small graphs and brute-force enumeration."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np

from sparsemotifs.motifs.graph import LayeredGraph

# Layer pattern (offsets of the subset's nodes, sorted) -> motif whose complete version it is.
PATTERN_MOTIF = {
    (0, 1): "edges",
    (0, 1, 1): "diverging_2",
    (0, 0, 1): "converging_2",
    (0, 1, 2): "chain_2",
    (0, 1, 1, 1): "diverging_3",
    (0, 0, 0, 1): "converging_3",
    (0, 1, 2, 3): "chain_3",
    (0, 0, 1, 1): "bi_fan",
    (0, 1, 1, 2): "bi_parallel",
}


def random_graph(rng: np.random.Generator, max_layers: int = 4, max_width: int = 4, bias=True):
    """Random widths (0 allowed), random densities, optional bias nodes."""
    n_layers = int(rng.integers(2, max_layers + 1))
    widths = [int(x) for x in rng.integers(0, max_width + 1, n_layers)]
    masks, biases = [], []
    for li in range(n_layers - 1):
        density = rng.random()
        masks.append(rng.random((widths[li], widths[li + 1])) < density)
        biases.append(
            rng.random(widths[li + 1]) < rng.random() if bias and rng.random() < 0.7 else None
        )
    return LayeredGraph.from_masks(masks, biases)


def nodes_and_edges(graph: LayeredGraph):
    """Explicit node list (layer, kind, index) and edge set, bias nodes as ('b', layer)."""
    nodes = []
    for li, n in enumerate(graph.widths):
        nodes += [(li, "r", i) for i in range(n)]
    edges = set()
    for li, (w, b) in enumerate(zip(graph.blocks, graph.bias, strict=True)):
        for i, j in zip(*np.nonzero(w), strict=True):
            edges.add(((li, "r", int(i)), (li + 1, "r", int(j))))
        if b is not None:
            nodes.append((li, "b", 0))
            for j in np.nonzero(b)[0]:
                edges.add(((li, "b", 0), (li + 1, "r", int(j))))
    return nodes, edges


def brute_force_counts(graph: LayeredGraph) -> dict[str, Counter]:
    """motif -> Counter(position -> count) from all 2-, 3- and 4-node subsets.

    A subset is a copy of a motif iff its layer pattern is that motif's and every pair of its
    nodes in adjacent layers is joined by an edge (the motifs are complete for their pattern).
    """
    nodes, edges = nodes_and_edges(graph)
    out = {m: Counter() for m in PATTERN_MOTIF.values()}
    for size in (2, 3, 4):
        for subset in itertools.combinations(nodes, size):
            base = min(n[0] for n in subset)
            pattern = tuple(sorted(n[0] - base for n in subset))
            motif = PATTERN_MOTIF.get(pattern)
            if motif is None:
                continue
            complete = all((u, v) in edges for u in subset for v in subset if v[0] == u[0] + 1)
            if complete:
                out[motif][base] += 1
    return out


def connected_pairs_brute(graph: LayeredGraph, hops: int) -> Counter:
    """Pairs (a, d) with a path of `hops` edges, middle nodes regular, by layer of a."""
    nodes, edges = nodes_and_edges(graph)
    succ = {}
    for u, v in edges:
        succ.setdefault(u, set()).add(v)
    out = Counter()
    for a in nodes:
        frontier = {a}
        for _ in range(hops):
            frontier = set().union(*(succ.get(x, set()) for x in frontier)) if frontier else set()
        out[a[0]] += len(frontier)
    return out
