"""Canonical orders and the one ordering helper."""

from __future__ import annotations

import pandas as pd

from sparsemotifs.contracts.names import (
    FIXED_BY_NULL,
    MOTIFS,
    NULLS,
    SELECTED,
    informative_motifs,
    ordered,
    sort_frame,
)


def test_ordered_keeps_canonical_order_then_the_rest():
    assert ordered(["degree", "new", "fixed_count", "degree"], NULLS) == [
        "fixed_count",
        "degree",
        "new",
    ]
    assert ordered(["zeta", "bi_fan", "alpha"], MOTIFS, sort_rest=True) == [
        "bi_fan",
        "alpha",
        "zeta",
    ]
    assert ordered([], MOTIFS) == []


def test_sort_frame_by_canonical_rank_and_numeric_level():
    df = pd.DataFrame(
        {
            "null": ["degree", "fixed_count", "degree", "degree"],
            "level": [SELECTED, "10", "2", "10"],
            "motif": ["edges", "edges", "bi_fan", "edges"],
        }
    )
    out = sort_frame(df, ["null", "level", "motif"], {"null": NULLS, "motif": MOTIFS})
    assert out.values.tolist() == [
        ["fixed_count", "10", "edges"],
        ["degree", "2", "bi_fan"],
        ["degree", "10", "edges"],
        ["degree", SELECTED, "edges"],
    ]


def test_informative_motifs_complement_the_fixed_ones():
    for null in NULLS:
        informative = informative_motifs(null)
        assert set(informative) | FIXED_BY_NULL[null] == set(MOTIFS)
        assert not set(informative) & FIXED_BY_NULL[null]
