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


def prepare(levels: pd.DataFrame, motifs: pd.DataFrame) -> Prepared:
    """Drop diverged networks (counted), attach cut fractions, add the `selected` pseudo-level.

    A motif row inherits the status of its (levels ensemble, seed, level) row; rows of a derived
    ensemble (random_pruned) inherit their source network's status.
    Rows with no levels row are kept (status unknown, treated as ok).
    """
    status = levels[["ensemble", "seed", "level", "status"]].rename(
        columns={"ensemble": "_levels_key"}
    )
    m = motifs.assign(_levels_key=_levels_key(motifs["ensemble"]))
    m = m.merge(status, on=["_levels_key", "seed", "level"], how="left")
    diverged = m["status"] == "diverged"
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
    m = m[~diverged].drop(columns=["_levels_key", "status"])
    m = m.merge(level_cut_fractions(levels), on=["ensemble", "level"], how="left")
    sel = selection_table(levels)[["ensemble", "seed", "level"]]
    at_selected = m.merge(sel, on=["ensemble", "seed", "level"], how="inner")
    at_selected = at_selected.assign(selected_level=at_selected["level"], level=SELECTED)
    m = m.assign(selected_level=np.nan, level=m["level"].astype(str))
    excluded["level"] = excluded["level"].astype(str)
    return Prepared(pd.concat([m, at_selected], ignore_index=True), excluded)
