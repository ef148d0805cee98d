"""Choose each network's optimally sparse level from its per-level losses.

A level passes when its status is `ok` and its loss on the chosen split is <= threshold
(a diverged level fails). Rules:
  first_failure (default): the last level before the first failing level; a network whose
                 dense level already fails has no selected level.
  last_pass:     the reference study's rule: the last passing level, even after a failure.
Selected networks whose pruned graph leaves an output node without any path from the inputs
(it predicts a constant) are flagged `dead_output`; the reference kept such networks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sparsemotifs.contracts.tables import METRICS_COLUMNS
from sparsemotifs.io import InputError, read_table
from sparsemotifs.training.storage import dead_output_nodes, level_path, load_masks

REQUIRED_COLUMNS = METRICS_COLUMNS


def read_metrics(paths: Sequence[str | Path]) -> pd.DataFrame:
    """Concatenate chunk metrics tables; each (seed, level) must appear once, levels 0..n contiguous."""
    if not paths:
        raise InputError("no metrics tables given")
    frames = [read_table(p, REQUIRED_COLUMNS) for p in paths]
    df = pd.concat(frames, ignore_index=True)
    dup = df.duplicated(["seed", "level"])
    if dup.any():
        first = df[dup].iloc[0]
        raise InputError(
            f"seed {int(first.seed)} level {int(first.level)} appears in more than one metrics row "
            f"(tables: {', '.join(map(str, paths))})"
        )
    for seed, levels in df.groupby("seed")["level"]:
        got = sorted(levels)
        if got != list(range(len(got))):
            raise InputError(f"seed {seed}: levels {got} are not 0, 1, 2, ... without gaps")
    return df.sort_values(["seed", "level"], ignore_index=True)


def select_levels(metrics: pd.DataFrame, selection: Mapping) -> pd.DataFrame:
    """The metrics with `passes`, `selected` (at most one True per seed) and selection settings."""
    split, rule, threshold = selection["split"], selection["rule"], float(selection["threshold"])
    df = metrics.sort_values(["seed", "level"], ignore_index=True).copy()
    loss = df[f"loss_{split}"].to_numpy(np.float64)
    df["passes"] = (df["status"] == "ok").to_numpy() & np.isfinite(loss) & (loss <= threshold)
    selected = np.zeros(len(df), dtype=bool)
    for _, positions in df.groupby("seed").indices.items():
        passes = df["passes"].to_numpy()[positions]  # positions are in level order
        if rule == "first_failure":
            fails = np.flatnonzero(~passes)
            last = (fails[0] if len(fails) else len(passes)) - 1
        elif rule == "last_pass":
            ok = np.flatnonzero(passes)
            last = ok[-1] if len(ok) else -1
        else:
            raise ValueError(f"unknown selection rule {rule!r}")
        if last >= 0:
            selected[positions[last]] = True
    df["selected"] = selected
    chosen = df.loc[selected].set_index("seed")["level"]
    df["selected_level"] = df["seed"].map(chosen).astype("Int64")  # <NA>: no level passes
    df["selection_split"] = split
    df["selection_rule"] = rule
    df["selection_threshold"] = threshold
    return df


def flag_dead_outputs(levels: pd.DataFrame, networks_dir: str | Path | None) -> pd.DataFrame:
    """Add `dead_output` (bool): recomputed from the level files of selected rows if a directory
    is given, else taken from the training metrics' `dead_outputs` count."""
    df = levels.copy()
    if networks_dir is None:
        if "dead_outputs" not in df.columns:
            raise InputError("metrics have no dead_outputs column; pass --networks-dir")
        df["dead_output"] = df["dead_outputs"].fillna(0).astype(int) > 0
        return df
    counts = (
        df["dead_outputs"].copy() if "dead_outputs" in df.columns else pd.Series(0, index=df.index)
    )
    for i in np.flatnonzero(df["selected"].to_numpy()):
        path = level_path(networks_dir, int(df.at[i, "seed"]), int(df.at[i, "level"]))
        counts.iat[i] = int(dead_output_nodes(load_masks(path)).sum())
    df["dead_outputs"] = counts.astype(int)
    df["dead_output"] = df["dead_outputs"] > 0
    return df
