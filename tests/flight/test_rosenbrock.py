"""Rosenbrock kernel (flight/rosenbrock.py): coefficients by their order of convergence
(linear stiff problem with a closed-form solution, nonlinear problem against a tight scipy
solve), the analytic Jacobian against central differences, one compiled step against dense
algebra, accuracy against Radau, determinism and failure codes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from sparsemotifs.flight import integrate as integ
from sparsemotifs.flight import kernel as kn
from sparsemotifs.flight import rosenbrock as rb
from sparsemotifs.flight import sampling
from sparsemotifs.flight.accuracy import TOLERANCE, relative_error
from sparsemotifs.flight.dynamics import KernelConstants, control_rows
from sparsemotifs.flight.params import FlightParams
from sparsemotifs.flight.sampling import DEFAULT_RANGES, draw
from sparsemotifs.flight.simulate import simulate
from tests.flight.test_integrate import corner_cases

L = kn.LANES


def rosenbrock_step(f, jac, y, h, tab, weights=None):
    """Textbook transformed Rosenbrock step (Hairer & Wanner IV.7), dense."""
    lhs = np.eye(len(y)) / (h * tab.gamma) - jac(y)
    u = []
    for i in range(tab.stages):
        arg = y + sum(tab.a[i, j] * u[j] for j in range(i))
        rhs = f(arg) + sum(tab.c[i, j] / h * u[j] for j in range(i))
        u.append(np.linalg.solve(lhs, rhs))
    weights = tab.m if weights is None else weights
    return y + sum(wt * uj for wt, uj in zip(weights, u, strict=True))


def observed_orders(f, jac, y0, horizon, exact, tab, weights=None, steps=(10, 20, 40, 80)):
    errs = []
    for n in steps:
        y = y0.copy()
        for _ in range(n):
            y = rosenbrock_step(f, jac, y, horizon / n, tab, weights)
        errs.append(np.abs(y - exact).max())
    return [math.log2(errs[i] / errs[i + 1]) for i in range(len(errs) - 1)]


# Linear stiff test problem: eigenvalues -1, -2 +- 3i (oscillatory) and -LAMBDA (stiff,
# coupled into the slow components). The order shows once h LAMBDA < 1; for h LAMBDA >> 1
# the stiff mode must be annihilated in one step (L-stable, stiffly accurate).
def linear_problem(lam):
    return np.array(
        [
            [-1.0, 0.5, 0.0, 0.0],
            [0.0, -2.0, 3.0, 0.0],
            [0.0, -3.0, -2.0, 1.0],
            [0.0, 0.0, 0.0, -lam],
        ]
    )


Y0_LINEAR = np.array([1.0, -0.5, 2.0, 3.0])


def brusselator(y):
    return np.array([1 + y[0] ** 2 * y[1] - 4 * y[0], 3 * y[0] - y[0] ** 2 * y[1]])


def brusselator_jac(y):
    return np.array([[2 * y[0] * y[1] - 4, y[0] ** 2], [3 - 2 * y[0] * y[1], -(y[0] ** 2)]])


@pytest.mark.parametrize("tab", [rb.RODAS4, rb.RODAS5P], ids=lambda t: t.name)
def test_order_on_linear_stiff_problem_with_closed_form(tab):
    a = linear_problem(50.0)
    exact = expm(a * 1.0) @ Y0_LINEAR

    def f(y):
        return a @ y

    def jac(_y):
        return a

    # On linear problems only the stability function counts: Rodas5P's matches e^z to
    # order 6, one beyond its (nonlinear, below) order 5.
    steps = (5, 10, 20, 40)
    orders = observed_orders(f, jac, Y0_LINEAR, 1.0, exact, tab, steps=steps)
    assert tab.order - 0.2 < orders[-1] < tab.order + 1.3, orders
    embedded = observed_orders(f, jac, Y0_LINEAR, 1.0, exact, tab, tab.m - tab.e, steps=steps)
    assert tab.order - 1.2 < embedded[-1] < orders[-1] - 0.5, embedded


@pytest.mark.parametrize("tab", [rb.RODAS4, rb.RODAS5P], ids=lambda t: t.name)
def test_stiff_mode_is_annihilated_in_one_long_step(tab):
    a = linear_problem(1e8)
    y1 = rosenbrock_step(lambda y: a @ y, lambda _y: a, Y0_LINEAR, 0.1, tab)
    exact = expm(a * 0.1) @ Y0_LINEAR
    assert abs(y1[3]) < 1e2 / 1e7 * abs(Y0_LINEAR[3])  # R(z) -> 0 like 1/z (L-stable)
    assert np.abs(y1 - exact).max() < 1e-4  # the slow part: one step of order >= 4


@pytest.mark.parametrize("tab", [rb.RODAS4, rb.RODAS5P], ids=lambda t: t.name)
def test_order_on_nonlinear_problem(tab):
    y0 = np.array([1.5, 3.0])
    ref = solve_ivp(lambda _t, y: brusselator(y), (0, 1), y0, method="DOP853", rtol=1e-13,
                    atol=1e-13).y[:, -1]  # fmt: skip
    orders = observed_orders(brusselator, brusselator_jac, y0, 1.0, ref, tab, steps=(8, 16, 32))
    assert abs(orders[-1] - tab.order) < 0.4, orders


def test_order_check_detects_a_wrong_coefficient():
    wrong = rb.Tableau("wrong", rb.RODAS4.gamma, [], [], [0.0], [0.0], 4)
    wrong.a, wrong.c = rb.RODAS4.a.copy(), rb.RODAS4.c.copy()
    wrong.m, wrong.e, wrong.stages = rb.RODAS4.m.copy(), rb.RODAS4.e.copy(), 6
    wrong.c[3, 1] += 1e-2
    y0 = np.array([1.5, 3.0])
    ref = solve_ivp(lambda _t, y: brusselator(y), (0, 1), y0, method="DOP853", rtol=1e-13,
                    atol=1e-13).y[:, -1]  # fmt: skip
    orders = observed_orders(brusselator, brusselator_jac, y0, 1.0, ref, wrong, steps=(8, 16, 32))
    assert orders[-1] < 3.6, orders


# ----------------------------------------------------------------------------- the kernel
def lane_buffer(seed, h):
    k = KernelConstants.from_params(FlightParams())
    state0, controls = draw(np.random.default_rng(seed), L, DEFAULT_RANGES)
    y_rows = np.ascontiguousarray(state0.T[integ._TABLE_TO_INTERNAL])
    ctrl = control_rows(controls, k)
    w = np.zeros(rb.BUFFER_ROWS * L).reshape(-1, L)
    w[kn._Y : kn._Y + 8] = y_rows
    w[kn._Y1 : kn._Y1 + 8] = y_rows
    w[kn._CTRL : kn._CTRL + 4] = ctrl
    w[kn._H] = h
    return k, y_rows, ctrl, w.reshape(-1)


def fd_jacobian(k, y, ctrl):
    """Central differences of the numpy right-hand side (an independent implementation)."""
    out = np.zeros((8, 8))
    for j in range(8):
        step = 1e-6 * max(1.0, abs(y[j]))
        up, down = y.copy(), y.copy()
        up[j] += step
        down[j] -= step
        out[:, j] = (integ._derivative(up[:, None], ctrl, k) -
                     integ._derivative(down[:, None], ctrl, k))[:, 0] / (2 * step)  # fmt: skip
    return out


def compiled_jacobian(w, lane, sigma):
    """J = [[0, I], [A, B]] from the buffer: B rows, A = sigma^2 I - sigma B - L U."""
    rows = w.reshape(-1, L)[:, lane]
    b = rows[rb._BJ : rb._BJ + 16].reshape(4, 4)
    lu = rows[rb._LU : rb._LU + 16].reshape(4, 4)
    s = np.tril(lu, -1) + np.eye(4)
    s = s @ np.triu(lu)
    jac = np.zeros((8, 8))
    jac[:4, 4:] = np.eye(4)
    jac[4:, :4] = sigma**2 * np.eye(4) - sigma * b - s
    jac[4:, 4:] = b
    return jac


def test_analytic_jacobian_matches_central_differences():
    h = np.geomspace(1e-6, 3e-3, L)
    k, y_rows, ctrl, w = lane_buffer(3, h)
    kc = kn.constants_vector(k)
    kn._derivative_lanes(kc, w)
    rows = w.reshape(-1, L)
    rows[kn._F0 : kn._F0 + 8] = rows[kn._F : kn._F + 8]
    sigma = 1.0 / (h * rb.RODAS4.gamma)
    rows[rb._SIG] = sigma
    rb._jacobian_lanes(kc, w)
    for lane in range(L):
        fd = fd_jacobian(k, y_rows[:, lane], ctrl[:, lane : lane + 1])
        got = compiled_jacobian(w, lane, sigma[lane])
        scale = np.abs(fd).max(axis=1, keepdims=True) + 1.0
        assert (np.abs(got - fd) / scale).max() < 1e-6, lane


@pytest.mark.parametrize("tab", [rb.RODAS4, rb.RODAS5P], ids=lambda t: t.name)
def test_compiled_step_equals_dense_textbook_step(tab):
    h = np.geomspace(1e-6, 3e-3, L)
    k, y_rows, ctrl, w = lane_buffer(8, h)
    kc = kn.constants_vector(k)
    a, c, m, e = tab.padded()
    rb._attempt_lanes(kc, w, 1e-7, tab.gamma, tab.stages, a, c, m, e)
    rows = w.reshape(-1, L)
    got = rows[kn._Y1 : kn._Y1 + 8].copy()
    sigma = 1.0 / (h * tab.gamma)
    for lane in range(L):
        jac = compiled_jacobian(w, lane, sigma[lane])
        fd = fd_jacobian(k, y_rows[:, lane], ctrl[:, lane : lane + 1])
        assert np.allclose(jac, fd, rtol=1e-6, atol=1e-6 * np.abs(fd).max())

        def f(y, lane=lane):
            return integ._derivative(y[:, None], ctrl[:, lane : lane + 1], k)[:, 0]

        expected = rosenbrock_step(f, lambda _y, jac=jac: jac, y_rows[:, lane], h[lane], tab)
        np.testing.assert_allclose(got[:, lane], expected, rtol=1e-10, atol=1e-10)


# ----------------------------------------------------------------------------- accuracy
@pytest.fixture(scope="module")
def sample_and_reference(radau_reference):
    state0, controls = draw(np.random.default_rng(77), 60, DEFAULT_RANGES)
    cs, cc = corner_cases()
    state0, controls = np.vstack([state0, cs]), np.vstack([controls, cc])
    return state0, controls, radau_reference(state0, controls)


@pytest.mark.parametrize("method", ["rodas4", "rodas5p"])
def test_rodas_kernel_matches_radau(sample_and_reference, method):
    state0, controls, ref = sample_and_reference
    res = integ.integrate(state0, controls, kernel="rodas", method=method)
    assert res.ok.all(), res.status_counts()
    worst = relative_error(res.state, ref).max()
    assert worst <= TOLERANCE, worst
    loose = integ.integrate(state0, controls, kernel="rodas", method=method, rtol=1e-5)
    assert relative_error(loose.state, ref).max() > TOLERANCE  # the check can fail


@pytest.mark.parametrize(("scale", "n"), [(0.7, 4), (1.6, 4)])
def test_rodas_other_morphology_scales_match_radau(radau_reference, scale, n):
    p = FlightParams.from_scale(scale)
    state0, controls = draw(np.random.default_rng(31), n, DEFAULT_RANGES)
    res = integ.integrate(state0, controls, p, kernel="rodas")
    assert res.ok.all()
    assert relative_error(res.state, radau_reference(state0, controls, p)).max() <= TOLERANCE


# ----------------------------------------------------------------------------- determinism
def test_rodas_kernel_is_independent_of_lane_neighbours():
    state0, controls = draw(np.random.default_rng(12), 45, DEFAULT_RANGES)
    whole = integ.integrate(state0, controls, kernel="rodas", rtol=1e-6)
    perm = np.random.default_rng(0).permutation(45)
    shuffled = integ.integrate(state0[perm], controls[perm], kernel="rodas", rtol=1e-6)
    np.testing.assert_array_equal(shuffled.state, whole.state[perm])
    np.testing.assert_array_equal(shuffled.steps, whole.steps[perm])
    part = integ.integrate(state0[3:9], controls[3:9], kernel="rodas", rtol=1e-6)
    np.testing.assert_array_equal(part.state, whole.state[3:9])


@pytest.mark.parametrize("kernel", ["rodas", "numba"])
def test_tables_do_not_depend_on_shard_count(monkeypatch, kernel):
    monkeypatch.setattr(sampling, "BLOCK", 16)
    settings = {"rtol": 1e-6, "kernel": kernel}
    n = 4 * 16 - 5
    whole, meta = simulate(n, 3, settings=settings)
    assert meta["rtol"] == 1e-6 and kernel in meta["settings"]["kernel"]
    parts = [simulate(n, 3, shard=i, shards=3, settings=settings)[0] for i in range(3)]
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole, check_exact=True)
    again, _ = simulate(n, 3, settings=settings)
    pd.testing.assert_frame_equal(again, whole, check_exact=True)


def test_null_rtol_takes_the_kernels_default():
    _, meta = simulate(5, 0)
    assert meta["rtol"] == integ.RODAS_RTOL["rodas5p"] and "Rodas5P" in meta["method"]
    _, meta = simulate(5, 0, settings={"kernel": "numba"})
    assert meta["rtol"] == integ.DEFAULT_RTOL and "extrapolated" in meta["method"]


# ----------------------------------------------------------------------------- failures
def test_rodas_failures_are_flagged():
    state0, controls = draw(np.random.default_rng(1), 6, DEFAULT_RANGES)
    capped = integ.integrate(state0, controls, kernel="rodas", max_steps=5)
    assert (capped.status == integ.MAX_STEPS).all() and (capped.steps + capped.rejected == 5).all()
    controls[0, 2] = 1e305  # overflows the state
    controls[1, 0] = np.nan
    res = integ.integrate(state0, controls, kernel="rodas", rtol=1e-6, max_steps=500)
    assert res.status[0] != integ.OK and res.status[1] == integ.NON_FINITE
    assert (res.status[2:] == integ.OK).all()


def test_bad_method_kernel_combinations_raise():
    s0, c0 = draw(np.random.default_rng(1), 2, DEFAULT_RANGES)
    with pytest.raises(ValueError, match="rodas"):
        integ.integrate(s0, c0, kernel="numba", method="rodas4")
    with pytest.raises(ValueError, match="extrapolation"):
        integ.integrate(s0, c0, kernel="rodas", method="extrapolation")
