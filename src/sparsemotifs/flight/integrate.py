"""Batched stiff integrator: many trajectories at once, each with its own adaptive step.

Where the stiffness is: only in the linear joint damping c (phid - thetad). Its contribution
to d(q'')/d(q') is the rank-one matrix -c (M^{-1} e) e^T (e = (0, 0, -1, 1)), a single fast
mode decaying at lam = c e.M^{-1}e ~ 2.5e4 1/s. We use W = [[0, I], [0, -c w e^T]]
(w = M^{-1} e at the step's start) as the Jacobian approximation of linearly implicit
(W-)methods: (sigma I - W)^{-1} is then a Sherman-Morrison update, a few elementwise
operations per trajectory, so everything vectorises over trajectories in plain numpy.

The default kernel, `kernel="rodas"` (flight/rosenbrock.py), runs the Rosenbrock method
Rodas5P with the exact Jacobian, compiled: ~70 steps of 8 right-hand sides per trajectory
where the extrapolation below takes ~24 of 56, for the same worst error (1.2e-7 over 1600
random trajectories); measured ~1.3x faster than the compiled extrapolation
(benchmarks/simulate.py). Two kernels run the extrapolation method: `kernel="numba"`
(flight/kernel.py: compiled, 16 trajectories in SIMD lanes) and `kernel="numpy"` (the batched
numpy code below); both are kept as tested, independent alternatives.

Default method, "extrapolation": the linearly implicit Euler method with W frozen over the
step, extrapolated (Aitken-Neville, harmonic substep sequence 1, 2, ..., order) to order 11.
Why: for any fixed W the linearly implicit Euler method is a one-step method whose global
error has an asymptotic expansion in powers of the substep, so extrapolation raises the order
by one per column whatever W is (a W-method; Hairer & Wanner, Solving ODEs II, IV.9), and
each substep is L-stable for the stiff mode. High order matters: at the accuracy required here
(end states within 1e-6 of a tight Radau solve) the order-3 Rosenbrock-W method ROS34PW2 needs
~2000 steps per trajectory, extrapolation to order 11 ~25 (56 cheap substeps each). Higher
orders stop paying off: rounding errors amplified by the Aitken-Neville tableau start to show
at order 12.
The difference between the last two diagonal entries of the tableau (~h^order) controls the
step size, per component relative to rtol (1 + |y|) (atol = rtol), in the max norm.

Alternative method, "ros34pw2": Rang & Angermann (2005), 4-stage Rosenbrock-W of order 3 with
an embedded order-2 solution, L-stable, stiffly accurate, in the transformed variables
U_i = sum_j gamma_ij k_j of Hairer & Wanner IV.7 (no products with W). Kept as an
independent cross-check; it needs rtol ~ 1e-10 for the 1e-6 criterion.

Steps straddling a zero of xd or yd are limited (the drag u|u| is only C^1 there; see
`_drag_kink_step_limit`).

Trajectories live in a fixed-size pool (cache-sized arrays); a trajectory that finishes (or
fails) frees its slot, refilled from the queue, so the vectors stay full until the queue is
empty. All operations are elementwise per trajectory, so a trajectory's result does not
depend on which others share the pool (bitwise). Failures are never silent: each trajectory
ends with a status code (STATUS_NAMES): non-finite values, step-size underflow, step cap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsemotifs.flight.dynamics import (
    KernelConstants,
    accel_rows,
    control_rows,
    drag_factor,
    stiff_direction_rows,
)
from sparsemotifs.flight.params import FlightParams
from sparsemotifs.flight.selection import (  # noqa: F401 - part of this module's API
    DEFAULT_RTOL,
    KERNELS,
    RODAS_RTOL,
    ROSENBROCK_METHODS,
    default_rtol,
    resolve_method,
)

# --- ROS34PW2 (Rang & Angermann 2005, BIT 45:761), k_i form: alpha, Gamma (incl. diagonal), b.
GAMMA = 4.3586652150845900e-01
ALPHA = np.array(
    [
        [0.0, 0.0, 0.0, 0.0],
        [8.7173304301691801e-01, 0.0, 0.0, 0.0],
        [8.4457060015369423e-01, -1.1299064236397981e-01, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
    ]
)
GAMMA_MATRIX = np.array(
    [
        [GAMMA, 0.0, 0.0, 0.0],
        [-8.7173304301691801e-01, GAMMA, 0.0, 0.0],
        [-9.0338057013044082e-01, 5.4180672388095326e-02, GAMMA, 0.0],
        [2.4212380706095346e-01, -1.2232505839045147e00, 5.4526025533510214e-01, GAMMA],
    ]
)
B = np.array([2.4212380706095346e-01, -1.2232505839045147e00, 1.5452602553351023e00, GAMMA])
B_EMBEDDED = np.array(
    [
        3.7810903145819369e-01,
        -9.6042292212423178e-02,
        5.0000000000000000e-01,
        2.1793326075422950e-01,
    ]
)
ORDER = 3  # of the solution; the embedded solution has order 2, so err ~ h^3

# Transformed coefficients (HW IV.7): A = alpha Gamma^-1, C = diag(1/gamma) - Gamma^-1, m = b Gamma^-1.
_GAMMA_INV = np.linalg.inv(GAMMA_MATRIX)
A_T = ALPHA @ _GAMMA_INV
C_T = np.diag(np.full(4, 1.0 / GAMMA)) - _GAMMA_INV
M_T = B @ _GAMMA_INV
E_T = (B - B_EMBEDDED) @ _GAMMA_INV

# --- status codes
OK, NON_FINITE, STEP_UNDERFLOW, MAX_STEPS = 0, 1, 2, 3
STATUS_NAMES = {
    OK: "ok",
    NON_FINITE: "non_finite",
    STEP_UNDERFLOW: "step_underflow",
    MAX_STEPS: "max_steps",
}

# Internal row order: positions then velocities (x, y, theta, phi, xd, yd, thetad, phid).
_TABLE_TO_INTERNAL = np.array([0, 2, 4, 6, 1, 3, 5, 7])
_INTERNAL_TO_TABLE = np.argsort(_TABLE_TO_INTERNAL)

SAFETY, FAC_MIN, FAC_MAX = 0.9, 0.2, 5.0
KINK_MIN_STEP = 1e-9  # s; never force steps below this at a drag kink
EXTRAPOLATION_ORDER = 11


@dataclass
class IntegrationResult:
    """End states in the table's order (N, 8); status per trajectory (0 = ok); work counters."""

    state: np.ndarray
    status: np.ndarray
    steps: np.ndarray
    rejected: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        return self.status == OK

    def status_counts(self) -> dict[str, int]:
        return {
            STATUS_NAMES[code]: int(n)
            for code, n in zip(*np.unique(self.status, return_counts=True), strict=True)
            if code != OK
        }


def _derivative(y, ctrl, k, *, with_trig=False):
    """Right-hand side rows (8, n) for internal-order state rows."""
    acc = accel_rows(y[2], y[3], y[4], y[5], y[6], y[7], ctrl, k, with_trig=with_trig)
    if with_trig:
        acc, trig = acc
    out = np.empty_like(y)
    out[:4] = y[4:]
    out[4:] = acc
    return (out, trig) if with_trig else out


class _StiffW:
    """W = [[0, I], [0, -c w e^T]] at the step's start state: the rank-one stiff Jacobian part.

    `solve(r, sigma_inv, denom_inv)` returns (sigma I - W)^{-1} r by Sherman-Morrison, in place:
    e.v = v_phi - v_theta, so  s = e.r_v / (sigma + c e.w),  U_v = (r_v - c w s) / sigma,
    U_q = (r_q + U_v) / sigma.
    """

    def __init__(self, trig, k):
        wx, wy, wth, wph, ew = stiff_direction_rows(*trig, k)
        self.cw = k.c * np.stack([wx, wy, wth, wph])
        self.lam = k.c * ew  # decay rate of the fast mode, 1/s

    def denom_inv(self, sigma):
        return 1.0 / (sigma + self.lam)

    def solve(self, r, sigma_inv, denom_inv):
        s = (r[7] - r[6]) * denom_inv
        r[4:] -= self.cw * s
        r[4:] *= sigma_inv
        r[:4] += r[4:]
        r[:4] *= sigma_inv
        return r

    @staticmethod
    def error_norm(err, y, y1, rtol):
        """Max over components of |err| / (rtol (1 + max(|y|, |y1|)))."""
        scale = rtol * (1.0 + np.maximum(np.abs(y), np.abs(y1)))
        return np.max(np.abs(err) / scale, axis=0)


@np.errstate(over="ignore", invalid="ignore", divide="ignore")
def _attempt_ros34pw2(y, ctrl, h, k, rtol):
    """One ROS34PW2 step for every lane: (y1, scaled error norm). inf/NaN lanes get rejected."""
    f0, trig = _derivative(y, ctrl, k, with_trig=True)
    stiff = _StiffW(trig, k)
    sigma = 1.0 / (h * GAMMA)
    sigma_inv = h * GAMMA
    denom_inv = stiff.denom_inv(sigma)
    inv_h = 1.0 / h
    stages = [stiff.solve(f0, sigma_inv, denom_inv)]
    for i in range(1, 4):
        y_stage = y.copy()
        rhs_extra = np.zeros_like(y)
        for j in range(i):
            if A_T[i, j] != 0.0:
                y_stage += A_T[i, j] * stages[j]
            rhs_extra += C_T[i, j] * stages[j]
        r = _derivative(y_stage, ctrl, k) + rhs_extra * inv_h
        stages.append(stiff.solve(r, sigma_inv, denom_inv))
    y1 = y + M_T[0] * stages[0]
    err = E_T[0] * stages[0]
    for j in range(1, 4):
        y1 += M_T[j] * stages[j]
        err += E_T[j] * stages[j]
    return y1, stiff.error_norm(err, y, y1, rtol)


@np.errstate(over="ignore", invalid="ignore", divide="ignore")
def _attempt_extrapolation(y, ctrl, h, k, rtol, order):
    """Extrapolated linearly implicit Euler, harmonic sequence 1..order: (y1, error norm).

    Substep of size h/n: (I - (h/n) W) dy = (h/n) f(y_i), i.e. dy = (n/h I - W)^{-1} f(y_i),
    with W frozen at the step's start. For any fixed W this one-step method has an
    asymptotic expansion of its error in powers of h/n (it is a W-method), so the
    Aitken-Neville tableau T[j][m] gains one order per column; T[order-1][order-1] has order
    `order`, and its difference to T[order-1][order-2] estimates the local error (~h^order).
    """
    f0, trig = _derivative(y, ctrl, k, with_trig=True)
    stiff = _StiffW(trig, k)
    seq = range(1, order + 1)
    previous = []
    for n in seq:
        sigma_inv = h / n
        denom_inv = stiff.denom_inv(n / h)
        yi = y + stiff.solve(f0.copy(), sigma_inv, denom_inv)
        for _ in range(n - 1):
            yi += stiff.solve(_derivative(yi, ctrl, k), sigma_inv, denom_inv)
        row = [yi]
        for m in range(1, n):
            row.append(row[m - 1] + (row[m - 1] - previous[m - 1]) * (1.0 / (n / (n - m) - 1.0)))
        previous = row
    y1 = previous[-1]
    err = y1 - previous[-2]
    return y1, stiff.error_norm(err, y, y1, rtol)


@np.errstate(over="ignore", invalid="ignore", divide="ignore")
def _drag_kink_step_limit(y, y1, h, rtol, k):
    """Largest step allowed across a zero of xd or yd (inf where neither changes sign).

    The drag u|u| has a jump of 2 in its second derivative at u = 0, so a step straddling the
    zero has a local error ~ (4/6) kappa u'^2 h^3 (kappa = drag per u^2 per unit mass) that no
    smooth-solution error estimate sees. Such steps are limited to
    h^3 <= 1.5 rtol / (kappa u'^2) and retried.
    """
    speed = np.sqrt(np.maximum(y[4] * y[4] + y[5] * y[5], y1[4] * y1[4] + y1[5] * y1[5]))
    q, stokes = drag_factor(speed, k)
    kappa = (q + stokes / np.maximum(speed, 1e-300)) * k.inv_m
    limit = np.full(y.shape[1], np.inf)
    for row in (4, 5):
        crossed = y[row] * y1[row] < 0.0  # a start or end exactly at 0 is smooth inside the step
        if crossed.any():
            slope = (y1[row] - y[row]) / h
            allowed = np.maximum(np.cbrt(1.5 * rtol / (kappa * slope * slope)), KINK_MIN_STEP)
            limit = np.where(crossed, np.minimum(limit, allowed), limit)
    return limit


def _run_compiled(
    method, kernel, queue, y_all, ctrl_all, k, out_y, status, steps, rejected, **options
):
    """With a compiled kernel (rodas: flight.rosenbrock; numba: flight.kernel), integrate the
    queued rows, fill the outputs and return an empty queue; with numpy, return the queue."""
    if method in ROSENBROCK_METHODS:
        from sparsemotifs.flight.rosenbrock import integrate_rows

        options.pop("order")
        options.pop("near_trig")
        options["tableau"] = method
    elif method == "extrapolation" and kernel == "numba":
        from sparsemotifs.flight.kernel import integrate_rows
    else:
        return queue
    y_run = np.ascontiguousarray(y_all[:, queue])
    status[queue], steps[queue], rejected[queue] = integrate_rows(
        y_run, ctrl_all[:, queue], k, limits=(SAFETY, FAC_MIN, FAC_MAX, KINK_MIN_STEP),
        codes=(OK, NON_FINITE, STEP_UNDERFLOW, MAX_STEPS), **options,
    )  # fmt: skip
    out_y[:, queue] = y_run
    return queue[:0]


def integrate(
    state0: np.ndarray,
    controls: np.ndarray,
    params: FlightParams | None = None,
    *,
    horizon: float = 0.02,
    rtol: float | None = None,
    method: str | None = None,
    order: int = EXTRAPOLATION_ORDER,
    max_steps: int = 5000,
    pool_size: int = 4096,
    first_step: float = 1e-5,
    kernel: str = "rodas",
    near_trig: bool = True,
) -> IntegrationResult:
    """End states at t = horizon for initial states (N, 8) and constant controls (N, 3).

    `kernel` "rodas" (the default) runs a compiled Rosenbrock method with the exact Jacobian
    (`flight.rosenbrock`; `method` "rodas5p", its default, or "rodas4"); "numba" and "numpy"
    run `method` "extrapolation" (linearly implicit Euler extrapolated to `order`, their
    default method) compiled (`flight.kernel`) or as batched numpy over a pool of `pool_size`
    trajectories; "ros34pw2" runs in numpy whatever the kernel. `rtol` is the local tolerance
    (atol = rtol); None takes `default_rtol(kernel, method)`, calibrated for the 1e-6 criterion.
    `near_trig` (compiled kernels): False makes the numba kernel call libm's sin/cos for every
    right-hand side, as before issue 13 (a benchmark baseline; same method, slower).

    `max_steps` caps attempted steps (accepted + rejected) per trajectory; a step size below
    horizon * 1e-12 is an underflow. Both, and non-finite values, are reported in `status`.
    """
    params = params or FlightParams()
    state0 = np.asarray(state0, dtype=np.float64)
    controls = np.asarray(controls, dtype=np.float64)
    if state0.ndim != 2 or state0.shape[1] != 8 or controls.shape != (state0.shape[0], 3):
        raise ValueError(
            f"need state0 (N, 8) and controls (N, 3), got {state0.shape}, {controls.shape}"
        )
    if not horizon > 0:
        raise ValueError(f"horizon must be positive, got {horizon}")
    method, rtol = resolve_method(kernel, method, rtol, order)
    if method in ROSENBROCK_METHODS:
        attempt, error_order = None, None  # compiled only
    elif method == "extrapolation":
        error_order = order

        def attempt(*a):
            return _attempt_extrapolation(*a, order)

    else:
        attempt, error_order = _attempt_ros34pw2, ORDER
    n = state0.shape[0]
    k = KernelConstants.from_params(params)
    h_min = horizon * 1e-12

    out_y = np.full((8, n), np.nan)
    status = np.full(n, OK, dtype=np.int8)
    steps = np.zeros(n, dtype=np.int64)
    rejected = np.zeros(n, dtype=np.int64)

    finite_in = np.isfinite(state0).all(axis=1) & np.isfinite(controls).all(axis=1)
    status[~finite_in] = NON_FINITE
    queue = np.flatnonzero(finite_in)
    y_all = state0.T[_TABLE_TO_INTERNAL]
    ctrl_all = control_rows(controls, k)
    queue = _run_compiled(
        method, kernel, queue, y_all, ctrl_all, k, out_y, status, steps, rejected,
        horizon=horizon, rtol=rtol, order=order, max_steps=max_steps, first_step=first_step,
        h_min=h_min, near_trig=near_trig,
    )  # fmt: skip
    next_in = 0

    def take(count):
        nonlocal next_in
        ids = queue[next_in : next_in + count]
        next_in += len(ids)
        return ids

    ids = take(pool_size).copy()
    y = np.ascontiguousarray(y_all[:, ids])
    ctrl = np.ascontiguousarray(ctrl_all[:, ids])
    t = np.zeros(len(ids))
    h = np.full(len(ids), min(first_step, horizon))
    n_acc = np.zeros(len(ids), dtype=np.int64)
    n_rej = np.zeros(len(ids), dtype=np.int64)

    while len(ids):
        last = t + h * 1.0001 >= horizon
        h_step = np.where(last, horizon - t, h)
        y1, norm = attempt(y, ctrl, h_step, k, rtol)
        finite = np.isfinite(norm)
        accept = finite & (norm <= 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            fac = SAFETY * norm ** (-1.0 / error_order)
        fac = np.clip(np.where(finite, fac, FAC_MIN), FAC_MIN, FAC_MAX)
        fac = np.where(accept, fac, np.minimum(fac, 1.0))
        h = h_step * fac
        kink_limit = _drag_kink_step_limit(y, y1, h_step, rtol, k)
        too_long = accept & (h_step > kink_limit)
        if too_long.any():
            accept &= ~too_long
            h = np.where(too_long, kink_limit, h)
        y = np.where(accept, y1, y)
        t = np.where(accept, np.where(last, horizon, t + h_step), t)
        n_acc += accept
        n_rej += ~accept

        done = accept & last
        fail_code = np.where(
            n_acc + n_rej >= max_steps,
            MAX_STEPS,
            np.where(h < h_min, np.where(finite, STEP_UNDERFLOW, NON_FINITE), OK),
        )
        leaving = done | (fail_code != OK)
        if not leaving.any():
            continue
        slots = np.flatnonzero(leaving)
        gone = ids[slots]
        out_y[:, gone] = y[:, slots]
        status[gone] = np.where(done[slots], OK, fail_code[slots])
        steps[gone] = n_acc[slots]
        rejected[gone] = n_rej[slots]

        fresh = take(len(slots))
        if len(fresh):
            refill, slots = slots[: len(fresh)], slots[len(fresh) :]
            ids[refill] = fresh
            y[:, refill] = y_all[:, fresh]
            ctrl[:, refill] = ctrl_all[:, fresh]
            t[refill] = 0.0
            h[refill] = min(first_step, horizon)
            n_acc[refill] = 0
            n_rej[refill] = 0
        if len(slots):
            keep = np.ones(len(ids), dtype=bool)
            keep[slots] = False
            ids, y, ctrl, t, h = ids[keep], y[:, keep], ctrl[:, keep], t[keep], h[keep]
            n_acc, n_rej = n_acc[keep], n_rej[keep]

    state = out_y[_INTERNAL_TO_TABLE].T.copy()
    bad_end = (status == OK) & ~np.isfinite(state).all(axis=1)
    status[bad_end] = NON_FINITE
    return IntegrationResult(state=state, status=status, steps=steps, rejected=rejected)
