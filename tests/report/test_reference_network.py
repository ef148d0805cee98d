"""The reference pipeline's own network under every null: the issue's statement (reference-null
z of bi_fan in the hundreds at 93 %), and the published counting conventions of the table
against a brute-force count over the network's edge lists."""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.motifs.counts import count_motifs
from sparsemotifs.motifs.graph import LayeredGraph, load_graph, strip_dead
from sparsemotifs.report import published_data, reference_network

NETWORK = published_data.network_path(0.93)
needs_network = pytest.mark.skipif(
    NETWORK is None,
    reason=f"the shared network is absent ({published_data.reference_data_dir()}); "
    f"set ${published_data.ENV_VAR}",
)


@pytest.fixture(scope="module")
def table93():
    return reference_network.analyse_reference_network(
        nulls=["reference", "fixed_count", "degree"], samples=30, cuts=[0.93]
    )


@needs_network
def test_reference_null_bi_fan_in_the_hundreds_at_93_percent(table93):
    z = table93.set_index(["null", "motif"])["z"]
    assert 100 < z[("reference", "bi_fan")] < 400  # ~230 with 1000 samples
    assert 100 < z[("fixed_count", "bi_fan")] < 400
    assert 3 < z[("degree", "bi_fan")] < 40  # the degree null: an order smaller
    samples = table93.groupby("null")["samples"].first()
    assert samples["reference"] == samples["degree"] == 30  # fixed_count: closed form (0)
    assert table93["live_nodes"].iloc[0] == "[10, 98, 91, 67, 8, 7]"  # every bias kept


def _brute_force(graph: LayeredGraph) -> dict[str, int]:
    """Published conventions by enumeration over edge lists; a bias node of block l is an extra
    source of layer l (it feeds layer l + 1 only)."""
    succ = []  # per block: source -> set of targets (source "b" = the bias node)
    for w, b in zip(graph.blocks, graph.bias, strict=True):
        s = {i: set(np.nonzero(w[i])[0].tolist()) for i in range(w.shape[0])}
        if b is not None:
            s["b"] = set(np.nonzero(b)[0].tolist())
        succ.append(s)
    pairs2 = pairs3 = conv3 = 0
    for li, s in enumerate(succ):
        indeg = {}
        for targets in s.values():
            for t in targets:
                indeg[t] = indeg.get(t, 0) + 1
        conv3 += sum(comb(d, 2) for d in indeg.values() if d >= 3)
        if li + 1 < len(succ):
            nxt = {k: v for k, v in succ[li + 1].items() if k != "b"}  # paths run through neurons
            for targets in s.values():
                reach2 = set().union(*(nxt.get(j, set()) for j in targets)) if targets else set()
                pairs2 += len(reach2)
                if li + 2 < len(succ):
                    far = {k: v for k, v in succ[li + 2].items() if k != "b"}
                    reach3 = set().union(*(far.get(j, set()) for j in reach2)) if reach2 else set()
                    pairs3 += len(reach3)
    return {
        "connected_pairs_2": pairs2,
        "connected_pairs_3": pairs3,
        "converging_3_as_published": conv3,
    }


def _brute_bi_fan(w: np.ndarray, b: np.ndarray | None) -> int:
    rows = [w[i] for i in range(w.shape[0])] + ([b] if b is not None else [])
    return sum(
        int(np.sum(r1 & r2) * (np.sum(r1 & r2) - 1) // 2)
        for r1, r2 in itertools.combinations(rows, 2)
    )


@needs_network
def test_published_conventions_match_brute_force_on_the_network(table93):
    live, _ = strip_dead(load_graph(NETWORK))
    expected = _brute_force(live)
    got = table93[table93["null"] == "reference"].set_index("motif")["count"]
    for motif, value in expected.items():
        assert int(got[motif]) == value, motif
    # and bi_fan on a sub-block (first 30 x 30 of the second hidden block), by pairs of sources
    w = live.blocks[1][:30, :30]
    sub = LayeredGraph.from_masks([w])
    assert int(count_motifs(sub)["bi_fan"].sum()) == _brute_bi_fan(w, None)
    w0, b0 = live.blocks[0], live.bias[0]
    sub = LayeredGraph.from_masks([w0], [b0])
    assert int(count_motifs(sub)["bi_fan"].sum()) == _brute_bi_fan(w0, b0)


def test_brute_force_by_hand():
    """The brute force itself on a 2-2-2-1 graph counted by hand: every source of block 0 reaches
    both layer-2 nodes (pairs2 = 2 + 2 from block 0, 2 from block 1 sources to the output)."""
    m0 = np.array([[1, 1], [1, 0]], bool)
    m1 = np.array([[1, 1], [0, 1]], bool)
    m2 = np.array([[1], [1]], bool)
    g = LayeredGraph.from_masks([m0, m1, m2])
    bf = _brute_force(g)
    assert bf == {"connected_pairs_2": 6, "connected_pairs_3": 2, "converging_3_as_published": 0}
    counts = count_motifs(g, connected_pairs=True)
    assert {k: int(counts[k].sum()) for k in bf} == bf


def test_absent_network_gives_none_and_a_note(tmp_path):
    assert reference_network.analyse_reference_network(tmp_path) is None
    note = reference_network.missing_note(tmp_path)
    assert published_data.SETTING in note
    lines = reference_network.summary_section(None, note)
    assert note in "\n".join(lines)


def test_summary_section_tables():
    rows = [
        {"ensemble": "zahn2022", "level": lv, "cut_fraction": c, "null": n, "motif": "bi_fan",
         "count": 1, "null_mean": 0.0, "null_sd": 1.0, "z": z, "samples": 5,
         "live_nodes": "[1, 2]", "edges": 3}
        for lv, c in ((0, 0.0), (1, 0.93)) for n, z in (("reference", 230.0), ("degree", 11.4))
    ]  # fmt: skip
    text = "\n".join(reference_network.summary_section(pd.DataFrame(rows), None))
    assert "| bi_fan | 230.0 | 11.4 |" in text and "| 0.93 | 230.0 | 11.4 |" in text
