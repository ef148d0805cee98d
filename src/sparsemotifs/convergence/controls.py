"""Control networks that share size and degrees with an analysed network (issue 12, item 2).

Each function takes one network (a `LayeredGraph` of masks, bias edges included) and a random
generator, and returns control networks to be analysed exactly like the real ones:

- `degree_null_samples`: k draws from the layer-wise degree-preserving null of the live graph
  ("samples of the null"): same live nodes, every node's in- and out-degree kept. Their
  similarity is what degrees alone give, so it is the reference of the convergence verdict.
- `min1_null_samples`: k draws from `fixed_count_min1` on the live graph: same live nodes and
  per-block edge counts, every live node keeps an edge, degrees otherwise uniform.
- `random_masks_live`: uniform random masks over the full layer widths whose *live* per-block
  edge counts (after `strip_dead`) equal the network's live counts; the old random_pruned
  control matched counts before dead-node removal and so lost ~11 % of its live edges.
- `magnitude_at_init`: masks kept by magnitude from a fresh i.i.d. initialisation with the
  network's per-block kept counts. For i.i.d. weights within a block the top-k by magnitude is
  a uniformly random k-subset, so layer-wise magnitude pruning at initialisation *equals random
  masks in distribution* (biases start at 0 in the usual init, so bias edges are kept at random
  with the network's bias counts); only a global (cross-layer) threshold differs, through the
  per-layer counts it implies, and that is what `scope="global"` gives.
"""

from __future__ import annotations

import numpy as np

from sparsemotifs.motifs.graph import LayeredGraph, randomize_masks, strip_dead
from sparsemotifs.motifs.samplers import (
    DEFAULT_MIN1_MOVES_PER_EDGE,
    DEFAULT_SWITCHES_PER_EDGE,
    sample_degree,
    sample_fixed_count_min1,
)


def _unbatch(blocks, bias, k: int) -> list[LayeredGraph]:
    return [
        LayeredGraph(
            tuple(w[i].copy() for w in blocks),
            tuple(None if b is None else b[i].copy() for b in bias),
        )
        for i in range(k)
    ]


def degree_null_samples(
    graph: LayeredGraph,
    k: int,
    rng: np.random.Generator,
    *,
    switches_per_edge: float = DEFAULT_SWITCHES_PER_EDGE,
    bias_only_live: bool = True,
) -> list[LayeredGraph]:
    """k degree-preserving randomisations of the live graph (each chain starts at it)."""
    live, _ = strip_dead(graph, bias_only_live)
    return _unbatch(*sample_degree(live, k, rng, switches_per_edge), k)


def min1_null_samples(
    graph: LayeredGraph,
    k: int,
    rng: np.random.Generator,
    *,
    moves_per_edge: float = DEFAULT_MIN1_MOVES_PER_EDGE,
    bias_only_live: bool = True,
) -> list[LayeredGraph]:
    """k draws of fixed_count_min1 on the live graph (same live nodes and edge counts)."""
    live, _ = strip_dead(graph, bias_only_live)
    batch = sample_fixed_count_min1(
        live, k, rng, moves_per_edge, bias_counts_as_input=bias_only_live
    )
    return _unbatch(*batch, k)


def _with_counts(graph: LayeredGraph, counts: list[int], rng: np.random.Generator):
    """Uniform masks over graph's widths with `counts` edges per block (bias counts kept)."""
    blocks = []
    for w, e in zip(graph.blocks, counts, strict=True):
        flat = np.zeros(w.size, dtype=bool)
        flat[rng.permutation(w.size)[: int(min(max(e, 0), w.size))]] = True
        blocks.append(flat.reshape(w.shape))
    bias = randomize_masks(graph, rng).bias
    return LayeredGraph(tuple(blocks), bias)


def random_masks_live(
    graph: LayeredGraph,
    rng: np.random.Generator,
    *,
    bias_only_live: bool = True,
    max_tries: int = 2000,
) -> tuple[LayeredGraph, dict]:
    """Uniform random masks whose live per-block edge counts equal the network's live counts.

    Drawn over the full widths; the number of edges drawn per block is raised by the deficit of
    the previous draw until the live counts match exactly (or `max_tries` draws; then the draw
    closest in total absolute deviation). Returns (masks, info) with info = target and achieved
    live counts and the number of draws, so a caller can report any residual mismatch.
    """
    _, report = strip_dead(graph, bias_only_live)
    target = np.array(report.edges_live)
    drawn = target.copy()
    best, best_dev, best_live = None, None, None
    draws = 0
    while draws < max_tries:
        draws += 1
        cand = _with_counts(graph, list(drawn), rng)
        _, rep = strip_dead(cand, bias_only_live)
        live = np.array(rep.edges_live)
        dev = int(np.abs(live - target).sum())
        if best_dev is None or dev < best_dev:
            best, best_dev, best_live = cand, dev, live
        if dev == 0:
            break
        sizes = np.array([w.size for w in graph.blocks])
        drawn = np.clip(drawn + (target - live), 0, sizes)
    info = {
        "edges_live_target": target.tolist(),
        "edges_live": best_live.tolist(),
        "draws": draws,
        "exact": best_dev == 0,
    }
    return best, info


def magnitude_at_init(
    graph: LayeredGraph,
    rng: np.random.Generator,
    *,
    scope: str = "layer",
) -> LayeredGraph:
    """Masks pruned by |w| at a fresh PyTorch-default initialisation, with graph's kept counts.

    Weights of block l are i.i.d. U(-1/sqrt(n_l), 1/sqrt(n_l)) (nn.Linear's default; the
    weight of an edge i->j in layer l+1 has fan-in n_l). scope "layer": each block keeps its
    own count of largest |w| (= uniform random masks in distribution, see module doc); "global":
    one threshold over all blocks keeping the network's total count. Bias edges, initialised at
    0 in this comparison, are kept at random with the network's bias counts.
    """
    if scope not in ("layer", "global"):
        raise ValueError(f"scope must be 'layer' or 'global', got {scope!r}")
    weights = [
        np.abs(rng.uniform(-1.0, 1.0, w.shape)) / np.sqrt(max(w.shape[0], 1)) for w in graph.blocks
    ]
    counts = graph.edge_counts()
    blocks = []
    if scope == "layer":
        for w, e in zip(weights, counts, strict=True):
            keep = np.zeros(w.size, dtype=bool)
            if e:
                keep[np.argpartition(-w.ravel(), e - 1)[:e]] = True
            blocks.append(keep.reshape(w.shape))
    else:
        flat = np.concatenate([w.ravel() for w in weights])
        total = int(sum(counts))
        keep = np.zeros(flat.size, dtype=bool)
        if total:
            keep[np.argpartition(-flat, total - 1)[:total]] = True
        start = 0
        for w in weights:
            blocks.append(keep[start : start + w.size].reshape(w.shape))
            start += w.size
    return LayeredGraph(tuple(blocks), randomize_masks(graph, rng).bias)


CONTROL_KINDS = ("null_samples_degree", "null_samples_min1", "random_live", "magnitude_init")
_KIND_CODE = {k: i for i, k in enumerate(CONTROL_KINDS)}


def control_rng(base_seed: int, seed: int, level: int, kind: str) -> np.random.Generator:
    """Stream of one network's controls of one kind: independent of which others are drawn."""
    return np.random.default_rng([int(base_seed), int(seed), int(level), 1000 + _KIND_CODE[kind]])


def control_networks(graph: LayeredGraph, kind: str, k: int, rng: np.random.Generator):
    """k control networks of one kind for one analysed network (the workflow's entry point).

    null_samples_degree / null_samples_min1: draws of that null on the live graph (live
    widths); random_live: random masks over the full widths with the live per-block counts;
    magnitude_init: layer-wise magnitude pruning of a fresh init (= random masks in law).
    """
    if kind not in _KIND_CODE:
        raise ValueError(f"unknown control {kind!r}; choose from {', '.join(CONTROL_KINDS)}")
    if k < 1:
        raise ValueError(f"the number of controls per network must be >= 1, got {k}")
    if kind == "null_samples_degree":
        return degree_null_samples(graph, k, rng)
    if kind == "null_samples_min1":
        return min1_null_samples(graph, k, rng)
    if kind == "random_live":
        return [random_masks_live(graph, rng)[0] for _ in range(k)]
    return [magnitude_at_init(graph, rng) for _ in range(k)]
