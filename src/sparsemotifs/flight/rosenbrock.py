"""Compiled Rosenbrock (RODAS-type) kernel with the exact Jacobian: the default simulation kernel.

Why a Rosenbrock method: with the exact Jacobian J, one step of an s-stage Rosenbrock method
costs s right-hand sides and one factorisation. Rodas5P (Steinebach 2023; 8 stages, order 5,
embedded order 4, L-stable, stiffly accurate; the default) needs ~70 steps per trajectory,
~560 right-hand sides, for a worst error of 1.2e-7 against Radau over 1600 random
trajectories, where the order-11 extrapolated linearly implicit Euler method
(flight/kernel.py) needs ~1,340 for the same; RODAS4 (Hairer & Wanner, Solving ODEs II, VI.4;
6 stages, order 4) needs ~140 steps for 1.8e-7 and is kept as a cross-check. Most steps go to
the initial decay of the stiff joint-damping mode (rate ~2.5e4 1/s), whose error per step is
governed by the stability function's error ~ (h lambda)^(p+1), so the step only grows as the
mode decays; after ~2e-4 s the steps are 1e-4 to 3e-3 s.

The Jacobian is analytic (`_jacobian_lanes`, checked against central differences in the tests):
J = [[0, I], [A, B]] with A = d(q'')/dq (only the theta and phi columns are non-zero: the
equations are translation invariant) and B = d(q'')/dq'. A stage solves
(sigma I - J) U = r, sigma = 1/(h gamma); eliminating U_v = sigma U_q - r_q leaves the 4x4
system (sigma^2 I - sigma B - A) U_q = r_v + (sigma I - B) r_q, factorised once per step
without pivoting. Why that is safe: the matrix is sigma^2 I plus the rank-one damping part
sigma c w e^T (with w_theta < 0 < w_phi, so it adds positive weight to both angular pivots)
plus terms small against sigma^2 for any step the error control accepts.

Stages use the transformed form of Hairer & Wanner IV.7 (no matrix-vector products with J):
(sigma I - J) U_i = f(y + sum_j a_ij U_j) + sum_j (c_ij / h) U_j, y1 = y + sum_j m_j U_j,
error estimate sum_j e_j U_j. Coefficients: RODAS4 from Hairer & Wanner's RODAS code, Rodas5P
from Steinebach (2023, BIT 63:27); both checked by their order of convergence in the tests.
Both are stiffly accurate: the solution is the last stage's argument plus U_s, the embedded
one the last stage's argument (for Rodas5P the order test caught the two swapped).

Pool, lanes, step control, drag-kink limit, failure codes and determinism are those of
flight/kernel.py (same helpers): each lane's arithmetic uses only its own values, IEEE double
without fastmath, so results are bit-reproducible and independent of the pool's composition.
"""

from __future__ import annotations

import numpy as np

from sparsemotifs.flight import kernel as kn
from sparsemotifs.flight.lanes import (
    _F,
    _F0,
    _H,
    _NORM,
    _TRIG,
    _Y,
    _Y1,
    FIRST_FREE_ROW,
    LANES,
    _jit,
)
from sparsemotifs.flight.tableaux import (  # noqa: F401 - part of this module's API
    MAX_STAGES,
    RODAS4,
    RODAS5P,
    TABLEAUX,
    Tableau,
)

# Rows of the lane buffer beyond the ones shared with flight/kernel.py (flight/lanes.py).
_SIG = kn._SINV  # sigma = 1 / (h gamma) per lane
_BJ = FIRST_FREE_ROW  # B[i][j] = d(q''_i)/d(q'_j) at _BJ + 4 i + j
_LU = _BJ + 16  # LU factors of S = sigma^2 I - sigma B - A, row-major at _LU + 4 i + j
_ERR = _LU + 16  # embedded error estimate
_ZERO = _ERR + 8  # 8 rows of zeros
_INVH = _ZERO + 8  # 1 / h per lane
_U = _INVH + 1  # stage vectors U_i at _U + 8 i
BUFFER_ROWS = _U + 8 * MAX_STAGES


@_jit()
def _mass_solve(kc, st, ct, sp, cp, g1, g2, g3, g4):
    """M^{-1} g by the Schur complement of the translational block (as `_derivative_lanes`)."""
    inv_m, a, b, s11, s22, ab_over_m = kc[0], kc[2], kc[3], kc[6], kc[7], kc[8]
    s12 = -ab_over_m * (ct * cp + st * sp)
    inv_det = 1.0 / (s11 * s22 - s12 * s12)
    r1 = g3 - a * inv_m * (ct * g2 - st * g1)
    r2 = g4 - b * inv_m * (cp * g2 - sp * g1)
    z_th = (s22 * r1 - s12 * r2) * inv_det
    z_ph = (s11 * r2 - s12 * r1) * inv_det
    z_x = (g1 + a * st * z_th + b * sp * z_ph) * inv_m
    z_y = (g2 - a * ct * z_th - b * cp * z_ph) * inv_m
    return z_x, z_y, z_th, z_ph


@_jit()
def _jacobian_lanes(kc, w):
    """Rows _BJ = B and _LU = LU(sigma^2 I - sigma B - A) at rows _Y, every lane.

    Needs rows _TRIG (sin/cos at _Y), _F0 (f at _Y; q'' = rows _F0 + 4..7) and _SIG.
    With F the generalised forces, dq''/dv = M^{-1} dF/dv and dq''/dq = M^{-1} (dF/dq -
    (dM/dq) q''). Drag D_u = u |u| (Q(v) + H / v) is differentiated in u / v, bounded at v = 0.
    """
    a, b, ga, gb, kk, c = kc[2], kc[3], kc[4], kc[5], kc[9], kc[10]
    stokes, dq1, dq2, sk1, sk2 = kc[12], kc[13], kc[14], kc[15], kc[16]
    for lane in range(LANES):
        vx = w[(_Y + 4) * LANES + lane]
        vy = w[(_Y + 5) * LANES + lane]
        vth = w[(_Y + 6) * LANES + lane]
        vph = w[(_Y + 7) * LANES + lane]
        st = w[_TRIG * LANES + lane]
        ct = w[(_TRIG + 1) * LANES + lane]
        sp = w[(_TRIG + 2) * LANES + lane]
        cp = w[(_TRIG + 3) * LANES + lane]
        fc = w[(kn._CTRL) * LANES + lane]
        fs = w[(kn._CTRL + 1) * LANES + lane]
        acc_x = w[(_F0 + 4) * LANES + lane]
        acc_y = w[(_F0 + 5) * LANES + lane]
        acc_th = w[(_F0 + 6) * LANES + lane]
        acc_ph = w[(_F0 + 7) * LANES + lane]
        speed = np.sqrt(vx * vx + vy * vy)
        root_v = np.sqrt(speed)
        e1 = 1.0 + sk1 * root_v
        e2 = 1.0 + sk2 * root_v
        q = dq1 * (6.0 / e1 + 0.4) + dq2 * (6.0 / e2 + 0.4)
        g2 = -3.0 * (dq1 * sk1 / (e1 * e1) + dq2 * sk2 / (e2 * e2)) * speed * root_v - stokes
        inv_v = 1.0 / max(speed, 1e-300)
        rx = vx * inv_v
        ry = vy * inv_v
        arx, ary = abs(rx), abs(ry)
        # -dF/dv of the drag (F1 = ... - D_x, F2 = ... - D_y)
        dxx = 2.0 * abs(vx) * q + 2.0 * stokes * arx + arx * arx * arx * g2
        dyy = 2.0 * abs(vy) * q + 2.0 * stokes * ary + ary * ary * ary * g2
        dxy = rx * arx * ry * g2
        dyx = ry * ary * rx * g2
        cols = (
            _mass_solve(kc, st, ct, sp, cp, -dxx, -dyx, 0.0, 0.0),
            _mass_solve(kc, st, ct, sp, cp, -dxy, -dyy, 0.0, 0.0),
            _mass_solve(kc, st, ct, sp, cp, 2.0 * a * vth * ct, 2.0 * a * vth * st, -c, c),
            _mass_solve(kc, st, ct, sp, cp, 2.0 * b * vph * cp, 2.0 * b * vph * sp, c, -c),
        )
        a_th = _mass_solve(
            kc, st, ct, sp, cp,
            -fc * st - fs * ct - a * vth * vth * st + a * ct * acc_th,
            -fs * st + fc * ct + a * vth * vth * ct + a * st * acc_th,
            ga * st - kk + a * ct * acc_x + a * st * acc_y,
            kk,
        )  # fmt: skip
        a_ph = _mass_solve(
            kc, st, ct, sp, cp,
            -b * vph * vph * sp + b * cp * acc_ph,
            b * vph * vph * cp + b * sp * acc_ph,
            kk,
            gb * sp - kk + b * cp * acc_x + b * sp * acc_y,
        )  # fmt: skip
        sig = w[_SIG * LANES + lane]
        sig2 = sig * sig
        for j in range(4):
            col = cols[j]
            for i in range(4):
                w[(_BJ + 4 * i + j) * LANES + lane] = col[i]
                s_ij = -sig * col[i]
                if i == j:
                    s_ij += sig2
                if j == 2:
                    s_ij -= a_th[i]
                elif j == 3:
                    s_ij -= a_ph[i]
                w[(_LU + 4 * i + j) * LANES + lane] = s_ij
    # LU without pivoting (see the module docstring), in place, per lane
    for lane in range(LANES):
        for p in range(4):
            inv_pivot = 1.0 / w[(_LU + 5 * p) * LANES + lane]
            for i in range(p + 1, 4):
                factor = w[(_LU + 4 * i + p) * LANES + lane] * inv_pivot
                w[(_LU + 4 * i + p) * LANES + lane] = factor
                for j in range(p + 1, 4):
                    w[(_LU + 4 * i + j) * LANES + lane] -= (
                        factor * w[(_LU + 4 * p + j) * LANES + lane]
                    )


@_jit(inline="always")
def _solve_lanes(w):
    """Rows _F = (sigma I - J)^{-1} rows _F per lane, by the 4x4 reduction."""
    for lane in range(LANES):
        sig = w[_SIG * LANES + lane]
        r0 = w[_F * LANES + lane]
        r1 = w[(_F + 1) * LANES + lane]
        r2 = w[(_F + 2) * LANES + lane]
        r3 = w[(_F + 3) * LANES + lane]
        z0 = _rhs_row(w, lane, 0, sig, r0, r1, r2, r3)
        z1 = _rhs_row(w, lane, 1, sig, r0, r1, r2, r3) - _lu(w, lane, 1, 0) * z0
        z2 = _rhs_row(w, lane, 2, sig, r0, r1, r2, r3) - _lu(w, lane, 2, 0) * z0
        z2 -= _lu(w, lane, 2, 1) * z1
        z3 = _rhs_row(w, lane, 3, sig, r0, r1, r2, r3) - _lu(w, lane, 3, 0) * z0
        z3 -= _lu(w, lane, 3, 1) * z1
        z3 -= _lu(w, lane, 3, 2) * z2
        z3 = z3 / _lu(w, lane, 3, 3)
        z2 = (z2 - _lu(w, lane, 2, 3) * z3) / _lu(w, lane, 2, 2)
        z1 = (z1 - _lu(w, lane, 1, 2) * z2 - _lu(w, lane, 1, 3) * z3) / _lu(w, lane, 1, 1)
        z0 = z0 - _lu(w, lane, 0, 1) * z1 - _lu(w, lane, 0, 2) * z2
        z0 = (z0 - _lu(w, lane, 0, 3) * z3) / _lu(w, lane, 0, 0)
        w[_F * LANES + lane] = z0
        w[(_F + 1) * LANES + lane] = z1
        w[(_F + 2) * LANES + lane] = z2
        w[(_F + 3) * LANES + lane] = z3
        w[(_F + 4) * LANES + lane] = sig * z0 - r0
        w[(_F + 5) * LANES + lane] = sig * z1 - r1
        w[(_F + 6) * LANES + lane] = sig * z2 - r2
        w[(_F + 7) * LANES + lane] = sig * z3 - r3


@_jit(inline="always")
def _lu(w, lane, i, j):
    return w[(_LU + 4 * i + j) * LANES + lane]


@_jit(inline="always")
def _rhs_row(w, lane, i, sig, r0, r1, r2, r3):
    """Row i of r_v + (sigma I - B) r_q."""
    at = (_BJ + 4 * i) * LANES + lane
    out = w[(_F + 4 + i) * LANES + lane] + sig * w[(_F + i) * LANES + lane]
    out -= w[at] * r0 + w[at + LANES] * r1
    return out - (w[at + 2 * LANES] * r2 + w[at + 3 * LANES] * r3)


@_jit(inline="always")
def _combine(w, dst, base, coef):
    """Rows dst = rows base + sum_j coef[j] U_j (all MAX_STAGES: fixed offsets, SIMD loops)."""
    for k in range(8 * LANES):
        acc = w[base * LANES + k]
        for j in range(MAX_STAGES):
            acc += coef[j] * w[(_U + 8 * j) * LANES + k]
        w[dst * LANES + k] = acc


@_jit()
def _error_norm_lanes(w, rtol):
    """Row _NORM = max_i |err_i| / (rtol (1 + max(|y_i|, |y1_i|))); inf if anything is not finite."""
    for lane in range(LANES):
        worst = 0.0
        finite = True
        for i in range(8):
            new = w[(_Y1 + i) * LANES + lane]
            scale = rtol * (1.0 + max(abs(w[(_Y + i) * LANES + lane]), abs(new)))
            scaled = abs(w[(_ERR + i) * LANES + lane]) / scale
            if not (scaled <= 1e300):  # catches inf and NaN
                finite = False
            elif scaled > worst:
                worst = scaled
        w[_NORM * LANES + lane] = worst if finite else np.inf


@_jit(inline="always")
def _copy(w, dst, src):
    """Rows dst..dst+7 = rows src..src+7."""
    for k in range(8 * LANES):
        w[dst * LANES + k] = w[src * LANES + k]


@_jit()
def _stage_rhs(kc, w, i, ca, cc):
    """Row _F = f(y + sum_j a_ij U_j) + sum_j (c_ij / h) U_j for stage i > 0."""
    _combine(w, _Y1, _Y, ca[i])
    kn._derivative_near_lanes(kc, w)
    coef = cc[i]
    for r in range(8):
        for lane in range(LANES):
            acc = 0.0
            for j in range(MAX_STAGES):
                acc += coef[j] * w[(_U + 8 * j + r) * LANES + lane]
            w[(_F + r) * LANES + lane] += acc * w[_INVH * LANES + lane]


@_jit()
def _attempt_lanes(kc, w, rtol, gamma, stages, ca, cc, cm, ce):
    """One Rosenbrock step of size _H from rows _Y for every lane: rows _Y1 and _NORM.

    Non-finite values anywhere give an infinite norm (the step is rejected).
    """
    _copy(w, _Y1, _Y)
    kn._derivative_lanes(kc, w)  # f and sin/cos at y
    _copy(w, _F0, _F)
    for lane in range(LANES):
        w[_SIG * LANES + lane] = 1.0 / (w[_H * LANES + lane] * gamma)
        w[_INVH * LANES + lane] = 1.0 / w[_H * LANES + lane]
    _jacobian_lanes(kc, w)
    for k in range(8 * MAX_STAGES * LANES):  # stale stages of the last attempt: no 0 * inf
        w[_U * LANES + k] = 0.0
    for i in range(stages):
        if i > 0:
            _stage_rhs(kc, w, i, ca, cc)
        else:
            _copy(w, _F, _F0)
        _solve_lanes(w)
        _copy(w, _U + 8 * i, _F)
    _combine(w, _Y1, _Y, cm)
    _combine(w, _ERR, _ZERO, ce)
    _error_norm_lanes(w, rtol)


@_jit()
def _integrate_all(
    y_all,
    ctrl_all,
    kc,
    horizon,
    rtol,
    coefficients,
    max_steps,
    first_step,
    h_min,
    limits,
    codes,
):
    """Integrate each column of y_all (8, n) in place; returns status, steps, rejected.

    The pool and step loop of `kernel._integrate_all`, with the Rosenbrock attempt.
    """
    gamma, stages, ca, cc, cm, ce, order = coefficients
    ok, non_finite, underflow, max_steps_code = codes[0], codes[1], codes[2], codes[3]
    n = y_all.shape[1]
    status = np.zeros(n, dtype=np.int8)
    steps = np.zeros(n, dtype=np.int64)
    rejected = np.zeros(n, dtype=np.int64)
    w = np.zeros(BUFFER_ROWS * LANES)
    t = np.zeros(LANES)
    h = np.full(LANES, min(first_step, horizon))
    last = np.zeros(LANES, dtype=np.bool_)
    n_acc = np.zeros(LANES, dtype=np.int64)
    n_rej = np.zeros(LANES, dtype=np.int64)
    ids = np.full(LANES, -1, dtype=np.int64)
    exponent = -1.0 / order
    for lane in range(LANES):
        kn._load(w, lane, y_all, ctrl_all, 0)  # an idle lane integrates a copy of row 0, ignored
        ids[lane] = kn._refill(w, lane, y_all, ctrl_all, lane)
    active = next_in = min(n, LANES)
    while active > 0:
        for lane in range(LANES):
            last[lane] = t[lane] + h[lane] * 1.0001 >= horizon
            w[_H * LANES + lane] = horizon - t[lane] if last[lane] else h[lane]
        _attempt_lanes(kc, w, rtol, gamma, stages, ca, cc, cm, ce)
        for lane in range(LANES):
            hs = w[_H * LANES + lane]
            accept, finite, h_new = kn._step_control(kc, w, lane, rtol, exponent, limits)
            h[lane] = h_new
            if accept:
                for i in range(8):
                    w[(_Y + i) * LANES + lane] = w[(_Y1 + i) * LANES + lane]
                t[lane] = horizon if last[lane] else t[lane] + hs
                n_acc[lane] += 1
            else:
                n_rej[lane] += 1
            if ids[lane] < 0:
                continue
            code = ok
            if n_acc[lane] + n_rej[lane] >= max_steps:
                code = max_steps_code
            elif h_new < h_min:
                code = underflow if finite else non_finite
            if not ((accept and last[lane]) or code != ok):
                continue
            j = ids[lane]  # leaving: a failed row keeps the state it reached
            for i in range(8):
                y_all[i, j] = w[(_Y + i) * LANES + lane]
            status[j] = code
            steps[j] = n_acc[lane]
            rejected[j] = n_rej[lane]
            t[lane] = 0.0
            h[lane] = min(first_step, horizon)
            n_acc[lane] = 0
            n_rej[lane] = 0
            ids[lane] = kn._refill(w, lane, y_all, ctrl_all, next_in)
            next_in += ids[lane] >= 0
            active -= ids[lane] < 0
    return status, steps, rejected


def integrate_rows(
    y_all,
    ctrl_all,
    k,
    *,
    tableau,
    horizon,
    rtol,
    max_steps,
    first_step,
    h_min,
    limits,
    codes,
):
    """Run the compiled Rosenbrock kernel on internal-order rows y_all (8, n), in place.

    Returns (status int8, accepted steps, rejected steps) per column.
    """
    if y_all.shape[1] == 0:
        return np.zeros(0, np.int8), np.zeros(0, np.int64), np.zeros(0, np.int64)
    tab = TABLEAUX[tableau] if isinstance(tableau, str) else tableau
    coefficients = (tab.gamma, tab.stages, *tab.padded(), float(tab.order))
    return _integrate_all(
        y_all, np.ascontiguousarray(ctrl_all), kn.constants_vector(k), float(horizon),
        float(rtol), coefficients, int(max_steps), float(first_step), float(h_min),
        np.asarray(limits, dtype=np.float64), np.asarray(codes, dtype=np.int8),
    )  # fmt: skip
