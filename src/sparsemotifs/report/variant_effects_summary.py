"""summary.md's answer to "does the variant change the motif profile beyond the matched nulls?"

Why a section of its own: with `init_schemes.yaml` this is Zambra et al.'s question (does the
initialisation shape the pruned networks' motifs?), and its answer must name the level, the
null and how large a difference the seeds could have missed, not only a p-value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs.contracts.names import SELECTED
from sparsemotifs.convergence.variant_effects import MIN_SEEDS, PROFILE
from sparsemotifs.report.verdict import _fmt as _f


def comparison_level(table: pd.DataFrame, null: str, min_seeds: int = MIN_SEEDS) -> str | None:
    """The sparsest pruning level at which every variant and the subject have at least
    `min_seeds` passing networks with a profile (the level compared first); None if none."""
    prof = table[(table["null"] == null) & (table["motif"] == PROFILE)]
    prof = prof[prof["level"].astype(str) != SELECTED]
    enough = prof.assign(ok=(prof[["n_reference", "n_variant"]].min(axis=1) >= min_seeds))
    per_level = enough.groupby(enough["level"].astype(int))["ok"].all()
    ok = per_level[per_level]
    return str(ok.index.max()) if len(ok) else None


def _resolution(motifs: pd.DataFrame) -> float:
    """The largest |g| any motif's CI still allows: what the seeds could have missed."""
    bounds = motifs[["g_ci_low", "g_ci_high"]].abs().to_numpy(dtype=float)
    bounds = bounds[np.isfinite(bounds)]
    return float(bounds.max()) if bounds.size else np.nan


def _sentence(rows: pd.DataFrame, variant: str, reference: str, null: str, where: str) -> str:
    prof = rows[rows["motif"] == PROFILE]
    motifs = rows[rows["motif"] != PROFILE]
    if prof.empty or prof["answer"].iloc[0] == "undetermined":
        return f"- `{variant}`, {null} null, {where}: undetermined (fewer than {MIN_SEEDS} seeds)."
    p = prof.iloc[0]
    differ = motifs[motifs["answer"] == "differs"].sort_values("hedges_g", key=lambda s: -s.abs())
    listed = ", ".join(
        f"{r.motif} g = {_f(r.hedges_g)} [{_f(r.g_ci_low)}, {_f(r.g_ci_high)}]"
        for r in differ.itertuples()
    )
    head = (
        f"- `{variant}`, {null} null, {where}, n = {int(p.n_reference)} / {int(p.n_variant)}: "
        f"profile {p.answer} from `{reference}`'s (p_holm = {_f(p.p_holm, '.3g')})"
    )
    if listed:
        return f"{head}; motifs whose z differs (Holm): {listed}."
    return (
        f"{head}; no motif's z differs (Holm); the seeds rule out differences beyond "
        f"|g| = {_f(_resolution(motifs))}."
    )


def variant_effects_section(table: pd.DataFrame, levels: pd.DataFrame | None = None) -> list[str]:
    """## Does the variant change the motif profile? (nothing without a second variant)"""
    if table is None or table.empty:
        return []
    reference = str(table["reference"].iloc[0])
    lines = [
        "## Does the variant change the motif profile?",
        "",
        f"Each variant against `{reference}` (the subject), only the networks passing at the "
        "level, the seed as the unit (tables/variant_effects.csv). Every z is already taken "
        "against a matched null (fixed_count: the same live edges per block; degree: every "
        "node's in- and out-degree), so a difference here is one that those controls do not "
        "explain. Profile: the PERMANOVA-like test of the two significance-profile centroids "
        "(Holm over the variants); motifs: Welch's t on z (Holm over the motifs), effect as "
        "Hedges' g = (variant - subject) / pooled seed sd, with its bootstrap 95 % CI; g > 0: "
        "the motif is more over-represented in the variant. The comparison level is the "
        f"sparsest level at which every variant has >= {MIN_SEEDS} passing seeds; `selected` "
        "compares each seed's own selected level (selection rule included).",
        "",
    ]
    cuts = {}
    if levels is not None and "cut_fraction" in levels.columns:
        cuts = levels.groupby(levels["level"].astype(str))["cut_fraction"].first().to_dict()
    for null in dict.fromkeys(table["null"]):
        at = comparison_level(table, null)
        chosen = [at] if at is not None else []
        for level in [*chosen, SELECTED]:
            rows = table[(table["null"] == null) & (table["level"].astype(str) == level)]
            if level == SELECTED:
                where = "at the selected level"
            else:
                cut = cuts.get(level, rows["cut_fraction"].mean())
                where = f"at level {level} ({_f(100 * float(cut), '.0f')} % pruned)"
            for variant in dict.fromkeys(rows["ensemble"]):
                lines.append(
                    _sentence(rows[rows["ensemble"] == variant], variant, reference, null, where)
                )
        lines += _level_counts(table, null)
    lines += [
        "",
        "What this depends on: the width (z grows like sqrt(edges); g does not), the null (the "
        "degree null removes what the degrees explain, fixed_count only the edge counts) and "
        "the selection rule (a variant that selects other levels is compared at other "
        "sparsities under `selected`).",
        "",
    ]
    return lines


def _level_counts(table: pd.DataFrame, null: str) -> list[str]:
    prof = table[
        (table["null"] == null)
        & (table["motif"] == PROFILE)
        & (table["level"].astype(str) != SELECTED)
        & (table["answer"] != "undetermined")
    ]
    out = []
    for variant, g in prof.groupby("ensemble", sort=False):
        out.append(
            f"  - `{variant}`, {null} null, over the {len(g)} levels with enough seeds: "
            f"profile differs at {int((g['answer'] == 'differs').sum())}."
        )
    return out
