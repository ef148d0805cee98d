"""The reference study's own random-network generator, as the `reference` null.

Reproduces shared/reference/reference_null.md step by step, defects included, so the published
z-scores can be recomputed with the published method. It is NOT a uniform null and never a
default: a block whose edge count does not exceed its live nodes stays empty (blocks before the
last two), and every node is forced to get an edge.

Input is the live graph (dead nodes removed, bias nodes kept). For block l with n rows, m
columns and W weight edges, N = W - (n + m):

- N > 0: N uniform cells, then one uniform empty cell per row, then one per column (a full row
  or column counts an "extra"), then one uniform empty cell per extra: exactly W edges.
- N <= 0, a block before the last two: all zero (defect).
- N <= 0, the second-to-last block (400 -> 16 in the paper): min(|N|, W - n) uniform cells, one
  uniform empty cell per row, then W - (|N| + n) further empty cells if positive.
- N <= 0, the last block: identity plus appended columns (rows) with one uniform 1 each, then
  further uniform empty cells up to W, then the rows are shuffled.
- bias rows: B_l of the m bias positions, uniform.

The study's networks had 5 blocks; for other depths the last two blocks take the rules of its
blocks 3 and 4 and all earlier ones those of blocks 0-2. The output layer keeps all its nodes
(`output_width`), as in the reference. Row and column steps are vectorised: a row's step only
touches that row (a column's only that column), so doing them "in turn" or at once is the same
law; "one uniform empty cell per extra, in turn" is a uniform subset of the empty cells.
"""

from __future__ import annotations

import numpy as np

from sparsemotifs.motifs.graph import LayeredGraph

Batch = tuple[list[np.ndarray], list[np.ndarray | None]]


def _uniform_cells(occupied: np.ndarray, k: np.ndarray, rng: np.random.Generator) -> None:
    """Per sample r of (R, cells) bool: set k[r] uniformly chosen empty cells, in place.

    The k smallest of i.i.d. uniform keys over the empty cells are a uniform k-subset.
    """
    r, n_cells = occupied.shape
    k = np.minimum(k, n_cells - occupied.sum(axis=1))
    k_max = int(k.max()) if r else 0
    if n_cells == 0 or k_max <= 0:
        return
    keys = rng.random((r, n_cells))
    keys[occupied] = 2.0  # occupied cells rank last
    idx = np.argpartition(keys, k_max - 1, axis=1)[:, :k_max]
    idx = np.take_along_axis(idx, np.argsort(np.take_along_axis(keys, idx, 1), axis=1), 1)
    take = np.arange(k_max)[None, :] < k[:, None]
    rows = np.broadcast_to(np.arange(r)[:, None], idx.shape)
    occupied[rows[take], idx[take]] = True


def _one_per_line(block: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Set one uniform empty cell in every row of (R, n, m) bool, in place; (R,) rows that were full."""
    r, n, m = block.shape
    if n == 0:
        return np.zeros(r, dtype=np.int64)
    if m == 0:
        return np.full(r, n, dtype=np.int64)
    keys = rng.random((r, n, m))
    keys[block] = -1.0  # occupied cells are never chosen
    pick = keys.argmax(axis=2)  # uniform among a row's empty cells
    full = block.all(axis=2)
    ri, ni = np.nonzero(~full)
    block[ri, ni, pick[ri, ni]] = True
    return full.sum(axis=1).astype(np.int64)


def _dense_rule(n: int, m: int, w: int, r: int, rng: np.random.Generator) -> np.ndarray:
    """Step 1 (N > 0): N uniform cells, one per row, one per column, then the extras."""
    block = np.zeros((r, n * m), dtype=bool)
    _uniform_cells(block, np.full(r, w - (n + m)), rng)
    block = block.reshape(r, n, m)
    extra = _one_per_line(block, rng)
    extra += _one_per_line(block.transpose(0, 2, 1), rng)  # a view: writes reach `block`
    flat = block.reshape(r, n * m)
    _uniform_cells(flat, extra, rng)
    return flat.reshape(r, n, m)


def _second_to_last_rule(n: int, m: int, w: int, r: int, rng: np.random.Generator) -> np.ndarray:
    """Step 3 (N <= 0 in the 400 -> 16 block): a cells, one per row, then up to W."""
    a = (n + m) - w
    block = np.zeros((r, n * m), dtype=bool)
    _uniform_cells(block, np.full(r, max(0, a if a <= w - n else w - n)), rng)
    block = block.reshape(r, n, m)
    _one_per_line(block, rng)
    flat = block.reshape(r, n * m)
    if a + n < w:
        _uniform_cells(flat, np.full(r, w - (a + n)), rng)
    return flat.reshape(r, n, m)


def _last_rule(n: int, m: int, w: int, r: int, rng: np.random.Generator) -> np.ndarray:
    """Step 4 (N <= 0 in the last block): identity, appended lines, top-up, row shuffle."""
    block = np.zeros((r, n, m), dtype=bool)
    small = min(n, m)
    block[:, np.arange(small), np.arange(small)] = True
    ar = np.arange(r)
    if n < m:
        for j in range(n, m):  # appended columns: one 1 in a uniformly chosen row
            block[ar, rng.integers(0, n, r), j] = True
        base = m
    else:
        for i in range(m, n):  # appended rows: one 1 in a uniformly chosen column
            block[ar, i, rng.integers(0, m, r)] = True
        base = n
    flat = block.reshape(r, n * m)
    if w > base:
        _uniform_cells(flat, np.full(r, w - base), rng)
    block = flat.reshape(r, n, m)
    perm = np.argsort(rng.random((r, n)), axis=1)
    return np.take_along_axis(block, perm[:, :, None], axis=1)


def reference_block(
    n: int, m: int, w: int, kind: str, r: int, rng: np.random.Generator
) -> np.ndarray:
    """(R, n, m) bool random blocks by the reference rule of a block of `kind`.

    kind: "early" (blocks before the last two), "second_to_last" or "last".
    """
    if n == 0 or m == 0:
        return np.zeros((r, n, m), dtype=bool)
    if w - (n + m) > 0:
        return _dense_rule(n, m, w, r, rng)
    if kind == "early":
        return np.zeros((r, n, m), dtype=bool)  # the defect: a sparse block stays empty
    if kind == "second_to_last":
        return _second_to_last_rule(n, m, w, r, rng)
    if kind == "last":
        return _last_rule(n, m, w, r, rng)
    raise ValueError(f"unknown block kind {kind!r}")


def block_kinds(n_blocks: int) -> list[str]:
    """Which reference rule each block follows (5 blocks: early x3, second_to_last, last)."""
    kinds = ["early"] * n_blocks
    if n_blocks >= 1:
        kinds[-1] = "last"
    if n_blocks >= 2:
        kinds[-2] = "second_to_last"
    return kinds


def sample_reference(
    graph: LayeredGraph, r: int, rng: np.random.Generator, output_width: int | None = None
) -> Batch:
    """R random networks of the reference generator for a live graph (see module doc).

    `output_width` (>= the live graph's output width) restores the output nodes the reference
    kept although dead; None keeps the live width.
    """
    blocks: list[np.ndarray] = []
    bias: list[np.ndarray | None] = []
    kinds = block_kinds(graph.n_blocks)
    for li, (w, b) in enumerate(zip(graph.blocks, graph.bias, strict=True)):
        n, m = w.shape
        if li == graph.n_blocks - 1 and output_width is not None:
            if output_width < m:
                raise ValueError(f"output_width {output_width} < live output width {m}")
            m = output_width
        blocks.append(reference_block(n, m, int(w.sum()), kinds[li], r, rng))
        if b is None:
            bias.append(None)
        else:
            row = np.zeros((r, m), dtype=bool)
            _uniform_cells(row, np.full(r, int(b.sum())), rng)
            bias.append(row)
    return blocks, bias
