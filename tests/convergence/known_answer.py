"""Ensembles whose convergence answer is known, to judge the convergence statistics (issue 12).

Four kinds, each a list of live `LayeredGraph`s (one per seed, level 0):

- "structureless": per seed, lognormal node propensities (independent for every seed, nothing
  shared) give heterogeneous degrees; every block is then made uniform given its degrees by
  degree-preserving edge switches (the project's sampler). Beyond its degrees each network is a
  null sample, so the answer is: does not converge beyond what degrees give.
- "planted": a common wiring template beyond degrees (bicliques in the wide blocks and a chain
  of bicliques across three layers), placed at per-seed random node positions, each template
  edge kept with probability 1 - noise, on top of per-seed heterogeneous background edges.
  Answer: converges.
- "null": pure draws of fixed_count_min1 on uniformly random masks. Answer: does not converge.
- "mixture": half "structureless"-like seeds, half "planted"-like. Answer: not "converges".

`analyse_ensemble` turns networks into a motifs table (columns of tables/motifs.csv plus `draw`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sparsemotifs.convergence.whiten import whitened_z
from sparsemotifs.motifs.analysis import analyse
from sparsemotifs.motifs.counts import MOTIFS
from sparsemotifs.motifs.graph import LayeredGraph, strip_dead
from sparsemotifs.motifs.samplers import sample_degree, sample_fixed_count_min1

SMALL = (10, 48, 48, 48, 16, 7)
PAPER = (10, 400, 400, 400, 16, 7)
KINDS = ("structureless", "planted", "null", "mixture")


def _edges(n: int, m: int, density: float) -> int:
    """Edges of an n x m block: the density, but enough for every node to keep one."""
    return int(min(n * m, max(round(density * n * m), math.ceil(1.5 * max(n, m)))))


def _weighted_block(p, q, e, rng, taken=None) -> np.ndarray:
    """e cells drawn without replacement with weights p_i q_j (Efraimidis-Spirakis keys)."""
    keys = rng.exponential(size=(p.size, q.size)) / np.outer(p, q)
    if taken is not None:
        keys[taken] = np.inf
        e = min(e, int((~taken).sum()))
    out = np.zeros(p.size * q.size, dtype=bool)
    if e > 0:
        out[np.argpartition(keys.ravel(), e - 1)[:e]] = True
    out = out.reshape(p.size, q.size)
    return out if taken is None else out | taken


def heterogeneous(widths, density, sigma, rng) -> LayeredGraph:
    """Live graph with lognormal(0, sigma) node propensities, drawn afresh per call."""
    prop = [rng.lognormal(0.0, sigma, n) for n in widths]
    blocks = [
        _weighted_block(prop[i], prop[i + 1], _edges(widths[i], widths[i + 1], density), rng)
        for i in range(len(widths) - 1)
    ]
    return strip_dead(LayeredGraph.from_masks(blocks))[0]


def structureless(widths, density, sigma, rng) -> LayeredGraph:
    """Heterogeneous degrees, then uniform given them (one long degree-preserving chain)."""
    g = heterogeneous(widths, density, sigma, rng)
    blocks, bias = sample_degree(g, 1, rng, switches_per_edge=20)
    return LayeredGraph(tuple(w[0] for w in blocks), tuple(None for _ in bias))


def null_draw(widths, density, rng) -> LayeredGraph:
    """A fixed_count_min1 draw on the live part of uniformly random masks."""
    g = heterogeneous(widths, density, 0.0, rng)
    blocks, _ = sample_fixed_count_min1(g, 1, rng)
    return LayeredGraph(tuple(w[0] for w in blocks), (None,) * len(blocks))


def planted(widths, density, sigma, rng, noise: float = 0.1) -> LayeredGraph:
    """Shared template (bicliques, chained bicliques) at random node positions + background."""
    n_blocks = len(widths) - 1
    wide = [li for li in range(n_blocks) if min(widths[li], widths[li + 1]) >= 32]
    a = max(4, round(0.04 * min(widths[li] for li in wide)))  # side of a biclique
    template = np.zeros(0)
    cells = [np.zeros((widths[i], widths[i + 1]), dtype=bool) for i in range(n_blocks)]
    # per wide block two bicliques a x a; one chain a -> a -> a over the first two wide blocks
    for li in wide:
        for _ in range(2):
            src = rng.choice(widths[li], a, replace=False)
            dst = rng.choice(widths[li + 1], a, replace=False)
            cells[li][np.ix_(src, dst)] = True
    if len(wide) >= 2 and wide[1] == wide[0] + 1:
        l0 = wide[0]
        sets = [rng.choice(widths[l0 + k], a, replace=False) for k in range(3)]
        cells[l0][np.ix_(sets[0], sets[1])] = True
        cells[l0 + 1][np.ix_(sets[1], sets[2])] = True
    del template
    prop = [rng.lognormal(0.0, sigma, n) for n in widths]
    blocks = []
    for li in range(n_blocks):
        kept = cells[li] & (rng.random(cells[li].shape) >= noise)
        e = _edges(widths[li], widths[li + 1], density)
        blocks.append(_weighted_block(prop[li], prop[li + 1], e - int(kept.sum()), rng, kept))
    return strip_dead(LayeredGraph.from_masks(blocks))[0]


def ensemble(kind: str, widths, n_seeds: int, seed: int = 0, density=0.08, sigma=0.6):
    """n_seeds live networks of one kind; seeds are 0..n_seeds-1, each with its own stream."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    out = []
    for s in range(n_seeds):
        rng = np.random.default_rng([seed, KINDS.index(kind), s, len(widths), max(widths)])
        if kind == "structureless" or (kind == "mixture" and s % 2 == 0):
            out.append(structureless(widths, density, sigma, rng))
        elif kind in ("planted", "mixture"):
            out.append(planted(widths, density, sigma, rng))
        else:
            out.append(null_draw(widths, density, rng))
    return out


def analyse_ensemble(
    graphs,
    name: str,
    nulls=("fixed_count", "fixed_count_min1", "degree"),
    samples: int = 50,
    seed: int = 0,
    seeds=None,
    draws=None,
    level: int = 0,
    whiten: bool = True,
) -> pd.DataFrame:
    """Tidy motifs table (tables/motifs.csv columns + draw) of live graphs under each null.

    `z_white`: z whitened with the exact fixed-count correlation (fixed-count nulls only; NaN
    under the degree null, whose covariance has no closed form).
    """
    rows = []
    seeds = range(len(graphs)) if seeds is None else seeds
    draws = [0] * len(graphs) if draws is None else draws
    for g, s, d in zip(graphs, seeds, draws, strict=True):
        for ni, null in enumerate(nulls):
            rng = np.random.default_rng([seed, s, d, ni, 7])
            res = analyse(g, null, samples=samples, rng=rng)
            z = {m: res.total[m]["z"] for m in MOTIFS}
            white = whitened_z(g, z) if whiten and null != "degree" else dict.fromkeys(z, np.nan)
            for m in MOTIFS:
                rows.append(
                    {"ensemble": name, "seed": s, "draw": d, "level": level, "null": null,
                     "motif": m, **res.total[m], "z_white": white[m]}
                )  # fmt: skip
    return pd.DataFrame(rows)
