"""Significance profiles (SP, Milo et al. 2004) and their similarity across seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs.contracts.names import MOTIFS
from sparsemotifs.convergence.describe import group_rng, order_table
from sparsemotifs.convergence.prepare import Prepared


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
    """Per ensemble x level x null: mean pairwise SP correlation across seeds, bootstrap CI."""
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
    for column in ("n_excluded_diverged", "n_excluded_dead_output"):
        out[column] = out[column].fillna(0).astype(int)
    return order_table(out, keys)
