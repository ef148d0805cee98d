"""Column contracts of the tables passed between stages, and their validators.

Each constant is the list of columns a table must have (writers may add more); a reader
validates a table with the function below before using it, so a damaged or foreign file is
refused with its name and the offending column instead of producing wrong statistics.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sparsemotifs.io import InputError

# flight simulation shards (one row per trajectory): initial state, controls, final state
SIMULATION_COLUMNS = [
    "x_0", "xd_0", "y_0", "yd_0", "theta_0", "thetad_0", "phi_0", "phid_0",
    "F", "alpha", "tau",
    "x_f", "xd_f", "y_f", "yd_f", "theta_f", "thetad_f", "phi_f", "phid_f",
]  # fmt: skip
# training metrics of one chunk (one row per seed and level)
METRICS_COLUMNS = [
    "seed", "level", "cut_fraction", "weights_kept", "loss_train", "loss_val", "loss_test", "status",
]  # fmt: skip
# levels table: the metrics plus the selection
LEVELS_COLUMNS = [*METRICS_COLUMNS, "selected"]
# motif tables as written by `sparsemotifs motifs table` (whole network and per layer)
MOTIF_TABLE_COLUMNS = [
    "ensemble", "seed", "level", "null", "motif", "count", "null_mean", "null_sd", "z", "p", "sp",
    "live_nodes", "live_edges", "dead_outputs", "constant_outputs", "samples", "draw",
]  # fmt: skip
PER_LAYER_COLUMNS = [
    "ensemble", "seed", "level", "null", "layer", "motif", "count", "null_mean", "null_sd", "z", "p",
    "draw",
]  # fmt: skip
# `draw`: 0 for every real network; a derived ensemble with k networks per analysed network
# (controls.null_samples draws of a null) numbers them 0..k-1. The seed stays the unit of every
# statistic: descriptive tables and figures use draw 0 (`first_draw`), the verdict averages the
# similarity over draws (`convergence.verdict.seed_similarity`).
# what the statistics need of a motifs table
MOTIFS_COLUMNS = MOTIF_TABLE_COLUMNS[:10]


def _as_bool(series: pd.Series, source: str, column: str) -> pd.Series:
    if series.dtype == bool:
        return series
    mapping = {"true": True, "false": False, "1": True, "0": False, "1.0": True, "0.0": False}
    text = series.astype(str).str.strip().str.lower()
    bad = ~text.isin(list(mapping))
    if bad.any():
        raise InputError(
            f"{source}: column '{column}' must be boolean, got {series[bad].iloc[0]!r}"
        )
    return text.map(mapping).astype(bool)


def _as_numeric(df: pd.DataFrame, columns: Iterable[str], source: str) -> None:
    for column in columns:
        converted = pd.to_numeric(df[column], errors="coerce")
        bad = converted.isna() & df[column].notna() & (df[column].astype(str).str.strip() != "")
        if bad.any():
            raise InputError(
                f"{source}: column '{column}' must be numeric, got {df[column][bad].iloc[0]!r}"
            )
        df[column] = converted.astype(float)


def _require(df: pd.DataFrame, columns: Iterable[str], source: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(repr(c) for c in missing)}")


def _seed_level_as_int(df: pd.DataFrame, source: str) -> None:
    """seed and level are the join keys of every table: integers, never empty."""
    _as_numeric(df, ["seed", "level"], source)
    if df[["seed", "level"]].isna().any().any():
        raise InputError(f"{source}: columns 'seed' and 'level' must not be empty")
    df["seed"] = df["seed"].astype(np.int64)
    df["level"] = df["level"].astype(np.int64)


def validate_levels(df: pd.DataFrame, source: str = "levels table") -> pd.DataFrame:
    """Check the levels contract and normalise dtypes; adds `ensemble` = trained if absent."""
    _require(df, LEVELS_COLUMNS, source)
    df = df.copy()
    if "ensemble" not in df.columns:
        df["ensemble"] = "trained"
    df["ensemble"] = df["ensemble"].astype(str)
    _seed_level_as_int(df, source)
    _as_numeric(df, ["cut_fraction", "weights_kept", "loss_train", "loss_val", "loss_test"], source)
    df["status"] = df["status"].astype(str).str.strip()
    bad = ~df["status"].isin(["ok", "diverged"])
    if bad.any():
        raise InputError(
            f"{source}: column 'status' must be 'ok' or 'diverged', got {df['status'][bad].iloc[0]!r}"
        )
    df["selected"] = _as_bool(df["selected"], source, "selected")
    for column in ("dead_output", "passes"):  # optional flags written by `select`
        if column in df.columns:
            df[column] = _as_bool(df[column].fillna(False), source, column)
    duplicated = df.duplicated(["ensemble", "seed", "level"])
    if duplicated.any():
        row = df[duplicated].iloc[0]
        raise InputError(
            f"{source}: duplicate row for ensemble {row['ensemble']}, seed {row['seed']}, "
            f"level {row['level']}"
        )
    per_seed = df.groupby(["ensemble", "seed"])["selected"].sum()
    if (per_seed > 1).any():
        ens, seed = per_seed[per_seed > 1].index[0]
        raise InputError(f"{source}: column 'selected': seed {seed} ({ens}) has more than one")
    return df


def validate_motifs(df: pd.DataFrame, source: str = "motifs table") -> pd.DataFrame:
    """Check the motifs contract and normalise dtypes (z may be NaN/inf: non-finite = undefined)."""
    _require(df, MOTIFS_COLUMNS, source)
    df = df.copy()
    for column in ["ensemble", "null", "motif"]:
        df[column] = df[column].astype(str).str.strip()
    _seed_level_as_int(df, source)
    _as_numeric(df, ["count", "null_mean", "null_sd", "z", "p"], source)
    if "draw" not in df.columns:  # tables written before draws existed hold one per network
        df["draw"] = 0
    _as_numeric(df, ["draw"], source)
    if df["draw"].isna().any() or (df["draw"] < 0).any():
        raise InputError(f"{source}: column 'draw' must be a non-negative integer")
    df["draw"] = df["draw"].astype(np.int64)
    if "layer" in df.columns:
        _as_numeric(df, ["layer"], source)
        layer = df["layer"]
        if layer.notna().all() and (layer == layer.round()).all():
            df["layer"] = layer.astype(np.int64)
    return df


def first_draw(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of draw 0 (one network per seed and level): the input of the descriptive statistics."""
    return df[df["draw"] == 0] if "draw" in df.columns else df
