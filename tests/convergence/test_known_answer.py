"""The convergence verdict on ensembles whose answer is known, at a small and a paper-like width.

Each trained-like ensemble is compared with one degree-preserving null sample per network
(issue 12: "samples of the null", analysed exactly like the networks). Expected: never
"converges" for structureless, pure-null and half-and-half ensembles under any null, measure or
profile; "converges" for the planted template where a null can see structure beyond degrees
(the degree null). Under the fixed-count nulls the planted template is mostly visible through
the degrees it implies, which its null samples share; the test pins that it is not called
"converges" spuriously either, and the report states it.
"""

from __future__ import annotations

import numpy as np
import pytest

from sparsemotifs.convergence.verdict import verdict_table, verdict_variants
from sparsemotifs.motifs.controls import degree_null_samples, min1_null_samples
from tests.convergence import known_answer as ka

WIDTHS = {"small": (ka.SMALL, 16, 40), "paper": (ka.PAPER, 12, 20)}  # widths, seeds, samples
_CACHE: dict = {}
PRIMARY = ("cosine", "reduced")  # the verdict.csv defaults (measure, profile)


def _variants(kind: str, width: str):
    """Verdict table (all measures x profiles, per null) of one known-answer ensemble, cached."""
    if (kind, width) not in _CACHE:
        widths, n_seeds, samples = WIDTHS[width]
        graphs = ka.ensemble(kind, widths, n_seeds)
        trained = ka.analyse_ensemble(graphs, kind, samples=samples)
        nulls = [
            degree_null_samples(g, 1, np.random.default_rng([99, s]))[0]
            for s, g in enumerate(graphs)
        ]
        null_table = ka.analyse_ensemble(nulls, kind + "_null", samples=samples, seed=1)
        v = verdict_variants(trained, null_table, n_boot=1000)
        _CACHE[(kind, width)] = v[v["level"] != "all"]
    return _CACHE[(kind, width)]


def _check(kind: str, width: str) -> None:
    v = _variants(kind, width)
    assert len(v) == 3 * 3 * 2 + 2 * 3  # whitened only under the fixed-count nulls
    primary = v[(v["measure"] == PRIMARY[0]) & (v["profile"] == PRIMARY[1])].set_index("null")
    if kind == "planted":
        assert primary.loc["degree", "verdict"] == "converges", primary.loc["degree", "reason"]
        deg = v[(v["null"] == "degree") & (v["measure"] != "pearson")]
        assert (deg["verdict"] == "converges").all(), deg[["measure", "profile", "reason"]]
        # under the fixed-count nulls the template shows only through the degrees it implies,
        # which its null samples share: no gain beyond them is claimed
        assert (primary.loc[["fixed_count", "fixed_count_min1"], "verdict"] != "converges").all()
    else:
        assert (primary["verdict"] != "converges").all(), primary["reason"]
        # cosine and angular never call these "converges"; Pearson (centred over 3-8 motifs)
        # may, by chance, and is reported as a variant only
        robust = v[v["measure"] != "pearson"]
        assert (robust["verdict"] != "converges").all(), robust.loc[
            robust["verdict"] == "converges", ["null", "measure", "profile", "reason"]
        ]


@pytest.mark.parametrize("kind", ka.KINDS)
def test_known_answer_small_width(kind):
    _check(kind, "small")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ka.KINDS)
def test_known_answer_paper_width(kind):
    _check(kind, "paper")


def test_structureless_is_similar_but_not_beyond_degrees():
    """The issue's failure case: high raw similarity, none beyond what the degrees give."""
    v = _variants("structureless", "small")
    fc = v[(v["null"] == "fixed_count") & (v["measure"] == "cosine") & (v["profile"] != "whitened")]
    assert (fc["similarity_trained"] > 0.9).all()  # the old criterion r >= 0.9 would pass
    assert (fc["verdict"] == "does not converge").all()
    assert (fc["delta"].abs() < 0.02).all()


def test_min1_samples_show_what_degrees_give():
    """Against degree-free null samples the structureless ensemble looks convergent (the
    similarity is its degree heterogeneity); the verdict does not use that comparison."""
    widths, n_seeds, samples = WIDTHS["small"]
    graphs = ka.ensemble("structureless", widths, n_seeds)
    trained = ka.analyse_ensemble(graphs, "s", nulls=("fixed_count",), samples=2)
    draws = [
        min1_null_samples(g, 1, np.random.default_rng([98, s]))[0] for s, g in enumerate(graphs)
    ]
    degree = [
        degree_null_samples(g, 1, np.random.default_rng([99, s]))[0] for s, g in enumerate(graphs)
    ]
    m1 = ka.analyse_ensemble(draws, "m", nulls=("fixed_count",), samples=2, seed=2)
    dg = ka.analyse_ensemble(degree, "d", nulls=("fixed_count",), samples=2, seed=1)
    v = verdict_table(trained, dg, min1_samples=m1, n_boot=500).iloc[0]
    assert v["delta_min1_ci_low"] > 0.3  # far more similar than degree-free null draws
    assert v["verdict"] != "converges"
