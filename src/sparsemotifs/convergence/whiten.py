"""Whitened profiles: z decorrelated with the exact fixed-count null covariance between motifs.

Why: under the fixed-count nulls the 8 informative motifs are far from independent (the 2- and
3-stars and the bi-fan are all moments of the same degree sequences), so an SP over raw z
counts degree heterogeneity about five times. `motif_covariance` extends the closed forms of
`sparsemotifs.motifs.exact` (overlap patterns of two copies, weighted by falling factorials) to
pairs of *different* motifs, giving the exact covariance matrix of the total counts;
`whitened_z` maps z to C^(-1/2) z with C the implied correlation matrix (symmetric square root,
so each whitened entry stays tied to its motif). Under the null the whitened vector has
identity covariance, so no direction of the profile is counted twice.
"""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np

from sparsemotifs.motifs.counts import MOTIFS, SPAN
from sparsemotifs.motifs.exact import FixedCountModel, Term, _block, _counts, typed_variants
from sparsemotifs.motifs.graph import LayeredGraph


@cache
def cross_terms(motif1: str, motif2: str, shift: int) -> tuple[Term, ...]:
    """Overlap patterns of a copy of motif1 at p with a copy of motif2 at p + shift (>= 0)."""
    merged: dict[tuple, float] = {}
    for v1 in typed_variants(motif1):
        nodes1 = list(range(len(v1.classes)))
        cls1 = dict(enumerate(v1.classes))
        edges1 = set(v1.edges)
        k1 = _counts(v1.classes)
        t1 = _counts(_block(v1.classes, a, b) for a, b in v1.edges)
        for v2 in typed_variants(motif2):
            cls2 = [(o + shift, k) for o, k in v2.classes]
            t2 = _counts(_block(cls2, a, b) for a, b in v2.edges)
            options = [[n for n in nodes1 if cls1[n] == c] + [None] for c in cls2]
            for choice in itertools.product(*options):
                used = [c for c in choice if c is not None]
                if len(used) != len(set(used)):
                    continue
                label = [c if c is not None else ("new", i) for i, c in enumerate(choice)]
                union = edges1 | {(label[a], label[b]) for a, b in v2.edges}
                cls_of = dict(cls1)
                cls_of.update({label[i]: cls2[i] for i in range(len(cls2))})
                tu = _counts(cls_of[a] for a, b in union)
                new = _counts(cls2[i] for i, c in enumerate(choice) if c is None)
                key = (k1, new, t1, t2, tu)
                merged[key] = merged.get(key, 0.0) + 1.0 / (v1.n_aut * v2.n_aut)
    return tuple(Term(coef, *key) for key, coef in merged.items())


def _pair_cov(model: FixedCountModel, m1: str, m2: str) -> float:
    """Cov(total m1, total m2): sum over position pairs that share a block."""
    total = 0.0
    n1, n2 = model.n_positions(m1), model.n_positions(m2)
    for p in range(n1):
        for p2 in range(max(0, p - SPAN[m2] + 1), min(n2, p + SPAN[m1])):
            first, second, pos, shift = (m1, m2, p, p2 - p) if p2 >= p else (m2, m1, p2, p - p2)
            for term in cross_terms(first, second, shift):
                nodes = model._nodes(pos, term.k1, term.new)
                if nodes == 0.0:
                    continue
                qu = model._qprod(pos, term.tu)
                q12 = model._qprod(pos, term.t1) * model._qprod(pos, term.t2)
                total += term.coef * nodes * (qu - q12)
    return total


def motif_covariance(graph: LayeredGraph, motifs=MOTIFS) -> np.ndarray:
    """Exact covariance matrix of the total counts of `motifs` under the fixed-count null."""
    model = FixedCountModel(graph)
    k = len(motifs)
    out = np.zeros((k, k))
    for i, j in itertools.combinations_with_replacement(range(k), 2):
        out[i, j] = out[j, i] = _pair_cov(model, motifs[i], motifs[j])
    return out


def whitening_matrix(cov: np.ndarray, rel_tol: float = 1e-9) -> np.ndarray:
    """C^(-1/2) of the correlation matrix implied by cov (pseudo-inverse on null directions)."""
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    corr = np.where(np.isfinite(corr), corr, 0.0)
    vals, vecs = np.linalg.eigh((corr + corr.T) / 2)
    keep = vals > rel_tol * max(vals.max(), 1e-300)
    inv_sqrt = np.where(keep, 1.0 / np.sqrt(np.where(keep, vals, 1.0)), 0.0)
    return (vecs * inv_sqrt) @ vecs.T


def whitened_z(graph: LayeredGraph, z: dict[str, float]) -> dict[str, float]:
    """C^(-1/2) z over the motifs with finite z; NaN stays NaN (C: fixed-count null, exact).

    For fixed_count_min1 the fixed-count correlation is an approximation (the min-1 constraint
    changes the covariance little on wide blocks; on narrow blocks it is what is at hand).
    """
    names = [m for m in MOTIFS if m in z and np.isfinite(z[m])]
    out = dict.fromkeys(z, np.nan)
    if len(names) < 2:
        return out
    w = whitening_matrix(motif_covariance(graph, names))
    values = w @ np.array([z[m] for m in names])
    out.update(dict(zip(names, values.tolist(), strict=True)))
    return out
