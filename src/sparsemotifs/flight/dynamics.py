"""Vectorised equations of motion M(q) q'' = f(q, q', F, alpha, tau) of flight_model.md.

Public functions take the state in the table's order (x, xd, y, yd, theta, thetad, phi, phid)
as an (N, 8) array and controls (F, alpha, tau) as (N, 3). The integrator calls the row-wise
kernels (`accel_rows`, `stiff_direction_rows`) directly: one contiguous row per component keeps
every numpy operation a plain SIMD loop over trajectories.

The 4x4 solve is closed form: eliminating the translational accelerations leaves a 2x2 Schur
complement S = D - B^T B / m for the angular accelerations (D = diag(I1 + L1^2 m1, I2 + L2^2 m2)),
which is symmetric positive definite because M is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sparsemotifs.flight.params import FlightParams

STATE_NAMES = ("x", "xd", "y", "yd", "theta", "thetad", "phi", "phid")
CONTROL_NAMES = ("F", "alpha", "tau")


@dataclass(frozen=True)
class KernelConstants:
    """Scalars of the closed-form solve and the drag law, precomputed once per parameter set."""

    inv_m: float
    mg: float
    a: float  # L1 m1
    b: float  # L2 m2
    ga: float  # g L1 m1
    gb: float  # g L2 m2
    S11: float  # noqa: N815 - Schur complement entries
    S22: float  # noqa: N815
    ab_over_m: float
    K: float
    c: float
    spring_offset: float  # K (pi + beta_R): constant part of K * Delta
    L3: float
    stokes: float  # 6 pi mu_A (b1 + b2): Stokes-limit drag per unit speed
    drag_q1: float  # rho_A/2 S1
    drag_q2: float  # rho_A/2 S2
    sqrt_k1: float  # sqrt(Re1 / v)
    sqrt_k2: float  # sqrt(Re2 / v)

    @classmethod
    def from_params(cls, p: FlightParams) -> KernelConstants:
        a, b = p.L1 * p.m1, p.L2 * p.m2
        return cls(
            inv_m=1.0 / p.m,
            mg=p.m * p.g,
            a=a,
            b=b,
            ga=p.g * a,
            gb=p.g * b,
            S11=p.I1 + p.L1**2 * p.m1 - a * a / p.m,
            S22=p.I2 + p.L2**2 * p.m2 - b * b / p.m,
            ab_over_m=a * b / p.m,
            K=p.K,
            c=p.c,
            spring_offset=p.K * (math.pi + p.beta_r),
            L3=p.L3,
            stokes=6.0 * math.pi * p.mu_air * (p.b1 + p.b2),
            drag_q1=0.5 * p.rho_air * p.S1,
            drag_q2=0.5 * p.rho_air * p.S2,
            sqrt_k1=math.sqrt(p.rho_air * 2.0 * p.b1 / p.mu_air),
            sqrt_k2=math.sqrt(p.rho_air * 2.0 * p.b2 / p.mu_air),
        )


def control_rows(controls: np.ndarray, k: KernelConstants) -> np.ndarray:
    """Per-trajectory constants (F cos a, F sin a, constant part of f3, of f4) as (4, N) rows."""
    force, alpha, tau = np.asarray(controls, dtype=np.float64).T
    fc, fs = force * np.cos(alpha), force * np.sin(alpha)
    return np.stack([fc, fs, tau + k.L3 * fs - k.spring_offset, -tau + k.spring_offset])


def drag_factor(speed: np.ndarray, k: KernelConstants) -> tuple[np.ndarray, np.ndarray]:
    """(Q, H) with D(u) = u |u| Q(v) + H u |u| / v, i.e. 1/2 rho_A sum_i Cd(Re_i) S_i |u| u.

    The 24/Re term of Cd times 1/2 rho_A S_i |u| u equals 6 pi mu_A b_i u |u| / v (Stokes
    drag): written this way the v -> 0 limit is exact, since |u| / v lies in [0, 1].
    """
    root_v = np.sqrt(speed)
    q = k.drag_q1 * (6.0 / (1.0 + k.sqrt_k1 * root_v) + 0.4)
    q += k.drag_q2 * (6.0 / (1.0 + k.sqrt_k2 * root_v) + 0.4)
    return q, k.stokes


def _drag_pair(vx, vy, k: KernelConstants):
    """Drag on both velocity components, finite (zero) at v = 0."""
    ax, ay = np.abs(vx), np.abs(vy)
    speed = np.sqrt(vx * vx + vy * vy)
    q, h = drag_factor(speed, k)
    inv_v = 1.0 / np.maximum(speed, 1e-300)
    # |u|/v <= 1 mathematically; the clip only guards against underflow of vx*vx.
    dx = vx * (ax * q + h * np.minimum(ax * inv_v, 1.0))
    dy = vy * (ay * q + h * np.minimum(ay * inv_v, 1.0))
    return dx, dy


def accel_rows(th, ph, vx, vy, vth, vph, ctrl, k: KernelConstants, *, with_trig: bool = False):
    """Accelerations (x'', y'', theta'', phi'') from component rows; ctrl from `control_rows`.

    With `with_trig`, also returns (sin th, cos th, sin ph, cos ph) for the stiff direction.
    """
    st, ct = np.sin(th), np.cos(th)
    sp, cp = np.sin(ph), np.cos(ph)
    fc, fs, t3, t4 = ctrl
    dx, dy = _drag_pair(vx, vy, k)
    wth2 = k.a * vth * vth
    wph2 = k.b * vph * vph
    f1 = fc * ct - fs * st - dx + wth2 * ct + wph2 * cp
    f2 = fs * ct + fc * st - dy - k.mg + wth2 * st + wph2 * sp
    joint = k.K * (ph - th) + k.c * (vph - vth)
    f3 = t3 - k.ga * ct + joint
    f4 = t4 - k.gb * cp - joint
    a_th, a_ph, ax, ay = _solve_mass(st, ct, sp, cp, f1, f2, f3, f4, k)
    if with_trig:
        return (ax, ay, a_th, a_ph), (st, ct, sp, cp)
    return ax, ay, a_th, a_ph


def _solve_mass(st, ct, sp, cp, f1, f2, f3, f4, k: KernelConstants):
    """M^{-1} f in closed form via the 2x2 Schur complement of the translational block."""
    s12 = -k.ab_over_m * (ct * cp + st * sp)
    inv_det = 1.0 / (k.S11 * k.S22 - s12 * s12)
    r1 = f3 - k.a * k.inv_m * (ct * f2 - st * f1)
    r2 = f4 - k.b * k.inv_m * (cp * f2 - sp * f1)
    a_th = (k.S22 * r1 - s12 * r2) * inv_det
    a_ph = (k.S11 * r2 - s12 * r1) * inv_det
    ax = (f1 + k.a * st * a_th + k.b * sp * a_ph) * k.inv_m
    ay = (f2 - k.a * ct * a_th - k.b * cp * a_ph) * k.inv_m
    return a_th, a_ph, ax, ay


def stiff_direction_rows(st, ct, sp, cp, k: KernelConstants):
    """w = M^{-1} e with e = (0, 0, -1, 1), and e.w > 0.

    The joint damping contributes -c (M^{-1} e) e^T to d(q'')/d(q'): the only stiff part of
    the Jacobian, rank one, so linear solves with it are Sherman-Morrison updates.
    Returns rows (w_x, w_y, w_theta, w_phi, e.w).
    """
    s12 = -k.ab_over_m * (ct * cp + st * sp)
    inv_det = 1.0 / (k.S11 * k.S22 - s12 * s12)
    w_th = -(k.S22 + s12) * inv_det
    w_ph = (k.S11 + s12) * inv_det
    w_x = (k.a * st * w_th + k.b * sp * w_ph) * k.inv_m
    w_y = -(k.a * ct * w_th + k.b * cp * w_ph) * k.inv_m
    return w_x, w_y, w_th, w_ph, w_ph - w_th


# ----------------------------------------------------------------------------- public API


def _split_state(state: np.ndarray):
    state = np.asarray(state, dtype=np.float64)
    if state.ndim != 2 or state.shape[1] != 8:
        raise ValueError(f"state must have shape (N, 8), got {state.shape}")
    return state.T


def mass_matrix(state: np.ndarray, params: FlightParams) -> np.ndarray:
    """M(q) of flight_model.md for each state, shape (N, 4, 4); rows/cols (x, y, theta, phi)."""
    _, _, _, _, th, _, ph, _ = _split_state(state)
    a, b = params.L1 * params.m1, params.L2 * params.m2
    n = th.shape[0]
    m = np.zeros((n, 4, 4))
    m[:, 0, 0] = m[:, 1, 1] = params.m
    m[:, 0, 2] = m[:, 2, 0] = -a * np.sin(th)
    m[:, 0, 3] = m[:, 3, 0] = -b * np.sin(ph)
    m[:, 1, 2] = m[:, 2, 1] = a * np.cos(th)
    m[:, 1, 3] = m[:, 3, 1] = b * np.cos(ph)
    m[:, 2, 2] = params.I1 + params.L1**2 * params.m1
    m[:, 3, 3] = params.I2 + params.L2**2 * params.m2
    return m


def drag(u: np.ndarray, speed: np.ndarray, params: FlightParams) -> np.ndarray:
    """D(u) = 1/2 rho_A (Cd(Re1) S1 + Cd(Re2) S2) |u| u for one velocity component u."""
    k = KernelConstants.from_params(params)
    u, speed = np.asarray(u, dtype=np.float64), np.asarray(speed, dtype=np.float64)
    q, h = drag_factor(speed, k)
    ratio = np.minimum(np.abs(u) / np.maximum(speed, 1e-300), 1.0)
    return u * (np.abs(u) * q + h * ratio)


def forcing(state: np.ndarray, controls: np.ndarray, params: FlightParams) -> np.ndarray:
    """Right-hand side f(q, q', F, alpha, tau), shape (N, 4)."""
    _, vx, _, vy, th, vth, ph, vph = _split_state(state)
    force, alpha, tau = np.asarray(controls, dtype=np.float64).T
    p = params
    a, b = p.L1 * p.m1, p.L2 * p.m2
    speed = np.sqrt(vx * vx + vy * vy)
    delta = ph - th - math.pi - p.beta_r
    delta_d = vph - vth
    return np.stack(
        [
            force * np.cos(alpha + th) - drag(vx, speed, p) + a * np.cos(th) * vth**2
            + b * np.cos(ph) * vph**2,
            force * np.sin(alpha + th) - drag(vy, speed, p) - p.m * p.g
            + a * np.sin(th) * vth**2 + b * np.sin(ph) * vph**2,
            tau - p.g * a * np.cos(th) + p.K * delta + p.c * delta_d + force * p.L3 * np.sin(alpha),
            -tau - p.g * b * np.cos(ph) - p.K * delta - p.c * delta_d,
        ],
        axis=1,
    )  # fmt: skip


def accelerations(state: np.ndarray, controls: np.ndarray, params: FlightParams) -> np.ndarray:
    """q'' = M^{-1} f as (N, 4) in the order (x'', y'', theta'', phi''), closed form."""
    _, vx, _, vy, th, vth, ph, vph = _split_state(state)
    k = KernelConstants.from_params(params)
    ctrl = control_rows(controls, k)
    return np.stack(accel_rows(th, ph, vx, vy, vth, vph, ctrl, k), axis=1)


def state_derivative(state: np.ndarray, controls: np.ndarray, params: FlightParams) -> np.ndarray:
    """d(state)/dt in the table's order, (N, 8): what a generic ODE solver integrates."""
    state = np.asarray(state, dtype=np.float64)
    acc = accelerations(state, controls, params)
    out = np.empty_like(state)
    out[:, 0::2] = state[:, 1::2]
    out[:, 1::2] = acc
    return out
