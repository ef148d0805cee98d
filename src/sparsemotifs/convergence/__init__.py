"""Does the ensemble converge? Statistics of z-scores across seeds, with controls.

Neuron identities are arbitrary across seeds, so seeds are compared only through
permutation-invariant summaries: the spread of each motif's z across seeds (sd, coefficient of
variation, bootstrap CI of the mean), the similarity of significance profiles (SP, Milo et al.
2004), permutation tests of trained vs control ensembles (PERMDISP-like dispersion, PERMANOVA-like
pseudo-F on SP vectors, per-motif sd ratio), and the trend of dispersion with sparsity paired by
seed. Every random draw comes from a generator seeded by (seed, group key), so a table does not
depend on which other groups happen to be present. Networks whose level diverged are excluded and
counted (`n_excluded_diverged`), and so, unless selection.exclude_dead_outputs is false, are
networks with a dead output (`n_excluded_dead_output`; the verdict table also gives the answer
with the other choice).

Modules in pipeline order: prepare (status, cut fractions, the selected pseudo-level), describe
(spread across seeds, counts), profiles (SP similarity), permutation (tests against controls),
trend (dispersion vs sparsity); `aggregate` runs them all.
"""

from __future__ import annotations

import pandas as pd

from sparsemotifs.contracts.names import SELECTED
from sparsemotifs.contracts.tables import first_draw, validate_levels, validate_motifs
from sparsemotifs.convergence.describe import (
    bootstrap_mean_ci,
    convergence_table,
    describe,
    group_rng,
    network_counts,
)
from sparsemotifs.convergence.permutation import (
    dispersion_test,
    distances_to_centroid,
    permutation_tests,
    profile_test,
    pseudo_f,
    sd_ratio_test,
)
from sparsemotifs.convergence.prepare import (
    Prepared,
    concat_levels,
    level_cut_fractions,
    prepare,
    selection_table,
)
from sparsemotifs.convergence.profiles import (
    mean_pairwise,
    pairwise_profile_correlation,
    profile_similarity,
    profile_similarity_table,
    significance_profiles,
)
from sparsemotifs.convergence.trend import REFERENCE_CUT, dispersion_trend
from sparsemotifs.io import InputError

__all__ = [
    "REFERENCE_CUT",
    "SELECTED",
    "Prepared",
    "aggregate",
    "bootstrap_mean_ci",
    "concat_levels",
    "convergence_table",
    "describe",
    "dispersion_test",
    "dispersion_trend",
    "distances_to_centroid",
    "group_rng",
    "level_cut_fractions",
    "mean_pairwise",
    "network_counts",
    "pairwise_profile_correlation",
    "permutation_tests",
    "prepare",
    "profile_similarity",
    "profile_similarity_table",
    "profile_test",
    "pseudo_f",
    "sd_ratio_test",
    "selection_table",
    "significance_profiles",
    "validate_levels",
    "validate_motifs",
]


def aggregate(
    levels: pd.DataFrame,
    motifs: pd.DataFrame,
    per_layer: pd.DataFrame | None = None,
    *,
    n_boot: int = 2000,
    n_perm: int = 999,
    seed: int = 0,
    reference_cut: float = REFERENCE_CUT,
) -> dict[str, pd.DataFrame]:
    """All tables of the convergence analysis, keyed by output file stem.

    Seeds are the unit: the descriptive tables, the tests and the calibration see one network
    per seed and level (draw 0); only the verdict uses every draw of the null samples (it
    averages the similarity over a seed's draws).
    """
    every_draw = prepare(levels, motifs).motifs
    prepared = prepare(levels, first_draw(motifs))
    tables = {
        "convergence": convergence_table(prepared, n_boot, seed),
        "profile_similarity": profile_similarity_table(prepared, n_boot, seed),
        "permutation_tests": permutation_tests(prepared, n_perm, seed),
        "dispersion_trend": dispersion_trend(prepared, levels, reference_cut),
    }
    from sparsemotifs.convergence.prepare import dead_output_excluded
    from sparsemotifs.convergence.study_verdict import (
        study_calibration,
        study_verdict,
        with_dead_output_alternative,
    )

    verdict = study_verdict(every_draw, levels, n_boot=n_boot, seed=seed)
    alternative = None  # the verdict under the other dead-output choice (issue 12, item 5)
    if dead_output_excluded(levels, True).any():
        other = prepare(levels, motifs, exclude_dead_outputs="other").motifs
        alternative = study_verdict(other, levels, n_boot=n_boot, seed=seed)
    tables["verdict"] = with_dead_output_alternative(verdict, alternative, levels)
    from sparsemotifs.convergence.difficulty import control_difficulty

    tables["verdict"] = tables["verdict"].assign(**control_difficulty(levels))
    tables["calibration"] = study_calibration(prepared.motifs, n_boot=n_boot, seed=seed)
    from sparsemotifs.convergence.delta_z import delta_z_summary, delta_z_table

    tables["delta_z"] = delta_z_table(prepared.motifs)
    tables["delta_z_summary"] = delta_z_summary(tables["delta_z"], n_boot=n_boot, seed=seed)
    from sparsemotifs.convergence.variant_effects import variant_effects

    tables["variant_effects"] = variant_effects(
        prepared.motifs, levels, n_boot=n_boot, n_perm=n_perm, seed=seed
    )
    if per_layer is not None:
        if "layer" not in per_layer.columns:
            raise InputError("per-layer motifs table: missing column 'layer'")
        prepared_layer = prepare(levels, first_draw(per_layer))
        tables["convergence_per_layer"] = convergence_table(
            prepared_layer, n_boot, seed, extra_keys=("layer",)
        )
    return tables
