"""Preparation: the motif rows of non-diverged networks, per level and at the selected level.

A motif row joins the levels row of its ensemble's levels owner (the registry: a derived
ensemble such as random_pruned shares its source's status, cut fractions and selection).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sparsemotifs import registry
from sparsemotifs.contracts.names import SELECTED


def concat_levels(
    levels: pd.DataFrame, control_levels: pd.DataFrame | None, name: str = "control_task"
) -> pd.DataFrame:
    """One levels table; a separate levels table gets ensemble = `name` where it has none.

    (Levels tables written by `select` carry no `ensemble` column, so the validator labels them
    with the subject's name; the caller knows which ensemble the file belongs to.)
    """
    if control_levels is None:
        return levels
    control_levels = control_levels.copy()
    if (control_levels["ensemble"] == registry.SUBJECT).all():
        control_levels["ensemble"] = name
    return pd.concat([levels, control_levels], ignore_index=True)


def _levels_key(ensemble: pd.Series) -> pd.Series:
    """Whose levels rows an ensemble's rows join (the registry's levels owner)."""
    return ensemble.map(registry.levels_owner)


def _with_derived(table: pd.DataFrame) -> pd.DataFrame:
    """`table` plus a copy of each owner's rows for every ensemble derived from it."""
    parts = [table]
    for owner in list(dict.fromkeys(table["ensemble"])):
        for name in registry.derived_from(owner):
            parts.append(table[table["ensemble"] == owner].assign(ensemble=name))
    return pd.concat(parts, ignore_index=True)


def selection_table(levels: pd.DataFrame) -> pd.DataFrame:
    """(ensemble, seed, level) of each selected network; derived ensembles mirror their source."""
    return _with_derived(
        levels.loc[levels["selected"], ["ensemble", "seed", "level", "cut_fraction"]]
    )


def level_cut_fractions(levels: pd.DataFrame) -> pd.DataFrame:
    """Mean cut fraction per (ensemble, level), including the rows of derived ensembles."""
    return _with_derived(
        levels.groupby(["ensemble", "level"], as_index=False)["cut_fraction"].mean()
    )


@dataclass
class Prepared:
    """Motif rows of non-diverged networks, per level and at the selected level."""

    motifs: pd.DataFrame  # columns of the motifs table + level as str + cut_fraction
    excluded: pd.DataFrame  # ensemble, level (str), n_excluded_diverged


def dead_output_excluded(levels: pd.DataFrame, exclude: bool | str | None = None) -> pd.Series:
    """Per levels row: is the network left out of the statistics for a dead output?

    `exclude` None follows each row's `selection_exclude_dead_outputs` (the setting `select`
    recorded; absent = the default, True); "other" takes the opposite of each row's setting
    (the alternative answer, per ensemble even when variants differ); True/False forces it.
    """
    if "dead_output" not in levels.columns:
        return pd.Series(False, index=levels.index)
    dead = levels["dead_output"].fillna(False).astype(bool)
    if isinstance(exclude, bool):
        return dead & exclude
    setting = levels.get("selection_exclude_dead_outputs", pd.Series(True, index=levels.index))
    setting = setting.map(lambda v: str(v).strip().lower() not in ("false", "0", "0.0"))
    setting = setting.astype(bool)
    return dead & (~setting if exclude == "other" else setting)


def prepare(
    levels: pd.DataFrame, motifs: pd.DataFrame, exclude_dead_outputs: bool | str | None = None
) -> Prepared:
    """Drop diverged networks and, by default, networks with a dead output (both counted),
    attach cut fractions, add the `selected` pseudo-level.

    A motif row inherits the status and dead-output flag of its (levels ensemble, seed, level)
    row; rows of a derived ensemble (random_pruned, the null samples) inherit their source
    network's, so a dropped trained network takes its controls with it and pairs stay paired.
    `exclude_dead_outputs`: see `dead_output_excluded`. Rows with no levels row are kept
    (status unknown, treated as ok).
    """
    status = levels[["ensemble", "seed", "level", "status"]].rename(
        columns={"ensemble": "_levels_key"}
    )
    status["_dead"] = dead_output_excluded(levels, exclude_dead_outputs).to_numpy()
    m = motifs.assign(_levels_key=_levels_key(motifs["ensemble"]))
    m = m.merge(status, on=["_levels_key", "seed", "level"], how="left")
    diverged = m["status"] == "diverged"
    dead = m["_dead"].fillna(False).astype(bool) & ~diverged
    dead_counts = (
        m.loc[dead, ["ensemble", "seed", "level"]]
        .drop_duplicates()
        .groupby(["ensemble", "level"])["seed"]
        .nunique()
        .rename("n_excluded_dead_output")
        .reset_index()
    )
    # Counted from the levels table: the workflow never analyses a diverged network, so its
    # motif rows do not exist (counting those would always give 0).
    diverged_levels = levels.loc[levels["status"] == "diverged", ["ensemble", "seed", "level"]]
    ensembles = pd.Series(motifs["ensemble"].unique())
    per_ensemble = [
        diverged_levels[diverged_levels["ensemble"] == key].assign(ensemble=ensemble)
        for ensemble, key in zip(ensembles, _levels_key(ensembles), strict=True)
    ]
    excluded = (
        pd.concat([diverged_levels.iloc[:0], *per_ensemble])
        .groupby(["ensemble", "level"])["seed"]
        .nunique()
        .rename("n_excluded_diverged")
        .reset_index()
    )
    sel = selection_table(levels)[["ensemble", "seed", "level"]]
    dead_selected = m.loc[dead, ["ensemble", "seed", "level"]].drop_duplicates()
    dead_selected = dead_selected.merge(sel, on=["ensemble", "seed", "level"], how="inner")
    dead_selected = dead_selected.groupby("ensemble")["seed"].nunique()
    m = m[~diverged & ~dead].drop(columns=["_levels_key", "status", "_dead"])
    m = m.merge(level_cut_fractions(levels), on=["ensemble", "level"], how="left")
    at_selected = m.merge(sel, on=["ensemble", "seed", "level"], how="inner")
    at_selected = at_selected.assign(selected_level=at_selected["level"], level=SELECTED)
    m = m.assign(selected_level=np.nan, level=m["level"].astype(str))
    excluded["level"] = excluded["level"].astype(str)
    dead_counts["level"] = dead_counts["level"].astype(str)
    dead_selected = dead_selected.rename("n_excluded_dead_output").reset_index()
    dead_counts = pd.concat([dead_counts, dead_selected.assign(level=SELECTED)], ignore_index=True)
    excluded = excluded.merge(dead_counts, on=["ensemble", "level"], how="outer")
    excluded = excluded.fillna({"n_excluded_diverged": 0, "n_excluded_dead_output": 0})
    excluded = excluded.astype({"n_excluded_diverged": int, "n_excluded_dead_output": int})
    return Prepared(pd.concat([m, at_selected], ignore_index=True), excluded)
