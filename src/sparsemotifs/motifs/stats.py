"""z-scores, empirical p-values and significance profiles of motif counts against a null.

Convention: z is NaN (never 0) where the null fixes the count (zero spread, or fixed by
construction); p is NaN for exact (unsampled) nulls; SP is computed over finite z only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from sparsemotifs.contracts.names import FIXED_BY_NULL, MOTIFS, NULLS

__all__ = [
    "FIXED_BY_NULL",
    "NULLS",
    "empirical_p",
    "nan_to_none",
    "significance_profile",
    "summary_row",
    "zscore",
]

_REL_TOL = 1e-6  # a spread below this (relative to the mean) is rounding noise of a fixed count


def zscore(count: float, mean: float, sd: float) -> float:
    """(count - mean) / sd, NaN when sd is zero (or numerically zero).

    >>> zscore(12, 10.0, 2.0)
    1.0
    >>> zscore(9, 9.0, 0.0)  # a count the null holds fixed has no z
    nan
    """
    if not np.isfinite(sd) or sd <= _REL_TOL * max(1.0, abs(mean)):
        return math.nan
    return (count - mean) / sd


def empirical_p(count: float, samples: np.ndarray) -> float:
    """(1 + #{null >= count}) / (1 + R): the one-sided p of over-representation.

    >>> empirical_p(5, [1, 5, 7, 2])
    0.6
    """
    samples = np.asarray(samples)
    return float((1 + np.count_nonzero(samples >= count)) / (1 + samples.size))


def significance_profile(z: Mapping[str, float]) -> dict[str, float]:
    """SP_i = z_i / sqrt(sum_j z_j^2) over motifs with finite z (Milo et al. 2004); others NaN.

    >>> significance_profile({"bi_fan": 3.0, "chain_3": -4.0, "edges": float("nan")})
    {'bi_fan': 0.6, 'chain_3': -0.8, 'edges': nan}
    """
    finite = {k: v for k, v in z.items() if v is not None and np.isfinite(v)}
    norm = math.sqrt(sum(v * v for v in finite.values()))
    return {k: (finite[k] / norm if k in finite and norm > 0 else math.nan) for k in z}


def summary_row(count, mean, sd, fixed: bool, p=math.nan) -> dict[str, float]:
    """One table row of a count against its null (z and p NaN for a count the null fixes)."""
    z = math.nan if fixed else float(zscore(count, mean, sd))
    return {
        "count": int(count),
        "null_mean": float(mean),
        "null_sd": 0.0 if fixed else float(sd),
        "z": z,
        "p": math.nan if fixed else float(p),
    }


def nan_to_none(obj):
    """Replace NaN/inf floats by None, recursively (JSON has no NaN)."""
    if isinstance(obj, dict):
        return {k: nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [nan_to_none(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return float(obj) if np.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


__all__ = [
    "FIXED_BY_NULL",
    "MOTIFS",
    "NULLS",
    "empirical_p",
    "nan_to_none",
    "significance_profile",
    "summary_row",
    "zscore",
]
