"""The study's verdict and calibration tables (tables/verdict.csv, tables/calibration.csv).

Why: the verdict of `convergence.verdict` needs, per network, samples of its own null analysed
like it; the workflow provides them as the derived ensembles `null_degree` (the deciding
reference) and `null_min1` (descriptive) of the registry; with variants, each variant has its
own (`<variant>_null_degree`, ...) and gets its own verdict rows (column `ensemble`). This module picks the ensembles out
of the prepared motifs table (non-diverged networks, per level and at the selected level) and
applies the rule with its defaults: cosine similarity on the reduced profile, gain over the
degree-matched samples with a paired seed bootstrap, at least `MIN_SEEDS` seeds, the control
task (where present) compared at the same level index (the same pruning schedule, so the same
nominal cut fraction; both cut fractions are in the row).

Calibration: networks that are draws of a null (null_min1 under fixed_count_min1) or close to
one (random_pruned, random masks on the live counts, under fixed_count) should get z ~ N(0, 1)
under it; the calibration table says per ensemble, null and motif whether they do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs import registry
from sparsemotifs.contracts.names import SELECTED
from sparsemotifs.convergence.verdict import (
    MARGIN,
    MIN_SEEDS,
    N_BOOT,
    VERDICT_COLUMNS,
    calibration_table,
    verdict_table,
)

NULL_SAMPLES = "null_degree"
MIN1_SAMPLES = "null_min1"
CONTROL = "control_task"
# (ensemble, null) pairs whose z is checked against N(0, 1)
CALIBRATION = (("random_pruned", "fixed_count"), ("null_min1", "fixed_count_min1"))
CALIBRATION_COLUMNS = [
    "ensemble", "null", "motif", "n", "mean_z", "sd_z", "mean_ci_low", "mean_ci_high",
    "sd_ci_low", "sd_ci_high", "calibrated", "p_mean_zero", "p_holm",
]  # fmt: skip


def _ensemble(motifs: pd.DataFrame, name: str) -> pd.DataFrame:
    return motifs[motifs["ensemble"] == name]


def _as_bool(values: pd.Series) -> pd.Series:
    """A bool column that may have been read back as text ("True"/"False")."""
    if values.dtype == bool:
        return values
    return values.astype(str).str.strip().str.lower().isin(("true", "1", "1.0"))


def passing_only(motifs: pd.DataFrame, levels: pd.DataFrame | None) -> pd.DataFrame:
    """The per-level rows of networks that pass at that level (issue 12: per-level statistics
    are primary and hold only the networks that do the task there), `selected` rows unchanged.

    A derived ensemble's row (null samples, random masks) follows its source network's
    `passes`, so pairs stay paired. Without a levels table or a `passes` column (an old table)
    nothing is dropped; rows without a levels row are kept, like `prepare` keeps them.
    """
    if levels is None or "passes" not in levels.columns or motifs.empty:
        return motifs
    passes = levels[["ensemble", "seed", "level", "passes"]].rename(columns={"ensemble": "_owner"})
    passes = passes.assign(level=passes["level"].astype(str), passes=_as_bool(passes["passes"]))
    owner = motifs["ensemble"].map(registry.levels_owner)
    keyed = motifs[["seed", "level"]].assign(
        _owner=owner.to_numpy(), level=motifs["level"].astype(str)
    )
    flag = keyed.merge(passes, on=["_owner", "seed", "level"], how="left")["passes"]
    keep = (motifs["level"].astype(str) == SELECTED).to_numpy() | flag.fillna(True).to_numpy(bool)
    return motifs[keep]


def study_verdict(
    motifs: pd.DataFrame,
    levels: pd.DataFrame | None = None,
    *,
    n_boot: int = N_BOOT,
    seed: int = 0,
    min_seeds: int = MIN_SEEDS,
    margin: float = MARGIN,
) -> pd.DataFrame:
    """Verdict rows per studied ensemble, null and level (levels as str, `selected` secondary,
    `all` overall), the ensemble named in the first column `ensemble`.

    Each studied ensemble (the subject; with variants, every variant) is judged against the
    samples of its own null (`registry.derived_of(name, "null_degree")`), never another
    variant's. `motifs` is `Prepared.motifs` (non-diverged networks, levels as str); per level
    only networks passing there are judged (`passing_only`), at `selected` every seed. Without
    null samples every null's row is "undetermined" and says why.
    """
    motifs = passing_only(motifs, levels)
    parts = [
        _one_verdict(
            name, motifs, levels, n_boot=n_boot, seed=seed, min_seeds=min_seeds, margin=margin
        ).assign(ensemble=name)
        for name in registry.studied()
    ]
    return pd.concat(parts, ignore_index=True).reindex(columns=["ensemble", *VERDICT_COLUMNS])


def _one_verdict(name, motifs, levels, *, n_boot, seed, min_seeds, margin) -> pd.DataFrame:
    trained = _ensemble(motifs, name)
    samples_name = registry.derived_of(name, NULL_SAMPLES)
    samples = _ensemble(motifs, samples_name) if samples_name else motifs.iloc[:0]
    nulls = list(dict.fromkeys(trained["null"])) or list(dict.fromkeys(motifs["null"]))
    if samples.empty or trained.empty:
        reason = (
            "no trained networks analysed"
            if trained.empty
            else "no samples of the null (controls.null_samples is 0)"
        )
        rows = [dict.fromkeys(VERDICT_COLUMNS, np.nan) for _ in nulls]
        for row, null in zip(rows, nulls, strict=True):
            row.update(null=null, level="all", verdict="undetermined", reason=reason)
            row.update(n_seeds=0, min_seeds=min_seeds, margin=margin)
        return pd.DataFrame(rows, columns=VERDICT_COLUMNS)
    control = _ensemble(motifs, CONTROL)
    min1_name = registry.derived_of(name, MIN1_SAMPLES)
    min1 = _ensemble(motifs, min1_name) if min1_name else motifs.iloc[:0]
    table = verdict_table(
        trained,
        samples,
        control=control if len(control) else None,
        nulls=nulls,
        min_seeds=min_seeds,
        margin=margin,
        n_boot=n_boot,
        seed=seed,
        levels=levels,
        min1_samples=min1 if len(min1) else None,
        ensemble=name,
    )
    table["level"] = table["level"].astype(str)
    return table


# columns the other dead-output choice adds to each verdict row (prefix alt_)
ALTERNATIVE_COLUMNS = ("verdict", "reason", "n_seeds", "delta", "delta_ci_low", "delta_ci_high")


def excludes_dead_outputs(levels: pd.DataFrame, ensemble: str = "trained") -> bool:
    """The subject's selection.exclude_dead_outputs as `select` recorded it (absent: True)."""
    lv = levels[levels["ensemble"] == ensemble]
    if "selection_exclude_dead_outputs" not in lv.columns or lv.empty:
        return True
    value = lv["selection_exclude_dead_outputs"].iloc[0]
    return str(value).strip().lower() not in ("false", "0", "0.0")


def dead_output_seeds(levels: pd.DataFrame, ensemble: str = "trained") -> pd.Series:
    """Trained networks with a dead output per level (str), `selected` and `all` (any level)."""
    lv = levels[levels["ensemble"] == ensemble]
    if "dead_output" not in lv.columns:
        return pd.Series(dtype=int)
    dead = lv[lv["dead_output"].fillna(False).astype(bool) & (lv["status"] == "ok")]
    out = dead.groupby(dead["level"].astype(str))["seed"].nunique()
    out[SELECTED] = int(dead.loc[dead["selected"].astype(bool), "seed"].nunique())
    out["all"] = int(dead["seed"].nunique())
    return out


def with_dead_output_alternative(
    primary: pd.DataFrame, alternative: pd.DataFrame | None, levels: pd.DataFrame
) -> pd.DataFrame:
    """The verdict rows with the answer under the other dead-output choice beside them.

    `dead_outputs` says which choice the row's verdict used ("excluded", the default, or
    "included"), `alt_dead_outputs` the other; alt_* columns hold the other verdict and the
    numbers behind it (`alternative` None: no network has a dead output, both coincide);
    `n_dead_output_seeds` counts trained networks with a dead output at the row's level.
    """
    out = primary.copy()
    studied = (
        out["ensemble"] if "ensemble" in out.columns else pd.Series(registry.SUBJECT, out.index)
    )
    excluded = studied.map(lambda name: excludes_dead_outputs(levels, name))
    out["dead_outputs"] = np.where(excluded, "excluded", "included")
    out["alt_dead_outputs"] = np.where(excluded, "included", "excluded")
    other = primary if alternative is None else alternative
    keys = [k for k in ("ensemble", "null", "level") if k in out.columns]
    other = other[keys + list(ALTERNATIVE_COLUMNS)].rename(
        columns={c: f"alt_{c}" for c in ALTERNATIVE_COLUMNS}
    )
    out = out.merge(other, on=keys, how="left")
    counts = {name: dead_output_seeds(levels, name) for name in set(studied)}
    out["n_dead_output_seeds"] = [
        int(counts[name].get(str(level), 0))
        for name, level in zip(studied, out["level"], strict=True)
    ]
    return out


def overall_verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """One row per null: the verdict over levels (level `all`)."""
    return table[table["level"].astype(str) == "all"].reset_index(drop=True)


def calibration_pairs() -> list[tuple[str, str]]:
    """(ensemble, null) pairs of the study's registry: random_pruned of the subject, and the
    fixed_count_min1 samples of every studied ensemble (each variant's own)."""
    pairs = []
    for base, null in CALIBRATION:
        names = [registry.derived_of(s, base) for s in registry.studied()]
        pairs += [(n, null) for n in dict.fromkeys(names) if n is not None]
    return pairs


def study_calibration(motifs: pd.DataFrame, n_boot: int = N_BOOT, seed: int = 0) -> pd.DataFrame:
    """Calibration rows (ensemble, null, motif, ...) over every analysed level of each pair."""
    per_level = motifs[motifs["level"].astype(str) != SELECTED]
    parts = []
    for ensemble, null in calibration_pairs():
        m = per_level[(per_level["ensemble"] == ensemble) & (per_level["null"] == null)]
        if m.empty:
            continue
        parts.append(calibration_table(m, n_boot=n_boot, seed=seed).assign(ensemble=ensemble))
    if not parts:
        return pd.DataFrame(columns=CALIBRATION_COLUMNS)
    return pd.concat(parts, ignore_index=True).reindex(columns=CALIBRATION_COLUMNS)
