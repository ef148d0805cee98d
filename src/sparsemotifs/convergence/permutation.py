"""Permutation tests of the subject ensemble against each control.

PERMDISP-like dispersion of SP vectors, PERMANOVA-like pseudo-F of their centroids and the
per-motif sd ratio; each exact under label permutation, with one shared set of permutations
per comparison and group sizes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs import registry
from sparsemotifs.convergence.describe import group_rng, order_table
from sparsemotifs.convergence.prepare import Prepared
from sparsemotifs.convergence.profiles import significance_profiles


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
    """Each pair of `registry.comparisons()`, at every level both have and at the selected
    level, per null: the subject vs every control (its derived controls, the other variants,
    the control task), every other variant vs its own derived controls and the control task.

    Rows name the compared pair in `ensemble` and `control`.
    """
    sp = significance_profiles(prepared.motifs)
    finite = prepared.motifs[np.isfinite(prepared.motifs["z"])]
    z_by_group = {k: g for k, g in finite.groupby(["ensemble", "level", "null"], sort=False)}
    empty = finite.iloc[:0]
    rows = []
    groups = {
        k: g.droplevel(["ensemble", "level", "null"])
        for k, g in sp.groupby(level=["ensemble", "level", "null"], sort=False)
    }
    pairs: dict[str, list[str]] = {}
    for ensemble, control in registry.comparisons():
        pairs.setdefault(ensemble, []).append(control)
    for (ensemble, level, null), sp_a in groups.items():
        for control in pairs.get(ensemble, []):
            sp_b = groups.get((control, level, null))
            if sp_b is None:
                continue
            # one set of label permutations per group sizes, shared by the tests of this
            # comparison (each test stays exact; generating them dominates the run time)
            cache: dict[tuple[int, int], np.ndarray] = {}

            # the subject's key is the one of a study without variants (same numbers)
            who = () if ensemble == registry.SUBJECT else (ensemble,)

            def labels(n_a, n_b, level=level, null=null, control=control, cache=cache, who=who):
                if (n_a, n_b) not in cache:
                    rng = group_rng(seed, "perm", *who, level, null, control, n_a, n_b)
                    cache[(n_a, n_b)] = _label_permutations(n_a + n_b, n_a, n_perm, rng)
                return cache[(n_a, n_b)]

            base = {"ensemble": ensemble, "level": level, "null": null, "control": control}
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
            za = z_by_group.get((ensemble, level, null), empty)
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
        "ensemble",
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
    return order_table(out, ["ensemble", "null", "level", "control", "test", "motif"])
