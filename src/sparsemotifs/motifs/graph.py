"""Layered graphs from pruning masks: loading, validation and removal of dead nodes.

A network with layer widths n_0..n_L is stored as L boolean blocks M_l (n_l x n_{l+1}; row =
source, column = target) plus, optionally, one bias node per layer l < L whose edges into layer
l+1 are the vector bias_l. Bias nodes are kept apart from the blocks because a bias is a
source-only node: it can start a motif but never sit in its middle, and the fixed-count null
treats its edges as a block of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sparsemotifs.contracts.network import validate_arrays
from sparsemotifs.io import load_npz


@dataclass(frozen=True)
class LayeredGraph:
    """Boolean blocks (n_l x n_{l+1}) and per-layer bias edges (n_{l+1},) or None (no bias node)."""

    blocks: tuple[np.ndarray, ...]
    bias: tuple[np.ndarray | None, ...]

    def __post_init__(self) -> None:
        if len(self.blocks) != len(self.bias):
            raise ValueError("one bias entry (array or None) per block is required")
        for li, (w, b) in enumerate(zip(self.blocks, self.bias, strict=True)):
            if w.ndim != 2 or w.dtype != bool:
                raise ValueError(f"block {li} must be a 2-D boolean array")
            if li and self.blocks[li - 1].shape[1] != w.shape[0]:
                raise ValueError(
                    f"block {li} has {w.shape[0]} rows, layer {li} has {self.blocks[li - 1].shape[1]} nodes"
                )
            if b is not None and (b.dtype != bool or b.shape != (w.shape[1],)):
                raise ValueError(f"bias {li} must be a boolean vector of length {w.shape[1]}")

    @property
    def n_blocks(self) -> int:
        return len(self.blocks)

    @property
    def widths(self) -> tuple[int, ...]:
        """Regular (non-bias) nodes per layer, n_0..n_L."""
        if not self.blocks:
            return ()
        return tuple(w.shape[0] for w in self.blocks) + (self.blocks[-1].shape[1],)

    def edge_counts(self) -> list[int]:
        return [int(w.sum()) for w in self.blocks]

    def bias_edge_counts(self) -> list[int]:
        """Edges of each layer's bias node; -1 where the layer has no bias node."""
        return [-1 if b is None else int(b.sum()) for b in self.bias]

    @classmethod
    def from_masks(
        cls, masks: list[np.ndarray], bias_masks: list[np.ndarray | None] | None = None
    ) -> LayeredGraph:
        """Copy 0/1 masks into a graph (callers' arrays are never aliased)."""
        bias_masks = bias_masks if bias_masks is not None else [None] * len(masks)
        return cls(
            tuple(np.array(m, dtype=bool, copy=True) for m in masks),
            tuple(None if b is None else np.array(b, dtype=bool, copy=True) for b in bias_masks),
        )

    def without_bias(self) -> LayeredGraph:
        return LayeredGraph(self.blocks, (None,) * self.n_blocks)


@dataclass
class LiveReport:
    """What removal of dead nodes kept, per layer (nodes) and per block (edges)."""

    nodes_total: list[int]
    nodes_live: list[int]
    edges_total: list[int]
    edges_live: list[int]
    bias_edges_total: list[int]
    bias_edges_live: list[int]
    dead_outputs: int  # output nodes removed because no live input reaches them
    constant_outputs: int  # live output nodes fed by bias edges only
    iterations: int = field(default=1)

    @property
    def live_nodes(self) -> int:
        return int(sum(self.nodes_live))

    @property
    def live_edges(self) -> int:
        """Live edges including bias edges."""
        return int(sum(self.edges_live) + sum(max(b, 0) for b in self.bias_edges_live))

    def as_dict(self) -> dict:
        return {
            "nodes_total": self.nodes_total,
            "nodes_live": self.nodes_live,
            "edges_total": self.edges_total,
            "edges_live": self.edges_live,
            "bias_edges_total": self.bias_edges_total,
            "bias_edges_live": self.bias_edges_live,
            "dead_outputs": self.dead_outputs,
            "constant_outputs": self.constant_outputs,
            "live_nodes": self.live_nodes,
            "live_edges": self.live_edges,
        }


def live_node_masks(
    graph: LayeredGraph, bias_only_live: bool = True
) -> tuple[list[np.ndarray], int]:
    """Per-layer boolean masks of live nodes, iterated to the fixed point.

    A node is dead without an incoming edge from a live node (inputs exempt; a bias edge counts
    if `bias_only_live`) or without an outgoing edge to a live node (outputs exempt). One
    forward then one backward pass reach the fixed point; the loop verifies it.
    """
    widths = graph.widths
    alive = [np.ones(n, dtype=bool) for n in widths]
    iterations = 0
    while True:
        iterations += 1
        new = [a.copy() for a in alive]
        for li, (w, b) in enumerate(zip(graph.blocks, graph.bias, strict=True)):
            fed = w[new[li]].any(axis=0)
            if bias_only_live and b is not None:
                fed |= b
            new[li + 1] &= fed
        for li in range(graph.n_blocks - 1, -1, -1):
            new[li] &= graph.blocks[li][:, new[li + 1]].any(axis=1)
        if all(np.array_equal(a, c) for a, c in zip(alive, new, strict=True)):
            return alive, iterations
        alive = new


def strip_dead(graph: LayeredGraph, bias_only_live: bool = True) -> tuple[LayeredGraph, LiveReport]:
    """The live subgraph (dead nodes and their edges removed) and a per-layer report."""
    alive, iterations = live_node_masks(graph, bias_only_live)
    blocks, bias = [], []
    for li, (w, b) in enumerate(zip(graph.blocks, graph.bias, strict=True)):
        blocks.append(w[np.ix_(alive[li], alive[li + 1])].copy())
        if b is None:
            bias.append(None)
        else:
            kept = b[alive[li + 1]].copy()
            bias.append(kept if kept.any() else None)  # a bias node without edges is dead
    live = LayeredGraph(tuple(blocks), tuple(bias))
    out_alive = alive[-1] if alive else np.zeros(0, bool)
    constant = 0
    if graph.n_blocks and live.bias[-1] is not None:
        constant = int((~live.blocks[-1].any(axis=0) & live.bias[-1]).sum())
    report = LiveReport(
        nodes_total=list(graph.widths),
        nodes_live=[int(a.sum()) for a in alive],
        edges_total=graph.edge_counts(),
        edges_live=live.edge_counts(),
        bias_edges_total=graph.bias_edge_counts(),
        bias_edges_live=live.bias_edge_counts(),
        dead_outputs=int((~out_alive).sum()),
        constant_outputs=constant,
        iterations=iterations,
    )
    return live, report


def graph_from_arrays(arrays: dict[str, np.ndarray], path: str | Path = "<arrays>") -> LayeredGraph:
    """Validate mask_0..mask_{L-1} and optional bias_mask_l (the network file format) and wrap
    them in a graph; other arrays are ignored."""
    checked = validate_arrays(arrays, path)
    return LayeredGraph.from_masks(list(checked.masks), list(checked.bias_masks))


def load_graph(path: str | Path) -> LayeredGraph:
    """Read a mask file (.npz); any problem raises InputError naming the file."""
    return graph_from_arrays(load_npz(path), path)
