"""Lane buffer layout, compile options and the sines/cosines of the compiled kernels.

The lanes' working data is one flat buffer of rows of LANES doubles (row r, lane l at
r * LANES + l). With compile-time row offsets into a single array, LLVM can prove that the
loops over lanes do not alias and compiles them to SIMD code.

Sines and cosines. libm has no vector sin/cos that numba can call, and two scalar sincos per
right-hand side were ~70 % of a right-hand side's time. Within one step every right-hand side
is evaluated at angles close to the step's start angle theta0 (a stage or substep moves an
angle by d = theta - theta0, |d| <= h |theta'|, mostly < 0.1 rad), so a kernel takes libm's
sin/cos once per step (`trig_lanes`, kept in rows _TRIG0) and, for the other right-hand sides,
uses the angle-addition formulas sin(theta0 + d) = s0 cos d + c0 sin d, cos(theta0 + d) =
c0 cos d - s0 sin d with sin d and cos d from their Taylor series (`near_trig_lanes`): a
fixed-length polynomial, so the loop over lanes vectorises. For |d| <= NEAR the series,
truncated after d^19 and d^20, is exact to below 1e-19 (the first omitted terms are
1/21! and 1/22!); the result is within a few ulp of libm's (tested). A lane whose |d| exceeds
NEAR (or is not finite) calls libm instead, so the result never depends on the cut-off
except in rounding, and each lane uses only its own values (bit-reproducible, independent of
its neighbours).
"""

from __future__ import annotations

import math

from numba import njit


def _jit(inline: str = "never"):
    """njit with IEEE float semantics (no fastmath: bit-reproducible), numpy's error model
    (x/0 gives inf or NaN, which the step control rejects, instead of raising), and an on-disk
    cache where numba finds a writable place for one; where it finds none it raises at
    decoration, and the function is then compiled in each process instead."""

    def wrap(func):
        try:
            return njit(cache=True, error_model="numpy", inline=inline)(func)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return njit(error_model="numpy", inline=inline)(func)

    return wrap


LANES = 16  # trajectories advanced together: independent work for SIMD and the CPU to overlap

_Y, _Y1, _F0, _F = 0, 8, 16, 24  # states (x, y, th, ph, xd, yd, thd, phd) and derivatives
_CTRL, _TRIG, _CW = 32, 36, 40  # control rows; sin th, cos th, sin ph, cos ph; c w
_LAM, _SINV, _DINV, _H, _NORM = 44, 45, 46, 47, 48  # c e.w; h/n; 1/(n/h + lam); step; error
_TRIG0 = 49  # sin/cos (as _TRIG) at the step's start angles, rows _Y + 2, _Y + 3
FIRST_FREE_ROW = 53  # rows from here on belong to one kernel

NEAR = 1.0  # rad: largest |angle - step start angle| taken by the series
# Taylor coefficients (-1)^k / (2k+1)! and (-1)^k / (2k)!, k = 0.., highest first for Horner
_SIN = tuple((-1.0) ** k / math.factorial(2 * k + 1) for k in range(9, -1, -1))
_COS = tuple((-1.0) ** k / math.factorial(2 * k) for k in range(10, -1, -1))


@_jit(inline="always")
def _sin_cos_small(d):
    """(sin d, cos d) for |d| <= NEAR by the truncated Taylor series (Horner in d^2)."""
    z = d * d
    s = _SIN[0]
    for c in _SIN[1:]:
        s = s * z + c
    co = _COS[0]
    for c in _COS[1:]:
        co = co * z + c
    return s * d, co


@_jit()
def trig_lanes(w):
    """Rows _TRIG = sin/cos of rows _Y1 + 2 (theta) and _Y1 + 3 (phi), by libm; also _TRIG0."""
    for lane in range(LANES):
        th = w[(_Y1 + 2) * LANES + lane]
        ph = w[(_Y1 + 3) * LANES + lane]
        w[_TRIG * LANES + lane] = w[_TRIG0 * LANES + lane] = math.sin(th)
        w[(_TRIG + 1) * LANES + lane] = w[(_TRIG0 + 1) * LANES + lane] = math.cos(th)
        w[(_TRIG + 2) * LANES + lane] = w[(_TRIG0 + 2) * LANES + lane] = math.sin(ph)
        w[(_TRIG + 3) * LANES + lane] = w[(_TRIG0 + 3) * LANES + lane] = math.cos(ph)


@_jit()
def near_trig_lanes(w):
    """Rows _TRIG for the angles in rows _Y1, from rows _TRIG0 (at the angles in rows _Y)."""
    for lane in range(LANES):
        for a in range(2):
            d = w[(_Y1 + 2 + a) * LANES + lane] - w[(_Y + 2 + a) * LANES + lane]
            sd, cd = _sin_cos_small(d)
            s0 = w[(_TRIG0 + 2 * a) * LANES + lane]
            c0 = w[(_TRIG0 + 2 * a + 1) * LANES + lane]
            w[(_TRIG + 2 * a) * LANES + lane] = s0 * cd + c0 * sd
            w[(_TRIG + 2 * a + 1) * LANES + lane] = c0 * cd - s0 * sd
    for lane in range(LANES):  # rare: far from the start angle, or not finite
        for a in range(2):
            d = w[(_Y1 + 2 + a) * LANES + lane] - w[(_Y + 2 + a) * LANES + lane]
            if not abs(d) <= NEAR:
                angle = w[(_Y1 + 2 + a) * LANES + lane]
                w[(_TRIG + 2 * a) * LANES + lane] = math.sin(angle)
                w[(_TRIG + 2 * a + 1) * LANES + lane] = math.cos(angle)
