"""La Malfa's comparison: symmetrised KL divergence of Gaussian KDEs between groups of networks.

Two comparisons per (level, layer, metric): networks of one ensemble binned by their loss at that
level (the most accurate bin against the poorest), and one ensemble against another. A group's
sample pools the values of its networks (every kept weight, every node); for `fluctuation`, one
value per network. Because pooled values of one network are not independent, the divergence is
judged against a permutation null that reshuffles whole networks between the two groups (same
group sizes): `kl_null` is its median, and kl / kl_null >> 1 means the groups differ.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.integrate import trapezoid
from scipy.ndimage import gaussian_filter1d

from sparsemotifs.io import InputError
from sparsemotifs.weights.metrics import FLUCTUATION

GRID_SIZE = 512  # minimum; refined so that the narrower bandwidth spans >= 5 grid steps
MAX_GRID = 1 << 16
DENSITY_FLOOR = 1e-10
MAX_SAMPLE = 4000  # values per group fed to the KDE (a seeded subsample above this)
# `ensemble`: the ensemble a row is about (the binned one; in an "ensembles" row the one compared
# with the reference, ensemble_b), so the table has the `ensemble` column of every other table
COMPARE_COLUMNS = [
    "ensemble", "comparison", "ensemble_a", "ensemble_b", "group_a", "group_b", "level", "layer", "metric",
    "networks_a", "networks_b", "n_a", "n_b", "kl", "kl_null", "kl_ratio",
]  # fmt: skip


def _kde(sample: np.ndarray) -> sps.gaussian_kde | None:
    sample = np.asarray(sample, dtype=np.float64)
    if sample.size < 2 or np.ptp(sample) == 0:
        return None
    try:
        return sps.gaussian_kde(sample)
    except np.linalg.LinAlgError:
        return None


def kde_on_grid(sample: np.ndarray, kde: sps.gaussian_kde, grid: np.ndarray) -> np.ndarray:
    """`kde` evaluated on a uniform grid by linear binning and a Gaussian filter.

    The bandwidth is gaussian_kde's (Scott's rule); binning the sample onto the grid and
    convolving with the kernel costs O(n + grid) instead of the direct O(n * grid), and differs
    from `kde(grid)` by O((step / bandwidth)^2) (tests compare the two).
    """
    step = grid[1] - grid[0]
    pos = (np.asarray(sample, dtype=np.float64) - grid[0]) / step
    left = np.clip(np.floor(pos).astype(np.int64), 0, len(grid) - 2)
    frac = pos - left
    counts = np.bincount(left, 1.0 - frac, minlength=len(grid))
    counts += np.bincount(left + 1, frac, minlength=len(grid))
    sigma = np.sqrt(kde.covariance[0, 0]) / step
    return gaussian_filter1d(counts, sigma, mode="constant", truncate=6.0) / (len(pos) * step)


def symmetric_kl(a: np.ndarray, b: np.ndarray, grid_size: int = GRID_SIZE) -> float:
    """KL(p||q) + KL(q||p) of the Gaussian KDEs p of `a` and q of `b` on a common grid.

    The grid spans both samples plus 4 bandwidths on each side, with at least `grid_size`
    points and steps no wider than a fifth of the narrower bandwidth. Both densities are
    floored at DENSITY_FLOOR times the larger peak and renormalised on the grid: a kernel
    density decays like its (narrow) kernel beyond its sample, so without a floor the
    log-ratio in one sample's far tail dominates the divergence. Even so, KDE tails bias the
    divergence upward when the two widths differ a lot (tests bound the error against the
    closed form for Gaussians). NaN when a sample has fewer than 2 distinct values.
    """
    kp, kq = _kde(a), _kde(b)
    if kp is None or kq is None:
        return float("nan")
    hp, hq = np.sqrt(kp.covariance[0, 0]), np.sqrt(kq.covariance[0, 0])
    lo = min(np.min(a), np.min(b)) - 4.0 * max(hp, hq)
    hi = max(np.max(a), np.max(b)) + 4.0 * max(hp, hq)
    n_grid = int(np.clip(np.ceil(5.0 * (hi - lo) / min(hp, hq)), grid_size, MAX_GRID))
    grid = np.linspace(lo, hi, n_grid)
    p, q = kde_on_grid(a, kp, grid), kde_on_grid(b, kq, grid)
    floor = DENSITY_FLOOR * max(p.max(), q.max())
    p, q = np.maximum(p, floor), np.maximum(q, floor)
    p /= trapezoid(p, grid)
    q /= trapezoid(q, grid)
    log_ratio = np.log(p) - np.log(q)
    return float(trapezoid((p - q) * log_ratio, grid))


def _pool(groups: Sequence[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    pooled = np.concatenate(groups) if len(groups) else np.zeros(0)
    if pooled.size > MAX_SAMPLE:
        pooled = rng.choice(pooled, MAX_SAMPLE, replace=False)
    return pooled


def compare_groups(
    a: Sequence[np.ndarray], b: Sequence[np.ndarray], rng: np.random.Generator, n_perm: int
) -> dict:
    """Divergence of two groups of networks (one value array per network) and its null."""
    kl = symmetric_kl(_pool(a, rng), _pool(b, rng))
    null = []
    both = list(a) + list(b)
    for _ in range(n_perm if np.isfinite(kl) else 0):
        order = rng.permutation(len(both))
        pa = [both[i] for i in order[: len(a)]]
        pb = [both[i] for i in order[len(a) :]]
        null.append(symmetric_kl(_pool(pa, rng), _pool(pb, rng)))
    kl_null = float(np.nanmedian(null)) if null and np.isfinite(null).any() else float("nan")
    return {
        "networks_a": len(a),
        "networks_b": len(b),
        "n_a": int(sum(len(x) for x in a)),
        "n_b": int(sum(len(x) for x in b)),
        "kl": kl,
        "kl_null": kl_null,
        "kl_ratio": kl / kl_null if kl_null > 0 else float("nan"),
    }


def loss_bins(losses: pd.Series, n_bins: int) -> pd.Series:
    """Quantile bins 0 (most accurate) .. n_bins-1 (poorest) of one level's losses, by rank."""
    ranks = losses.rank(method="first")
    return np.floor((ranks - 1) * n_bins / len(losses)).astype(int)


def _grouped(values: pd.DataFrame, table: pd.DataFrame) -> dict:
    """{(ensemble, level, layer, metric): {seed: values}}, fluctuation taken from the table."""
    out: dict = {}
    v = values["value"].to_numpy(np.float64)
    keys = ["ensemble", "level", "layer", "metric", "seed"]
    for key, idx in values.groupby(keys, sort=True, observed=True).indices.items():
        ens, level, layer, metric, s = key
        out.setdefault((ens, int(level), int(layer), metric), {})[int(s)] = v[idx]
    fl = table[table["metric"] == FLUCTUATION]
    for (ens, level, layer), df in fl.groupby(["ensemble", "level", "layer"], sort=True):
        out[(ens, int(level), int(layer), FLUCTUATION)] = {
            int(s): np.array([v]) for s, v in zip(df["seed"], df["value"], strict=True)
        }
    return out


def compare_table(
    values: pd.DataFrame,
    table: pd.DataFrame,
    losses: Mapping[str, pd.DataFrame],
    *,
    loss_column: str = "loss_test",
    n_bins: int = 3,
    n_perm: int = 10,
    seed: int = 0,
    reference: str = "trained",
) -> pd.DataFrame:
    """Both comparisons for every (level, layer, metric); rows in COMPARE_COLUMNS.

    `values` is the long value table, `table` the summary table (for fluctuation), `losses`
    maps ensemble -> its levels table (seed, level, `loss_column`, status). Ensembles are
    compared with `reference` (when present: the study's subject, with variants the first).
    """
    if n_bins < 2:
        raise InputError(f"n_bins must be >= 2, got {n_bins}")
    grouped = _grouped(values, table)
    rows = []
    bins: dict = {}
    for ensemble, lv in losses.items():
        missing = {"seed", "level", loss_column} - set(lv.columns)
        if missing:
            raise InputError(f"levels table of {ensemble}: missing columns {sorted(missing)}")
        ok = lv[lv["status"] == "ok"] if "status" in lv.columns else lv
        ok = ok[np.isfinite(ok[loss_column].to_numpy(np.float64))]
        for level, df in ok.groupby("level"):
            if len(df) >= n_bins:
                b = loss_bins(df[loss_column].reset_index(drop=True), n_bins)
                bins[(ensemble, int(level))] = dict(zip(df["seed"].astype(int), b, strict=True))
    ensembles = sorted({k[0] for k in grouped})
    for (ensemble, level, layer, metric), per_seed in grouped.items():
        rng = np.random.default_rng([seed, int(level), int(layer), zlib.crc32(metric.encode())])
        key = {"level": int(level), "layer": int(layer), "metric": metric}
        seed_bins = bins.get((ensemble, int(level)))
        if seed_bins is not None:
            a = [v for s, v in per_seed.items() if seed_bins.get(s) == 0]
            b = [v for s, v in per_seed.items() if seed_bins.get(s) == n_bins - 1]
            if a and b:
                rows.append(
                    {
                        "ensemble": ensemble,
                        "comparison": "loss_bins",
                        "ensemble_a": ensemble,
                        "ensemble_b": ensemble,
                        "group_a": "accurate",
                        "group_b": "poor",
                        **key,
                        **compare_groups(a, b, rng, n_perm),
                    }
                )
        if ensemble != reference and reference in ensembles:
            other = grouped.get((reference, level, layer, metric))
            if other:
                rows.append(
                    {
                        "ensemble": ensemble,
                        "comparison": "ensembles",
                        "ensemble_a": reference,
                        "ensemble_b": ensemble,
                        "group_a": "all",
                        "group_b": "all",
                        **key,
                        **compare_groups(
                            list(other.values()), list(per_seed.values()), rng, n_perm
                        ),
                    }
                )
    df = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    return df.sort_values(["comparison", "ensemble_b", "metric", "layer", "level"]).reset_index(
        drop=True
    )
