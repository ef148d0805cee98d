"""Equations of motion against an independent derivation from the Lagrangian (sympy)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from sparsemotifs.flight import dynamics
from sparsemotifs.flight.params import FlightParams


@pytest.fixture(scope="module")
def lagrangian_model():
    """M(q) and f(q, q', controls, drag) from T - V, Rayleigh damping and virtual work."""
    x, y, th, ph = sp.symbols("x y theta phi")
    xd, yd, thd, phd = sp.symbols("xd yd thetad phid")
    F, al, tau, dx, dy = sp.symbols("F alpha tau Dx Dy")
    m1, m2, I1, I2, L1, L2, L3, K, c, g, beta = sp.symbols("m1 m2 I1 I2 L1 L2 L3 K c g beta")
    q, qd = [x, y, th, ph], [xd, yd, thd, phd]
    # centres of mass of thorax and abdomen, and the point where the force acts
    r1 = sp.Matrix([x + L1 * sp.cos(th), y + L1 * sp.sin(th)])
    r2 = sp.Matrix([x + L2 * sp.cos(ph), y + L2 * sp.sin(ph)])
    rp = sp.Matrix([x + L3 * sp.cos(th), y + L3 * sp.sin(th)])

    def velocity(r):
        return r.jacobian(q) * sp.Matrix(qd)

    v1, v2 = velocity(r1), velocity(r2)
    kinetic = (m1 * v1.dot(v1) + m2 * v2.dot(v2) + I1 * thd**2 + I2 * phd**2) / 2
    potential = g * (m1 * r1[1] + m2 * r2[1]) + K * (ph - th - sp.pi - beta) ** 2 / 2
    rayleigh = c * (phd - thd) ** 2 / 2
    force = sp.Matrix([F * sp.cos(al + th), F * sp.sin(al + th)])
    generalized = [
        force.dot(rp.diff(qi)) - rayleigh.diff(qdi) for qi, qdi in zip(q, qd, strict=True)
    ]
    generalized[0] -= dx
    generalized[1] -= dy
    generalized[2] += tau
    generalized[3] -= tau
    lag = kinetic - potential
    mass = sp.Matrix(4, 4, lambda i, j: sp.diff(kinetic, qd[i], qd[j]))
    rhs = []
    for i in range(4):
        p_i = lag.diff(qd[i])
        dpdt_without_acc = sum(p_i.diff(q[j]) * qd[j] for j in range(4))
        rhs.append(sp.simplify(generalized[i] + lag.diff(q[i]) - dpdt_without_acc))
    args = [
        x,
        y,
        th,
        ph,
        xd,
        yd,
        thd,
        phd,
        F,
        al,
        tau,
        dx,
        dy,
        m1,
        m2,
        I1,
        I2,
        L1,
        L2,
        L3,
        K,
        c,
        g,
        beta,
    ]
    return sp.lambdify(args, mass, "numpy"), sp.lambdify(args, rhs, "numpy")


def naive_drag(u, v, p: FlightParams):
    """flight_model.md drag written literally (v > 0 only)."""
    total = 0.0
    for b, s in ((p.b1, p.S1), (p.b2, p.S2)):
        re = p.rho_air * v * 2 * b / p.mu_air
        cd = 24 / re + 6 / (1 + math.sqrt(re)) + 0.4
        total += cd * s
    return 0.5 * p.rho_air * total * abs(u) * u


def random_states(rng, n):
    scale = np.array([30, 1500, 30, 1500, 7, 300, 7, 300])
    states = rng.uniform(-1, 1, (n, 8)) * scale
    controls = rng.uniform(0, 1, (n, 3)) * [44300, 2 * np.pi, 2e5] - [0, 0, 1e5]
    return states, controls


@pytest.mark.parametrize("scale", [1.0, 0.7])
def test_accelerations_match_lagrangian_derivation(lagrangian_model, scale):
    mass_fn, rhs_fn = lagrangian_model
    p = FlightParams.from_scale(scale)
    rng = np.random.default_rng(7)
    states, controls = random_states(rng, 50)
    states[:5, [1, 3]] = 0.0  # at rest: drag must vanish, not be NaN
    states[5:8, 1] = 0.0  # one velocity component zero
    got = dynamics.accelerations(states, controls, p)
    for s, c, a in zip(states, controls, got, strict=True):
        x, xd, y, yd, th, thd, ph, phd = s
        v = math.hypot(xd, yd)
        dx = naive_drag(xd, v, p) if v > 0 else 0.0
        dy = naive_drag(yd, v, p) if v > 0 else 0.0
        args = [x, y, th, ph, xd, yd, thd, phd, *c, dx, dy, p.m1, p.m2, p.I1, p.I2, p.L1, p.L2,
                p.L3, p.K, p.c, p.g, p.beta_r]  # fmt: skip
        expected = np.linalg.solve(np.array(mass_fn(*args), float), np.array(rhs_fn(*args), float))
        np.testing.assert_allclose(a, expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max())


def test_mass_matrix_and_forcing_reproduce_accelerations():
    p = FlightParams()
    states, controls = random_states(np.random.default_rng(3), 40)
    forcing = dynamics.forcing(states, controls, p)[..., None]
    solved = np.linalg.solve(dynamics.mass_matrix(states, p), forcing)[..., 0]
    np.testing.assert_allclose(
        dynamics.accelerations(states, controls, p), solved, rtol=1e-9, atol=1e-6
    )
    eig = np.linalg.eigvalsh(dynamics.mass_matrix(states, p))
    assert (eig > 0).all()


def test_drag_matches_formula_and_has_finite_stokes_limit():
    p = FlightParams()
    rng = np.random.default_rng(5)
    u = rng.uniform(-1500, 1500, 200)
    other = rng.uniform(-1500, 1500, 200)
    v = np.hypot(u, other)
    expected = np.array([naive_drag(a, b, p) for a, b in zip(u, v, strict=True)])
    np.testing.assert_allclose(dynamics.drag(u, v, p), expected, rtol=1e-12)
    # v -> 0: Cd |u| u -> Stokes drag 6 pi mu b u |u|/v, finite and continuous; exactly 0 at rest
    assert dynamics.drag(np.array([0.0]), np.array([0.0]), p)[0] == 0.0
    tiny = np.array([1e-8, 1e-200, 5e-324])
    d = dynamics.drag(tiny, tiny, p)
    assert np.isfinite(d).all()
    stokes = 6 * math.pi * p.mu_air * (p.b1 + p.b2) * tiny[0]
    assert d[0] == pytest.approx(stokes, rel=1e-3)
    assert np.isfinite(dynamics.drag(np.array([1e-170]), np.array([0.0]), p)).all()


def test_state_at_rest_gives_finite_accelerations_equal_to_limit():
    p = FlightParams()
    s = np.array([[0.0, 0.0, 0.0, 0.0, 1.0, 3.0, 4.0, -2.0]])
    c = np.array([[1000.0, 0.3, 50.0]])
    a0 = dynamics.accelerations(s, c, p)
    assert np.isfinite(a0).all()
    s_eps = s.copy()
    s_eps[0, 1] = 1e-9
    np.testing.assert_allclose(dynamics.accelerations(s_eps, c, p), a0, rtol=1e-9, atol=1e-9)


def test_derived_masses_match_model_card():
    p = FlightParams()
    assert p.m1 == pytest.approx(0.848, abs=1e-3)
    assert p.m2 == pytest.approx(1.791, abs=1e-3)
    q = FlightParams.from_scale(2.0)
    assert q.m1 == pytest.approx(8 * p.m1) and q.I1 == pytest.approx(32 * p.I1)
    assert q.L3 == 2 * p.L3 and q.S2 == pytest.approx(4 * p.S2)


def test_scalar_reference_rhs_matches_vectorised_kernel():
    """The per-trajectory scipy reference uses its own scalar right-hand side: same model."""
    from sparsemotifs.flight.reference import scalar_rhs

    p = FlightParams.from_scale(1.3)
    states, controls = random_states(np.random.default_rng(11), 30)
    states[0, [1, 3]] = 0.0
    vectorised = dynamics.state_derivative(states, controls, p)
    for s, c, d in zip(states, controls, vectorised, strict=True):
        np.testing.assert_allclose(scalar_rhs(p, *c)(0.0, s), d, rtol=1e-10, atol=1e-8)
