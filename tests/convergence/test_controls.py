"""Controls that share size and degrees: each checked against what it must preserve."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sparsemotifs.convergence.verdict import calibration_table
from sparsemotifs.motifs.controls import (
    degree_null_samples,
    magnitude_at_init,
    min1_null_samples,
    random_masks_live,
)
from sparsemotifs.motifs.graph import LayeredGraph, strip_dead
from tests.convergence import known_answer as ka


@pytest.fixture(scope="module")
def network():
    """A heterogeneous network with dead nodes (bias edges on the first block)."""
    rng = np.random.default_rng(3)
    masks = [rng.random((10, 30)) < 0.15, rng.random((30, 30)) < 0.08, rng.random((30, 7)) < 0.2]
    bias = [rng.random(30) < 0.3, None, None]
    return LayeredGraph.from_masks(masks, bias)


def _degrees(g):
    """(in-degree with bias edges, out-degree, bias out-degree) per block: what the null keeps."""
    return [
        (w.sum(axis=0) + (0 if b is None else b), w.sum(axis=1), 0 if b is None else b.sum())
        for w, b in zip(g.blocks, g.bias, strict=True)
    ]


def test_degree_null_samples_keep_live_nodes_and_degrees(network):
    live, _ = strip_dead(network)
    samples = degree_null_samples(network, 3, np.random.default_rng(0))
    assert len(samples) == 3
    for s in samples:
        assert s.widths == live.widths
        for a, b in zip(_degrees(s), _degrees(live), strict=True):
            for x, y in zip(a, b, strict=True):
                np.testing.assert_array_equal(x, y)
        assert strip_dead(s)[0].widths == s.widths  # nothing dies
    assert any(
        not np.array_equal(a, b) for a, b in zip(samples[0].blocks, live.blocks, strict=True)
    )


def test_min1_null_samples_keep_counts_and_liveness(network):
    live, _ = strip_dead(network)
    for s in min1_null_samples(network, 3, np.random.default_rng(1)):
        assert s.edge_counts() == live.edge_counts()
        assert s.bias_edge_counts() == live.bias_edge_counts()
        assert strip_dead(s)[0].widths == live.widths


def test_random_masks_on_the_live_graph(network):
    live, report = strip_dead(network)
    masks, info = random_masks_live(network, np.random.default_rng(2))
    assert masks.widths == live.widths and masks.edge_counts() == report.edges_live
    assert masks.bias_edge_counts() == live.bias_edge_counts()
    assert info["edges_live_target"] == report.edges_live
    assert info["edges_live"] == strip_dead(masks)[1].edges_live
    with pytest.raises(ValueError, match="live_graph"):
        random_masks_live(network, np.random.default_rng(2), on="bogus")


def test_random_masks_over_full_widths_match_live_counts():
    """Where nearly every node stays live the full-width search matches the live counts."""
    rng = np.random.default_rng(3)
    net = LayeredGraph.from_masks([rng.random((10, 30)) < 0.3, rng.random((30, 7)) < 0.3])
    _, report = strip_dead(net)
    masks, info = random_masks_live(net, np.random.default_rng(2), on="full_widths")
    assert masks.widths == net.widths and info["exact"]
    assert strip_dead(masks)[1].edges_live == report.edges_live
    # the old control (same counts before removal) can lose live edges; never gains any
    from sparsemotifs.motifs.controls import randomize_masks

    old = randomize_masks(network_sparse := _sparse(), np.random.default_rng(2))
    assert sum(strip_dead(old)[1].edges_live) < sum(network_sparse.edge_counts())


def _sparse():
    rng = np.random.default_rng(4)
    return LayeredGraph.from_masks([rng.random((10, 30)) < 0.08, rng.random((30, 7)) < 0.1])


def test_magnitude_at_init_layer_scope_is_uniform_random(network):
    """Top-k |w| of i.i.d. weights = uniform k-subset: every cell kept with prob k/N."""
    rng = np.random.default_rng(4)
    w = network.blocks[1]
    kept = np.zeros(w.shape)
    reps = 400
    for _ in range(reps):
        g = magnitude_at_init(network, rng)
        assert g.edge_counts() == network.edge_counts()
        kept += g.blocks[1]
    p = w.sum() / w.size
    chi2 = ((kept - reps * p) ** 2 / (reps * p * (1 - p))).sum()
    assert stats.chi2.sf(chi2, w.size - 1) > 1e-3


def test_magnitude_at_init_global_scope_follows_fan_in(network):
    g = magnitude_at_init(network, np.random.default_rng(5), scope="global")
    assert sum(g.edge_counts()) == sum(network.edge_counts())
    dens = [c / w.size for c, w in zip(g.edge_counts(), network.blocks, strict=True)]
    assert dens[0] > dens[1]  # fan-in 10 gives larger init weights than fan-in 30
    with pytest.raises(ValueError, match="scope"):
        magnitude_at_init(network, np.random.default_rng(5), scope="bogus")


def test_calibration_of_null_samples_is_standard_normal():
    """Draws of fixed_count_min1 analysed under it: mean z ~ 0, sd ~ 1 for every motif."""
    g = ka.heterogeneous(ka.SMALL, 0.1, 0.0, np.random.default_rng(0))
    draws = min1_null_samples(g, 30, np.random.default_rng(1))
    table = ka.analyse_ensemble(
        draws, "null", nulls=("fixed_count_min1",), samples=60, whiten=False
    )
    cal = calibration_table(table, n_boot=500)
    assert set(cal["motif"]) == {m for m in table["motif"].unique() if m != "edges"}
    assert cal["calibrated"].mean() >= 0.75
    assert (cal["mean_z"].abs() < 0.5).all()
    # fixed_count is mis-calibrated on stripped graphs (issue 12, item 3): fans below 0
    fc = ka.analyse_ensemble(draws, "null", nulls=("fixed_count",), samples=2, whiten=False)
    cal_fc = calibration_table(fc, n_boot=500).set_index("motif")
    assert cal_fc.loc["diverging_2", "mean_ci_high"] < 0


def test_control_networks_dispatch_and_reproducible_streams(network):
    from sparsemotifs.motifs.controls import CONTROL_KINDS, control_networks, control_rng

    for kind in CONTROL_KINDS:
        a = control_networks(network, kind, 2, control_rng(0, 3, 1, kind))
        b = control_networks(network, kind, 2, control_rng(0, 3, 1, kind))
        assert len(a) == 2
        for x, y in zip(a, b, strict=True):
            assert all(np.array_equal(p, q) for p, q in zip(x.blocks, y.blocks, strict=True))
    with pytest.raises(ValueError, match="unknown control"):
        control_networks(network, "bogus", 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match=">= 1"):
        control_networks(network, "random_live", 0, np.random.default_rng(0))
