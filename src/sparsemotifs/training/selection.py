"""Choose each network's optimally sparse level from its per-level losses.

A level passes when its status is `ok` and, with threshold_kind mean_mse, its mean loss on the
chosen split is <= threshold, or, with per_output_r2, every output's R² on that split (1 - MSE /
the output's variance on the split, from the dataset) is >= min_r2 (a diverged level fails). Rules:
  first_failure (default): the last level before the first failing level; a network whose
                 dense level already fails has no selected level.
  last_pass:     the reference study's rule: the last passing level, even after a failure.
Selected networks whose pruned graph leaves an output node without any path from the inputs
(it predicts a constant) are flagged `dead_output`; the reference kept such networks, the
statistics leave them out unless selection.exclude_dead_outputs is false (the setting is recorded
in the table, column selection_exclude_dead_outputs, so each ensemble's levels table carries its own).
Each row also names its seed's `outcome` (training.outcomes) and the seed's `passing_levels`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sparsemotifs.contracts.tables import METRICS_COLUMNS
from sparsemotifs.io import InputError, read_table
from sparsemotifs.training.outcomes import seed_outcomes
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


def output_variances(y: Mapping[str, np.ndarray], names: Sequence[str]) -> dict[str, dict]:
    """{split: {output name: variance of that (scaled) output on the split}} (ddof 0, like MSE)."""
    return {
        split: dict(zip(names, np.var(np.asarray(v, np.float64), axis=0).tolist(), strict=True))
        for split, v in y.items()
    }


def add_r2(
    metrics: pd.DataFrame, variances: Mapping[str, Mapping[str, float]], require: str | None = None
) -> pd.DataFrame:
    """Add r2_{split}_{output} = 1 - loss_{split}_{output} / variance for every recorded output
    (the per-output losses of split `require` must all be there)."""
    df = metrics.copy()
    for split, per_output in variances.items():
        for name, var in per_output.items():
            column = f"loss_{split}_{name}"
            if column not in df.columns and split != require:
                continue
            if column not in df.columns:
                raise InputError(
                    f"metrics have no column {column!r} (per-output losses), needed for the "
                    f"per_output_r2 threshold; outputs of the dataset: {', '.join(per_output)}"
                )
            if not var > 0:
                raise InputError(f"output {name!r} is constant on the {split} split: R² undefined")
            df[f"r2_{split}_{name}"] = 1.0 - df[column].astype(float) / float(var)
    return df


def _passes(df: pd.DataFrame, selection: Mapping) -> np.ndarray:
    split, kind = selection["split"], selection.get("threshold_kind", "mean_mse")
    ok = (df["status"] == "ok").to_numpy()
    if kind == "mean_mse":
        loss = df[f"loss_{split}"].to_numpy(np.float64)
        return ok & np.isfinite(loss) & (loss <= float(selection["threshold"]))
    if kind == "per_output_r2":
        columns = [c for c in df.columns if c.startswith(f"r2_{split}_")]
        if not columns:
            raise InputError(
                f"threshold_kind per_output_r2 needs r2_{split}_* columns: give the dataset "
                "(select --data) so each output's variance is known"
            )
        r2 = df[columns].to_numpy(np.float64)
        return ok & (np.isfinite(r2) & (r2 >= float(selection["min_r2"]))).all(axis=1)
    raise ValueError(f"unknown threshold_kind {kind!r}")


def select_levels(
    metrics: pd.DataFrame,
    selection: Mapping,
    variances: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """The metrics with `passes`, `selected` (at most one True per seed), each seed's `outcome`
    and `passing_levels`, and the selection settings; `variances` (output_variances of the
    dataset) adds the r2_* columns the per_output_r2 threshold needs."""
    split, rule, threshold = selection["split"], selection["rule"], float(selection["threshold"])
    df = metrics.sort_values(["seed", "level"], ignore_index=True).copy()
    if variances is not None:
        df = add_r2(df, variances, require=split)
    df["passes"] = _passes(df, selection)
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
    outcomes = seed_outcomes(df).set_index("seed")
    df["outcome"] = df["seed"].map(outcomes["outcome"])
    df["passing_levels"] = df["seed"].map(outcomes["passing_levels"])
    df["selection_split"] = split
    df["selection_rule"] = rule
    df["selection_threshold"] = threshold
    df["selection_threshold_kind"] = selection.get("threshold_kind", "mean_mse")
    df["selection_min_r2"] = float(selection.get("min_r2", np.nan))
    df["selection_exclude_dead_outputs"] = bool(selection.get("exclude_dead_outputs", True))
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
