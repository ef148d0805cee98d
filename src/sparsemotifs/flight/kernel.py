"""Compiled (numba) version of the extrapolation integrator (`kernel="numba"`).

Same method, step control and failure codes as `integrate`'s numpy kernel (linearly implicit
Euler with the rank-one stiff W, extrapolated by Aitken-Neville on the harmonic sequence; the
drag-kink step limit; the status codes of `integrate.STATUS_NAMES`). Trajectories run in a pool
of LANES slots, each with its own step size; one that finishes (or fails) frees its slot for
the next. Why this is ~7x the numpy kernel: every loop runs over the 16 lanes inside one flat
buffer with compile-time row offsets, so LLVM compiles the right-hand side, the
Sherman-Morrison solves and the tableau to AVX-512/AVX2 code; no temporaries, no per-operation
dispatch. libm's sin/cos (no vector version) are called once per step; the substeps take
theirs by angle addition from the step start (flight/lanes.py), which halved the time per
right-hand side (~25 instead of ~55 CPU-ns; the former path stays as `near_trig=False`). The
Rosenbrock kernel (flight/rosenbrock.py, the default) shares the helpers below.

Each lane's arithmetic uses only its own values, in IEEE double precision without fastmath (no
reassociation, no fused multiply-add contraction), so a trajectory's result does not depend on
which others share the pool: bit-reproducible and independent of sharding. It is not bitwise
equal to the numpy kernel's (numpy's vectorised sin/cos round differently, which can change a
step-size decision), but agrees within the integration error and meets the same criterion.

The machine code is cached next to this file or, where that is read-only, in numba's user-wide
cache directory (NUMBA_CACHE_DIR overrides both): compiling takes ~6 CPU-seconds once, loading
~0.2 s. Where no cache location is writable the kernel compiles in each process.
"""

from __future__ import annotations

import math

import numpy as np

from sparsemotifs.flight.dynamics import KernelConstants
from sparsemotifs.flight.lanes import (  # noqa: F401 - the layout is re-exported for tests
    _CTRL,
    _CW,
    _DINV,
    _F,
    _F0,
    _H,
    _LAM,
    _NORM,
    _SINV,
    _TRIG,
    _TRIG0,
    _Y,
    _Y1,
    FIRST_FREE_ROW,
    LANES,
    _jit,
    near_trig_lanes,
    trig_lanes,
)  # fmt: skip

# Order of the constants vector handed to the compiled code.
_CONSTANT_FIELDS = (
    "inv_m", "mg", "a", "b", "ga", "gb", "S11", "S22", "ab_over_m", "K", "c", "L3", "stokes",
    "drag_q1", "drag_q2", "sqrt_k1", "sqrt_k2",
)  # fmt: skip


def constants_vector(k: KernelConstants) -> np.ndarray:
    """KernelConstants as the float64 vector the compiled kernel reads (order _CONSTANT_FIELDS)."""
    return np.array([getattr(k, name) for name in _CONSTANT_FIELDS], dtype=np.float64)


_TABLE = FIRST_FREE_ROW  # Aitken-Neville tableau: row _TABLE + 8 m + i


def buffer_rows(order: int) -> int:
    """Rows of the lane buffer for an extrapolation order."""
    return _TABLE + 8 * order


@_jit()
def _derivative_lanes(kc, w):
    """Rows _F = d(state)/dt of rows _Y1, every lane; fills the _TRIG and _TRIG0 rows (libm).

    The sines and cosines are a loop of their own (libm calls, `lanes.trig_lanes`), so that
    the rest is a call-free loop over lanes that LLVM vectorizes. Fixed rows (not arguments)
    keep the offsets compile-time constants, and one compiled copy serves every call.
    """
    trig_lanes(w)
    _forces_lanes(kc, w)


@_jit()
def _derivative_near_lanes(kc, w):
    """`_derivative_lanes` with the sines and cosines from rows _TRIG0 at the angles in rows
    _Y (`lanes.near_trig_lanes`): for right-hand sides within a step."""
    near_trig_lanes(w)
    _forces_lanes(kc, w)


@_jit()
def _forces_lanes(kc, w):
    """Rows _F = d(state)/dt of rows _Y1 given their sines and cosines in rows _TRIG."""
    src, dst = _Y1, _F
    inv_m, mg, a, b, ga, gb = kc[0], kc[1], kc[2], kc[3], kc[4], kc[5]
    s11, s22, ab_over_m, kk, c = kc[6], kc[7], kc[8], kc[9], kc[10]
    stokes, dq1, dq2, sk1, sk2 = kc[12], kc[13], kc[14], kc[15], kc[16]
    for lane in range(LANES):
        th = w[(src + 2) * LANES + lane]
        ph = w[(src + 3) * LANES + lane]
        vx = w[(src + 4) * LANES + lane]
        vy = w[(src + 5) * LANES + lane]
        vth = w[(src + 6) * LANES + lane]
        vph = w[(src + 7) * LANES + lane]
        st = w[_TRIG * LANES + lane]
        ct = w[(_TRIG + 1) * LANES + lane]
        sp = w[(_TRIG + 2) * LANES + lane]
        cp = w[(_TRIG + 3) * LANES + lane]
        fc = w[_CTRL * LANES + lane]
        fs = w[(_CTRL + 1) * LANES + lane]
        t3 = w[(_CTRL + 2) * LANES + lane]
        t4 = w[(_CTRL + 3) * LANES + lane]
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
        w[dst * LANES + lane] = vx
        w[(dst + 1) * LANES + lane] = vy
        w[(dst + 2) * LANES + lane] = vth
        w[(dst + 3) * LANES + lane] = vph
        w[(dst + 4) * LANES + lane] = (f1 + a * st * a_th + b * sp * a_ph) * inv_m
        w[(dst + 5) * LANES + lane] = (f2 - a * ct * a_th - b * cp * a_ph) * inv_m
        w[(dst + 6) * LANES + lane] = a_th
        w[(dst + 7) * LANES + lane] = a_ph


@_jit(inline="always")
def _solve_w_lanes(w):
    """Rows _F = (sigma I - W)^{-1} rows _F per lane, Sherman-Morrison (integrate._StiffW)."""
    for lane in range(LANES):
        sigma_inv = w[_SINV * LANES + lane]
        s = (w[(_F + 7) * LANES + lane] - w[(_F + 6) * LANES + lane]) * w[_DINV * LANES + lane]
        for i in range(4):
            v = (w[(_F + 4 + i) * LANES + lane] - w[(_CW + i) * LANES + lane] * s) * sigma_inv
            w[(_F + 4 + i) * LANES + lane] = v
            w[(_F + i) * LANES + lane] = (w[(_F + i) * LANES + lane] + v) * sigma_inv


@_jit()
def _stiff_direction_lanes(kc, w):
    """Rows _CW = c w and _LAM = c e.w, w = M^{-1} e, e = (0, 0, -1, 1), from the _TRIG rows
    (`dynamics.stiff_direction_rows`)."""
    c, inv_m, a, b = kc[10], kc[0], kc[2], kc[3]
    s11, s22, ab_over_m = kc[6], kc[7], kc[8]
    for lane in range(LANES):
        st = w[_TRIG * LANES + lane]
        ct = w[(_TRIG + 1) * LANES + lane]
        sp = w[(_TRIG + 2) * LANES + lane]
        cp = w[(_TRIG + 3) * LANES + lane]
        s12 = -ab_over_m * (ct * cp + st * sp)
        inv_det = 1.0 / (s11 * s22 - s12 * s12)
        w_th = -(s22 + s12) * inv_det
        w_ph = (s11 + s12) * inv_det
        w[_CW * LANES + lane] = c * ((a * st * w_th + b * sp * w_ph) * inv_m)
        w[(_CW + 1) * LANES + lane] = c * (-(a * ct * w_th + b * cp * w_ph) * inv_m)
        w[(_CW + 2) * LANES + lane] = c * w_th
        w[(_CW + 3) * LANES + lane] = c * w_ph
        w[_LAM * LANES + lane] = c * (w_ph - w_th)


@_jit()
def _neville_lanes(w, n, factors):
    """Aitken-Neville in place for row n: tableau row m holds T[n-1][m], becomes T[n][m]."""
    for k in range(8 * LANES):
        below = w[_Y1 * LANES + k]
        previous = w[_TABLE * LANES + k]
        w[_TABLE * LANES + k] = below
        for m in range(1, n):
            at = (_TABLE + 8 * m) * LANES + k
            old = w[at]
            below = below + (below - previous) * factors[n - 1, m]
            w[at] = below
            previous = old


@_jit()
def _error_norm_lanes(w, rtol, order):
    """Rows _Y1 = T[order][order], _NORM = max |T[order][order] - T[order][order-1]| / scale;
    inf where anything is not finite."""
    last_row = (_TABLE + 8 * (order - 1)) * LANES
    prev_row = (_TABLE + 8 * (order - 2)) * LANES
    for lane in range(LANES):
        worst = 0.0
        finite = True
        for i in range(8):
            new = w[last_row + i * LANES + lane]
            err = new - w[prev_row + i * LANES + lane]
            w[(_Y1 + i) * LANES + lane] = new
            scaled = abs(err) / (rtol * (1.0 + max(abs(w[(_Y + i) * LANES + lane]), abs(new))))
            if not (scaled <= 1e300):  # catches inf and NaN
                finite = False
            elif scaled > worst:
                worst = scaled
        w[_NORM * LANES + lane] = worst if finite else np.inf


@_jit()
def _attempt_lanes(kc, w, rtol, order, factors, near_trig=True):
    """One extrapolated step of size _H from rows _Y for every lane: rows _Y1 and _NORM.

    near_trig: sines and cosines of the substeps by angle addition from the step start
    (`lanes.near_trig_lanes`); False calls libm for every right-hand side (the former kernel).

    Non-finite values anywhere give an infinite norm (the step is rejected).
    """
    for k in range(8 * LANES):
        w[_Y1 * LANES + k] = w[_Y * LANES + k]
    _derivative_lanes(kc, w)
    for k in range(8 * LANES):
        w[_F0 * LANES + k] = w[_F * LANES + k]
    _stiff_direction_lanes(kc, w)
    for n in range(1, order + 1):
        for lane in range(LANES):
            h = w[_H * LANES + lane]
            w[_SINV * LANES + lane] = h / n
            w[_DINV * LANES + lane] = 1.0 / (n / h + w[_LAM * LANES + lane])
        for k in range(8 * LANES):
            w[_F * LANES + k] = w[_F0 * LANES + k]
        _solve_w_lanes(w)
        for k in range(8 * LANES):
            w[_Y1 * LANES + k] = w[_Y * LANES + k] + w[_F * LANES + k]
        for _ in range(n - 1):
            if near_trig:
                _derivative_near_lanes(kc, w)
            else:
                _derivative_lanes(kc, w)
            _solve_w_lanes(w)
            for k in range(8 * LANES):
                w[_Y1 * LANES + k] += w[_F * LANES + k]
        _neville_lanes(w, n, factors)
    _error_norm_lanes(w, rtol, order)


@_jit()
def _kink_limit(kc, w, lane, h, rtol, kink_min_step):
    """`integrate._drag_kink_step_limit` for one lane, rows _Y to _Y1 (inf: no sign change)."""
    inv_m, stokes, dq1, dq2, sk1, sk2 = kc[0], kc[12], kc[13], kc[14], kc[15], kc[16]
    vx0, vy0 = w[(_Y + 4) * LANES + lane], w[(_Y + 5) * LANES + lane]
    vx1, vy1 = w[(_Y1 + 4) * LANES + lane], w[(_Y1 + 5) * LANES + lane]
    limit = np.inf
    if not (vx0 * vx1 < 0.0 or vy0 * vy1 < 0.0):
        return limit
    speed = math.sqrt(max(vx0 * vx0 + vy0 * vy0, vx1 * vx1 + vy1 * vy1))
    root_v = math.sqrt(speed)
    q = dq1 * (6.0 / (1.0 + sk1 * root_v) + 0.4) + dq2 * (6.0 / (1.0 + sk2 * root_v) + 0.4)
    kappa = (q + stokes / max(speed, 1e-300)) * inv_m
    for u0, u1 in ((vx0, vx1), (vy0, vy1)):
        if u0 * u1 < 0.0:
            slope = (u1 - u0) / h
            allowed = max(np.cbrt(1.5 * rtol / (kappa * slope * slope)), kink_min_step)
            limit = min(limit, allowed)
    return limit


@_jit()
def _step_control(kc, w, lane, rtol, exponent, limits):
    """(accept, finite, next step) for one lane after an attempt: `integrate`'s controller."""
    safety, fac_min, fac_max, kink_min_step = limits[0], limits[1], limits[2], limits[3]
    hs = w[_H * LANES + lane]
    nrm = w[_NORM * LANES + lane]
    finite = nrm < np.inf
    accept = finite and nrm <= 1.0
    if not finite:
        fac = fac_min
    elif nrm == 0.0:
        fac = fac_max
    else:
        fac = min(max(safety * nrm**exponent, fac_min), fac_max)
    if not accept:
        fac = min(fac, 1.0)
    h_new = hs * fac
    if accept:
        kink = _kink_limit(kc, w, lane, hs, rtol, kink_min_step)
        if hs > kink:
            accept = False
            h_new = kink
    return accept, finite, h_new


@_jit()
def _refill(w, lane, y_all, ctrl_all, next_in):
    """Load trajectory next_in into a freed lane; returns its id, or -1 (lane idles)."""
    if next_in >= y_all.shape[1]:
        return -1
    _load(w, lane, y_all, ctrl_all, next_in)
    return next_in


@_jit()
def _neville_factors(order):
    """Aitken-Neville weights 1 / (n / (n - m) - 1) of the harmonic sequence, [n - 1, m]."""
    factors = np.zeros((order, order))
    for row in range(1, order + 1):
        for m in range(1, row):
            factors[row - 1, m] = 1.0 / (row / (row - m) - 1.0)
    return factors


@_jit()
def _load(w, lane, y_all, ctrl_all, j):
    for i in range(8):
        w[(_Y + i) * LANES + lane] = y_all[i, j]
    for i in range(4):
        w[(_CTRL + i) * LANES + lane] = ctrl_all[i, j]


@_jit()
def _integrate_all(
    y_all,
    ctrl_all,
    kc,
    horizon,
    rtol,
    order,
    max_steps,
    first_step,
    h_min,
    limits,
    codes,
    near_trig,
):
    """Integrate each column of y_all (8, n) in place; returns status, steps, rejected.

    A pool of LANES slots: a trajectory that finishes (or fails) frees its slot for the next
    one. Each lane's arithmetic involves only its own values, so results do not depend on
    which trajectories share the pool.
    """
    ok, non_finite, underflow, max_steps_code = codes[0], codes[1], codes[2], codes[3]
    n = y_all.shape[1]
    status = np.zeros(n, dtype=np.int8)
    steps = np.zeros(n, dtype=np.int64)
    rejected = np.zeros(n, dtype=np.int64)
    factors = _neville_factors(order)
    w = np.zeros((_TABLE + 8 * order) * LANES)
    t = np.zeros(LANES)
    h = np.full(LANES, min(first_step, horizon))
    last = np.zeros(LANES, dtype=np.bool_)
    n_acc = np.zeros(LANES, dtype=np.int64)
    n_rej = np.zeros(LANES, dtype=np.int64)
    ids = np.full(LANES, -1, dtype=np.int64)
    exponent = -1.0 / order
    for lane in range(LANES):
        _load(w, lane, y_all, ctrl_all, 0)  # an idle lane integrates a copy of row 0, ignored
        ids[lane] = _refill(w, lane, y_all, ctrl_all, lane)
    active = next_in = min(n, LANES)
    while active > 0:
        for lane in range(LANES):
            last[lane] = t[lane] + h[lane] * 1.0001 >= horizon
            w[_H * LANES + lane] = horizon - t[lane] if last[lane] else h[lane]
        _attempt_lanes(kc, w, rtol, order, factors, near_trig)
        for lane in range(LANES):
            hs = w[_H * LANES + lane]
            accept, finite, h_new = _step_control(kc, w, lane, rtol, exponent, limits)
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
            j = ids[lane]  # leaving: a failed row keeps the state it reached, like numpy's
            for i in range(8):
                y_all[i, j] = w[(_Y + i) * LANES + lane]
            status[j] = code
            steps[j] = n_acc[lane]
            rejected[j] = n_rej[lane]
            t[lane] = 0.0
            h[lane] = min(first_step, horizon)
            n_acc[lane] = 0
            n_rej[lane] = 0
            ids[lane] = _refill(w, lane, y_all, ctrl_all, next_in)
            next_in += ids[lane] >= 0
            active -= ids[lane] < 0
    return status, steps, rejected


def integrate_rows(
    y_all,
    ctrl_all,
    k: KernelConstants,
    *,
    horizon,
    rtol,
    order,
    max_steps,
    first_step,
    h_min,
    limits,
    codes,
    near_trig=True,
):
    """Run the compiled kernel on internal-order rows y_all (8, n), in place.

    Returns (status int8, accepted steps, rejected steps) per column.
    """
    if y_all.shape[1] == 0:
        return np.zeros(0, np.int8), np.zeros(0, np.int64), np.zeros(0, np.int64)
    return _integrate_all(
        y_all, np.ascontiguousarray(ctrl_all), constants_vector(k), float(horizon), float(rtol),
        int(order), int(max_steps), float(first_step), float(h_min),
        np.asarray(limits, dtype=np.float64), np.asarray(codes, dtype=np.int8), bool(near_trig),
    )  # fmt: skip
