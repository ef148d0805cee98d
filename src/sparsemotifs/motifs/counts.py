"""Exact motif counts of layered graphs (definitions: shared/reference/motifs.md).

Counts are computed for a batch of R graphs with the same layer widths at once (the samplers
produce such batches), vectorised over nodes and edges with one loop over layers. Matrix
products run in float32 on 0/1 data: every entry is an integer not above the layer width
(< 2^24), so it is exact; all combinatorics afterwards are int64. Counts are indexed by the
*position* of a motif = the block of its first edge (block l joins layer l to layer l+1).
"""

from __future__ import annotations

import numpy as np

from sparsemotifs.contracts.names import CONNECTED_PAIRS, MOTIFS, PUBLISHED_CONVENTIONS
from sparsemotifs.motifs.graph import LayeredGraph

__all__ = [
    "CONNECTED_PAIRS",
    "MOTIFS",
    "PUBLISHED_CONVENTIONS",
    "count_batch",
    "count_motifs",
    "totals",
]

# Number of consecutive blocks a motif spans; positions run over 0 .. n_blocks - span.
SPAN = {
    "edges": 1,
    "diverging_2": 1,
    "converging_2": 1,
    "chain_2": 2,
    "diverging_3": 1,
    "converging_3": 1,
    "chain_3": 3,
    "bi_fan": 1,
    "bi_parallel": 2,
    "connected_pairs_2": 2,
    "connected_pairs_3": 3,
    "converging_3_as_published": 1,
}
_EXACT_LIMIT = 2**24  # float32 represents every integer below this exactly


def _choose2(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.int64)
    return x * (x - 1) // 2


def _choose3(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.int64)
    return x * (x - 1) * (x - 2) // 6


def _sum_choose2(x: np.ndarray, inner: int) -> np.ndarray:
    """sum over the last two axes of C(x, 2), for a float32 product with inner dimension `inner`.

    Entries are integers <= inner, so below 2^12 their squares are exact in float32 and the
    float64 sums of them are exact (< 2^53); wider products take the int64 route.
    """
    if inner < 2**12:
        s2 = np.einsum("rij,rij->r", x, x, dtype=np.float64)
        s1 = x.sum(axis=(1, 2), dtype=np.float64)
        return np.rint((s2 - s1) / 2).astype(np.int64)
    if x.size and float(x.max()) >= _EXACT_LIMIT:
        raise OverflowError("matrix product entries exceed 2^24; float32 counting would be inexact")
    return _choose2(np.rint(x)).sum(axis=(1, 2))


def _full_block(w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """(R, n [+1], m) float32: the block with the bias node appended as the last row."""
    a = w.astype(np.float32)
    if b is not None:
        a = np.concatenate([a, b[:, None, :].astype(np.float32)], axis=1)
    return a


def count_batch(
    blocks: list[np.ndarray], bias: list[np.ndarray | None], connected_pairs: bool = False
) -> dict[str, np.ndarray]:
    """Counts for R graphs: blocks[l] (R, n_l, n_{l+1}) bool, bias[l] (R, n_{l+1}) or None.

    Returns motif -> int64 array (R, n_positions); `connected_pairs` adds the reference study's
    conventions (PUBLISHED_CONVENTIONS).
    """
    n_blocks = len(blocks)
    r = blocks[0].shape[0] if n_blocks else 1
    full = [_full_block(w, b) for w, b in zip(blocks, bias, strict=True)]
    main = [a[:, : w.shape[1]] for a, w in zip(full, blocks, strict=True)]  # views, no bias row
    out_deg = [a.sum(axis=2).astype(np.int64) for a in full]  # (R, n_l [+1])
    in_deg = [a.sum(axis=1).astype(np.int64) for a in full]  # (R, n_{l+1}), bias included
    main_out = [w.sum(axis=2).astype(np.int64) for w in main]  # (R, n_l), no bias row

    res: dict[str, list[np.ndarray]] = {
        k: [] for k in MOTIFS + (PUBLISHED_CONVENTIONS if connected_pairs else ())
    }
    for li in range(n_blocks):
        a = full[li]
        res["edges"].append(out_deg[li].sum(axis=1))
        res["diverging_2"].append(_choose2(out_deg[li]).sum(axis=1))
        res["diverging_3"].append(_choose3(out_deg[li]).sum(axis=1))
        res["converging_2"].append(_choose2(in_deg[li]).sum(axis=1))
        res["converging_3"].append(_choose3(in_deg[li]).sum(axis=1))
        if connected_pairs:
            wide = in_deg[li] >= 3
            res["converging_3_as_published"].append(
                np.where(wide, _choose2(in_deg[li]), 0).sum(axis=1)
            )
        # bi_fan: sum over unordered source pairs of C(common targets, 2); use the smaller Gram.
        if a.shape[1] <= a.shape[2]:
            gram, diag, inner = a @ a.transpose(0, 2, 1), out_deg[li], a.shape[2]
        else:
            gram, diag, inner = a.transpose(0, 2, 1) @ a, in_deg[li], a.shape[1]
        res["bi_fan"].append((_sum_choose2(gram, inner) - _choose2(diag).sum(axis=1)) // 2)
        if li + 1 < n_blocks:
            res["chain_2"].append((in_deg[li] * main_out[li + 1]).sum(axis=1))
            paths = a @ main[li + 1]  # (R, n_l [+1], n_{l+2}) 2-path counts, exact in float32
            res["bi_parallel"].append(_sum_choose2(paths, a.shape[2]))
            if connected_pairs:
                res["connected_pairs_2"].append(np.count_nonzero(paths, axis=(1, 2)))
                if li + 2 < n_blocks:
                    reach = (paths > 0).astype(np.float32) @ main[li + 2]
                    res["connected_pairs_3"].append(np.count_nonzero(reach, axis=(1, 2)))
        if li + 2 < n_blocks:
            # in_l . M_{l+1} . out_{l+2}, with vectors only; float32 is exact while the entries
            # of M_{l+1} . out_{l+2} (at most n_{l+2} * n_{l+3}) stay below 2^24
            nxt = main[li + 1]
            if nxt.shape[2] * blocks[li + 2].shape[2] < _EXACT_LIMIT:
                v = (nxt @ main_out[li + 2].astype(np.float32)[:, :, None])[:, :, 0]
            else:
                v = np.einsum(
                    "rij,rj->ri", nxt.astype(np.float64), main_out[li + 2].astype(np.float64)
                )
            chain3 = np.einsum("ri,ri->r", in_deg[li].astype(np.float64), v.astype(np.float64))
            if chain3.size and chain3.max() >= 2.0**53:
                raise OverflowError("chain_3 count exceeds 2^53")
            res["chain_3"].append(np.rint(chain3).astype(np.int64))
    return {
        k: np.stack(v, axis=1) if v else np.zeros((r, 0), dtype=np.int64) for k, v in res.items()
    }


def count_motifs(graph: LayeredGraph, connected_pairs: bool = False) -> dict[str, np.ndarray]:
    """Per-position counts (int64 vectors) of one graph; totals are their sums.

    The complete 2-2-1 network: 4 + 2 edges, 2 x 2 x 1 two-step chains, one bi-fan (the
    complete 2x2 block) and one bi-parallel per input node.

    >>> import numpy as np
    >>> g = LayeredGraph.from_masks([np.ones((2, 2)), np.ones((2, 1))])
    >>> c = count_motifs(g)
    >>> c["edges"].tolist(), c["chain_2"].tolist(), c["bi_fan"].tolist(), c["bi_parallel"].tolist()
    ([4, 2], [4], [1, 0], [2])
    >>> totals(c)["converging_2"]
    3
    """
    blocks = [w[None] for w in graph.blocks]
    bias = [None if b is None else b[None] for b in graph.bias]
    return {k: v[0] for k, v in count_batch(blocks, bias, connected_pairs).items()}


def totals(per_position: dict[str, np.ndarray]) -> dict[str, int]:
    """Whole-network count of each motif (the sum over its positions)."""
    return {k: int(v.sum()) for k, v in per_position.items()}
