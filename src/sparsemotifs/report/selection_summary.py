"""summary.md sections on what selection did (issue 12, item 5) and on the control task.

Why: first_failure drop-outs pass at later levels, so "never under the threshold" is false for
them; networks with a dead output are left out of the statistics by default, so the summary
must count them and give the verdict both ways; the control task is easier than the flight
task, so its difficulty is stated and it is compared at matched cut fractions (per level),
not at the "selected" pseudo-level where the two ensembles stop at different sparsity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs import registry
from sparsemotifs.contracts.names import SELECTED
from sparsemotifs.report.verdict_summary import _ci, _f

LATE = "failed at the dense level, passes later"


def selection_words(sel: dict) -> str:
    """The selection criterion in words: 'threshold T on the S loss' or the per-output R² rule."""
    split = sel.get("split", "?")
    if sel.get("threshold_kind") == "per_output_r2":
        return f"every output's R² ≥ {sel.get('min_r2', '?')} on the {split} split"
    return f"threshold {sel.get('threshold', '?')} on the {split} loss"


def _int(value) -> int:
    try:
        return int(value) if np.isfinite(float(value)) else 0
    except (TypeError, ValueError):
        return 0


def dead_output_section(levels: pd.DataFrame, verdict: pd.DataFrame | None) -> list[str]:
    """## Networks with a dead output: counts per ensemble, the verdict with and without them."""
    if "dead_output" not in levels.columns:
        return []
    lines = ["## Networks with a dead output", ""]
    rows = []
    for ens, lv in levels.groupby("ensemble", sort=False):
        dead = lv[lv["dead_output"].astype(bool) & (lv["status"] == "ok")]
        setting = lv.get("selection_exclude_dead_outputs", pd.Series([True]))
        excluded = str(setting.iloc[0]).strip().lower() not in ("false", "0", "0.0")
        rows.append(
            f"| {ens} | {int(dead.loc[dead['selected'], 'seed'].nunique())} | "
            f"{len(dead)} | {dead['seed'].nunique()} | {'excluded' if excluded else 'included'} |"
        )
    lines += [
        "An output node that no input reaches predicts a constant. Such networks stay in the "
        "levels table (column `dead_output`) and are counted here; the statistics leave them "
        "out unless `selection.exclude_dead_outputs` is false (derived controls follow their "
        "source network, so pairs stay paired; `n_excluded_dead_output` in the tables).",
        "",
        "| ensemble | selected networks with a dead output | levels with a dead output "
        "| seeds with a dead output at some level | in the statistics |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]
    if verdict is None or "alt_verdict" not in verdict.columns:
        return lines
    overall = verdict[verdict["level"].astype(str) == "all"]
    if overall.empty:
        return lines
    first = overall.iloc[0]
    used, other = first["dead_outputs"], first["alt_dead_outputs"]
    n_dead = _int(first.get("n_dead_output_seeds"))
    lines += [
        f"The verdict with networks with a dead output {used} (the verdict given above) and {other} "
        f"({n_dead} trained seed(s) have a dead output at some level"
        + ("; none does, so both answers coincide)" if n_dead == 0 else ")")
        + ":",
        "",
        f"| null | verdict, dead outputs {used} | verdict, dead outputs {other} |",
        "|---|---|---|",
    ]
    if "ensemble" in overall.columns:  # with variants: one answer per studied ensemble
        lines[-2:] = ["| ensemble " + lines[-2], "|---" + lines[-1]]
    lines += [
        ("" if "ensemble" not in overall.columns else f"| {r['ensemble']} ")
        + f"| {r['null']} | {r['verdict']} | {r['alt_verdict']} |"
        for _, r in overall.iterrows()
    ]
    per_level = verdict[~verdict["level"].astype(str).isin(["all"])]
    per_level = per_level[per_level["n_dead_output_seeds"].fillna(0).astype(int) > 0]
    if len(per_level):
        lines += [
            "",
            f"Levels with dead-output trained networks: seeds and gain with them {used} vs "
            f"{other}:",
            "",
            f"| null | level | dead-output seeds | seeds ({used}) | gain ({used}) | "
            f"seeds ({other}) | gain ({other}) | verdict ({other}) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['null']} | {r['level']} | {_int(r['n_dead_output_seeds'])} | "
            f"{_int(r['n_seeds'])} | {_f(r['delta'])} {_ci(r, 'delta_ci_low', 'delta_ci_high')} | "
            f"{_int(r['alt_n_seeds'])} | {_f(r['alt_delta'])} "
            f"{_ci(r, 'alt_delta_ci_low', 'alt_delta_ci_high')} | {r['alt_verdict']} |"
            for _, r in per_level.iterrows()
        ]
    return lines + [""]


def none_rows(levels: pd.DataFrame, ours: dict) -> list[list[str]]:
    """Rows 'none' of the selected-level table: seeds with no selected level, first_failure
    drop-outs apart from the never-passing. `ours`: {ensemble: (selected per cut, seeds)}."""
    from sparsemotifs.convergence.describe import network_counts

    rows = {
        "none: never under the threshold": [],
        "none: failed at the dense level, passes later": [],
    }
    for ensemble, (counts, n) in ours.items():
        c = network_counts(levels, ensemble)
        late = c["passes_later"] or 0
        for label, k in zip(rows, (n - int(counts.sum()) - late, late), strict=True):
            rows[label].append(f"{k} ({_f(100 * k / n if n else np.nan, '.1f')} %)")
    return [[label, *v, "dropped (not reported)"] for label, v in rows.items()]


def _teacher_words(config: dict | None) -> str:
    task = ((config or {}).get("controls") or {}).get("control_task") or {}
    if not task:
        return ""
    gain = task.get("teacher_gain", 1.0)
    return (
        f" Teacher: widths {task.get('teacher_widths', '?')}, weight gain {gain}, seed "
        f"{task.get('teacher_seed', '?')} (controls.control_task)."
    )


def control_task_section(
    levels: pd.DataFrame, verdict: pd.DataFrame | None, config: dict | None = None
) -> list[str]:
    """## The control task: its difficulty and the comparison at matched cut fractions."""
    if "control_task" not in set(levels["ensemble"]):
        return []
    from sparsemotifs.convergence.difficulty import control_difficulty

    d = control_difficulty(levels)
    ratio = d["control_dense_loss_ratio"]
    how = "n/a"
    if np.isfinite(ratio):
        how = f"{1 / ratio:.3g}x easier" if ratio < 1 else f"{ratio:.3g}x harder"
    sel = levels[levels["selected"].astype(bool)]
    cut = sel.groupby("ensemble")["cut_fraction"].median()
    subject = registry.SUBJECT
    lines = [
        "## The control task",
        "",
        f"Difficulty: median dense (level 0) {d['dense_loss_split']} loss of control_task "
        f"{_f(d['dense_loss_control'], '.3g')} / {registry.SUBJECT} "
        f"{_f(d['dense_loss_trained'], '.3g')} "
        f"= {_f(ratio, '.3g')} (the control task is {how} than the flight task; column "
        f"`control_dense_loss_ratio` of tables/verdict.csv).{_teacher_words(config)}",
        "",
        f"Median selected cut fraction: {subject} {_f(cut.get(subject), '.2f')}, control_task "
        f"{_f(cut.get('control_task'), '.2f')}: "
        + (
            f"at the `{SELECTED}` pseudo-level the two ensembles stand at different sparsity, "
            "so that comparison is confounded by sparsity and secondary."
            if not abs(cut.get(subject, np.nan) - cut.get("control_task", np.nan)) < 0.005
            else f"they coincide here, but the `{SELECTED}` pseudo-level pools levels and "
            "stays secondary."
        )
        + " The verdict compares them per level instead: the same pruning "
        "schedule gives both the same cut fraction at each level (matched cut fractions, both "
        "shown), with every non-diverged network at that level.",
        "",
    ]
    if verdict is None or "delta_control" not in verdict.columns:
        return lines
    rows = verdict[~verdict["level"].astype(str).isin(["all", SELECTED])]
    rows = rows[rows["n_control"].fillna(0).astype(float) > 0]
    if rows.empty:
        return lines + ["No level has both ensembles analysed.", ""]
    lines += [
        "| null | level | cut fraction trained | cut fraction control | seeds trained | "
        "seeds control | similarity trained | similarity control | trained minus control "
        "(95 % CI) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['null']} | {r['level']} | {_f(r.get('cut_fraction'), '.2f')} | "
        f"{_f(r.get('control_cut_fraction'), '.2f')} | {_int(r['n_seeds'])} | "
        f"{_int(r['n_control'])} | {_f(r['similarity_trained'])} | "
        f"{_f(r['similarity_control'])} | {_f(r['delta_control'])} "
        f"{_ci(r, 'delta_control_ci_low', 'delta_control_ci_high')} |"
        for _, r in rows.iterrows()
    ]
    return lines + [""]
