"""The layer- and class-preserving degree null of coloured graphs and z-scores against it.

Null ``degree_signed``: every block (its bias node one more row, as in the unsigned degree null)
is randomised keeping every node's in- and out-degree *per edge class*. Moves are edge switches
between two edges of the same class: a->j1, b->j2 of class c become a->j2, b->j1 of class c if
both new cells are empty (no double edges across classes), and if both hold an edge of one
other class d, the two class-d edges switch the other way at the same time (a double switch:
the contents of cells (a, j1), (a, j2) and of (b, j1), (b, j2) trade places); otherwise the
move is rejected. Double switches connect states that plain ones cannot (e.g. 24 instead of 8
states of a 3 x 4 test block).
As in `samplers.sample_degree`, R chains run in parallel (chunks of 32); a round of class c
pairs the rows that have class-c edges at random (independently per chain) and attempts one
switch per pair. The pairs of
a round are disjoint, each switch is a symmetric proposal, so the uniform law on the coloured
masks with these margins is stationary; class c gets ceil(switches_per_edge * e_c / pairs_c)
rounds, the rounds of the classes interleaved evenly. Even with double switches the moves need
not connect every pair of such masks (the classes constrain each other through the shared
cells; some dense 3 x 3 blocks are frozen); the tests measure uniformity over the set reachable
from a start and compare it with the full set.

Under this null, edges, diverging, converging and chain_2 counts of every composition are fixed
(they are functions of the per-class degrees): their z is NaN, as for the unsigned degree null.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sparsemotifs.motifs.counts import MOTIFS
from sparsemotifs.motifs.samplers import DEFAULT_SWITCHES_PER_EDGE
from sparsemotifs.motifs.signed import (
    ColouredGraph,
    balanced_counts,
    coloured_keys,
    count_coloured,
    count_coloured_batch,
)
from sparsemotifs.motifs.stats import FIXED_BY_NULL, empirical_p, significance_profile, summary_row

SIGNED_NULLS = ("degree_signed",)
FIXED_BY_SIGNED_NULL = {"degree_signed": FIXED_BY_NULL["degree"]}
CHUNK = 32  # chains per batch: keeps the random access in cache, as for the degree null

Batch = tuple[list[np.ndarray], list[np.ndarray | None]]


def switch_coloured_block(
    full: np.ndarray, n_classes: int, switches_per_edge: float, rng: np.random.Generator
) -> np.ndarray:
    """Class-preserving randomisation of R copies of one coloured block (R, rows, m), in place.

    Edge lists of all classes share one array (per chain: class 0's edges by row, then class
    1's, ...); `slot` maps every occupied cell to its entry there, so that a double switch can
    move the other class's two edges too.
    """
    r, n_rows, m = full.shape
    flat = full.reshape(-1)  # a view: writes go to `full`
    classes, lists, offset = [], [], 0
    slot = np.zeros(flat.size, dtype=np.int64)  # occupied cell -> its entry in edge_col
    counts = [int((full[0] == c + 1).sum()) for c in range(n_classes)]
    n_all = sum(counts)
    for c in range(n_classes):
        code, e_c = c + 1, counts[c]
        deg = (full[0] == code).sum(axis=1)
        rows_g, cols = np.nonzero((full == code).reshape(r * n_rows, m))
        chain = rows_g // n_rows
        slot[rows_g * m + cols] = chain * n_all + offset + (np.arange(rows_g.size) - chain * e_c)
        lists.append(cols.reshape(r, e_c))
        active = np.nonzero(deg > 0)[0]
        if active.size >= 2:
            classes.append(
                {
                    "code": code,
                    "deg": deg,
                    "active": active,
                    "n_pairs": active.size // 2,
                    "start": offset + np.concatenate([[0], np.cumsum(deg)])[:-1],
                    "rounds": math.ceil(switches_per_edge * e_c / (active.size // 2)),
                }
            )
        offset += e_c
    if not classes:
        return full
    edge_col = np.concatenate(lists, axis=1).reshape(-1).astype(np.int64)  # entry -> column
    # interleave the classes' rounds evenly: round i of class c at time (i + 1/2) / rounds_c
    times = [
        ((i + 0.5) / s["rounds"], k) for k, s in enumerate(classes) for i in range(s["rounds"])
    ]
    chain_cells = (np.arange(r) * n_rows * m)[:, None]
    chain_edges = (np.arange(r) * n_all)[:, None]
    for _, k in sorted(times):
        s = classes[k]
        deg, code, n_pairs = s["deg"], s["code"], s["n_pairs"]
        # an independent random pairing per chain (a shared one would make chains whose
        # rows hold a single class-c edge move in lockstep)
        perm = rng.permuted(np.broadcast_to(s["active"], (r, s["active"].size)), axis=1)
        a, b = perm[:, 0 : 2 * n_pairs : 2], perm[:, 1 : 2 * n_pairs : 2]
        pick = rng.random((2, r, n_pairs), dtype=np.float32)
        u = (
            chain_edges
            + s["start"][a]
            + np.minimum((pick[0] * deg[a]).astype(np.int64), deg[a] - 1)
        )
        v = (
            chain_edges
            + s["start"][b]
            + np.minimum((pick[1] * deg[b]).astype(np.int64), deg[b] - 1)
        )
        j1, j2 = edge_col[u], edge_col[v]
        a1, a2, b1, b2 = (
            chain_cells + a * m + j1,
            chain_cells + a * m + j2,
            chain_cells + b * m + j1,
            chain_cells + b * m + j2,
        )
        x_a, x_b = flat[a2], flat[b1]
        # plain switch: both new cells empty; double switch: both hold one other class d, whose
        # two edges switch the other way at the same time
        ok = (j1 != j2) & (x_a == x_b) & (x_a != code)
        double = ok & (x_a != 0)
        if double.any():  # the class-d edges move from (a, j2), (b, j1) to (a, j1), (b, j2)
            da, db = slot[a2[double]], slot[b1[double]]
            edge_col[da], edge_col[db] = j1[double], j2[double]
            slot[a1[double]], slot[b2[double]] = da, db
        # swap the two cells of row a and of row b where accepted (rows of a round are disjoint)
        flat[a1] = np.where(ok, x_a, code)
        flat[b2] = np.where(ok, x_b, code)
        flat[a2] = np.where(ok, code, x_a)
        flat[b1] = np.where(ok, code, x_b)
        slot[a2] = np.where(ok, u, slot[a2])  # slots of empty cells are never read
        slot[b1] = np.where(ok, v, slot[b1])
        edge_col[u] = np.where(ok, j2, j1)
        edge_col[v] = np.where(ok, j1, j2)
    return full


def sample_degree_signed(
    graph: ColouredGraph,
    r: int,
    rng: np.random.Generator,
    switches_per_edge: float = DEFAULT_SWITCHES_PER_EDGE,
) -> Batch:
    """R draws of the class-preserving degree null (int8 codes; bias node = last block row)."""
    blocks, bias = [], []
    for w, b in zip(graph.blocks, graph.bias, strict=True):
        full = w if b is None else np.vstack([w, b[None]])
        batch = np.broadcast_to(full, (r,) + full.shape).copy()
        switch_coloured_block(batch, graph.n_classes, switches_per_edge, rng)
        n = w.shape[0]
        blocks.append(batch[:, :n])
        bias.append(None if b is None else batch[:, n])
    return blocks, bias


@dataclass
class SignedNullResult:
    """Rows (count/null_mean/null_sd/z/p) per key: 'motif|class=k', 'motif|balanced' (sign
    scheme) and the plain motifs; the SP covers the 'motif|class=k' keys only."""

    null: str
    total: dict[str, dict]
    per_layer: dict[str, list[dict]]
    sp: dict[str, float]  # significance profile over the coloured keys with finite z
    samples: int


def _flat(counts: dict, labels: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Coloured keys and the plain motifs (sum over compositions), arrays (..., positions)."""
    out = {key: counts[m][comp] for m, comp, key in coloured_keys(labels)}
    out.update(balanced_counts(counts, labels))
    for m in MOTIFS:
        out[m] = sum(counts[m].values())
    return out


def sample_signed_counts(
    graph: ColouredGraph,
    samples: int,
    rng: np.random.Generator,
    switches_per_edge: float = DEFAULT_SWITCHES_PER_EDGE,
) -> dict[str, np.ndarray]:
    """Keyed counts (samples, positions) of `samples` draws of the degree_signed null."""
    parts = []
    for start in range(0, samples, CHUNK):
        blocks, bias = sample_degree_signed(
            graph, min(CHUNK, samples - start), rng, switches_per_edge
        )
        parts.append(_flat(count_coloured_batch(blocks, bias, graph.n_classes), graph.labels))
    return {k: np.concatenate([p[k] for p in parts], axis=0) for k in parts[0]}


def analyse_signed(
    graph: ColouredGraph,
    null: str = "degree_signed",
    *,
    samples: int = 1000,
    rng: np.random.Generator | None = None,
    switches_per_edge: float = DEFAULT_SWITCHES_PER_EDGE,
) -> SignedNullResult:
    """z, empirical p and SP of every coloured motif (and plain motif) of a live coloured graph."""
    if null not in SIGNED_NULLS:
        raise ValueError(f"unknown signed null {null!r}; choose from {', '.join(SIGNED_NULLS)}")
    if samples < 2:
        raise ValueError(f"a sampled null needs at least 2 samples, got {samples}")
    rng = rng if rng is not None else np.random.default_rng()
    observed = _flat(count_coloured(graph), graph.labels)
    sampled = sample_signed_counts(graph, samples, rng, switches_per_edge)
    fixed = FIXED_BY_SIGNED_NULL[null]
    total, per_layer = {}, {}
    for key, obs in observed.items():
        is_fixed = key.split("|")[0] in fixed
        sim = sampled[key].astype(np.float64)
        tot = sim.sum(axis=1)
        total[key] = summary_row(
            obs.sum(), tot.mean(), tot.std(ddof=1), is_fixed, empirical_p(obs.sum(), tot)
        )
        per_layer[key] = [
            summary_row(
                obs[p],
                sim[:, p].mean(),
                sim[:, p].std(ddof=1),
                is_fixed,
                empirical_p(obs[p], sim[:, p]),
            )
            for p in range(obs.size)
        ]
    sp = significance_profile({key: total[key]["z"] for _, _, key in coloured_keys(graph.labels)})
    return SignedNullResult(null, total, per_layer, sp, samples)
