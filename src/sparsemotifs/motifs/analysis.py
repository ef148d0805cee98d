"""One network against one null: counts, null moments, z, p, per layer position and in total."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sparsemotifs.motifs.counts import MOTIFS, PUBLISHED_CONVENTIONS, count_batch, count_motifs
from sparsemotifs.motifs.exact import FixedCountModel
from sparsemotifs.motifs.graph import LayeredGraph
from sparsemotifs.motifs.reference import sample_reference
from sparsemotifs.motifs.samplers import (
    DEFAULT_MIN1_MOVES_PER_EDGE,
    DEFAULT_SWITCHES_PER_EDGE,
    sample_degree,
    sample_fixed_count,
    sample_fixed_count_min1,
)
from sparsemotifs.motifs.stats import FIXED_BY_NULL, NULLS, empirical_p, summary_row

# Samples drawn together, per null; fixed so results never depend on how R is split. Small
# batches keep the degree sampler's random access in cache; the min1 chain is overhead-bound.
SAMPLE_CHUNK = {"fixed_count": 250, "fixed_count_min1": 1000, "degree": 32, "reference": 64}
_NULL_CODE = {name: i for i, name in enumerate(NULLS)}


@dataclass
class NullResult:
    """`total[motif]` and `per_layer[motif][position]` are dicts count/null_mean/null_sd/z/p."""

    null: str
    total: dict[str, dict]
    per_layer: dict[str, list[dict]]
    samples: int  # 0 for the exact null


def null_seed(base_seed: int, seed: int, level: int, null: str) -> np.random.SeedSequence:
    """Seed of one file's null sampling: independent of which files share a job."""
    return np.random.SeedSequence([base_seed, seed, level, _NULL_CODE[null]])


def sample_null_counts(
    graph: LayeredGraph,
    null: str,
    samples: int,
    rng: np.random.Generator,
    *,
    switches_per_edge: float = DEFAULT_SWITCHES_PER_EDGE,
    min1_moves_per_edge: float = DEFAULT_MIN1_MOVES_PER_EDGE,
    bias_only_live: bool = True,
    connected_pairs: bool = False,
    output_width: int | None = None,
) -> dict[str, np.ndarray]:
    """motif -> (samples, positions) int64 counts of graphs drawn from a sampled null."""
    parts = []
    chunk = SAMPLE_CHUNK[null] if null in SAMPLE_CHUNK else samples
    for start in range(0, samples, chunk):
        r = min(chunk, samples - start)
        if null == "fixed_count":
            blocks, bias = sample_fixed_count(graph, r, rng)
        elif null == "fixed_count_min1":
            blocks, bias = sample_fixed_count_min1(
                graph, r, rng, min1_moves_per_edge, bias_counts_as_input=bias_only_live
            )
        elif null == "degree":
            blocks, bias = sample_degree(graph, r, rng, switches_per_edge)
        elif null == "reference":
            blocks, bias = sample_reference(graph, r, rng, output_width)
        else:
            raise ValueError(f"unknown null model {null!r}; choose from {', '.join(NULLS)}")
        for s in range(0, r, 64):  # count in small batches: Gram matrices are (64, n, n)
            parts.append(
                count_batch(
                    [w[s : s + 64] for w in blocks],
                    [None if b is None else b[s : s + 64] for b in bias],
                    connected_pairs,
                )
            )
    return {m: np.concatenate([p[m] for p in parts], axis=0) for m in parts[0]}


def analyse(
    graph: LayeredGraph,
    null: str,
    *,
    samples: int = 1000,
    rng: np.random.Generator | None = None,
    exact: bool | None = None,
    switches_per_edge: float = DEFAULT_SWITCHES_PER_EDGE,
    min1_moves_per_edge: float = DEFAULT_MIN1_MOVES_PER_EDGE,
    bias_only_live: bool = True,
    connected_pairs: bool = False,
    output_width: int | None = None,
) -> NullResult:
    """Compare a (live) graph's counts with a null model.

    fixed_count uses the exact closed-form moments unless `exact=False` (then its uniform
    sampler); the other nulls are sampled `samples` times. `connected_pairs` adds the
    reference study's counting conventions (PUBLISHED_CONVENTIONS: connected endpoint pairs,
    its 3rd-order converging count) to the results, always from `samples` draws of the null (no
    closed form), for side-by-side comparison with the paper. `output_width` (reference null
    only) restores the output nodes the reference kept although dead (the file's output width).

    Two-step chains of a 3-3-2 network against the layered fixed-count null (closed form:
    each block's edges placed uniformly, so the mean is 3 x 3 x 2 x 5/9 x 4/6 paths):

    >>> import numpy as np
    >>> m0 = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 1]])
    >>> m1 = np.array([[1, 0], [1, 1], [0, 1]])
    >>> res = analyse(LayeredGraph.from_masks([m0, m1]), "fixed_count")
    >>> row = res.total["chain_2"]
    >>> row["count"], round(row["null_mean"], 4), round(row["z"], 4)
    (7, 6.6667, 0.3536)
    >>> res.total["edges"]["z"]  # the null fixes the edge count
    nan
    """
    if null not in NULLS:
        raise ValueError(f"unknown null model {null!r}; choose from {', '.join(NULLS)}")
    if samples < 2 and (connected_pairs or null != "fixed_count" or exact is False):
        raise ValueError(f"a sampled null needs at least 2 samples, got {samples}")
    observed = count_motifs(graph, connected_pairs=connected_pairs)
    fixed = FIXED_BY_NULL[null]
    rng = rng if rng is not None else np.random.default_rng()
    options = {
        "switches_per_edge": switches_per_edge,
        "min1_moves_per_edge": min1_moves_per_edge,
        "bias_only_live": bias_only_live,
        "output_width": output_width if null == "reference" else None,
    }
    use_exact = null == "fixed_count" if exact is None else exact
    total: dict[str, dict] = {}
    per_layer: dict[str, list[dict]] = {}
    if use_exact:
        if null != "fixed_count":
            raise ValueError("exact moments exist for the fixed_count null only")
        model = FixedCountModel(graph)
        for m in MOTIFS:
            mean, cov = model.mean(m), model.cov(m)
            obs = observed[m]
            total[m] = summary_row(obs.sum(), mean.sum(), _sd(cov.sum()), m in fixed)
            per_layer[m] = [
                summary_row(obs[p], mean[p], _sd(cov[p, p]), m in fixed) for p in range(obs.size)
            ]
        if connected_pairs:
            sampled = sample_null_counts(graph, null, samples, rng, connected_pairs=True, **options)
            _sampled_rows(observed, sampled, PUBLISHED_CONVENTIONS, fixed, total, per_layer)
        return NullResult(null, total, per_layer, 0)
    sampled = sample_null_counts(
        graph, null, samples, rng, connected_pairs=connected_pairs, **options
    )
    names = MOTIFS + (PUBLISHED_CONVENTIONS if connected_pairs else ())
    _sampled_rows(observed, sampled, names, fixed, total, per_layer)
    return NullResult(null, total, per_layer, samples)


def _sampled_rows(observed, sampled, names, fixed, total, per_layer) -> None:
    """Fill total/per_layer entries of `names` from sampled null counts."""
    for m in names:
        obs, sim = observed[m], sampled[m].astype(np.float64)
        tot = sim.sum(axis=1)
        total[m] = summary_row(
            obs.sum(), tot.mean(), tot.std(ddof=1), m in fixed, empirical_p(obs.sum(), tot)
        )
        per_layer[m] = [
            summary_row(
                obs[p],
                sim[:, p].mean(),
                sim[:, p].std(ddof=1),
                m in fixed,
                empirical_p(obs[p], sim[:, p]),
            )
            for p in range(obs.size)
        ]


def _sd(var: float) -> float:
    return math.sqrt(var) if var > 0 else 0.0
