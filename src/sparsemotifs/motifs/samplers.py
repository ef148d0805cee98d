"""Samplers of the three null models; each returns a batch of R graphs as 3-D arrays.

- fixed_count: exact uniform draws (a random e-subset of each block's cells).
- fixed_count_min1: uniform over the same masks with every live node keeping >= 1 in- and
  out-edge. The constraints act block by block, so blocks are sampled independently. Blocks
  where fixed-count draws mostly satisfy them (wide, not too sparse blocks) are drawn exactly
  by rejection; the others by R independent Metropolis chains, each started at the observed
  block: a move takes a uniformly chosen edge to a uniformly chosen cell of the same block
  (bias edges: of the bias row); it is rejected if the cell is occupied or the move empties a
  row or a column. The proposal is symmetric, so the stationary law is uniform on the
  constrained set. Each chain runs `moves_per_edge * e` moves (burn-in; main and bias moves
  alternate in 10 rounds) and yields one sample, so no thinning is needed.
- degree: every node keeps its in- and out-degree (bias edges included; the bias node is one
  more row of its block, so bias and regular edges can trade targets). R chains in parallel
  (batches of 32 keep the random access in cache); a round pairs the block's rows at random
  (one matching shared by the chains of a batch) and attempts one edge switch per pair
  (a->j1, b->j2 becomes a->j2, b->j1 unless that creates a double edge). Pairs are disjoint,
  so the switches of one round commute; each is a symmetric proposal, hence the uniform law
  on the degree-preserving masks is stationary. A block gets ceil(switches_per_edge * e /
  pairs) rounds, i.e. `switches_per_edge` attempts per edge; every chain starts at the
  observed network and yields one sample. A block more than half full is switched through its
  complement (same law; e = its empty cells).
"""

from __future__ import annotations

import math

import numpy as np

from sparsemotifs.motifs.graph import LayeredGraph

Batch = tuple[list[np.ndarray], list[np.ndarray | None]]

DEFAULT_SWITCHES_PER_EDGE = 10
DEFAULT_MIN1_MOVES_PER_EDGE = 10
MIN1_ALTERNATIONS = 10


def _random_subsets(n_cells: int, k: int, r: int, rng: np.random.Generator) -> np.ndarray:
    """(r, n_cells) bool with exactly k True per row, uniform over k-subsets."""
    out = np.zeros((r, n_cells), dtype=bool)
    if k == n_cells:
        out[:] = True
    elif k > 0:
        chunk = max(1, 2**22 // max(n_cells, 1))
        for s in range(0, r, chunk):
            keys = rng.random((min(chunk, r - s), n_cells))
            idx = np.argpartition(keys, k - 1, axis=1)[:, :k]
            np.put_along_axis(out[s : s + keys.shape[0]], idx, True, axis=1)
    return out


def sample_fixed_count(graph: LayeredGraph, r: int, rng: np.random.Generator) -> Batch:
    """R exact draws of the layered fixed-count null (bias edges their own block)."""
    blocks, bias = [], []
    for w, b in zip(graph.blocks, graph.bias, strict=True):
        blocks.append(_random_subsets(w.size, int(w.sum()), r, rng).reshape((r,) + w.shape))
        bias.append(None if b is None else _random_subsets(b.size, int(b.sum()), r, rng))
    return blocks, bias


def _move_chain(
    occupied: np.ndarray,
    row_of: np.ndarray,
    col_of: np.ndarray,
    row_deg: np.ndarray | None,
    col_deg: np.ndarray | None,
    n_moves: int,
    rng: np.random.Generator,
) -> None:
    """In-place Metropolis moves on R chains; occupied (R, N) bool, degrees (R, .) int."""
    r, n_cells = occupied.shape
    n_edges = int(occupied[0].sum())
    if n_edges in (0, n_cells) or n_moves == 0:
        return
    edges = np.nonzero(occupied)[1].reshape(r, n_edges).astype(np.int64)
    ar = np.arange(r)
    for _ in range(n_moves):
        u = rng.integers(0, n_edges, r)
        new = rng.integers(0, n_cells, r)
        old = edges[ar, u]
        ok = ~occupied[ar, new]
        ro, rn, co, cn = row_of[old], row_of[new], col_of[old], col_of[new]
        if row_deg is not None:
            ok &= (row_deg[ar, ro] > 1) | (ro == rn)
        if col_deg is not None:
            ok &= (col_deg[ar, co] > 1) | (co == cn)
        idx = ar[ok]
        o, n = old[ok], new[ok]
        occupied[idx, o] = False
        occupied[idx, n] = True
        edges[idx, u[ok]] = n
        if row_deg is not None:
            row_deg[idx, ro[ok]] -= 1
            row_deg[idx, rn[ok]] += 1
        if col_deg is not None:
            col_deg[idx, co[ok]] -= 1
            col_deg[idx, cn[ok]] += 1


def sample_fixed_count_min1(
    graph: LayeredGraph,
    r: int,
    rng: np.random.Generator,
    moves_per_edge: float = DEFAULT_MIN1_MOVES_PER_EDGE,
    bias_counts_as_input: bool = True,
    method: str = "auto",
) -> Batch:
    """R draws of the fixed-count null with min degree 1 (see module doc).

    Constraints follow the liveness rule: every row of a block (and the bias node) keeps an
    out-edge; every column keeps an in-edge, counting bias edges if `bias_counts_as_input`.
    The observed graph must satisfy them (it does after `strip_dead`). The constraints act per
    block, so blocks are independent. method "auto": exact rejection from the fixed-count
    sampler where at least R of 4R draws pass (typical for wide, not too sparse blocks), the
    move chain elsewhere; "rejection" or "chain" force one (rejection may then fall short).
    """
    blocks, bias = [], []
    for w, b in zip(graph.blocks, graph.bias, strict=True):
        n, m = w.shape
        in_deg = w.sum(axis=0) + (b if (b is not None and bias_counts_as_input) else 0)
        if (w.size and (w.sum(axis=1) == 0).any()) or (in_deg == 0).any():
            raise ValueError("fixed_count_min1 needs a graph without dead nodes (run strip_dead)")
        if method in ("auto", "rejection"):
            drawn = _min1_by_rejection(w, b, r, rng, bias_counts_as_input)
            if drawn is not None:
                blocks.append(drawn[0])
                bias.append(drawn[1])
                continue
            if method == "rejection":
                raise RuntimeError("rejection sampling accepted fewer than R of 4R draws")
        occ = np.broadcast_to(w.reshape(1, -1), (r, w.size)).copy()
        row_deg = np.broadcast_to(w.sum(axis=1), (r, n)).astype(np.int64)
        col_deg = np.broadcast_to(in_deg, (r, m)).astype(np.int64)
        cells = np.arange(w.size)
        rows_main, cols_main = cells // max(m, 1), cells % max(m, 1)
        n_main = math.ceil(moves_per_edge * int(w.sum()))
        occ_b = None if b is None else np.broadcast_to(b, (r, m)).copy()
        n_bias = 0 if b is None else math.ceil(moves_per_edge * int(b.sum()))
        # main and bias moves alternate so the pair mixes jointly when both cover columns
        rounds = MIN1_ALTERNATIONS if (b is not None and bias_counts_as_input) else 1
        for k in range(rounds):
            moves_main = n_main * (k + 1) // rounds - n_main * k // rounds
            _move_chain(occ, rows_main, cols_main, row_deg, col_deg, moves_main, rng)
            if occ_b is not None:
                moves_bias = n_bias * (k + 1) // rounds - n_bias * k // rounds
                col_deg_b = col_deg if bias_counts_as_input else None
                _move_chain(
                    occ_b, np.zeros(m, np.int64), np.arange(m), None, col_deg_b, moves_bias, rng
                )
        blocks.append(occ.reshape(r, n, m))
        bias.append(occ_b)
    return blocks, bias


def _min1_by_rejection(w, b, r, rng, bias_counts_as_input, budget=4):
    """Exact uniform min-degree draws by rejection, or None if fewer than r of budget*r pass."""
    n, m = w.shape
    kept_w, kept_b, n_kept = [], [], 0
    for _ in range(budget):
        cand = _random_subsets(w.size, int(w.sum()), r, rng).reshape(r, n, m)
        cand_b = None if b is None else _random_subsets(m, int(b.sum()), r, rng)
        fed = cand.sum(axis=1)
        if cand_b is not None and bias_counts_as_input:
            fed = fed + cand_b
        ok = cand.any(axis=2).all(axis=1) & (fed > 0).all(axis=1)
        kept_w.append(cand[ok])
        kept_b.append(None if cand_b is None else cand_b[ok])
        n_kept += int(ok.sum())
        if n_kept >= r:
            out_w = np.concatenate(kept_w)[:r]
            out_b = None if b is None else np.concatenate(kept_b)[:r]
            return out_w, out_b
    return None


def _switch_block(
    full: np.ndarray,
    switches_per_edge: float,
    rng: np.random.Generator,
    complement: bool = True,
) -> np.ndarray:
    """Degree-preserving randomisation of R copies of one block (R, rows, m), in place.

    A block more than half full is randomised through its complement: complementing maps the
    masks with the block's degrees one to one onto those with the complement's degrees, and a
    switch of one onto a switch of the other, so the law is the same at a cost proportional to
    the smaller of the edge and the empty-cell counts (a complete block costs nothing).
    `complement=False` switches the edges themselves (the baseline of benchmarks/motifs.py).
    """
    r, n_rows, m = full.shape
    if complement and 2 * int(full[0].sum()) > n_rows * m:
        np.logical_not(full, out=full)
        _switch_block(full, switches_per_edge, rng)
        np.logical_not(full, out=full)
        return full
    deg = full[0].sum(axis=1)
    n_edges = int(deg.sum())
    active = np.nonzero(deg > 0)[0]
    n_pairs = active.size // 2
    if n_pairs == 0 or n_edges == 0:
        return full
    indptr = np.concatenate([[0], np.cumsum(deg)])
    # neighbour lists: same row layout in every chain because degrees never change
    cols = np.nonzero(full.reshape(r * n_rows, m))[1].astype(np.int64)  # flat (R * e,)
    flat = full.reshape(-1)  # a view: writes go to `full`
    n_rounds = math.ceil(switches_per_edge * n_edges / n_pairs)
    chain_cells = (np.arange(r) * n_rows * m)[:, None]
    chain_edges = (np.arange(r) * n_edges)[:, None]
    for _ in range(n_rounds):
        perm = rng.permutation(active)[: 2 * n_pairs]
        a, b = perm[0::2], perm[1::2]
        pick = rng.random((2, r, n_pairs), dtype=np.float32)
        u = chain_edges + indptr[a] + np.minimum((pick[0] * deg[a]).astype(np.int64), deg[a] - 1)
        v = chain_edges + indptr[b] + np.minimum((pick[1] * deg[b]).astype(np.int64), deg[b] - 1)
        j1, j2 = cols[u], cols[v]
        row_a, row_b = chain_cells + a * m, chain_cells + b * m
        a_j2, b_j1 = flat[row_a + j2], flat[row_b + j1]
        ok = (j1 != j2) & ~a_j2 & ~b_j1
        # unconditional writes that leave rejected pairs unchanged (rows of a round are disjoint)
        flat[row_a + j1] = ~ok
        flat[row_b + j2] = ~ok
        flat[row_a + j2] = a_j2 | ok
        flat[row_b + j1] = b_j1 | ok
        cols[u] = np.where(ok, j2, j1)
        cols[v] = np.where(ok, j1, j2)
    return full


def sample_degree(
    graph: LayeredGraph,
    r: int,
    rng: np.random.Generator,
    switches_per_edge: float = DEFAULT_SWITCHES_PER_EDGE,
) -> Batch:
    """R draws of the layer-wise degree-preserving null (bias node = one more row of its block)."""
    blocks, bias = [], []
    for w, b in zip(graph.blocks, graph.bias, strict=True):
        full = w if b is None else np.vstack([w, b[None]])
        batch = np.broadcast_to(full, (r,) + full.shape).copy()
        _switch_block(batch, switches_per_edge, rng)
        n = w.shape[0]
        blocks.append(batch[:, :n])
        bias.append(None if b is None else batch[:, n])
    return blocks, bias
