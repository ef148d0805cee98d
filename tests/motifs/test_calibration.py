"""z-scores are calibrated on networks drawn from the null, and detect planted structure."""

from __future__ import annotations

import numpy as np

from sparsemotifs.motifs.analysis import analyse
from sparsemotifs.motifs.counts import MOTIFS
from sparsemotifs.motifs.graph import LayeredGraph
from sparsemotifs.motifs.samplers import sample_degree, sample_fixed_count
from sparsemotifs.motifs.stats import FIXED_BY_NULL, significance_profile


def _graph(seed, widths=(6, 14, 12, 5), density=0.3):
    rng = np.random.default_rng(seed)
    masks = [rng.random((widths[li], widths[li + 1])) < density for li in range(len(widths) - 1)]
    return LayeredGraph.from_masks(masks, [rng.random(w) < 0.4 for w in widths[1:]])


def test_exact_z_of_networks_drawn_from_the_fixed_count_null_is_standardised():
    base = _graph(0)
    blocks, bias = sample_fixed_count(base, 400, np.random.default_rng(1))
    z = {m: [] for m in MOTIFS}
    for i in range(400):
        g = LayeredGraph(
            tuple(b[i] for b in blocks), tuple(None if x is None else x[i] for x in bias)
        )
        res = analyse(g, "fixed_count")
        for m in MOTIFS:
            z[m].append(res.total[m]["z"])
    assert np.isnan(z["edges"]).all()  # fixed by the null: undefined, never 0
    for m in MOTIFS[1:]:
        v = np.array(z[m])
        assert abs(v.mean()) < 0.2, (m, v.mean())  # no systematic bias (se ~ 0.05)
        assert 0.8 < v.std() < 1.2, (m, v.std())


def test_degree_z_of_networks_drawn_from_the_degree_null_is_of_order_one():
    base = _graph(2)
    blocks, bias = sample_degree(base, 12, np.random.default_rng(3), switches_per_edge=30)
    z = {m: [] for m in ("chain_3", "bi_fan", "bi_parallel")}
    for i in range(12):
        g = LayeredGraph(
            tuple(b[i] for b in blocks), tuple(None if x is None else x[i] for x in bias)
        )
        res = analyse(g, "degree", samples=200, rng=np.random.default_rng(100 + i))
        for m in FIXED_BY_NULL["degree"]:
            assert res.total[m]["z"] != res.total[m]["z"]  # NaN
        for m in z:
            z[m].append(res.total[m]["z"])
    for m, v in z.items():
        v = np.array(v)
        assert np.abs(v).max() < 4.5, (m, v)
        assert abs(v.mean()) < 0.9, (m, v.mean())  # se of the mean of 12 unit z ~ 0.3


def test_planted_blocks_give_a_large_bi_fan_z_under_the_degree_null():
    rng = np.random.default_rng(4)
    n = 24
    group = np.arange(n) % 2
    same = group[:, None] == group[None, :]
    masks = [
        rng.random((8, n)) < 0.4,
        rng.random((n, n)) < np.where(same, 0.5, 0.05),
        rng.random((n, 6)) < 0.4,
    ]
    res = analyse(
        LayeredGraph.from_masks(masks), "degree", samples=300, rng=np.random.default_rng(0)
    )
    assert res.per_layer["bi_fan"][1]["z"] > 5
    assert res.total["bi_fan"]["z"] > 3
    assert res.total["bi_fan"]["p"] < 0.01


def test_significance_profile_is_unit_norm_over_finite_z():
    sp = significance_profile({"a": 3.0, "b": -4.0, "c": float("nan"), "d": None})
    assert sp["a"] == 0.6 and sp["b"] == -0.8
    assert np.isnan(sp["c"]) and np.isnan(sp["d"])
