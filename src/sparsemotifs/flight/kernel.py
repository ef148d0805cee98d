"""Compiled (numba) per-trajectory version of the batched extrapolation integrator.

Same method, step control and failure codes as `integrate` (linearly implicit Euler with the
rank-one stiff W, extrapolated by Aitken-Neville on the harmonic sequence; drag-kink step
limit; status codes of `integrate.STATUS_NAMES`), but each trajectory is integrated to the end
in scalar compiled code. Why it is faster than the numpy version: no temporary arrays, no
per-operation dispatch, the sine and cosine of each angle come from one call (LLVM merges
sin/cos of the same argument into sincos), and a trajectory that needs few steps does not wait
for the others. Results depend only on the trajectory's own inputs (no pool), so they are
bit-reproducible and independent of sharding. They are not bitwise equal to the numpy
kernel's (different rounding order), but meet the same accuracy criterion.

`cache=True` stores the machine code next to this file, or, where that is read-only, in
numba's user-wide cache directory (NUMBA_CACHE_DIR overrides both); without any writable cache
it just compiles each run (a few seconds).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sparsemotifs.flight.dynamics import KernelConstants

# Order of the constants vector handed to the compiled code.
_CONSTANT_FIELDS = (
    "inv_m", "mg", "a", "b", "ga", "gb", "S11", "S22", "ab_over_m", "K", "c", "L3", "stokes",
    "drag_q1", "drag_q2", "sqrt_k1", "sqrt_k2",
)  # fmt: skip


def constants_vector(k: KernelConstants) -> np.ndarray:
    """KernelConstants as the float64 vector the compiled kernel reads (order _CONSTANT_FIELDS)."""
    return np.array([getattr(k, name) for name in _CONSTANT_FIELDS], dtype=np.float64)


@njit(cache=True, error_model="numpy", inline="always")
def _accel(kc, ctrl, th, ph, vx, vy, vth, vph):
    """(x'', y'', theta'', phi'', sin th, cos th, sin ph, cos ph): `dynamics.accel_rows`, scalar."""
    inv_m, mg, a, b, ga, gb = kc[0], kc[1], kc[2], kc[3], kc[4], kc[5]
    s11, s22, ab_over_m, kk, c = kc[6], kc[7], kc[8], kc[9], kc[10]
    stokes, dq1, dq2, sk1, sk2 = kc[12], kc[13], kc[14], kc[15], kc[16]
    fc, fs, t3, t4 = ctrl[0], ctrl[1], ctrl[2], ctrl[3]
    st = math.sin(th)
    ct = math.cos(th)
    sp = math.sin(ph)
    cp = math.cos(ph)
    # drag, finite (zero) at v = 0: D(u) = u (|u| Q(v) + H min(|u|/v, 1))
    ax_, ay_ = abs(vx), abs(vy)
    speed = math.sqrt(vx * vx + vy * vy)
    root_v = math.sqrt(speed)
    q = dq1 * (6.0 / (1.0 + sk1 * root_v) + 0.4) + dq2 * (6.0 / (1.0 + sk2 * root_v) + 0.4)
    inv_v = 1.0 / max(speed, 1e-300)
    dx = vx * (ax_ * q + stokes * min(ax_ * inv_v, 1.0))
    dy = vy * (ay_ * q + stokes * min(ay_ * inv_v, 1.0))
    wth2 = a * vth * vth
    wph2 = b * vph * vph
    f1 = fc * ct - fs * st - dx + wth2 * ct + wph2 * cp
    f2 = fs * ct + fc * st - dy - mg + wth2 * st + wph2 * sp
    joint = kk * (ph - th) + c * (vph - vth)
    f3 = t3 - ga * ct + joint
    f4 = t4 - gb * cp - joint
    # M^{-1} f by the Schur complement of the translational block
    s12 = -ab_over_m * (ct * cp + st * sp)
    inv_det = 1.0 / (s11 * s22 - s12 * s12)
    r1 = f3 - a * inv_m * (ct * f2 - st * f1)
    r2 = f4 - b * inv_m * (cp * f2 - sp * f1)
    a_th = (s22 * r1 - s12 * r2) * inv_det
    a_ph = (s11 * r2 - s12 * r1) * inv_det
    acc_x = (f1 + a * st * a_th + b * sp * a_ph) * inv_m
    acc_y = (f2 - a * ct * a_th - b * cp * a_ph) * inv_m
    return acc_x, acc_y, a_th, a_ph, st, ct, sp, cp


@njit(cache=True, error_model="numpy", inline="always")
def _derivative(kc, ctrl, y, out):
    """out = d(y)/dt for one internal-order state (x, y, th, ph, xd, yd, thd, phd)."""
    acc_x, acc_y, a_th, a_ph, _, _, _, _ = _accel(kc, ctrl, y[2], y[3], y[4], y[5], y[6], y[7])
    out[0], out[1], out[2], out[3] = y[4], y[5], y[6], y[7]
    out[4], out[5], out[6], out[7] = acc_x, acc_y, a_th, a_ph


@njit(cache=True, error_model="numpy", inline="always")
def _solve_w(r, cw, sigma_inv, denom_inv):
    """(sigma I - W)^{-1} r in place, Sherman-Morrison (see integrate._StiffW)."""
    s = (r[7] - r[6]) * denom_inv
    for i in range(4):
        v = (r[4 + i] - cw[i] * s) * sigma_inv
        r[4 + i] = v
        r[i] = (r[i] + v) * sigma_inv


@njit(cache=True, error_model="numpy")
def _attempt(kc, ctrl, y, h, rtol, order, y1, table, f0, f, cw, factors):
    """One extrapolated step of size h from y: writes y1, returns the scaled error norm.

    Non-finite values anywhere give an infinite norm (the step is rejected).
    """
    c = kc[10]
    inv_m, a, b = kc[0], kc[2], kc[3]
    s11, s22, ab_over_m = kc[6], kc[7], kc[8]
    acc_x, acc_y, a_th, a_ph, st, ct, sp, cp = _accel(
        kc, ctrl, y[2], y[3], y[4], y[5], y[6], y[7]
    )
    f0[0], f0[1], f0[2], f0[3] = y[4], y[5], y[6], y[7]
    f0[4], f0[5], f0[6], f0[7] = acc_x, acc_y, a_th, a_ph
    # stiff direction w = M^{-1} e, e = (0, 0, -1, 1): `dynamics.stiff_direction_rows`
    s12 = -ab_over_m * (ct * cp + st * sp)
    inv_det = 1.0 / (s11 * s22 - s12 * s12)
    w_th = -(s22 + s12) * inv_det
    w_ph = (s11 + s12) * inv_det
    cw[0] = c * ((a * st * w_th + b * sp * w_ph) * inv_m)
    cw[1] = c * (-(a * ct * w_th + b * cp * w_ph) * inv_m)
    cw[2] = c * w_th
    cw[3] = c * w_ph
    lam = c * (w_ph - w_th)
    for n in range(1, order + 1):
        sigma_inv = h / n
        denom_inv = 1.0 / (n / h + lam)
        for i in range(8):
            f[i] = f0[i]
        _solve_w(f, cw, sigma_inv, denom_inv)
        for i in range(8):
            y1[i] = y[i] + f[i]
        for _ in range(n - 1):
            _derivative(kc, ctrl, y1, f)
            _solve_w(f, cw, sigma_inv, denom_inv)
            for i in range(8):
                y1[i] += f[i]
        # Aitken-Neville, in place: table[m] holds T[n-1][m] and becomes T[n][m]
        for i in range(8):
            below = y1[i]
            previous = table[0, i]
            table[0, i] = below
            for m in range(1, n):
                old = table[m, i]
                below = below + (below - previous) * factors[n - 1, m]
                table[m, i] = below
                previous = old
    norm = 0.0
    finite = True
    for i in range(8):
        new = table[order - 1, i]
        err = new - table[order - 2, i]
        y1[i] = new
        scaled = abs(err) / (rtol * (1.0 + max(abs(y[i]), abs(new))))
        if not (scaled <= 1e300):  # catches inf and NaN
            finite = False
        elif scaled > norm:
            norm = scaled
    return norm if finite else np.inf


@njit(cache=True, error_model="numpy", inline="always")
def _kink_limit(kc, y, y1, h, rtol, kink_min_step):
    """`integrate._drag_kink_step_limit` for one trajectory (inf where no sign change)."""
    inv_m, stokes, dq1, dq2, sk1, sk2 = kc[0], kc[12], kc[13], kc[14], kc[15], kc[16]
    limit = np.inf
    crossed_x = y[4] * y1[4] < 0.0
    crossed_y = y[5] * y1[5] < 0.0
    if not (crossed_x or crossed_y):
        return limit
    speed = math.sqrt(max(y[4] * y[4] + y[5] * y[5], y1[4] * y1[4] + y1[5] * y1[5]))
    root_v = math.sqrt(speed)
    q = dq1 * (6.0 / (1.0 + sk1 * root_v) + 0.4) + dq2 * (6.0 / (1.0 + sk2 * root_v) + 0.4)
    kappa = (q + stokes / max(speed, 1e-300)) * inv_m
    for row in (4, 5):
        if y[row] * y1[row] < 0.0:
            slope = (y1[row] - y[row]) / h
            allowed = max(np.cbrt(1.5 * rtol / (kappa * slope * slope)), kink_min_step)
            limit = min(limit, allowed)
    return limit


@njit(cache=True, error_model="numpy")
def _integrate_all(
    y_all, ctrl_all, kc, horizon, rtol, order, max_steps, first_step, h_min, limits, codes
):
    """Integrate each column of y_all (8, n) in place; fills status, steps, rejected."""
    safety, fac_min, fac_max, kink_min_step = limits[0], limits[1], limits[2], limits[3]
    ok, non_finite, underflow, max_steps_code = codes[0], codes[1], codes[2], codes[3]
    n = y_all.shape[1]
    status = np.zeros(n, dtype=np.int8)
    steps = np.zeros(n, dtype=np.int64)
    rejected = np.zeros(n, dtype=np.int64)
    y = np.empty(8)
    y1 = np.empty(8)
    f0 = np.empty(8)
    f = np.empty(8)
    cw = np.empty(4)
    ctrl = np.empty(4)
    table = np.zeros((order, 8))
    factors = np.zeros((order, order))  # Aitken-Neville weights 1 / (n / (n - m) - 1)
    for n_row in range(1, order + 1):
        for m in range(1, n_row):
            factors[n_row - 1, m] = 1.0 / (n_row / (n_row - m) - 1.0)
    exponent = -1.0 / order
    for j in range(n):
        for i in range(8):
            y[i] = y_all[i, j]
        for i in range(4):
            ctrl[i] = ctrl_all[i, j]
        t = 0.0
        h = min(first_step, horizon)
        n_acc = 0
        n_rej = 0
        code = ok
        while True:
            last = t + h * 1.0001 >= horizon
            h_step = horizon - t if last else h
            norm = _attempt(kc, ctrl, y, h_step, rtol, order, y1, table, f0, f, cw, factors)
            finite = norm < np.inf
            accept = finite and norm <= 1.0
            if not finite:
                fac = fac_min
            elif norm == 0.0:
                fac = fac_max
            else:
                fac = min(max(safety * norm**exponent, fac_min), fac_max)
            if not accept:
                fac = min(fac, 1.0)
            h = h_step * fac
            if accept:
                kink = _kink_limit(kc, y, y1, h_step, rtol, kink_min_step)
                if h_step > kink:
                    accept = False
                    h = kink
            if accept:
                for i in range(8):
                    y[i] = y1[i]
                t = horizon if last else t + h_step
                n_acc += 1
            else:
                n_rej += 1
            if n_acc + n_rej >= max_steps:
                fail = max_steps_code
            elif h < h_min:
                fail = underflow if finite else non_finite
            else:
                fail = ok
            if accept and last:
                break
            if fail != ok:
                code = fail
                break
        for i in range(8):  # like the numpy kernel: a failed row keeps the state it reached
            y_all[i, j] = y[i]
        status[j] = code
        steps[j] = n_acc
        rejected[j] = n_rej
    return status, steps, rejected


def integrate_rows(y_all, ctrl_all, k: KernelConstants, *, horizon, rtol, order, max_steps,
                   first_step, h_min, limits, codes):
    """Run the compiled kernel on internal-order rows y_all (8, n), in place.

    Returns (status int8, accepted steps, rejected steps) per column.
    """
    return _integrate_all(
        y_all, np.ascontiguousarray(ctrl_all), constants_vector(k), float(horizon), float(rtol),
        int(order), int(max_steps), float(first_step), float(h_min),
        np.asarray(limits, dtype=np.float64), np.asarray(codes, dtype=np.int8),
    )  # fmt: skip
