"""Control networks that share size and degrees with an analysed network (issue 12, item 2).

Each function takes one network (a `LayeredGraph` of masks, bias edges included) and a random
generator, and returns control networks to be analysed exactly like the real ones:

- `degree_null_samples`: k draws from the layer-wise degree-preserving null of the live graph
  ("samples of the null"): same live nodes, every node's in- and out-degree kept. Their
  similarity is what degrees alone give, so it is the reference of the convergence verdict.
- `min1_null_samples`: k draws from `fixed_count_min1` on the live graph: same live nodes and
  per-block edge counts, every live node keeps an edge, degrees otherwise uniform.
- `random_masks_live`: uniform random masks with the network's *live* per-block edge counts,
  drawn on its live nodes (or, optionally, over the full widths until the live counts match);
  the old random_pruned control matched counts before dead-node removal and so lost ~11 % of
  its live edges and often an output.
- `magnitude_at_init`: masks kept by magnitude from a fresh i.i.d. initialisation with the
  network's per-block kept counts. For i.i.d. weights within a block the top-k by magnitude is
  a uniformly random k-subset, so layer-wise magnitude pruning at initialisation *equals random
  masks in distribution* (biases start at 0 in the usual init, so bias edges are kept at random
  with the network's bias counts); only a global (cross-layer) threshold differs, through the
  per-layer counts it implies, and that is what `scope="global"` gives.
"""

from __future__ import annotations

import numpy as np

from sparsemotifs.motifs.graph import LayeredGraph, strip_dead
from sparsemotifs.motifs.samplers import (
    DEFAULT_MIN1_MOVES_PER_EDGE,
    DEFAULT_SWITCHES_PER_EDGE,
    sample_degree,
    sample_fixed_count_min1,
)


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
    on: str = "live_graph",
    bias_only_live: bool = True,
    max_tries: int = 200,
) -> tuple[LayeredGraph, dict]:
    """Uniform random masks with the network's *live* per-block edge counts.

    on "live_graph" (default): over the live nodes of the network (after `strip_dead`), each
    block a uniform subset of its live count, bias edges likewise. Some nodes of the draw may
    die in turn (they are stripped when it is analysed, as for any network); conditioning on
    none dying gives exactly the fixed_count_min1 null (`min1_null_samples`).
    on "full_widths": over all nodes, the count drawn per block raised by the previous draw's
    deficit until the live counts match exactly (at most `max_tries` draws, else the closest).
    Only sensible when the network keeps nearly every node live: a network with many dead nodes
    (e.g. the reference network at 85 %: 177 of 400 live) cannot be matched by uniform masks,
    which keep almost all nodes live.
    Returns (masks, info): target and achieved live counts, draws, and whether they match.
    """
    live, report = strip_dead(graph, bias_only_live)
    target = np.array(report.edges_live)
    if on == "live_graph":
        cand = randomize_masks(live, rng)
        achieved = np.array(strip_dead(cand, bias_only_live)[1].edges_live)
        info = {"edges_live_target": target.tolist(), "edges_live": achieved.tolist(),
                "draws": 1, "exact": bool((achieved == target).all())}  # fmt: skip
        return cand, info
    if on != "full_widths":
        raise ValueError(f"on must be 'live_graph' or 'full_widths', got {on!r}")
    drawn = target.copy()
    best, best_dev, best_live = None, None, None
    draws = 0
    while draws < max_tries:
        draws += 1
        cand = _with_counts(graph, list(drawn), rng)
        achieved = np.array(strip_dead(cand, bias_only_live)[1].edges_live)
        dev = int(np.abs(achieved - target).sum())
        if best_dev is None or dev < best_dev:
            best, best_dev, best_live = cand, dev, achieved
        if dev == 0:
            break
        sizes = np.array([w.size for w in graph.blocks])
        drawn = np.clip(drawn + (target - achieved), 0, sizes)
    info = {"edges_live_target": target.tolist(), "edges_live": best_live.tolist(),
            "draws": draws, "exact": best_dev == 0}  # fmt: skip
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
    if kind == "random_live":  # on the live graph (see random_masks_live)
        return [random_masks_live(graph, rng)[0] for _ in range(k)]
    return [magnitude_at_init(graph, rng) for _ in range(k)]
