"""summary.md on selection outcomes, dead outputs and the control task, from hand-made tables."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sparsemotifs import convergence as stats
from sparsemotifs.report import summary
from sparsemotifs.training.selection import select_levels
from tests.convergence.test_dead_outputs import _levels, _motifs


def test_dropouts_are_named_never_called_never_under_the_threshold():
    levels, motifs = _levels(), _motifs()
    # seed 8 fails at the dense level and passes at level 1: a first_failure drop-out
    metrics = levels.drop(columns=["selected", "passes"])
    metrics.loc[(metrics.seed == 8) & (metrics.level == 0), ["loss_val", "loss_train"]] = 1.0
    sel = {"split": "val", "rule": "first_failure", "threshold": 1e-3}
    levels = stats.validate_levels(select_levels(metrics, sel))
    levels["selection_exclude_dead_outputs"] = True
    tables = stats.aggregate(levels, motifs, n_boot=50, n_perm=19, seed=0)
    text = summary.render_summary(levels, tables, {"selection": sel})
    # Networks table: 0 never under the threshold, 1 failed at the dense level, passes later
    assert re.search(r"\| trained \| 9 \| 0 \| 0 \| 0 \| 1 \| 8 \| 2 \|", text), text
    assert re.search(r"\| none: never under the threshold \| 0 \(0\.0 %\) \|", text)
    assert re.search(r"\| none: failed at the dense level, passes later \| 1 \(11\.1 %\) \|", text)
    assert "trained seed 8 passes at levels 1" in text
    assert "| trained | failed at the dense level, passes later | 1 |" in text
    assert "| trained | never passes | 0 |" in text


def test_dead_output_section_gives_both_verdicts():
    levels, motifs = _levels(), _motifs()
    tables = stats.aggregate(levels, motifs, n_boot=100, n_perm=19, seed=0)
    r2 = {"threshold_kind": "per_output_r2", "min_r2": 0.9, "split": "test", "rule": "last_pass"}
    text = summary.render_summary(levels, tables, {"study": "s", "selection": r2})
    assert "selection every output's R² ≥ 0.9 on the test split (rule last_pass)" in text
    part = text[text.index("## Networks with a dead output") :]
    assert "| trained | 2 | 4 | 2 | excluded |" in part  # 2 selected, 4 levels, 2 seeds
    assert "| null | verdict, dead outputs excluded | verdict, dead outputs included |" in part
    assert "| fixed_count | undetermined | converges |" in part
    assert re.search(r"\| fixed_count \| 1 \| 2 \| 7 \| [-\d.]+ \[.*\] \| 9 \|", part)


def test_control_task_section_states_difficulty_and_matched_levels():
    levels, motifs = _levels(), _motifs()
    control = levels.assign(ensemble="control_task", dead_output=False)
    control["loss_val"] = 1e-6  # dense val loss 100x below the trained 1e-4
    control.loc[control.level == 1, "cut_fraction"] = 0.5
    levels = stats.validate_levels(stats.concat_levels(levels, control))
    cm = motifs[motifs.ensemble == "trained"].assign(ensemble="control_task")
    motifs = stats.validate_motifs(pd.concat([motifs, cm], ignore_index=True))
    tables = stats.aggregate(levels, motifs, n_boot=50, n_perm=19, seed=0)
    assert tables["verdict"]["control_dense_loss_ratio"].iloc[0] == pytest.approx(0.01)
    text = summary.render_summary(
        levels, tables, {"controls": {"control_task": {"teacher_widths": [10, 8, 7]}}}
    )
    part = text[text.index("## The control task") :]
    assert "= 0.01 (the control task is 100x easier than the flight task" in part
    assert "Teacher: widths [10, 8, 7], weight gain 1.0" in part
    # compared per level at the same cut fraction, both shown
    assert re.search(r"\| fixed_count \| 1 \| 0\.50 \| 0\.50 \| 7 \| 9 \|", part), part
