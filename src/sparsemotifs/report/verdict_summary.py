"""summary.md's verdict and calibration sections, from tables/verdict.csv and calibration.csv.

Why a section of its own: the verdict is inferential (gain in profile similarity over each
network's own degree-matched null samples, `convergence.verdict`), and the summary must say in
words which way every headline number points, what the answer depends on and that it is
conditional on the networks' width.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs.contracts.names import SELECTED

CRITERION = (
    "per null model and pruning level, the similarity of two seeds is the cosine of their "
    "significance profiles (z / |z| over the motifs the null leaves free, the 3-stars dropped "
    "under the fixed-count nulls because they repeat the 2-stars); the **gain** is the mean "
    "similarity of trained seeds minus that of their degree-matched null samples (ensemble "
    "null_degree: one degree-preserving randomisation of each network, analysed like it), "
    "with a paired seed bootstrap CI. **converges**: at least {min_seeds} seeds, the CI of the "
    "gain and of its lower quartile over seeds above 0, and (where the control task is "
    "analysed) the gain over the control task at the same level above 0 (else **not "
    "distinguishable from the control**); **does not converge**: the CI upper bound below the "
    "margin {margin} (no meaningful gain); otherwise **undetermined**. Over levels a null "
    "converges only if every level with enough seeds does (intersection-union: no "
    "multiplicity correction needed). The selected pseudo-level is secondary (it pools "
    "levels: its level mix is stated)."
)


def _f(value, spec: str = ".3f") -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "n/a"
    return format(value, spec) if np.isfinite(value) else "n/a"


def _ci(row, low: str, high: str) -> str:
    return f"[{_f(row.get(low))}, {_f(row.get(high))}]"


def _direction(row) -> str:
    """The headline numbers of one null in words."""
    d = float(row.get("delta", np.nan))
    if not np.isfinite(d):
        return "the gain is not defined (too few seeds or profiles)"
    way = "more" if d > 0 else "less" if d < 0 else "as"
    words = (
        f"trained seeds are {way} similar to each other (mean cosine "
        f"{_f(row.get('similarity_trained'))}) {'as' if d == 0 else 'than'} their degree-matched null samples are "
        f"(mean cosine {_f(row.get('similarity_null_samples'))}): gain {_f(d)}, 95 % CI "
        f"{_ci(row, 'delta_ci_low', 'delta_ci_high')}"
    )
    q = row.get("q25_seed_delta", np.nan)
    if np.isfinite(float(q)):
        words += (
            f"; a typical seed (lower quartile of the per-seed gains {_f(q)}) is "
            f"{'more' if q > 0 else 'not more'} similar to the others than its null samples"
        )
    dc = float(row.get("delta_control", np.nan))
    if np.isfinite(dc):
        words += (
            f"; compared with the control task the trained ensemble is "
            f"{'more' if dc > 0 else 'less'} similar (gain {_f(dc)}, CI "
            f"{_ci(row, 'delta_control_ci_low', 'delta_control_ci_high')})"
        )
    m1 = float(row.get("delta_min1_samples", np.nan))
    if np.isfinite(m1):
        words += (
            f"; over fixed_count_min1 samples (same live nodes and edge counts, degrees not "
            f"kept) the gain is {_f(m1)} (descriptive: how much similarity degrees give)"
        )
    return words


def _level_table(table: pd.DataFrame) -> list[str]:
    rows = table[table["level"].astype(str) != "all"]
    if rows.empty:
        return []
    lines = [
        "| null | level | cut fraction | seeds | similarity trained | similarity null samples "
        "| gain (95 % CI) | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, r in rows.iterrows():
        level = str(r["level"])
        if level == SELECTED and isinstance(r.get("level_mix"), str) and r["level_mix"]:
            level = f"{SELECTED} ({r['level_mix']})"
        lines.append(
            f"| {r['null']} | {level} | {_f(r.get('cut_fraction'), '.2f')} | "
            f"{int(r['n_seeds']) if np.isfinite(float(r['n_seeds'])) else 0} | "
            f"{_f(r['similarity_trained'])} | {_f(r['similarity_null_samples'])} | "
            f"{_f(r['delta'])} {_ci(r, 'delta_ci_low', 'delta_ci_high')} | {r['verdict']} |"
        )
    return lines + [""]


def _draws_words(config: dict | None) -> str:
    """How many null samples per network the reference holds, and how they count."""
    k = int(((config or {}).get("controls", {}) or {}).get("null_samples", 1) or 0)
    if k <= 0:
        return "none (controls.null_samples = 0): the verdict is undetermined."
    return (
        f"{k} draw(s) of the degree-preserving null per network (controls.null_samples); a "
        "seed's draws are averaged in its similarity and resampled with it, so they sharpen the "
        "reference without counting as extra seeds."
    )


def verdict_section(table: pd.DataFrame, config: dict | None = None) -> list[str]:
    """## Verdict: per null verdicts, their numbers in words, dependencies, width caveat.

    With several studied ensembles (variants; column `ensemble`) one subsection each, with
    the variant's own effective settings (its widths and selection) in its caveats.
    """
    names = list(dict.fromkeys(table["ensemble"])) if "ensemble" in table.columns else []
    if len(names) <= 1:
        return _verdict_one(table, config, ["## Verdict", ""])
    lines = ["## Verdict", "", "Each variant against samples of its own null:", ""]
    for i, name in enumerate(names):
        own = config
        if config and name in (config.get("variants") or {}):
            from sparsemotifs.config import deep_merge

            own = deep_merge(config, config["variants"][name])
        rows = table[table["ensemble"] == name]
        lines += _verdict_one(rows, own, [f"### {name}", ""], criterion=i == len(names) - 1)
    return lines


def _verdict_one(
    table: pd.DataFrame, config: dict | None, lines: list[str], criterion: bool = True
) -> list[str]:
    overall = table[table["level"].astype(str) == "all"]
    if overall.empty:
        return lines + ["No verdict table (tables/verdict.csv is empty).", ""]
    for _, r in overall.iterrows():
        lines.append(f"- **null = {r['null']}: {r['verdict']}.** {r.get('reason', '')}")
    lines.append("")
    primary = table[~table["level"].astype(str).isin(["all", SELECTED])]
    for null, rows in primary.groupby("null", sort=False):
        ok = rows[np.isfinite(rows["delta"].astype(float))]
        if ok.empty:
            continue
        # the sparsest level that the rule can judge (enough seeds), else any with a gain
        enough = ok[ok["n_seeds"].astype(float) >= ok["min_seeds"].astype(float)]
        r = (enough if len(enough) else ok).iloc[-1]
        lines.append(f"At level {r['level']} under {null}: {_direction(r)}.")
    lines += [""] + _level_table(table)
    from sparsemotifs.report.selection_summary import selection_words

    verdicts = dict(zip(overall["null"], overall["verdict"], strict=True))
    widths = (config or {}).get("network", {}).get("widths")
    selection = (config or {}).get("selection", {})
    same = len(set(verdicts.values())) == 1
    lines += [
        "What the answer depends on:",
        "",
        f"- **Null model**: the verdicts {'agree' if same else 'differ'} across nulls ("
        + "; ".join(f"{n}: {v}" for n, v in verdicts.items())
        + "). The fixed-count nulls count degree heterogeneity; the degree null asks about the "
        "wiring beyond the degrees.",
        "- **Width**: z grows like the square root of the edge count, so similarities of any "
        "common stochastic mechanism grow with width; the null samples share this, but the CIs "
        f"narrow with width. This answer holds for widths {widths or 'of this study'} only and "
        "is conditional on width: a wider network may get a different verdict.",
        "- **Selection rule**: the per-level verdicts are primary (networks passing at each "
        f"level); the selected pseudo-level (rule {selection.get('rule', '?')}, "
        f"{selection_words(selection)}) pools the levels the seeds stopped at and is secondary.",
        f"- **Null samples**: {_draws_words(config)}",
        "",
    ]
    if not criterion:  # stated once, after the last variant
        return lines
    first = overall.iloc[0]
    lines += [
        "Criterion: "
        + CRITERION.format(
            min_seeds=int(first["min_seeds"]) if np.isfinite(float(first["min_seeds"])) else 8,
            margin=_f(first["margin"], "g"),
        ),
        "",
    ]
    return lines


def calibration_section(table: pd.DataFrame) -> list[str]:
    """## Calibration of the nulls: z of null-like networks against N(0, 1)."""
    lines = ["## Calibration of the nulls", ""]
    if table.empty:
        return lines + [
            "No calibration rows (random_pruned under fixed_count and null_min1 under "
            "fixed_count_min1 are not both analysed).",
            "",
        ]
    calibrated = table["calibrated"].astype(str).str.strip().str.lower().isin(["true", "1", "1.0"])
    n_ok = int(calibrated.sum())
    lines += [
        "random_pruned (random masks on the live per-layer edge counts) should be ~N(0, 1) "
        "under fixed_count and the null_min1 samples exactly so under fixed_count_min1: "
        f"{n_ok} of {len(table)} (ensemble, null, motif) rows are calibrated (mean z CI "
        "contains 0 and sd z CI contains 1). A negative mean z means the null overstates "
        "that motif for null-like networks; p: t test of mean z = 0, Holm within each ensemble.",
        "",
        "| ensemble | null | motif | n | mean z (95 % CI) | sd z (95 % CI) | calibrated | p (Holm) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (_, r), ok in zip(table.iterrows(), calibrated, strict=True):
        lines.append(
            f"| {r['ensemble']} | {r['null']} | {r['motif']} | {int(r['n'])} | "
            f"{_f(r['mean_z'], '.2f')} {_ci(r, 'mean_ci_low', 'mean_ci_high')} | "
            f"{_f(r['sd_z'], '.2f')} {_ci(r, 'sd_ci_low', 'sd_ci_high')} | "
            f"{'yes' if ok else 'no'} | {_f(r['p_holm'], '.2g')} |"
        )
    return lines + [""]


def outcomes_section(levels: pd.DataFrame, threshold, split: str) -> list[str]:
    """## Seed outcomes: first_failure drop-outs under their own name, with their passing levels.

    Passing is the levels table's `passes` (what `select` decided, whatever the threshold
    kind); tables without it: status ok and `split` loss at most `threshold`.
    """
    from sparsemotifs.training.outcomes import outcome_counts, seed_outcomes

    if "passes" in levels.columns:
        lv = levels
    else:
        if threshold is None or f"loss_{split}" not in levels.columns:
            return []
        lv = levels.assign(
            passes=(levels["status"] == "ok") & (levels[f"loss_{split}"] <= float(threshold))
        )
    if f"loss_{split}" in lv.columns and lv[f"loss_{split}"].isna().all():
        return []  # imported networks: no losses, every level passes
    counts = outcome_counts(lv)
    lines = ["## Seed outcomes under the selection rule", ""]
    lines += ["| ensemble | outcome | seeds |", "|---|---|---|"]
    lines += [f"| {r.ensemble} | {r.outcome} | {r.seeds} |" for r in counts.itertuples()]
    late = seed_outcomes(lv)
    late = late[late["outcome"] == "failed at the dense level, passes later"]
    lines.append("")
    if len(late):
        lines.append(
            "Seeds that failed at the dense level but pass later (not selected by "
            "first_failure; they are not 'never under the threshold'): "
            + "; ".join(
                f"{r.ensemble} seed {r.seed} passes at levels {r.passing_levels}"
                for r in late.itertuples()
            )
            + "."
        )
    else:
        lines.append("No seed failed at the dense level and passed later.")
    return lines + [""]
