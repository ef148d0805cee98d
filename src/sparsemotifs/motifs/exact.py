"""Exact mean and covariance of every motif count under the layered fixed-count null.

Null: each block M_l is uniform over the n_l x n_{l+1} masks with e_l edges, each bias node's
edges uniform over the b_l-subsets of layer l+1, all independent. A set of t cells of one
block is all present with probability q_t = (e)_t / (N)_t (falling factorials), so

  E[X_p]            = sum over copies c at position p            of prod_blocks q(c)
  Cov(X_p, X_p')    = sum over pairs (c, c') at positions p, p'  of q(c u c') - q(c) q(c').

Because the null is exchangeable within each node class (the regular nodes of a layer; its
bias node), both sums group into a few *overlap patterns* (which nodes the two copies share),
each weighted by a product of falling factorials of the class sizes. The patterns are
enumerated once per motif from its template, so the closed forms are generated rather than
hand-written; tests check them against exhaustive enumeration and the samplers. Covariances
between positions that share a block make the variance of totals exact as well.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import numpy as np

from sparsemotifs.motifs.counts import MOTIFS, SPAN
from sparsemotifs.motifs.graph import LayeredGraph

# Templates: role -> layer offset; edges between roles. Only roles at offset 0 may be bias nodes.
TEMPLATES: dict[str, tuple[tuple[int, ...], tuple[tuple[int, int], ...]]] = {
    "edges": ((0, 1), ((0, 1),)),
    "diverging_2": ((0, 1, 1), ((0, 1), (0, 2))),
    "converging_2": ((0, 0, 1), ((0, 2), (1, 2))),
    "chain_2": ((0, 1, 2), ((0, 1), (1, 2))),
    "diverging_3": ((0, 1, 1, 1), ((0, 1), (0, 2), (0, 3))),
    "converging_3": ((0, 0, 0, 1), ((0, 3), (1, 3), (2, 3))),
    "chain_3": ((0, 1, 2, 3), ((0, 1), (1, 2), (2, 3))),
    "bi_fan": ((0, 0, 1, 1), ((0, 2), (0, 3), (1, 2), (1, 3))),
    "bi_parallel": ((0, 1, 1, 2), ((0, 1), (0, 2), (1, 3), (2, 3))),
}


@dataclass(frozen=True)
class TypedMotif:
    """A motif template with each role given a node class (rel_layer, kind), kind 'r' or 'b'."""

    classes: tuple[tuple[int, str], ...]
    edges: tuple[tuple[int, int], ...]
    n_aut: int  # class- and edge-preserving role permutations


def _automorphisms(classes, edges) -> int:
    edge_set = set(edges)
    n = 0
    for perm in itertools.permutations(range(len(classes))):
        if (
            all(classes[perm[i]] == classes[i] for i in range(len(classes)))
            and {(perm[a], perm[b]) for a, b in edges} == edge_set
        ):
            n += 1
    return n


@cache
def typed_variants(motif: str) -> tuple[TypedMotif, ...]:
    """All ways to make source roles (offset 0) bias nodes; at most one bias node per layer."""
    offsets, edges = TEMPLATES[motif]
    sources = [i for i, o in enumerate(offsets) if o == 0]
    out = []
    for n_bias in (0, 1):
        for chosen in itertools.combinations(sources, n_bias):
            classes = tuple((o, "b" if i in chosen else "r") for i, o in enumerate(offsets))
            aut = _automorphisms(classes, edges)
            # skip variants equal up to relabelling (e.g. which of two symmetric sources is bias)
            key = _canonical(classes, edges)
            if key not in {_canonical(v.classes, v.edges) for v in out}:
                out.append(TypedMotif(classes, edges, aut))
    return tuple(out)


def _canonical(classes, edges):
    best = None
    for perm in itertools.permutations(range(len(classes))):
        inv = {p: i for i, p in enumerate(perm)}
        key = (
            tuple(classes[perm[i]] for i in range(len(classes))),
            tuple(sorted((inv[a], inv[b]) for a, b in edges)),
        )
        best = key if best is None or key < best else best
    return best


def _block(classes, a, b):
    """Block of an edge between roles a -> b: (rel_layer of source, source kind)."""
    return classes[a]


@dataclass(frozen=True)
class Term:
    """coef * prod_C (n_C)_{k1_C} (n_C - k1_C)_{new_C} * [prod_B q_B(tu) - prod_B q_B(t1) q_B(t2)]."""

    coef: float
    k1: tuple[tuple[tuple[int, str], int], ...]
    new: tuple[tuple[tuple[int, str], int], ...]
    t1: tuple[tuple[tuple[int, str], int], ...]
    t2: tuple[tuple[tuple[int, str], int], ...]
    tu: tuple[tuple[tuple[int, str], int], ...]


def _counts(items) -> tuple:
    d: dict = {}
    for x in items:
        d[x] = d.get(x, 0) + 1
    return tuple(sorted(d.items()))


@cache
def mean_terms(motif: str) -> tuple[tuple[float, tuple, tuple], ...]:
    """(1/aut, node classes with multiplicity, block cells with multiplicity) per typed variant."""
    out = []
    for v in typed_variants(motif):
        out.append(
            (
                1.0 / v.n_aut,
                _counts(v.classes),
                _counts(_block(v.classes, a, b) for a, b in v.edges),
            )
        )
    return tuple(out)


@cache
def cov_terms(motif: str, shift: int) -> tuple[Term, ...]:
    """Overlap patterns of a copy at position p with a copy at position p + shift (shift >= 0)."""
    merged: dict[tuple, float] = {}
    for v1 in typed_variants(motif):
        nodes1 = list(range(len(v1.classes)))
        cls1 = dict(enumerate(v1.classes))
        edges1 = {(a, b) for a, b in v1.edges}
        k1 = _counts(v1.classes)
        t1 = _counts(_block(v1.classes, a, b) for a, b in v1.edges)
        for v2 in typed_variants(motif):
            cls2 = [(o + shift, k) for o, k in v2.classes]
            t2 = _counts(_block(cls2, a, b) for a, b in v2.edges)
            # each role of copy 2 maps to a node of copy 1 of the same class, or to a new node
            options = [[n for n in nodes1 if cls1[n] == c] + [None] for c in cls2]
            for choice in itertools.product(*options):
                used = [c for c in choice if c is not None]
                if len(used) != len(set(used)):
                    continue
                label = [c if c is not None else ("new", i) for i, c in enumerate(choice)]
                edges2 = {(label[a], label[b]) for a, b in v2.edges}
                union = edges1 | edges2
                cls_of = dict(cls1)
                cls_of.update({label[i]: cls2[i] for i in range(len(cls2))})
                tu = _counts(cls_of[a] for a, b in union)
                new = _counts(cls2[i] for i, c in enumerate(choice) if c is None)
                key = (k1, new, t1, t2, tu)
                merged[key] = merged.get(key, 0.0) + 1.0 / (v1.n_aut * v2.n_aut)
    return tuple(Term(coef, *key) for key, coef in merged.items())


def _falling(n: float, k: int) -> float:
    out = 1.0
    for i in range(k):
        if n - i <= 0:
            return 0.0
        out *= n - i
    return out


def _q(e: int, n_cells: int, t: int) -> float:
    """P(t given cells of a block are all present) = (e)_t / (N)_t."""
    out = 1.0
    for i in range(t):
        if e - i <= 0:
            return 0.0
        out *= (e - i) / (n_cells - i)
    return out


class FixedCountModel:
    """Class sizes and block densities of one live graph, and the exact moments they imply."""

    def __init__(self, graph: LayeredGraph):
        self.n_blocks = graph.n_blocks
        widths = graph.widths
        self.size: dict[tuple[int, str], int] = {}
        self.cells: dict[tuple[int, str], tuple[int, int]] = {}  # block -> (edges, cells)
        for li, n in enumerate(widths):
            self.size[(li, "r")] = n
            has_bias = li < self.n_blocks and graph.bias[li] is not None
            self.size[(li, "b")] = 1 if has_bias else 0
        for li, (w, b) in enumerate(zip(graph.blocks, graph.bias, strict=True)):
            self.cells[(li, "r")] = (int(w.sum()), w.size)
            self.cells[(li, "b")] = (0 if b is None else int(b.sum()), 0 if b is None else b.size)

    def _qprod(self, pos: int, blocks) -> float:
        out = 1.0
        for (rel, kind), t in blocks:
            e, n_cells = self.cells[(pos + rel, kind)]
            out *= _q(e, n_cells, t)
            if out == 0.0:
                return 0.0
        return out

    def _nodes(self, pos: int, k1, new) -> float:
        out = 1.0
        for (rel, kind), k in k1:
            out *= _falling(self.size[(pos + rel, kind)], k)
        kd = dict(k1)
        for c, k in new:
            out *= _falling(self.size[(pos + c[0], c[1])] - kd.get(c, 0), k)
        return out

    def n_positions(self, motif: str) -> int:
        return max(self.n_blocks - SPAN[motif] + 1, 0)

    def mean(self, motif: str) -> np.ndarray:
        """Exact expectation per position."""
        out = np.zeros(self.n_positions(motif))
        for p in range(out.size):
            out[p] = sum(
                coef * self._nodes(p, k, ()) * self._qprod(p, blocks)
                for coef, k, blocks in mean_terms(motif)
            )
        return out

    def cov(self, motif: str) -> np.ndarray:
        """Exact covariance matrix between positions (non-zero only where blocks are shared)."""
        n_pos = self.n_positions(motif)
        out = np.zeros((n_pos, n_pos))
        for p in range(n_pos):
            for shift in range(SPAN[motif]):
                if p + shift >= n_pos:
                    break
                total = 0.0
                for term in cov_terms(motif, shift):
                    nodes = self._nodes(p, term.k1, term.new)
                    if nodes == 0.0:
                        continue
                    qu = self._qprod(p, term.tu)
                    q12 = self._qprod(p, term.t1) * self._qprod(p, term.t2)
                    total += term.coef * nodes * (qu - q12)
                out[p, p + shift] = out[p + shift, p] = total
        return out

    def moments(self, motifs=MOTIFS) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """motif -> (mean per position, covariance between positions)."""
        return {m: (self.mean(m), self.cov(m)) for m in motifs}
