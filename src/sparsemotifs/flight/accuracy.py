"""The one accuracy criterion used by the tests and the benchmark.

A simulated end state y is accepted against a reference y_ref when, componentwise,

    |y - y_ref| <= tol * max(|y_ref|, floor)        (tol = 1e-6, floor = 1 by default)

i.e. a relative error with an absolute floor: components whose reference magnitude is below
`floor` (angles near 0, velocities near rest) are held to an absolute error of tol * floor.
"""

from __future__ import annotations

import numpy as np

TOLERANCE = 1e-6


def relative_error(y: np.ndarray, ref: np.ndarray, floor: float = 1.0) -> np.ndarray:
    """|y - ref| / max(|ref|, floor), elementwise (NaN in y gives inf: never accepted)."""
    y, ref = np.asarray(y, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    err = np.abs(y - ref) / np.maximum(np.abs(ref), floor)
    return np.where(np.isnan(err), np.inf, err)


def pure_relative_error(y: np.ndarray, ref: np.ndarray, min_magnitude: float = 1.0) -> np.ndarray:
    """|y - ref| / |ref| where |ref| > min_magnitude, NaN elsewhere (reported, not a criterion)."""
    y, ref = np.asarray(y, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    big = np.abs(ref) > min_magnitude
    out = np.full(np.broadcast(y, ref).shape, np.nan)
    np.divide(np.abs(y - ref), np.abs(ref), out=out, where=big)
    return out


def within_tolerance(y, ref, tol: float = TOLERANCE, floor: float = 1.0) -> np.ndarray:
    """True per row (trajectory) when every component meets the criterion."""
    err = relative_error(y, ref, floor)
    return np.all(err <= tol, axis=-1)
