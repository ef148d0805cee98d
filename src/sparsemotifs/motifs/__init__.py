"""Motif analysis of pruned layered networks (definitions: shared/reference/motifs.md).

graph     masks -> LayeredGraph, validation, removal of dead nodes (`strip_dead`), random masks
counts    exact counts of every motif, per layer position, for one graph or a batch
exact     closed-form mean/covariance of every count under the layered fixed-count null
samplers  fixed_count, fixed_count_min1 and degree-preserving null samplers
reference the reference study's own random-network generator (the `reference` null)
stats     z, empirical p, significance profile
analysis  one graph against one null (`analyse`)
signed    edge classes from weights (sign, Zambra's three) and exact counts by class composition
signed_null  the class-preserving degree null (`degree_signed`) and its z-scores
cli       `sparsemotifs motifs {count,zscore,thresholds,table}` (signed options: signed_cli)
"""

from sparsemotifs.motifs.analysis import NullResult, analyse, null_seed
from sparsemotifs.motifs.counts import CONNECTED_PAIRS, MOTIFS, PUBLISHED_CONVENTIONS, count_motifs
from sparsemotifs.motifs.exact import FixedCountModel
from sparsemotifs.motifs.graph import LayeredGraph, LiveReport, load_graph, strip_dead
from sparsemotifs.motifs.stats import FIXED_BY_NULL, NULLS, significance_profile

__all__ = [
    "CONNECTED_PAIRS",
    "FIXED_BY_NULL",
    "MOTIFS",
    "NULLS",
    "PUBLISHED_CONVENTIONS",
    "FixedCountModel",
    "LayeredGraph",
    "LiveReport",
    "NullResult",
    "analyse",
    "count_motifs",
    "load_graph",
    "null_seed",
    "significance_profile",
    "strip_dead",
]
