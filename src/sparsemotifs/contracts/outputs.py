"""Names and columns of the statistics and report outputs (tables/<name>.csv, figures/<name>).

Why a module of its own: every command imports the registry and the stage contracts
(contracts/tables.py), and the workflow's code fingerprints hash what a command imports. Lists
that grow with each new table or figure live here, imported only by the statistics and report
commands, so adding one reruns those stages and not the simulation, training or motif counts.
"""

from __future__ import annotations

# Tables of the statistics stage (tables/<name>.csv) and figures of the report (figures/<name>.png
# and .pdf), in report order; each has a caption workflow/report/<name>.rst.
TABLES = (
    "convergence",
    "profile_similarity",
    "permutation_tests",
    "dispersion_trend",
    "convergence_per_layer",
    "verdict",
    "calibration",
    "delta_z",
    "delta_z_summary",
    "variant_effects",
)
FIGURES = (
    "loss_vs_sparsity",
    "selected_sparsity",
    "z_selected",
    "z_vs_sparsity",
    "profile_heatmap",
    "published_comparison",
)
# The comparison with the reference study's published data (workflow/rules/published.smk;
# skipped with a note when the data are absent): its tables and figures, in report order.
PUBLISHED_TABLES = ("published_comparison", "published_choices", "reference_network")
PUBLISHED_FIGURES = ("published_losses", "published_live", "published_z", "reference_network_z")


# what the figures and the summary need of the statistics tables
STATISTICS_COLUMNS = {
    "convergence": [
        "ensemble", "level", "null", "motif", "n", "mean", "sd", "cv", "ci_low", "ci_high",
    ],
    "profile_similarity": [
        "ensemble", "level", "null", "n_networks", "mean_r", "ci_low", "ci_high",
    ],
    "permutation_tests": [
        "ensemble", "level", "null", "control", "test", "statistic", "value_trained", "value_control",
        "p_one_sided", "p_two_sided",
    ],
    "dispersion_trend": [
        "ensemble", "null", "motif", "rho_levels", "p_levels", "n_pairs", "wilcoxon_p",
    ],
    "verdict": [
        "ensemble", "null", "level", "n_seeds", "similarity_trained", "similarity_null_samples", "delta",
        "delta_ci_low", "delta_ci_high", "q25_seed_delta", "q25_ci_low", "verdict", "reason",
    ],
    "calibration": [
        "ensemble", "null", "motif", "n", "mean_z", "sd_z", "calibrated", "p_holm",
    ],
    # ΔZ = z(trained at level k) - z(its initial weights magnitude-pruned to level k's live
    # counts, ensemble magnitude_init): per seed in delta_z, and per (ensemble, null, level,
    # motif) in delta_z_summary (seed mean, seed-bootstrap CI, t test, Holm within the table).
    # Two tables rather than summary rows, so that every column keeps one meaning and type.
    "delta_z": [
        "ensemble", "null", "seed", "level", "cut_fraction", "motif", "z_trained", "z_init",
        "delta_z",
    ],
    "delta_z_summary": [
        "ensemble", "null", "level", "cut_fraction", "motif", "n_seeds", "mean_z_trained",
        "mean_z_init", "mean_delta_z", "sd_delta_z", "ci_low", "ci_high", "p_mean_zero", "p_holm",
    ],
    # each variant against the subject per null, level and motif (plus one `profile` row: the
    # SP-centroid test), passing networks only: convergence/variant_effects.py
    "variant_effects": [
        "ensemble", "reference", "null", "level", "cut_fraction", "motif", "n_reference",
        "n_variant", "mean_z_reference", "mean_z_variant", "diff", "ci_low", "ci_high",
        "hedges_g", "g_ci_low", "g_ci_high", "p", "p_holm", "answer",
    ],
}  # fmt: skip
