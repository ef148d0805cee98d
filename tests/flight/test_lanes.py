"""Sines and cosines within a step (flight/lanes.py) against libm, and both kernels' results
with them against the libm-per-right-hand-side kernel."""

from __future__ import annotations

import math

import numpy as np

from sparsemotifs.flight import integrate as integ
from sparsemotifs.flight import lanes
from sparsemotifs.flight.accuracy import relative_error
from sparsemotifs.flight.sampling import DEFAULT_RANGES, draw

L = lanes.LANES


def near_trig(start, angle):
    """(sin, cos) of `angle` rows (2, LANES) from the start angles, via near_trig_lanes."""
    w = np.zeros(lanes.FIRST_FREE_ROW * L).reshape(-1, L)
    w[lanes._Y + 2 : lanes._Y + 4] = start
    w[lanes._TRIG0 : lanes._TRIG0 + 4] = [np.sin(start[0]), np.cos(start[0]),
                                           np.sin(start[1]), np.cos(start[1])]  # fmt: skip
    w[lanes._Y1 + 2 : lanes._Y1 + 4] = angle
    flat = w.reshape(-1)
    lanes.near_trig_lanes(flat)
    trig = flat.reshape(-1, L)[lanes._TRIG : lanes._TRIG + 4]
    return trig[[0, 2]], trig[[1, 3]]


def test_series_matches_libm_within_a_few_ulp():
    rng = np.random.default_rng(0)
    worst = 0.0
    for _ in range(200):
        start = rng.uniform(-10, 10, (2, L))
        d = rng.uniform(-lanes.NEAR, lanes.NEAR, (2, L))
        d[0, :2] = [lanes.NEAR, -lanes.NEAR]  # the edges of the series' range
        sin, cos = near_trig(start, start + d)
        angle = start + d
        worst = max(worst, np.abs(sin - np.sin(angle)).max(), np.abs(cos - np.cos(angle)).max())
    assert worst < 2e-15, worst  # |sin|, |cos| <= 1: a few ulp


def test_far_or_non_finite_angles_call_libm_exactly():
    start = np.zeros((2, L))
    angle = np.tile(np.linspace(-40, 40, L), (2, 1))
    angle[1, 3] = np.nan
    sin, cos = near_trig(start, angle)
    far = np.abs(angle) > lanes.NEAR
    exact_sin = np.vectorize(math.sin)(np.where(far, angle, 0.0))
    np.testing.assert_array_equal(sin[far], exact_sin[far])
    assert np.isnan(sin[1, 3]) and np.isnan(cos[1, 3])


def test_series_would_fail_beyond_its_range():
    # The check above can fail: the truncated series is visibly wrong at 3 rad.
    d = 3.0
    s, c = lanes._sin_cos_small.py_func(d)
    assert abs(s - math.sin(d)) > 1e-12 or abs(c - math.cos(d)) > 1e-12


def test_kernels_with_and_without_near_trig_agree():
    state0, controls = draw(np.random.default_rng(5), 40, DEFAULT_RANGES)
    near = integ.integrate(state0, controls)
    libm = integ.integrate(state0, controls, near_trig=False)
    assert near.ok.all() and libm.ok.all()
    assert relative_error(near.state, libm.state).max() < 2e-7
