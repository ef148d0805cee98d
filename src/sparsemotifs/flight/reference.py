"""Per-trajectory scipy solves: the tight Radau reference and the LSODA baseline.

One trajectory at a time through scipy.integrate.solve_ivp. The right-hand side here is a
separate scalar implementation of flight_model.md (plain floats and `math`, the drag written
with Cd(Re) literally for v > 0, M q'' = f by the Schur complement of the mass block): fast per call, and independent of
the vectorised kernels it is used to check (tests compare the two right-hand sides directly).
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
from scipy.integrate import odeint, solve_ivp

from sparsemotifs.flight.params import FlightParams

REFERENCE_RTOL = 1e-10
# scipy.integrate.odeint's default rtol = atol, which the original study's odeint (LSODA) used.
ODEINT_DEFAULT_TOL = 1.49012e-8


def solve_ivp_end_states(
    state0,
    controls,
    params: FlightParams | None = None,
    *,
    horizon: float = 0.02,
    method: str = "Radau",
    rtol: float = REFERENCE_RTOL,
    atol: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """End states (N, 8) and a success flag per trajectory."""
    params = params or FlightParams()
    state0 = np.asarray(state0, dtype=np.float64)
    controls = np.asarray(controls, dtype=np.float64)
    out = np.full_like(state0, np.nan)
    ok = np.zeros(len(state0), dtype=bool)
    for i, s0 in enumerate(state0):
        rhs = scalar_rhs(params, *controls[i])
        sol = solve_ivp(
            rhs, (0.0, horizon), s0, method=method, rtol=rtol, atol=rtol if atol is None else atol
        )
        ok[i] = sol.success
        out[i] = sol.y[:, -1]
    return out, ok


def odeint_end_states(state0, controls, params=None, *, horizon=0.02):
    """End states and success flags from scipy.integrate.odeint (LSODA) with its defaults,
    as the original study called it (it warns, and returns its last value, when it gives up)."""
    params = params or FlightParams()
    state0 = np.asarray(state0, dtype=np.float64)
    controls = np.asarray(controls, dtype=np.float64)
    out = np.empty_like(state0)
    ok = np.zeros(len(state0), dtype=bool)
    for i, s0 in enumerate(state0):
        rhs = scalar_rhs(params, *controls[i])
        with warnings.catch_warnings():  # counted in `ok` instead
            warnings.simplefilter("ignore")
            ys, info = odeint(lambda y, t, rhs=rhs: rhs(t, y), s0, [0.0, horizon], full_output=True)
        out[i] = ys[-1]
        ok[i] = info["message"] == "Integration successful."
    return out, ok


def radau_end_states(state0, controls, params=None, *, horizon=0.02, rtol=REFERENCE_RTOL):
    """Reference end states (Radau, rtol = atol = 1e-10); raises if any solve fails."""
    out, ok = solve_ivp_end_states(state0, controls, params, horizon=horizon, rtol=rtol)
    if not ok.all():
        raise RuntimeError(f"reference Radau solve failed for rows {np.flatnonzero(~ok).tolist()}")
    return out


def scalar_rhs(p: FlightParams, force: float, alpha: float, tau: float):
    """d(state)/dt for one trajectory (table order), written directly from flight_model.md."""
    m1, m2, m = p.m1, p.m2, p.m
    a, b = p.L1 * m1, p.L2 * m2
    j1, j2 = p.I1 + p.L1**2 * m1, p.I2 + p.L2**2 * m2
    drag_area = [(p.rho_air * 2 * p.b1 / p.mu_air, p.S1), (p.rho_air * 2 * p.b2 / p.mu_air, p.S2)]

    def drag_coefficient_sum(v):
        # sum_i Cd(Re_i) S_i |u| u = cd_sum * |u| u; 24/Re |u| u written as 24 |u| u/(k v)
        return sum((6 / (1 + math.sqrt(k * v)) + 0.4) * s for k, s in drag_area), sum(
            24 / k * s for k, s in drag_area
        )

    def rhs(_t, y):
        _, xd, _, yd, th, thd, ph, phd = y
        v = math.hypot(xd, yd)
        dx = dy = 0.0
        if v > 0:
            cd_sum, stokes = drag_coefficient_sum(v)
            dx = 0.5 * p.rho_air * (cd_sum * abs(xd) * xd + stokes * abs(xd) * xd / v)
            dy = 0.5 * p.rho_air * (cd_sum * abs(yd) * yd + stokes * abs(yd) * yd / v)
        st, ct, sp, cp = math.sin(th), math.cos(th), math.sin(ph), math.cos(ph)
        delta = ph - th - math.pi - p.beta_r
        delta_d = phd - thd
        f1 = force * math.cos(alpha + th) - dx + a * ct * thd**2 + b * cp * phd**2
        f2 = force * math.sin(alpha + th) - dy - m * p.g + a * st * thd**2 + b * sp * phd**2
        f3 = tau - p.g * a * ct + p.K * delta + p.c * delta_d + force * p.L3 * math.sin(alpha)
        f4 = -tau - p.g * b * cp - p.K * delta - p.c * delta_d
        # M = [[m I, B], [B^T, diag(j1, j2)]], B = [[-a st, -b sp], [a ct, b cp]]: Schur complement
        b11, b12, b21, b22 = -a * st, -b * sp, a * ct, b * cp
        s11 = j1 - (b11 * b11 + b21 * b21) / m
        s22 = j2 - (b12 * b12 + b22 * b22) / m
        s12 = -(b11 * b12 + b21 * b22) / m
        r1 = f3 - (b11 * f1 + b21 * f2) / m
        r2 = f4 - (b12 * f1 + b22 * f2) / m
        det = s11 * s22 - s12 * s12
        th_dd = (s22 * r1 - s12 * r2) / det
        ph_dd = (s11 * r2 - s12 * r1) / det
        x_dd = (f1 - b11 * th_dd - b12 * ph_dd) / m
        y_dd = (f2 - b21 * th_dd - b22 * ph_dd) / m
        return [xd, x_dd, yd, y_dd, thd, th_dd, phd, ph_dd]

    return rhs


@functools.cache
def _compiled_rhs():
    """scalar_rhs as a numba-compiled function of (y, t, constants): the original study's setup
    (odeint calling a numba-jitted right-hand side). Built and compiled once per process, on
    first use (numba is imported only here)."""
    from numba import njit

    @njit(error_model="numpy")
    def rhs(y, _t, k):
        force, alpha, tau, m, a, b, j1, j2, g = k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8]
        kk, c, beta, l3, rho, k1, s1, k2, s2 = (
            k[9],
            k[10],
            k[11],
            k[12],
            k[13],
            k[14],
            k[15],
            k[16],
            k[17],
        )
        xd, yd, th, thd, ph, phd = y[1], y[3], y[4], y[5], y[6], y[7]
        v = math.hypot(xd, yd)
        dx = dy = 0.0
        if v > 0:
            cd_sum = (6 / (1 + math.sqrt(k1 * v)) + 0.4) * s1 + (
                6 / (1 + math.sqrt(k2 * v)) + 0.4
            ) * s2
            stokes = 24 / k1 * s1 + 24 / k2 * s2
            dx = 0.5 * rho * (cd_sum * abs(xd) * xd + stokes * abs(xd) * xd / v)
            dy = 0.5 * rho * (cd_sum * abs(yd) * yd + stokes * abs(yd) * yd / v)
        st, ct, sp, cp = math.sin(th), math.cos(th), math.sin(ph), math.cos(ph)
        delta = ph - th - math.pi - beta
        delta_d = phd - thd
        f1 = force * math.cos(alpha + th) - dx + a * ct * thd**2 + b * cp * phd**2
        f2 = force * math.sin(alpha + th) - dy - m * g + a * st * thd**2 + b * sp * phd**2
        f3 = tau - g * a * ct + kk * delta + c * delta_d + force * l3 * math.sin(alpha)
        f4 = -tau - g * b * cp - kk * delta - c * delta_d
        b11, b12, b21, b22 = -a * st, -b * sp, a * ct, b * cp
        s11 = j1 - (b11 * b11 + b21 * b21) / m
        s22 = j2 - (b12 * b12 + b22 * b22) / m
        s12 = -(b11 * b12 + b21 * b22) / m
        r1 = f3 - (b11 * f1 + b21 * f2) / m
        r2 = f4 - (b12 * f1 + b22 * f2) / m
        det = s11 * s22 - s12 * s12
        th_dd = (s22 * r1 - s12 * r2) / det
        ph_dd = (s11 * r2 - s12 * r1) / det
        out = np.empty(8)
        out[0], out[1], out[2], out[3] = (
            xd,
            (f1 - b11 * th_dd - b12 * ph_dd) / m,
            yd,
            (f2 - b21 * th_dd - b22 * ph_dd) / m,
        )
        out[4], out[5], out[6], out[7] = thd, th_dd, phd, ph_dd
        return out

    return rhs


def odeint_compiled_end_states(state0, controls, params=None, *, horizon=0.02):
    """`odeint_end_states` with the right-hand side compiled by numba, as the original study ran
    it: the per-trajectory LSODA baseline of benchmarks/simulate.py."""
    params = params or FlightParams()
    p = params
    rhs = _compiled_rhs()
    state0 = np.asarray(state0, dtype=np.float64)
    controls = np.asarray(controls, dtype=np.float64)
    out = np.empty_like(state0)
    ok = np.zeros(len(state0), dtype=bool)
    shape = (p.m, p.L1 * p.m1, p.L2 * p.m2, p.I1 + p.L1**2 * p.m1, p.I2 + p.L2**2 * p.m2, p.g,
             p.K, p.c, p.beta_r, p.L3, p.rho_air, p.rho_air * 2 * p.b1 / p.mu_air, p.S1,
             p.rho_air * 2 * p.b2 / p.mu_air, p.S2)  # fmt: skip
    for i, s0 in enumerate(state0):
        k = np.array([*controls[i], *shape])  # an array: cheaper to pass per call than a tuple
        with warnings.catch_warnings():  # counted in `ok` instead
            warnings.simplefilter("ignore")
            ys, info = odeint(rhs, s0, [0.0, horizon], args=(k,), full_output=True)
        out[i] = ys[-1]
        ok[i] = info["message"] == "Integration successful."
    return out, ok
