"""How hard the control task is next to the flight task: the ratio of their dense losses.

Why: a control task ~100x easier than the flight task is selected at far higher sparsity, so
comparisons at the "selected" pseudo-level are confounded by sparsity; the teacher's difficulty
is configurable (controls.control_task), and this ratio is what reports it. It is the median
over seeds of the dense (level 0, status ok) loss on the selecting split, control task over
trained: below 1 the control task is easier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs import registry

CONTROL = "control_task"
DIFFICULTY_COLUMNS = ("dense_loss_split", "dense_loss_trained", "dense_loss_control",
                      "control_dense_loss_ratio")  # fmt: skip


def selecting_split(levels: pd.DataFrame, ensemble: str | None = None) -> str:
    """The split `select` used for `ensemble` (default the subject; column selection_split;
    absent: val)."""
    lv = levels[levels["ensemble"] == (ensemble or registry.SUBJECT)]
    if "selection_split" in lv.columns and lv["selection_split"].notna().any():
        return str(lv["selection_split"].dropna().iloc[0])
    return "val"


def dense_loss(levels: pd.DataFrame, ensemble: str, split: str) -> float:
    """Median over seeds of the level-0 loss on `split` (ok levels, finite losses only)."""
    lv = levels[(levels["ensemble"] == ensemble) & (levels["level"] == 0)]
    column = f"loss_{split}"
    if column not in lv.columns:
        return np.nan
    loss = pd.to_numeric(lv.loc[lv["status"] == "ok", column], errors="coerce")
    loss = loss[np.isfinite(loss)]
    return float(loss.median()) if len(loss) else np.nan


def control_difficulty(levels: pd.DataFrame, split: str | None = None) -> dict:
    """{dense_loss_split, dense_loss_trained, dense_loss_control, control_dense_loss_ratio}."""
    split = split or selecting_split(levels)
    trained = dense_loss(levels, registry.SUBJECT, split)
    control = dense_loss(levels, CONTROL, split)
    ratio = control / trained if np.isfinite(trained) and trained > 0 else np.nan
    return dict(zip(DIFFICULTY_COLUMNS, (split, trained, control, ratio), strict=True))
