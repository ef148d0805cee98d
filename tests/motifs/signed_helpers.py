"""Independent references for signed motifs: random coloured graphs and brute-force counts."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np

from sparsemotifs.motifs.signed import ColouredGraph
from tests.motifs.helpers import PATTERN_MOTIF


def random_coloured(rng, n_classes=2, max_layers=4, max_width=4, bias=True) -> ColouredGraph:
    """Random widths (0 allowed), densities and classes, optional bias nodes."""
    n_layers = int(rng.integers(2, max_layers + 1))
    widths = [int(x) for x in rng.integers(0, max_width + 1, n_layers)]
    blocks, biases = [], []
    for li in range(n_layers - 1):
        shape = (widths[li], widths[li + 1])
        present = rng.random(shape) < rng.random()
        blocks.append(np.where(present, rng.integers(1, n_classes + 1, shape), 0).astype(np.int8))
        if bias and rng.random() < 0.7:
            m = widths[li + 1]
            on = rng.random(m) < rng.random()
            biases.append(np.where(on, rng.integers(1, n_classes + 1, m), 0).astype(np.int8))
        else:
            biases.append(None)
    labels = ("neg", "pos") if n_classes == 2 else tuple(f"c{i}" for i in range(n_classes))
    return ColouredGraph(tuple(blocks), tuple(biases), labels)


def coloured_edges(graph: ColouredGraph):
    """Node list and edge -> class dict; bias nodes as (layer, 'b', 0)."""
    nodes, edges = [], {}
    widths = [w.shape[0] for w in graph.blocks] + [graph.blocks[-1].shape[1]]
    for li, n in enumerate(widths):
        nodes += [(li, "r", i) for i in range(n)]
    for li, (w, b) in enumerate(zip(graph.blocks, graph.bias, strict=True)):
        for i, j in zip(*np.nonzero(w), strict=True):
            edges[(li, "r", int(i)), (li + 1, "r", int(j))] = int(w[i, j]) - 1
        if b is not None:
            nodes.append((li, "b", 0))
            for j in np.nonzero(b)[0]:
                edges[(li, "b", 0), (li + 1, "r", int(j))] = int(b[j]) - 1
    return nodes, edges


def brute_force_coloured(graph: ColouredGraph) -> dict[str, Counter]:
    """motif -> Counter((position, composition) -> count) over all 2-, 3- and 4-node subsets."""
    nodes, edges = coloured_edges(graph)
    out = {m: Counter() for m in PATTERN_MOTIF.values()}
    for size in (2, 3, 4):
        for subset in itertools.combinations(nodes, size):
            base = min(n[0] for n in subset)
            motif = PATTERN_MOTIF.get(tuple(sorted(n[0] - base for n in subset)))
            if motif is None:
                continue
            pairs = [(u, v) for u in subset for v in subset if v[0] == u[0] + 1]
            if all(p in edges for p in pairs):
                classes = [edges[p] for p in pairs]
                comp = tuple(classes.count(c) for c in range(graph.n_classes))
                out[motif][base, comp] += 1
    return out
