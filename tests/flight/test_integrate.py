"""Batched integrator: method orders, one step against a dense textbook step, accuracy against
Radau (random sample and corners), pool independence, failure detection."""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from sparsemotifs.flight import integrate as integ
from sparsemotifs.flight.accuracy import TOLERANCE, relative_error, within_tolerance
from sparsemotifs.flight.dynamics import KernelConstants, control_rows, stiff_direction_rows
from sparsemotifs.flight.params import FlightParams
from sparsemotifs.flight.sampling import DEFAULT_RANGES, draw


# ----------------------------------------------------------------------------- the tableau
def w_method_step(f, y, h, w_matrix, weights):
    """Textbook k-form of a W-method (Hairer & Wanner IV.7), dense, for order checks."""
    s = len(integ.B)
    k = []
    lhs = np.eye(len(y)) - h * integ.GAMMA * w_matrix
    for i in range(s):
        y_stage = y + sum(integ.ALPHA[i, j] * k[j] for j in range(i))
        coupling = sum((integ.GAMMA_MATRIX[i, j] * k[j] for j in range(i)), np.zeros_like(y))
        k.append(np.linalg.solve(lhs, h * f(y_stage) + h * w_matrix @ coupling))
    return y + sum(wt * kj for wt, kj in zip(weights, k, strict=True))


def brusselator(y):
    return np.array([1 + y[0] ** 2 * y[1] - 4 * y[0], 3 * y[0] - y[0] ** 2 * y[1]])


def observed_order(weights, w_matrix, steps=(40, 80, 160)):
    y0, horizon = np.array([1.5, 3.0]), 1.0
    ends = []
    for n in (*steps, 5120):
        y = y0.copy()
        for _ in range(n):
            y = w_method_step(brusselator, y, horizon / n, w_matrix, weights)
        ends.append(y)
    errs = [np.abs(e - ends[-1]).max() for e in ends[:-1]]
    return [math.log2(errs[i] / errs[i + 1]) for i in range(len(errs) - 1)]


@pytest.mark.parametrize("w_kind", ["zero", "random", "jacobian_like"])
def test_ros34pw2_is_order_three_for_any_w(w_kind):
    rng = np.random.default_rng(0)
    w = {"zero": np.zeros((2, 2)), "random": rng.normal(0, 2, (2, 2)),
         "jacobian_like": np.array([[-1.0, 2.25], [1.0, -2.25]])}[w_kind]  # fmt: skip
    orders = observed_order(integ.B, w)
    assert 2.8 < orders[-1] < 3.3, orders
    embedded = observed_order(integ.B_EMBEDDED, w)
    assert 1.8 < embedded[-1] < 2.3, embedded


def test_order_check_detects_a_wrong_coefficient():
    wrong = integ.B.copy()
    wrong[1] += 1e-3
    wrong[2] -= 1e-3  # still sums to 1: first-order consistent, but not order 3
    assert observed_order(wrong, np.zeros((2, 2)))[-1] < 2.5


def test_transformed_coefficients_reproduce_k_form():
    # U = Gamma k: the solution and error weights in U must equal b and b - b_hat in k.
    np.testing.assert_allclose(integ.M_T @ integ.GAMMA_MATRIX, integ.B, atol=1e-14)
    np.testing.assert_allclose(
        integ.E_T @ integ.GAMMA_MATRIX, integ.B - integ.B_EMBEDDED, atol=1e-14
    )
    assert abs(integ.B.sum() - 1) < 1e-14 and abs(integ.B_EMBEDDED.sum() - 1) < 1e-14


def extrapolated_euler_step(f, y, h, w_matrix, order):
    """Textbook linearly implicit Euler + Aitken-Neville (harmonic sequence), dense."""
    table = []
    for n in range(1, order + 1):
        lhs = np.eye(len(y)) - (h / n) * w_matrix
        yi = y.copy()
        for _ in range(n):
            yi = yi + np.linalg.solve(lhs, (h / n) * f(yi))
        row = [yi]
        for m in range(1, n):
            ratio = n / (n - m)
            row.append(row[m - 1] + (row[m - 1] - table[-1][m - 1]) / (ratio - 1))
        table.append(row)
    return table[-1][-1], table[-1][-2]


@pytest.mark.parametrize("order", [2, 3, 4])
@pytest.mark.parametrize("w", [[[-1.0, 0.5], [0.3, -2.0]], [[0.7, -1.0], [2.0, 0.1]]])
def test_extrapolated_euler_has_its_order_for_any_w(order, w):
    y0, ends, steps = np.array([1.5, 3.0]), [], (20, 40, 80, 160)
    for n in (*steps, 2560):
        y = y0.copy()
        for _ in range(n):
            y = extrapolated_euler_step(brusselator, y, 1.0 / n, np.array(w), order)[0]
        ends.append(y)
    errs = [np.abs(e - ends[-1]).max() for e in ends[:-1]]
    slope = -np.polyfit(np.log2(steps[1:]), np.log2(errs[1:]), 1)[0]
    assert abs(slope - order) < 0.25, slope


def test_batched_step_equals_dense_textbook_step():
    """One batched extrapolation step (Sherman-Morrison, Neville in place) vs dense algebra."""
    p = FlightParams()
    k = KernelConstants.from_params(p)
    state0, controls = draw(np.random.default_rng(4), 3, DEFAULT_RANGES)
    y_rows = np.ascontiguousarray(state0.T[integ._TABLE_TO_INTERNAL])
    ctrl = control_rows(controls, k)
    h = np.array([1e-4, 3e-4, 1e-3])
    order = 6
    y1, _ = integ._attempt_extrapolation(y_rows.copy(), ctrl, h, k, 1e-9, order)
    for i in range(3):
        trig = (
            np.sin(y_rows[2, i]),
            np.cos(y_rows[2, i]),
            np.sin(y_rows[3, i]),
            np.cos(y_rows[3, i]),
        )
        wx, wy, wth, wph, _ = stiff_direction_rows(*trig, k)
        w_matrix = np.zeros((8, 8))
        w_matrix[:4, 4:] = np.eye(4)
        w_matrix[4:, 6] = k.c * np.array([wx, wy, wth, wph])  # -c w e^T, e = (0, 0, -1, 1)
        w_matrix[4:, 7] = -k.c * np.array([wx, wy, wth, wph])

        def f(y, i=i):
            return integ._derivative(y[:, None], ctrl[:, i : i + 1], k)[:, 0]

        expected, _ = extrapolated_euler_step(f, y_rows[:, i], h[i], w_matrix, order)
        np.testing.assert_allclose(y1[:, i], expected, rtol=1e-10, atol=1e-10)


# ----------------------------------------------------------------------------- accuracy
def corner_cases():
    """Largest forces and torques, highest speeds, extreme and opposed angular rates."""
    rows = []
    for sx, sy, st, f_alpha, tau in itertools.product(
        (-1, 1), (-1, 1), (-1, 1), ((44300.0, 0.3), (44300.0, 4.0), (0.0, 0.0)), (-1e5, 1e5)
    ):
        if len(rows) >= 14:
            break
        force, alpha = f_alpha
        rows.append(([0, 1500 * sx, 0, 1500 * sy, 0.0, 25 * st, 2 * math.pi, -25 * st],
                     [force, alpha, tau]))  # fmt: skip
    rows.append(([0, 0, 0, 0, 0.2, 25, 6.2, -25], [44300.0, 2 * math.pi, -1e5]))  # from rest
    rows.append(([0, 1e-3, 0, 0, 3.0, 0, 0.1, 0], [0.0, 0.0, 0.0]))  # free fall near v = 0
    state0 = np.array([r[0] for r in rows], dtype=float)
    controls = np.array([r[1] for r in rows], dtype=float)
    return state0, controls


@pytest.fixture(scope="module")
def sample_and_reference(radau_reference):
    state0, controls = draw(np.random.default_rng(2024), 100, DEFAULT_RANGES)
    cs, cc = corner_cases()
    state0, controls = np.vstack([state0, cs]), np.vstack([controls, cc])
    return state0, controls, radau_reference(state0, controls)


def test_matches_radau_within_criterion(sample_and_reference):
    state0, controls, ref = sample_and_reference
    res = integ.integrate(state0, controls)
    assert res.ok.all(), res.status_counts()
    err = relative_error(res.state, ref)
    worst = err.max()
    assert worst <= TOLERANCE, f"worst relative error {worst:.3g} at row {err.max(1).argmax()}"
    assert within_tolerance(res.state, ref).all()


def test_ros34pw2_alternative_matches_radau(sample_and_reference):
    state0, controls, ref = sample_and_reference
    rows = slice(0, 12)
    res = integ.integrate(
        state0[rows], controls[rows], method="ros34pw2", rtol=1e-10, max_steps=20000
    )
    assert res.ok.all()
    assert relative_error(res.state, ref[rows]).max() <= TOLERANCE


def test_loose_tolerance_is_detected_by_the_criterion(sample_and_reference):
    # The check can fail: a loose integrator tolerance must violate it somewhere.
    state0, controls, ref = sample_and_reference
    res = integ.integrate(state0, controls, rtol=1e-5, order=5)
    assert not within_tolerance(res.state, ref).all()


def test_result_independent_of_pool_and_neighbours(sample_and_reference):
    state0, controls, _ = sample_and_reference
    a = integ.integrate(state0[:40], controls[:40], rtol=1e-7, pool_size=4096)
    b = integ.integrate(state0[:40], controls[:40], rtol=1e-7, pool_size=7)
    single = integ.integrate(state0[3:4], controls[3:4], rtol=1e-7)
    np.testing.assert_array_equal(a.state, b.state)
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_array_equal(a.state[3:4], single.state)


# ----------------------------------------------------------------------------- failures
def test_non_finite_inputs_are_flagged_and_do_not_contaminate_others():
    state0, controls = draw(np.random.default_rng(1), 6, DEFAULT_RANGES)
    clean = integ.integrate(state0, controls, rtol=1e-7)
    controls_bad, state_bad = controls.copy(), state0.copy()
    controls_bad[1, 2] = np.nan
    state_bad[4, 5] = np.inf
    res = integ.integrate(state_bad, controls_bad, rtol=1e-7)
    assert res.status[1] == integ.NON_FINITE and res.status[4] == integ.NON_FINITE
    good = [0, 2, 3, 5]
    assert (res.status[good] == integ.OK).all()
    np.testing.assert_array_equal(res.state[good], clean.state[good])
    assert res.status_counts() == {"non_finite": 2}


def test_step_cap_and_blow_up_are_flagged():
    state0, controls = draw(np.random.default_rng(1), 5, DEFAULT_RANGES)
    capped = integ.integrate(state0, controls, max_steps=5)
    assert (capped.status == integ.MAX_STEPS).all()
    assert not capped.ok.any()
    # A huge torque overflows the state: it must be reported, never returned as a result.
    controls[0, 2] = 1e305
    res = integ.integrate(state0[:1], controls[:1], rtol=1e-7, max_steps=500)
    assert res.status[0] != integ.OK


def test_bad_method_or_order_raise():
    s0, c0 = draw(np.random.default_rng(1), 2, DEFAULT_RANGES)
    with pytest.raises(ValueError, match="method"):
        integ.integrate(s0, c0, method="rk4")
    with pytest.raises(ValueError, match="order"):
        integ.integrate(s0, c0, order=1)


@pytest.mark.parametrize(("scale", "n"), [(0.7, 4), (1.6, 8)])
def test_other_morphology_scales_match_radau(radau_reference, scale, n):
    # Smaller moths are stiffer (c / inertia grows like s^-5): same criterion must hold.
    p = FlightParams.from_scale(scale)
    state0, controls = draw(np.random.default_rng(31), n, DEFAULT_RANGES)
    res = integ.integrate(state0, controls, p)
    assert res.ok.all()
    assert relative_error(res.state, radau_reference(state0, controls, p)).max() <= TOLERANCE


# ----------------------------------------------------------------------------- kernels
# The default kernel is the compiled one (flight.kernel); the tests above run it. These check
# the numpy kernel too, and the compiled kernel's own structure (lanes, one step).
def test_numpy_kernel_matches_radau(sample_and_reference):
    state0, controls, ref = sample_and_reference
    res = integ.integrate(state0, controls, kernel="numpy")
    assert res.ok.all(), res.status_counts()
    assert relative_error(res.state, ref).max() <= TOLERANCE


def test_kernels_agree_and_take_the_same_steps_mostly(sample_and_reference):
    state0, controls, _ = sample_and_reference
    fast = integ.integrate(state0, controls, kernel="numba")
    slow = integ.integrate(state0, controls, kernel="numpy")
    assert relative_error(fast.state, slow.state).max() < 2e-7
    assert np.mean(fast.steps == slow.steps) > 0.5


def test_compiled_step_equals_dense_textbook_step():
    """One step of the lane kernel (flat buffer, SIMD loops) vs dense algebra, per lane."""
    from sparsemotifs.flight import kernel

    p = FlightParams()
    k = KernelConstants.from_params(p)
    lanes, order = kernel.LANES, 6
    state0, controls = draw(np.random.default_rng(8), lanes, DEFAULT_RANGES)
    y_rows = np.ascontiguousarray(state0.T[integ._TABLE_TO_INTERNAL])
    ctrl = control_rows(controls, k)
    h = np.geomspace(1e-5, 2e-3, lanes)
    w = np.zeros(kernel.buffer_rows(order) * lanes).reshape(-1, lanes)
    w[kernel._Y : kernel._Y + 8] = y_rows
    w[kernel._CTRL : kernel._CTRL + 4] = ctrl
    w[kernel._H] = h
    factors = np.zeros((order, order))
    for n in range(1, order + 1):
        for m in range(1, n):
            factors[n - 1, m] = 1.0 / (n / (n - m) - 1.0)
    flat = w.reshape(-1)
    kernel._attempt_lanes(kernel.constants_vector(k), flat, 1e-9, order, factors)
    got = flat.reshape(-1, lanes)[kernel._Y1 : kernel._Y1 + 8]
    for i in range(lanes):
        wx, wy, wth, wph, _ = stiff_direction_rows(
            *(f(y_rows[j, i]) for j, f in ((2, np.sin), (2, np.cos), (3, np.sin), (3, np.cos))), k
        )
        w_matrix = np.zeros((8, 8))
        w_matrix[:4, 4:] = np.eye(4)
        w_matrix[4:, 6] = k.c * np.array([wx, wy, wth, wph])
        w_matrix[4:, 7] = -k.c * np.array([wx, wy, wth, wph])

        def f(y, i=i):
            return integ._derivative(y[:, None], ctrl[:, i : i + 1], k)[:, 0]

        expected, _ = extrapolated_euler_step(f, y_rows[:, i], h[i], w_matrix, order)
        np.testing.assert_allclose(got[:, i], expected, rtol=1e-10, atol=1e-10)


def test_compiled_kernel_is_independent_of_lane_neighbours():
    state0, controls = draw(np.random.default_rng(12), 45, DEFAULT_RANGES)
    whole = integ.integrate(state0, controls)  # 45 rows: three lane refills, idle lanes at the end
    perm = np.random.default_rng(0).permutation(45)
    shuffled = integ.integrate(state0[perm], controls[perm])
    np.testing.assert_array_equal(shuffled.state, whole.state[perm])
    np.testing.assert_array_equal(shuffled.steps, whole.steps[perm])
    for rows in (slice(7, 8), slice(3, 20)):  # fewer trajectories than lanes
        part = integ.integrate(state0[rows], controls[rows])
        np.testing.assert_array_equal(part.state, whole.state[rows])


@pytest.mark.parametrize("kernel", ["numba", "numpy"])
def test_failures_are_flagged_by_both_kernels(kernel):
    state0, controls = draw(np.random.default_rng(1), 6, DEFAULT_RANGES)
    capped = integ.integrate(state0, controls, max_steps=5, kernel=kernel)
    assert (capped.status == integ.MAX_STEPS).all() and (capped.steps + capped.rejected == 5).all()
    controls[0, 2] = 1e305  # overflows the state
    controls[1, 0] = np.nan
    res = integ.integrate(state0, controls, rtol=1e-7, max_steps=500, kernel=kernel)
    assert res.status[0] != integ.OK and res.status[1] == integ.NON_FINITE
    assert (res.status[2:] == integ.OK).all()
    with pytest.raises(ValueError, match="kernel"):
        integ.integrate(state0, controls, kernel="fortran")


def test_compiled_kernel_runs_where_no_cache_can_be_written():
    # NUMBA_CACHE_LOCATOR_CLASSES=IPythonCacheLocator leaves numba no cache location outside
    # IPython, as on a read-only install without a writable home: the kernel must compile in
    # the process instead of failing at import, and give the same (bitwise) result.
    code = (
        "import numpy as np\n"
        "from sparsemotifs.flight.integrate import integrate\n"
        "from sparsemotifs.flight.sampling import draw\n"
        "print(integrate(*draw(np.random.default_rng(0), 3)).state.tobytes().hex())\n"
    )
    env = dict(os.environ, NUMBA_CACHE_LOCATOR_CLASSES="IPythonCacheLocator")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    here = integ.integrate(*draw(np.random.default_rng(0), 3)).state
    assert out.stdout.split()[-1] == here.tobytes().hex()
