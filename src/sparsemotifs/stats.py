"""Does the ensemble converge? Statistics of z-scores across seeds, with controls.

Neuron identities are arbitrary across seeds, so seeds are compared only through
permutation-invariant summaries: the spread of each motif's z across seeds (sd, coefficient of
variation, bootstrap CI of the mean), the similarity of significance profiles (SP, Milo et al.
2004), permutation tests of trained vs control ensembles (PERMDISP-like dispersion, PERMANOVA-like
pseudo-F on SP vectors, per-motif sd ratio), and the trend of dispersion with sparsity paired by
seed. Every random draw comes from a generator seeded by (seed, group key), so a table does not
depend on which other groups happen to be present. Networks whose level diverged are excluded and
counted (`n_excluded_diverged`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sparsemotifs.io import InputError
from sparsemotifs.motifs.counts import MOTIFS as _MOTIF_NAMES
from sparsemotifs.motifs.stats import NULLS as _NULL_NAMES

# Motif and null names are defined once, by the motif analysis that produces the table.
MOTIFS = list(_MOTIF_NAMES)
NULLS = list(_NULL_NAMES)
ENSEMBLES = ["trained", "random_pruned", "control_task"]
CONTROLS = ["random_pruned", "control_task"]
SELECTED = "selected"  # pseudo-level: each seed at its own selected level

LEVELS_COLUMNS = [
    "seed",
    "level",
    "cut_fraction",
    "weights_kept",
    "loss_train",
    "loss_val",
    "loss_test",
    "status",
    "selected",
]
MOTIFS_COLUMNS = [
    "ensemble",
    "seed",
    "level",
    "null",
    "motif",
    "count",
    "null_mean",
    "null_sd",
    "z",
    "p",
]
# Default reference ("dense-ish") cut fraction for the paired trend test: the paper quotes the
# spread at 85 % (sd of z 8-10) against 93 % (sd about 3).
REFERENCE_CUT = 0.85


# ----------------------------------------------------------------------------- input checks
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
    if "dead_output" in df.columns:
        df["dead_output"] = _as_bool(df["dead_output"].fillna(False), source, "dead_output")
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
    if "layer" in df.columns:
        _as_numeric(df, ["layer"], source)
        layer = df["layer"]
        if layer.notna().all() and (layer == layer.round()).all():
            df["layer"] = layer.astype(np.int64)
    return df


def concat_levels(levels: pd.DataFrame, control_levels: pd.DataFrame | None) -> pd.DataFrame:
    """One levels table; a separate control-task table gets ensemble = control_task if unset."""
    if control_levels is None:
        return levels
    control_levels = control_levels.copy()
    if (control_levels["ensemble"] == "trained").all():
        control_levels["ensemble"] = "control_task"
    return pd.concat([levels, control_levels], ignore_index=True)


# ----------------------------------------------------------------------------- selection/status
def _levels_key(ensemble: pd.Series) -> pd.Series:
    """random_pruned masks mirror the trained networks: they share their levels rows."""
    return ensemble.where(ensemble != "random_pruned", "trained")


def selection_table(levels: pd.DataFrame) -> pd.DataFrame:
    """(ensemble, seed, level) of each selected network; random_pruned mirrors trained."""
    chosen = levels.loc[levels["selected"], ["ensemble", "seed", "level", "cut_fraction"]]
    mirrored = chosen[chosen["ensemble"] == "trained"].assign(ensemble="random_pruned")
    return pd.concat([chosen, mirrored], ignore_index=True)


def level_cut_fractions(levels: pd.DataFrame) -> pd.DataFrame:
    """Mean cut fraction per (ensemble, level), including the mirrored random_pruned rows."""
    cuts = levels.groupby(["ensemble", "level"], as_index=False)["cut_fraction"].mean()
    mirrored = cuts[cuts["ensemble"] == "trained"].assign(ensemble="random_pruned")
    return pd.concat([cuts, mirrored], ignore_index=True)


@dataclass
class Prepared:
    """Motif rows of non-diverged networks, per level and at the selected level."""

    motifs: pd.DataFrame  # columns of the motifs table + level as str + cut_fraction
    excluded: pd.DataFrame  # ensemble, level (str), n_excluded_diverged


def prepare(levels: pd.DataFrame, motifs: pd.DataFrame) -> Prepared:
    """Drop diverged networks (counted), attach cut fractions, add the `selected` pseudo-level.

    A motif row inherits the status of its (levels ensemble, seed, level) row; random_pruned rows
    inherit the trained network's status since their masks copy its per-layer edge counts.
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


# ----------------------------------------------------------------------------- bootstrap
def group_rng(seed: int, *key) -> np.random.Generator:
    """Generator seeded by (seed, stable hash of the group key)."""
    digest = zlib.crc32("|".join(str(k) for k in key).encode())
    return np.random.default_rng([int(seed), digest])


def bootstrap_mean_ci(
    values: np.ndarray, n_boot: int, rng: np.random.Generator, confidence: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of the finite values (vectorised resampling)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 2 or n_boot < 1:
        return (np.nan, np.nan)
    means = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def describe(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> dict:
    """n, mean, sd (ddof 1), CV = sd/|mean|, median and bootstrap 95 % CI of the finite values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    mean = float(x.mean()) if n else np.nan
    sd = float(x.std(ddof=1)) if n >= 2 else np.nan
    cv = sd / abs(mean) if n >= 2 and mean != 0 else np.nan
    low, high = bootstrap_mean_ci(x, n_boot, rng)
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "cv": cv,
        "median": float(np.median(x)) if n else np.nan,
        "ci_low": low,
        "ci_high": high,
    }


def _level_sort_key(level: pd.Series) -> pd.Series:
    return level.map(lambda v: 10**9 if v == SELECTED else int(v))


def convergence_table(
    prepared: Prepared, n_boot: int = 2000, seed: int = 0, extra_keys: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Per ensemble x level x null x motif (x extra keys such as `layer`): spread of z across seeds."""
    keys = ["ensemble", "level", "null", *extra_keys, "motif"]
    rows = []
    for key, group in prepared.motifs.groupby(keys, sort=False):
        rng = group_rng(seed, "convergence", *key)
        row = dict(zip(keys, key, strict=True))
        row.update(describe(group["z"].to_numpy(), n_boot, rng))
        row["cut_fraction"] = float(group["cut_fraction"].mean())
        rows.append(row)
    out = pd.DataFrame(
        rows,
        columns=[*keys, "n", "mean", "sd", "cv", "median", "ci_low", "ci_high", "cut_fraction"],
    )
    out = out.merge(prepared.excluded, on=["ensemble", "level"], how="left")
    out["n_excluded_diverged"] = out["n_excluded_diverged"].fillna(0).astype(int)
    return _sort(out, keys)


def _sort(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if df.empty:
        return df.reset_index(drop=True)
    order = {
        "ensemble": lambda s: s.map(lambda v: (ENSEMBLES + [v]).index(v)),
        "null": lambda s: s.map(lambda v: (NULLS + [v]).index(v)),
        "motif": lambda s: s.map(lambda v: (MOTIFS + [v]).index(v)),
        "level": _level_sort_key,
    }
    return df.sort_values(
        [k for k in keys if k in df.columns],
        key=lambda s: order[s.name](s) if s.name in order else s,
        kind="stable",
    ).reset_index(drop=True)


# ----------------------------------------------------------------------------- profiles
def significance_profiles(motifs: pd.DataFrame) -> pd.DataFrame:
    """Wide table of SP_i = z_i / sqrt(sum_j z_j^2) over the motifs with finite z per network.

    Index: (ensemble, level, null, seed); columns: motifs in MOTIFS order (NaN = not informative).
    Only the motifs of MOTIFS enter: other rows of the table (e.g. the paper's chain statistic
    "connected_pairs_2/3", which is not a motif count) would distort the profile.
    """
    z = motifs[motifs["motif"].isin(MOTIFS)]
    z = z.assign(z=z["z"].where(np.isfinite(z["z"])))
    wide = z.groupby(["ensemble", "level", "null", "seed", "motif"], sort=False)["z"].first()
    wide = wide.unstack("motif")
    wide = wide.reindex(columns=[m for m in MOTIFS if m in wide.columns])
    wide.columns.name = None
    values = wide.to_numpy(dtype=float)
    norm = np.sqrt(np.nansum(values**2, axis=1, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        sp = np.where(norm > 0, values / norm, np.nan)
    return pd.DataFrame(sp, index=wide.index, columns=wide.columns)


def pairwise_profile_correlation(sp: np.ndarray, min_common: int = 3) -> np.ndarray:
    """Pearson r between rows (networks) over their common finite entries; NaN if undefined."""
    sp = np.asarray(sp, dtype=float)
    if sp.ndim != 2 or sp.shape[0] == 0:
        return np.empty((0, 0))
    if np.isfinite(sp).all():
        if sp.shape[1] < min_common:
            return np.full((sp.shape[0],) * 2, np.nan)
        centred = sp - sp.mean(axis=1, keepdims=True)
        norms = np.sqrt((centred**2).sum(axis=1))
        with np.errstate(invalid="ignore", divide="ignore"):
            unit = centred / np.where(norms > 0, norms, np.nan)[:, None]
        return np.clip(unit @ unit.T, -1.0, 1.0)
    frame = pd.DataFrame(np.where(np.isfinite(sp), sp, np.nan).T)
    return frame.corr(method="pearson", min_periods=min_common).to_numpy()


def mean_pairwise(r: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Mean of off-diagonal finite r over distinct-network pairs, for rows of multiplicities.

    `weights` (B x n): how often each network appears in each bootstrap resample; pairs of a
    network with its own copy are excluded, so duplicates do not inflate r towards 1. With
    weights = None the plain mean over i != j.
    """
    n = r.shape[0]
    finite = np.isfinite(r)
    np.fill_diagonal(finite, False)
    r0 = np.where(finite, r, 0.0)
    w0 = finite.astype(float)
    c = np.ones((1, n)) if weights is None else np.asarray(weights, dtype=float)
    num = np.einsum("bi,bi->b", c @ r0, c)
    den = np.einsum("bi,bi->b", c @ w0, c)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def profile_similarity(
    sp: np.ndarray, n_boot: int, rng: np.random.Generator, confidence: float = 0.95
) -> dict:
    """Mean pairwise Pearson r of SPs with a percentile bootstrap CI over networks."""
    sp = np.asarray(sp, dtype=float)
    n = sp.shape[0]
    informative = int(np.isfinite(sp).any(axis=0).sum()) if n else 0
    out = {
        "n_networks": n,
        "n_motifs": informative,
        "mean_r": np.nan,
        "median_r": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "n_pairs_finite": 0,
    }
    if n < 2:
        return out
    r = pairwise_profile_correlation(sp)
    upper = r[np.triu_indices(n, k=1)]
    out["n_pairs_finite"] = int(np.isfinite(upper).sum())
    if out["n_pairs_finite"] == 0:
        return out
    out["mean_r"] = float(mean_pairwise(r)[0])
    out["median_r"] = float(np.nanmedian(upper))
    if n_boot > 0:
        draws = rng.integers(0, n, size=(n_boot, n))
        counts = np.zeros((n_boot, n))
        np.add.at(counts, (np.arange(n_boot)[:, None], draws), 1.0)
        boot = mean_pairwise(r, counts)
        boot = boot[np.isfinite(boot)]
        if boot.size:
            tail = (1.0 - confidence) / 2.0
            out["ci_low"], out["ci_high"] = (float(v) for v in np.quantile(boot, [tail, 1 - tail]))
    return out


def profile_similarity_table(prepared: Prepared, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    sp = significance_profiles(prepared.motifs)
    keys = ["ensemble", "level", "null"]
    rows = []
    for key, group in sp.groupby(level=keys, sort=False):
        rng = group_rng(seed, "profile", *key)
        row = dict(zip(keys, key, strict=True))
        row.update(profile_similarity(group.to_numpy(), n_boot, rng))
        rows.append(row)
    cols = [
        *keys,
        "n_networks",
        "n_motifs",
        "mean_r",
        "median_r",
        "ci_low",
        "ci_high",
        "n_pairs_finite",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out = out.merge(prepared.excluded, on=["ensemble", "level"], how="left")
    out["n_excluded_diverged"] = out["n_excluded_diverged"].fillna(0).astype(int)
    return _sort(out, keys)


# ----------------------------------------------------------------------------- permutation tests
def _label_permutations(n_total: int, n_first: int, n_perm: int, rng) -> np.ndarray:
    """Boolean (n_perm x n_total): True = assigned to the first group, exactly n_first per row."""
    ranks = np.argsort(rng.random((n_perm, n_total)), axis=1)
    return ranks < n_first


def _p_values(observed: float, permuted: np.ndarray, direction: str) -> tuple[float, float]:
    """(two-sided, one-sided) permutation p = (1 + #{as extreme}) / (1 + P)."""
    denom = 1.0 + permuted.size
    tol = 1e-12 * max(1.0, abs(observed))
    two = (1.0 + np.sum(np.abs(permuted) >= abs(observed) - tol)) / denom
    if direction == "less":
        one = (1.0 + np.sum(permuted <= observed + tol)) / denom
    else:
        one = (1.0 + np.sum(permuted >= observed - tol)) / denom
    return float(two), float(one)


def distances_to_centroid(x: np.ndarray) -> np.ndarray:
    """Euclidean distance of each row to the mean row."""
    return np.sqrt(((x - x.mean(axis=0)) ** 2).sum(axis=1))


def dispersion_test(a: np.ndarray, b: np.ndarray, n_perm: int, rng, labels=None) -> dict:
    """PERMDISP-like test: mean distance to own centroid, group a minus group b.

    As in Anderson (2006) the distances (residuals from each group's own centroid) are permuted
    between groups, so a difference in location does not masquerade as one in spread.
    One-sided alternative: a is tighter than b (statistic < 0).
    """
    da, db = distances_to_centroid(a), distances_to_centroid(b)
    observed = float(da.mean() - db.mean())
    pooled = np.concatenate([da, db])
    if labels is None:
        labels = _label_permutations(pooled.size, da.size, n_perm, rng)
    sum_a = labels.astype(float) @ pooled
    permuted = sum_a / da.size - (pooled.sum() - sum_a) / db.size
    two, one = _p_values(observed, permuted, "less")
    return {
        "statistic": observed,
        "value_trained": float(da.mean()),
        "value_control": float(db.mean()),
        "p_two_sided": two,
        "p_one_sided": one,
    }


def pseudo_f(x: np.ndarray, in_first: np.ndarray) -> np.ndarray:
    """Two-group PERMANOVA pseudo-F on Euclidean distances, for each row of labels (P x N)."""
    in_first = np.atleast_2d(in_first).astype(float)
    n_total = x.shape[0]
    n1 = in_first[0].sum()
    n2 = n_total - n1
    total = x.sum(axis=0)
    mean1 = in_first @ x / n1
    mean2 = (total - in_first @ x) / n2
    between = n1 * n2 / n_total * ((mean1 - mean2) ** 2).sum(axis=1)
    total_ss = ((x - x.mean(axis=0)) ** 2).sum()
    within = total_ss - between
    with np.errstate(invalid="ignore", divide="ignore"):
        return between / (within / (n_total - 2))


def profile_test(a: np.ndarray, b: np.ndarray, n_perm: int, rng, labels=None) -> dict:
    """PERMANOVA-like test of different SP centroids; statistic = pseudo-F (one-sided: large)."""
    x = np.vstack([a, b])
    first = np.zeros(x.shape[0], dtype=bool)
    first[: a.shape[0]] = True
    observed = float(pseudo_f(x, first)[0])
    if labels is None:
        labels = _label_permutations(x.shape[0], a.shape[0], n_perm, rng)
    permuted = pseudo_f(x, labels)
    _, one = _p_values(observed, permuted, "greater")
    distance = float(np.sqrt(((a.mean(axis=0) - b.mean(axis=0)) ** 2).sum()))
    return {
        "statistic": observed,
        "value_trained": distance,
        "value_control": np.nan,
        "p_two_sided": one,
        "p_one_sided": one,
    }


def sd_ratio_test(a: np.ndarray, b: np.ndarray, n_perm: int, rng, labels=None) -> dict:
    """Per-motif spread: log(sd_a / sd_b) with residuals from each group's mean permuted."""
    ra, rb = a - a.mean(), b - b.mean()
    pooled = np.concatenate([ra, rb])
    if labels is None:
        labels = _label_permutations(pooled.size, ra.size, n_perm, rng)
    labels = labels.astype(float)
    sq = pooled**2
    ss_a = labels @ sq
    with np.errstate(invalid="ignore", divide="ignore"):
        perm = 0.5 * np.log((ss_a / (ra.size - 1)) / ((sq.sum() - ss_a) / (rb.size - 1)))
        observed = float(np.log(ra.std(ddof=1) / rb.std(ddof=1)))
    two, one = _p_values(observed, perm, "less")
    return {
        "statistic": observed,
        "value_trained": float(a.std(ddof=1)),
        "value_control": float(b.std(ddof=1)),
        "p_two_sided": two,
        "p_one_sided": one,
    }


def _complete_profiles(sp_a: pd.DataFrame, sp_b: pd.DataFrame):
    """Common informative motifs (finite somewhere in both groups), networks complete on them,
    profiles renormalised to unit length over that common set."""
    cols = [c for c in sp_a.columns if np.isfinite(sp_a[c]).any() and np.isfinite(sp_b[c]).any()]
    a = sp_a[cols].to_numpy(dtype=float)
    b = sp_b[cols].to_numpy(dtype=float)
    a = a[np.isfinite(a).all(axis=1)]
    b = b[np.isfinite(b).all(axis=1)]

    def unit(x):
        norm = np.linalg.norm(x, axis=1, keepdims=True)
        keep = norm[:, 0] > 0
        return x[keep] / norm[keep]

    return cols, unit(a), unit(b)


def permutation_tests(
    prepared: Prepared, n_perm: int = 999, seed: int = 0, min_group: int = 2
) -> pd.DataFrame:
    """Trained vs each control, at every level both have and at the selected level, per null."""
    sp = significance_profiles(prepared.motifs)
    finite = prepared.motifs[np.isfinite(prepared.motifs["z"])]
    z_by_group = {k: g for k, g in finite.groupby(["ensemble", "level", "null"], sort=False)}
    empty = finite.iloc[:0]
    rows = []
    groups = {
        k: g.droplevel(["ensemble", "level", "null"])
        for k, g in sp.groupby(level=["ensemble", "level", "null"], sort=False)
    }
    for (ensemble, level, null), sp_a in groups.items():
        if ensemble != "trained":
            continue
        for control in CONTROLS:
            sp_b = groups.get((control, level, null))
            if sp_b is None:
                continue
            # one set of label permutations per group sizes, shared by the tests of this
            # comparison (each test stays exact; generating them dominates the run time)
            cache: dict[tuple[int, int], np.ndarray] = {}

            def labels(n_a: int, n_b: int, level=level, null=null, control=control, cache=cache):
                if (n_a, n_b) not in cache:
                    rng = group_rng(seed, "perm", level, null, control, n_a, n_b)
                    cache[(n_a, n_b)] = _label_permutations(n_a + n_b, n_a, n_perm, rng)
                return cache[(n_a, n_b)]

            base = {"level": level, "null": null, "control": control}
            cols, a, b = _complete_profiles(sp_a, sp_b)
            if len(cols) >= 2 and min(len(a), len(b)) >= min_group:
                for test, fn in [("dispersion", dispersion_test), ("profile", profile_test)]:
                    rows.append(
                        {
                            **base,
                            "test": test,
                            "motif": "all",
                            "n_trained": len(a),
                            "n_control": len(b),
                            "n_motifs": len(cols),
                            **fn(a, b, n_perm, None, labels(len(a), len(b))),
                        }
                    )
            za = z_by_group.get(("trained", level, null), empty)
            zb = z_by_group.get((control, level, null), empty)
            zb_by_motif = {m: g["z"].to_numpy() for m, g in zb.groupby("motif", sort=False)}
            for motif, ga in za.groupby("motif", sort=False):
                a_z = ga["z"].to_numpy()
                b_z = zb_by_motif.get(motif, np.empty(0))
                if min(a_z.size, b_z.size) < max(min_group, 2):
                    continue
                rows.append(
                    {
                        **base,
                        "test": "sd_ratio",
                        "motif": motif,
                        "n_trained": a_z.size,
                        "n_control": b_z.size,
                        "n_motifs": 1,
                        **sd_ratio_test(a_z, b_z, n_perm, None, labels(a_z.size, b_z.size)),
                    }
                )
    cols = [
        "level",
        "null",
        "control",
        "test",
        "motif",
        "n_trained",
        "n_control",
        "n_motifs",
        "statistic",
        "value_trained",
        "value_control",
        "p_two_sided",
        "p_one_sided",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["n_permutations"] = n_perm
    return _sort(out, ["null", "level", "control", "test", "motif"])


# ----------------------------------------------------------------------------- dispersion trend
def _trend_one(dev: pd.DataFrame, reference_level: int | None) -> dict:
    """dev: columns seed, level (int or SELECTED), cut_fraction, deviation."""
    from scipy import stats as sps  # imported here: scipy.stats costs ~1 s at CLI start-up

    per_level = dev[dev.level != SELECTED]
    out: dict = {}
    by_level = per_level.groupby("level").agg(
        spread=("deviation", "mean"), cut=("cut_fraction", "mean"), n=("seed", "size")
    )
    by_level = by_level[(by_level.n >= 2) & np.isfinite(by_level.spread)]
    out["n_levels"] = len(by_level)
    rho = p = np.nan
    if len(by_level) >= 3 and by_level.spread.nunique() > 1 and by_level.cut.nunique() > 1:
        rho, p = sps.spearmanr(by_level.cut, by_level.spread)
    out["rho_levels"], out["p_levels"] = float(rho), float(p)
    pooled = per_level[np.isfinite(per_level.deviation) & np.isfinite(per_level.cut_fraction)]
    rho = p = np.nan
    if len(pooled) >= 3 and pooled.deviation.nunique() > 1 and pooled.cut_fraction.nunique() > 1:
        rho, p = sps.spearmanr(pooled.cut_fraction, pooled.deviation)
    out["n_pooled"], out["rho_pooled"], out["p_pooled"] = len(pooled), float(rho), float(p)

    out.update(
        {
            "reference_level": reference_level,
            "n_pairs": 0,
            "median_dev_reference": np.nan,
            "median_dev_selected": np.nan,
            "wilcoxon_stat": np.nan,
            "wilcoxon_p": np.nan,
        }
    )
    if reference_level is None:
        return out
    ref = per_level[per_level.level == str(reference_level)].set_index("seed")
    sel = dev[dev.level == SELECTED].set_index("seed")
    sel = sel[sel.selected_level > reference_level]  # only seeds pruned beyond the reference
    pairs = (
        ref[["deviation"]]
        .rename(columns={"deviation": "deviation_ref"})
        .join(sel[["deviation"]].rename(columns={"deviation": "deviation_sel"}), how="inner")
        .dropna()
    )
    out["n_pairs"] = len(pairs)
    if len(pairs):
        out["median_dev_reference"] = float(pairs.deviation_ref.median())
        out["median_dev_selected"] = float(pairs.deviation_sel.median())
    diff = pairs.deviation_ref - pairs.deviation_sel
    if len(pairs) >= 2 and (diff != 0).any():
        res = sps.wilcoxon(pairs.deviation_ref, pairs.deviation_sel)
        out["wilcoxon_stat"], out["wilcoxon_p"] = float(res.statistic), float(res.pvalue)
    return out


def _reference_level(cuts: pd.DataFrame, ensemble: str, reference_cut: float) -> int | None:
    c = cuts[(cuts.ensemble == ensemble) & np.isfinite(cuts.cut_fraction)]
    c = c[c.cut_fraction > 0]
    if c.empty:
        return None
    return int(c.loc[(c.cut_fraction - reference_cut).abs().idxmin(), "level"])


def dispersion_trend(
    prepared: Prepared, levels: pd.DataFrame, reference_cut: float = REFERENCE_CUT
) -> pd.DataFrame:
    """Does the spread across seeds shrink with sparsity? Paired by seed.

    Deviation of a seed at a level = |z - ensemble mean z at that level| per motif, and for
    motif = "profile" the distance of its SP vector to the ensemble's SP centroid. Reported:
    Spearman rho of the per-level mean deviation vs cut fraction (n = levels), the pooled
    Spearman over seed x level (its p ignores within-seed dependence: descriptive), and a paired
    Wilcoxon signed-rank test of each seed's deviation at the reference level (cut fraction
    closest to `reference_cut`) vs at its own selected level (seeds selected beyond it only).
    """
    cuts = level_cut_fractions(levels)
    m = prepared.motifs[np.isfinite(prepared.motifs["z"])]
    keys = ["ensemble", "level", "null", "motif"]
    mean_z = m.groupby(keys)["z"].transform("mean")
    dev = m.assign(deviation=(m["z"] - mean_z).abs())

    sp = significance_profiles(prepared.motifs)
    prof_rows = []
    for (ensemble, level, null), g in sp.groupby(level=["ensemble", "level", "null"], sort=False):
        cols = [c for c in g.columns if np.isfinite(g[c]).all()]
        if not cols:
            continue
        d = distances_to_centroid(g[cols].to_numpy())
        prof_rows.append(
            pd.DataFrame(
                {
                    "ensemble": ensemble,
                    "level": level,
                    "null": null,
                    "motif": "profile",
                    "seed": g.index.get_level_values("seed"),
                    "deviation": d,
                }
            )
        )
    meta = prepared.motifs.drop_duplicates(["ensemble", "level", "null", "seed"])[
        ["ensemble", "level", "null", "seed", "cut_fraction", "selected_level"]
    ]
    parts = [
        dev[
            [
                "ensemble",
                "level",
                "null",
                "motif",
                "seed",
                "deviation",
                "cut_fraction",
                "selected_level",
            ]
        ]
    ]
    if prof_rows:
        parts.append(pd.concat(prof_rows).merge(meta, on=["ensemble", "level", "null", "seed"]))
    dev = pd.concat(parts, ignore_index=True)

    rows = []
    for (ensemble, null, motif), g in dev.groupby(["ensemble", "null", "motif"], sort=False):
        ref = _reference_level(cuts, ensemble, reference_cut)
        row = {"ensemble": ensemble, "null": null, "motif": motif}
        row.update(_trend_one(g, ref))
        if ref is not None:
            rc = cuts[(cuts.ensemble == ensemble) & (cuts.level == ref)].cut_fraction
            row["reference_cut"] = float(rc.iloc[0]) if len(rc) else np.nan
        rows.append(row)
    cols = [
        "ensemble",
        "null",
        "motif",
        "n_levels",
        "rho_levels",
        "p_levels",
        "n_pooled",
        "rho_pooled",
        "p_pooled",
        "reference_level",
        "reference_cut",
        "n_pairs",
        "median_dev_reference",
        "median_dev_selected",
        "wilcoxon_stat",
        "wilcoxon_p",
    ]
    return _sort(pd.DataFrame(rows).reindex(columns=cols), ["ensemble", "null", "motif"])


# ----------------------------------------------------------------------------- counts
def network_counts(levels: pd.DataFrame, ensemble: str = "trained") -> dict:
    """How many networks were trained, diverged, never passed the threshold, had dead outputs."""
    lv = levels[levels.ensemble == ensemble]
    seeds = lv.seed.unique()
    diverged_seeds = lv.loc[lv.status == "diverged", "seed"].unique()
    selected = lv[lv.selected]
    dead = int(selected["dead_output"].sum()) if "dead_output" in lv.columns else None
    return {
        "ensemble": ensemble,
        "networks": int(len(seeds)),
        "diverged_networks": int(len(diverged_seeds)),
        "diverged_levels": int((lv.status == "diverged").sum()),
        "selected": int(selected.seed.nunique()),
        "never_passing": int(len(seeds) - selected.seed.nunique()),
        "dead_output_selected": dead,
    }


# ----------------------------------------------------------------------------- everything
def aggregate(
    levels: pd.DataFrame,
    motifs: pd.DataFrame,
    per_layer: pd.DataFrame | None = None,
    *,
    n_boot: int = 2000,
    n_perm: int = 999,
    seed: int = 0,
    reference_cut: float = REFERENCE_CUT,
) -> dict[str, pd.DataFrame]:
    """All tables of the convergence analysis, keyed by output file stem."""
    prepared = prepare(levels, motifs)
    tables = {
        "convergence": convergence_table(prepared, n_boot, seed),
        "profile_similarity": profile_similarity_table(prepared, n_boot, seed),
        "permutation_tests": permutation_tests(prepared, n_perm, seed),
        "dispersion_trend": dispersion_trend(prepared, levels, reference_cut),
    }
    if per_layer is not None:
        if "layer" not in per_layer.columns:
            raise InputError("per-layer motifs table: missing column 'layer'")
        prepared_layer = prepare(levels, per_layer)
        tables["convergence_per_layer"] = convergence_table(
            prepared_layer, n_boot, seed, extra_keys=("layer",)
        )
    return tables
