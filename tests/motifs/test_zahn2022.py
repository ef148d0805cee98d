"""The reference pipeline's own network (shared/reference/data/zahn2022_network) under every null.

Measured at 93 % with 1000 samples (`sparsemotifs motifs zscore ... --bias-nodes
--connected-pairs`): bi_fan z = 230 (reference), 222 (fixed_count), 220 (fixed_count_min1), 11.4
(degree); the issue's statement "bi-fan ~220 with the reference generator" holds. These tests
use fewer samples and assert the qualitative facts only.
"""

from __future__ import annotations

import numpy as np
import pytest

from sparsemotifs.motifs.analysis import analyse
from sparsemotifs.motifs.counts import count_motifs
from sparsemotifs.motifs.graph import load_graph, strip_dead
from sparsemotifs.report.published_data import reference_data_dir

NETWORK_DIR = reference_data_dir() / "zahn2022_network"
pytestmark = pytest.mark.skipif(
    not (NETWORK_DIR / "cut0.93.npz").exists(),
    reason=f"the reference study's shared network is absent ({NETWORK_DIR.resolve()})",
)


@pytest.fixture(scope="module")
def net93():
    graph = load_graph(NETWORK_DIR / "cut0.93.npz")
    live, report = strip_dead(graph)
    return graph, live, report


@pytest.fixture(scope="module")
def results(net93):
    graph, live, _ = net93
    samples = {"reference": 100, "fixed_count": 100, "fixed_count_min1": 60, "degree": 40}
    return {
        null: analyse(
            live,
            null,
            samples=r,
            rng=np.random.default_rng(14),
            connected_pairs=True,
            output_width=graph.widths[-1],
        ).total
        for null, r in samples.items()
    }


def test_live_structure_and_reference_rules_at_93_percent(net93):
    """Live nodes [9, 97, 90, 66, 7, 7] (the published ensemble's: about [9, 176, 399, 94, 6, 7]);
    blocks 0-3 have N = W - (n + m) > 0, so the generator never empties one and its z-scores
    should be close to the uniform fixed-count null's (reference_null.md); the 7 x 7 output
    block (8 edges) takes the identity rule, which keeps its 8 edges."""
    _, live, report = net93
    assert report.nodes_live == [9, 97, 90, 66, 7, 7]
    for w in live.blocks[:-1]:
        assert int(w.sum()) > sum(w.shape)
    assert live.blocks[-1].shape == (7, 7) and int(live.blocks[-1].sum()) == 8


def test_reference_null_gives_z_in_the_hundreds(results):
    ref, fc = results["reference"], results["fixed_count"]
    for m in ("bi_fan", "bi_parallel", "diverging_2"):
        assert ref[m]["z"] > 100, m
        assert ref[m]["z"] == pytest.approx(fc[m]["z"], rel=0.2), m
    assert 150 < ref["bi_fan"]["z"] < 320  # 230 with 1000 samples
    assert ref["connected_pairs_2"]["z"] < -100


def test_degree_null_z_is_an_order_smaller(results):
    deg = results["degree"]
    assert 3 < deg["bi_fan"]["z"] < 40  # 11.4 with 1000 samples
    assert deg["diverging_2"]["z"] is None or np.isnan(deg["diverging_2"]["z"])  # fixed


def test_published_converging_3_is_c2_over_in_degree_at_least_3(net93):
    _, live, _ = net93
    counts = count_motifs(live, connected_pairs=True)
    expected = 0
    for w, b in zip(live.blocks, live.bias, strict=True):
        d = w.sum(axis=0) + (0 if b is None else b)
        expected += int((d * (d - 1) // 2)[d >= 3].sum())
    assert int(counts["converging_3_as_published"].sum()) == expected


@pytest.mark.parametrize("level", ["0.00", "0.65", "0.98"])
def test_every_level_runs_under_the_reference_null(level):
    graph = load_graph(NETWORK_DIR / f"cut{level}.npz")
    live, _ = strip_dead(graph)
    res = analyse(
        live,
        "reference",
        samples=8,
        rng=np.random.default_rng(0),
        connected_pairs=True,
        output_width=graph.widths[-1],
    )
    assert set(res.total) >= {"bi_fan", "connected_pairs_2", "converging_3_as_published"}
