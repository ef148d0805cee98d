"""The benchmark's baseline: odeint (LSODA) with a numba-compiled right-hand side."""

from __future__ import annotations

import numpy as np

from sparsemotifs.flight.reference import odeint_compiled_end_states, odeint_end_states
from sparsemotifs.flight.sampling import DEFAULT_RANGES, draw


def test_compiled_baseline_matches_plain_python_odeint():
    # Same solver, same equations: the two right-hand sides may differ only by rounding.
    state0, controls = draw(np.random.default_rng(6), 6, DEFAULT_RANGES)
    state0[0, [1, 3]] = 0.0  # at rest: the drag branch v = 0
    fast, fast_ok = odeint_compiled_end_states(state0, controls)
    slow, slow_ok = odeint_end_states(state0, controls)
    np.testing.assert_array_equal(fast_ok, slow_ok)
    np.testing.assert_allclose(fast, slow, rtol=1e-6, atol=1e-6)
