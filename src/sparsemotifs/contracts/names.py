"""Names shared by every stage and their canonical orders, with the one ordering helper.

The canonical order of a name list is the order tables are sorted in and figures and the
summary show them in; names outside it (a future null, the paper's chain statistic) follow in
the order given, or sorted when asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

MOTIFS = (
    "edges",
    "diverging_2",
    "converging_2",
    "chain_2",
    "diverging_3",
    "converging_3",
    "chain_3",
    "bi_fan",
    "bi_parallel",
)
# The paper's chain statistic (connected endpoint pairs): reported beside the motifs, never in
# a significance profile.
CONNECTED_PAIRS = ("connected_pairs_2", "connected_pairs_3")
# The reference study's counting conventions where they differ from the motif definitions
# (paper_protocol.md, defect 1): connected endpoint pairs for chains, and its 3rd-order
# converging count, sum of C(in-degree, 2) over nodes with in-degree >= 3, under its own name.
PUBLISHED_CONVENTIONS = CONNECTED_PAIRS + ("converging_3_as_published",)
NULLS = ("fixed_count", "fixed_count_min1", "degree", "reference")
# Counts that a null holds fixed by construction: their z is undefined.
FIXED_BY_NULL = {
    "fixed_count": frozenset({"edges"}),
    "fixed_count_min1": frozenset({"edges"}),
    "degree": frozenset(
        {"edges", "diverging_2", "converging_2", "chain_2", "diverging_3", "converging_3"}
    ),
    # the reference study's generator does not hold even the edge count fixed (its empty-block
    # defect); where the count does not vary its sd is 0 and z is NaN anyway
    "reference": frozenset(),
}
SPLITS = ("train", "val", "test")
SELECTED = "selected"  # pseudo-level of the statistics: each seed at its own selected level


def informative_motifs(null: str, motifs: Iterable[str] = MOTIFS) -> list[str]:
    """The motifs whose z a null leaves defined (not fixed by construction), in the given order.

    >>> informative_motifs("degree")
    ['chain_3', 'bi_fan', 'bi_parallel']
    """
    fixed = FIXED_BY_NULL.get(null, frozenset())
    return [m for m in motifs if m not in fixed]


def ordered(values: Iterable, canonical: Sequence, *, sort_rest: bool = False) -> list:
    """The distinct `values` in canonical order; the others follow as first seen (or sorted).

    >>> ordered(["degree", "x", "fixed_count", "degree"], NULLS)
    ['fixed_count', 'degree', 'x']
    """
    present = list(dict.fromkeys(values))
    rest = [v for v in present if v not in canonical]
    return [v for v in canonical if v in present] + (sorted(rest) if sort_rest else rest)


def rank(value, canonical: Sequence) -> int:
    """Position of `value` in `canonical`; every other value ranks after all of them (ties)."""
    try:
        return list(canonical).index(value)
    except ValueError:
        return len(canonical)


def level_rank(value) -> int:
    """Levels sort numerically, with the `selected` pseudo-level last."""
    return 10**9 if value == SELECTED else int(value)


def sort_frame(
    df: pd.DataFrame, keys: Sequence[str], orders: Mapping[str, Sequence]
) -> pd.DataFrame:
    """Stable sort by `keys`; columns in `orders` by canonical rank, `level` by `level_rank`."""
    if df.empty:
        return df.reset_index(drop=True)

    def key(s: pd.Series) -> pd.Series:
        if s.name in orders:
            return s.map(lambda v: rank(v, orders[s.name]))
        if s.name == "level":
            return s.map(level_rank)
        return s

    return df.sort_values([k for k in keys if k in df.columns], key=key, kind="stable").reset_index(
        drop=True
    )
