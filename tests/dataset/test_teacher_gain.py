"""controls.control_task.teacher_gain: the teacher's weights scale with it (closed form), and
the default (absent) reproduces the former teacher bit for bit."""

from __future__ import annotations

import numpy as np

from sparsemotifs.dataset.build import teacher_outputs


def test_linear_teacher_scales_with_gain():
    # one layer: out = x @ (gain * w) + b, so out(2) = 2 out(1) - out(0) (out(0) = the biases)
    x = np.random.default_rng(1).uniform(-0.5, 0.5, size=(50, 3))
    out = {g: teacher_outputs(x, [3, 2], seed=7, gain=g) for g in (0.0, 1.0, 2.0)}
    np.testing.assert_allclose(out[2.0], 2 * out[1.0] - out[0.0], rtol=1e-12, atol=1e-12)
    assert np.ptp(out[0.0], axis=0).max() == 0  # gain 0: constant outputs (the biases)


def test_default_gain_is_the_former_teacher():
    # the teacher before teacher_gain existed, written out: weights N(0, 1/fan_in)
    x = np.random.default_rng(2).uniform(-0.5, 0.5, size=(20, 10))
    rng = np.random.default_rng(np.random.SeedSequence([3, 0x7EAC]))
    h = x
    for i, (n_in, n_out) in enumerate([(10, 8), (8, 7)]):
        w = rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out))
        h = h @ w + rng.normal(0.0, 0.1, size=n_out)
        h = np.tanh(h) if i == 0 else h
    np.testing.assert_array_equal(teacher_outputs(x, [10, 8, 7], seed=3), h)
