"""summary.md: does the ensemble converge, under which null, and how do the controls compare?

The verdict follows one documented criterion (VERDICT_CRITERION), applied per null model at the
selected level; every number quoted is read from the aggregate tables, so the text and the
tables cannot disagree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sparsemotifs import convergence as stats
from sparsemotifs import registry
from sparsemotifs.contracts.names import MOTIFS, NULLS, ordered
from sparsemotifs.io import write_text
from sparsemotifs.report import published
from sparsemotifs.report.selection_summary import none_rows, selection_words
from sparsemotifs.report.variants_summary import variant_lines, variants_section
from sparsemotifs.report.verdict import (  # noqa: F401 - re-exported for callers
    ALPHA,
    R_MIN,
    REFERENCE_CONTROL,
    VERDICT_CRITERION,
    _fmt,
    _p,
    _selected,
    _table,
    _verdict_sentence,
    null_verdict,
)


def _counts_section(levels: pd.DataFrame) -> list[str]:
    rows = []
    for ensemble in [e for e in registry.names() if e in set(levels.ensemble)]:
        c = stats.network_counts(levels, ensemble)
        dead = "not recorded" if c["dead_output_selected"] is None else c["dead_output_selected"]
        rows.append(
            [
                ensemble,
                c["networks"],
                c["diverged_networks"],
                c["diverged_levels"],
                c["never_passing"],
                "not recorded" if c["passes_later"] is None else c["passes_later"],
                c["selected"],
                dead,
            ]
        )
    lines = ["## Networks", ""]
    lines += _table(
        [
            "ensemble",
            "trained networks",
            "diverged networks (excluded)",
            "diverged levels",
            "never under the threshold",
            "failed at the dense level, passes later",
            "selected",
            "dead output at the selected level",
        ],
        rows,
    )
    lines += [
        "",
        "Diverged levels are excluded from every statistic (column "
        "`n_excluded_diverged` of the tables); random_pruned masks mirror the trained "
        "networks and share their exclusions and selection.",
        "",
    ]
    return lines


def _trained_ensembles() -> list[str]:
    """Ensembles with a selection of their own (derived ones share their source's)."""
    return [e.name for e in registry.ENSEMBLES if e.levels_of == e.name]


def _selection_section(levels: pd.DataFrame) -> list[str]:
    ours = {}
    for ensemble in [e for e in _trained_ensembles() if e in set(levels.ensemble)]:
        lv = levels[levels.ensemble == ensemble]
        sel = lv[lv.selected]
        counts = sel.cut_fraction.round(4).value_counts()
        ours[ensemble] = (counts, lv.seed.nunique())
    cuts = sorted(
        set(published.OPTIMAL_LEVEL_COUNTS) | {c for v in ours.values() for c in v[0].index}
    )
    rows = []
    for cut in cuts:
        row = [f"{cut:.2f}"]
        for counts, n in ours.values():
            k = int(counts.get(cut, 0))
            row.append(f"{k} ({_fmt(100 * k / n if n else np.nan, '.1f')} %)")
        k = published.OPTIMAL_LEVEL_COUNTS.get(cut, 0)
        row.append(f"{k} ({100 * k / published.OPTIMAL_LEVEL_TOTAL:.1f} %)")
        rows.append(row)
    rows += none_rows(levels, ours)
    header = (
        ["cut fraction"]
        + [f"ours: {e}" for e in ours]
        + [f"paper (n = {published.OPTIMAL_LEVEL_TOTAL})"]
    )
    lines = ["## Selected (optimally sparse) level, ours next to the paper", ""]
    lines += _table(header, rows)
    share = ", ".join(f"{s:.2f} at {c:.2f}" for c, s in published.SHARE_UNDER_THRESHOLD.items())
    lines += ["", f"Paper: share of networks under the threshold {share}, none beyond.", ""]
    return lines


def share_under_threshold(levels: pd.DataFrame, threshold: float, split: str) -> pd.Series:
    """Share of trained networks whose `split` loss is <= threshold, per cut fraction.

    Diverged or non-finite losses count as above the threshold; the denominator is every
    trained seed (as in the paper's cliff: 0.87 at 90 %, 0.53 at 93 %, 0.01 at 94 %).
    """
    lv = levels[levels.ensemble == registry.SUBJECT]
    n = lv.seed.nunique()
    loss = lv[f"loss_{split}"]
    passing = np.isfinite(loss) & (loss <= threshold) & (lv.status == "ok")
    return (passing.groupby(lv.cut_fraction.round(4)).sum() / n) if n else pd.Series(dtype=float)


def _loss_section(levels: pd.DataFrame, threshold: float | None, split: str) -> list[str]:
    lv = levels[levels.ensemble == registry.SUBJECT]
    if lv.empty:
        return []
    lines = ["## Losses (trained)", ""]
    sel = lv[lv.selected][["seed", "level"]]
    beyond = lv.merge(sel.assign(level=sel.level + 1), on=["seed", "level"])
    rows = []
    for what, frame, ref in [
        ("dense (level 0)", lv[lv.level == 0], published.MEDIAN_MSE["dense_train"]),
        ("selected level", lv[lv.selected], published.MEDIAN_MSE["optimum"]),
        ("one level beyond the selected", beyond, published.MEDIAN_MSE["one_level_beyond"]),
    ]:
        finite = frame.loss_train[np.isfinite(frame.loss_train)]
        median = float(finite.median()) if len(finite) else np.nan
        rows.append([what, len(frame), _fmt(median, ".2e"), f"{ref:.2e}"])
    lines += _table(["level", "networks", "our median train loss", "paper median"], rows)
    if threshold is not None:
        ours = share_under_threshold(levels, threshold, split)
        cuts = sorted(set(ours.index) | set(published.SHARE_UNDER_THRESHOLD))
        rows = [
            [
                f"{c:.2f}",
                _fmt(ours.get(c, np.nan), ".2f"),
                _fmt(published.SHARE_UNDER_THRESHOLD.get(c, np.nan), ".2f"),
            ]
            for c in cuts
        ]
        lines += [
            "",
            f"Share of trained networks with {split} loss ≤ {threshold:g} (paper: train loss):",
            "",
        ]
        lines += _table(["cut fraction", "ours", "paper"], rows)
    return lines + [""]


def _null_section(tables: dict[str, pd.DataFrame], null: str) -> list[str]:
    lines = [f"### null = {null}", ""]
    prof = _selected(tables["profile_similarity"])
    prof = prof[prof.null == null]
    rows = [
        [
            r.ensemble,
            r.n_networks,
            r.n_motifs,
            _fmt(r.mean_r, ".3f"),
            f"{_fmt(r.ci_low, '.3f')} to {_fmt(r.ci_high, '.3f')}",
        ]
        for r in prof.itertuples()
    ]
    lines += ["Profile similarity at the selected level (mean pairwise Pearson r of SPs):", ""]
    lines += _table(["ensemble", "networks", "informative motifs", "mean r", "95 % CI"], rows)
    perm = _selected(tables["permutation_tests"])
    perm = perm[(perm.null == null) & (perm.test.isin(["dispersion", "profile"]))]
    rows = [
        [
            f"{getattr(r, 'ensemble', registry.SUBJECT)} vs {r.control}",
            r.test,
            _fmt(r.statistic, ".3f"),
            _fmt(r.value_trained, ".3f"),
            _fmt(r.value_control, ".3f"),
            _p(r.p_one_sided),
            _p(r.p_two_sided),
        ]
        for r in perm.itertuples()
    ]
    lines += [
        "",
        "Permutation tests at the selected level (dispersion: statistic = mean distance "
        "to centroid, trained minus control, one-sided = trained tighter; profile: "
        "pseudo-F, value = distance between centroids):",
        "",
    ]
    lines += _table(
        [
            "comparison",
            "test",
            "statistic",
            registry.SUBJECT,
            "control",
            "p one-sided",
            "p two-sided",
        ],
        rows,
    )
    conv = _selected(tables["convergence"])
    conv = conv[conv.null == null]
    ensembles = [e for e in registry.names() if e in set(conv.ensemble)]
    header = ["motif", f"{registry.SUBJECT} mean z", "sd", "CV", "95 % CI of mean"]
    header += [f"{e} mean ± sd" for e in ensembles if e != registry.SUBJECT] + ["paper mean ± sd"]
    rows = []
    shown = [*MOTIFS, *published.PAPER_CHAIN_STATISTIC]
    for motif in [m for m in shown if m in set(conv.motif)]:
        by_ens = conv[conv.motif == motif].set_index("ensemble")
        if not (by_ens["n"] > 0).any():
            continue
        t = by_ens.loc[registry.SUBJECT] if registry.SUBJECT in by_ens.index else None
        row = [motif]
        if t is None or t["n"] == 0:
            row += ["n/a"] * 4
        else:
            row += [
                _fmt(t["mean"]),
                _fmt(t["sd"]),
                _fmt(t["cv"], ".3f"),
                f"{_fmt(t['ci_low'])} to {_fmt(t['ci_high'])}",
            ]
        for e in ensembles:
            if e == registry.SUBJECT:
                continue
            c = by_ens.loc[e] if e in by_ens.index else None
            ok = c is not None and c["n"] > 0
            row.append(f"{_fmt(c['mean'])} ± {_fmt(c['sd'])}" if ok else "n/a")
        paper_name = published.PAPER_CHAIN_STATISTIC.get(motif)
        ref = published.PUBLISHED_Z.get(paper_name or motif)
        if paper_name is not None:
            row[0] = f"{motif} (the paper's {paper_name} statistic)"
        if ref is None:
            row.append("—")
        elif ref["mean"] is None:
            row.append(f"median {ref['median']}")
        else:
            row.append(f"{ref['mean']} ± {ref['sd']}")
        rows.append(row)
    lines += [
        "",
        "z at the selected level per motif (motifs the null fixes are omitted; connected pairs "
        "= the paper's chain statistic, not a motif count):",
        "",
    ]
    lines += _table(header, rows) if rows else ["(no finite z under this null)"]
    return lines + [""]


def _trend_section(tables: dict[str, pd.DataFrame]) -> list[str]:
    trend = tables["dispersion_trend"]
    trend = trend[trend.ensemble == registry.SUBJECT]
    lines = [
        "## Dispersion against sparsity (trained, paired by seed)",
        "",
        "Deviation of a seed = |z − ensemble mean z| at a level (profile: distance of its "
        "SP to the centroid). rho: Spearman of the per-level mean deviation against the cut "
        "fraction (negative = spread shrinks with sparsity). Wilcoxon: each seed's deviation "
        "at the reference level vs at its selected level (seeds selected beyond the "
        "reference only).",
        "",
    ]
    rows = [
        [
            r.null,
            r.motif,
            _fmt(r.rho_levels),
            _p(r.p_levels),
            _fmt(r.reference_cut),
            int(r.n_pairs) if np.isfinite(r.n_pairs) else 0,
            _fmt(r.median_dev_reference),
            _fmt(r.median_dev_selected),
            _p(r.wilcoxon_p),
        ]
        for r in trend.itertuples()
    ]
    lines += _table(
        [
            "null",
            "motif",
            "rho (levels)",
            "p",
            "reference cut",
            "pairs",
            "median dev. reference",
            "median dev. selected",
            "Wilcoxon p",
        ],
        rows,
    )
    return lines + [""]


def _provenance(config: dict | None) -> tuple[dict | None, dict | None]:
    """(provenance document or None, the study config or None) from what --config held."""
    if config and isinstance(config.get("config"), dict):
        return config, config["config"]
    return None, config


def _header_section(
    config: dict | None, provenance: dict | None, sources: dict | None, nulls: list[str]
) -> list[str]:
    lines = ["# Does the ensemble converge?", ""]
    if sources:
        lines += ["Inputs: " + ", ".join(f"{k} `{v}`" for k, v in sources.items()), ""]
    if provenance:
        lines += [
            f"sparsemotifs {provenance.get('sparsemotifs_version', '?')}, git commit "
            f"`{provenance.get('git_commit', '?')}`.",
            "",
        ]
    if config:
        sel = config.get("selection", {})
        lines += [
            f"Study `{config.get('study', '?')}`: {config.get('seeds', '?')} seeds; "
            f"selection {selection_words(sel)} (rule {sel.get('rule', '?')}); nulls "
            f"{', '.join(config.get('motifs', {}).get('nulls', nulls))}.",
            "",
        ]
        lines += variant_lines(config.get("variants") or {})
    return lines


def _verdict_section(verdicts: list[dict]) -> list[str]:
    """The former r̄ >= 0.9 criterion, demoted to a descriptive section (issue 12)."""
    lines = ["## Descriptive similarity (the former criterion, not the verdict)", ""]
    lines.append(
        "Mean pairwise SP correlation grows with width and degree heterogeneity and "
        "random_pruned is ~N(0, 1) by construction, so this former criterion can call a "
        "structureless ensemble convergent; it is kept for comparison only."
    )
    converged = [v["null"] for v in verdicts if v["verdict"] == "converges"]
    if converged:
        lines.append(f"Under it the trained ensemble would converge under: {', '.join(converged)}.")
    else:
        lines.append(
            "The trained ensemble does not meet the former convergence criterion under any null."
        )
    lines += [""] + [_verdict_sentence(v) for v in verdicts]
    return lines + [
        "",
        f"Former criterion: {VERDICT_CRITERION}",
        "",
        "Under the fixed-count nulls the diverging/converging z-scores largely measure "
        "degree heterogeneity; the degree-preserving null asks whether the wiring beyond "
        "the degrees (chain_3, bi_fan, bi_parallel, 3rd-order fans) is shared. Permutation "
        "p-values cannot be smaller than 1/(1 + number of permutations).",
        "",
    ]


def _published_section() -> list[str]:
    return [
        "## Comparison with the published numbers",
        "",
        published.METHOD_DIFFERENCES,
        "",
        f"Source: {published.SOURCE}.",
        "",
    ]


def render_summary(
    levels: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    config: dict | None = None,
    sources: dict[str, str] | None = None,
    threshold: float | None = None,
    split: str | None = None,
    signed: pd.DataFrame | None = None,
) -> str:
    """The summary as markdown text; threshold/split (for the loss shares) come from the
    config's `selection` section when given (explicit arguments win); `signed` (the signed-motif
    table, when the study computes it) adds its section."""
    nulls = ordered(tables["convergence"].null, NULLS, sort_rest=True)
    verdicts = [null_verdict(tables, null) for null in nulls]
    provenance, config = _provenance(config)
    selection = (config or {}).get("selection", {})
    threshold = threshold if threshold is not None else selection.get("threshold")
    split = split or selection.get("split") or "val"
    lines = _header_section(config, provenance, sources, nulls)
    from sparsemotifs.report.verdict_summary import (
        calibration_section,
        outcomes_section,
        verdict_section,
    )

    lines += variants_section(levels, tables)
    if "verdict" in tables:
        lines += verdict_section(tables["verdict"], config)
    if "calibration" in tables:
        lines += calibration_section(tables["calibration"])
    lines += _verdict_section(verdicts)
    lines += _counts_section(levels)
    lines += _selection_section(levels)
    lines += outcomes_section(levels, threshold, split)
    from sparsemotifs.report.selection_summary import control_task_section, dead_output_section

    lines += dead_output_section(levels, tables.get("verdict"))
    lines += control_task_section(levels, tables.get("verdict"), config)
    lines += _loss_section(levels, threshold, split)
    lines += ["## Per null model, at the selected level", ""]
    for null in nulls:
        lines += _null_section(tables, null)
    lines += _trend_section(tables)
    if "delta_z_summary" in tables:
        from sparsemotifs.report.delta_z_summary import delta_z_section

        lines += delta_z_section(tables["delta_z_summary"], levels)
    if "variant_effects" in tables:
        from sparsemotifs.report.variant_effects_summary import variant_effects_section

        lines += variant_effects_section(tables["variant_effects"], levels)
    if signed is not None:
        from sparsemotifs.report.signed_summary import signed_section

        lines += signed_section(signed, levels)
    lines += _published_section()
    return "\n".join(lines)


def write_summary(
    levels: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    out_path: str | Path,
    config: dict | None = None,
    sources: dict[str, str] | None = None,
    threshold: float | None = None,
    split: str | None = None,
    signed: pd.DataFrame | None = None,
) -> str:
    """Render the summary and write it atomically; returns the text."""
    text = render_summary(levels, tables, config, sources, threshold, split, signed)
    write_text(text, out_path)
    return text
