"""Closed-loop function: true controls reach the desired state, a constant predictor does not,
and the numpy forward pass equals torch nn.Linear/tanh on the same weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from sparsemotifs.cli import main
from sparsemotifs.contracts.network import level_path, save_level
from sparsemotifs.dataset import build_training_data
from sparsemotifs.flight.accuracy import within_tolerance
from sparsemotifs.flight.simulate import simulate
from sparsemotifs.function import closed_loop as cl
from sparsemotifs.weights.network import load_network

WIDTHS = [10, 8, 7]


@pytest.fixture(scope="module")
def flights():
    table, _ = simulate(300, seed=5)
    return table, build_training_data(table, fractions=(0.5, 0.2, 0.3), split_seed=1)


def test_true_controls_in_float64_reach_the_desired_state(flights):
    table, _ = flights
    state0 = table[["x_0", "xd_0", "y_0", "yd_0", "theta_0", "thetad_0", "phi_0", "phid_0"]]
    result = cl.fly(state0.to_numpy(), table[["F", "alpha", "tau"]].to_numpy())
    assert result.ok.all()
    reached = result.state[:, [0, 2, 4, 6]]
    desired = table[["x_f", "y_f", "theta_f", "phi_f"]].to_numpy()
    # the simulator's own criterion: |y - ref| <= 1e-6 max(|ref|, 1), componentwise
    assert within_tolerance(reached, desired).all()
    err = cl.reached_errors(result.state, desired)
    assert err[:, 0].max() < 1e-6 * max(1.0, np.abs(desired[:, :2]).max()) * np.sqrt(2)


def test_true_controls_from_the_dataset_and_a_constant_predictor(flights):
    _, data = flights
    traj = cl.test_trajectories(data)
    true = cl.fly(traj.state0, traj.controls)
    true_err = cl.reached_errors(true.state, traj.desired)
    # the dataset stores scaled float32 values: errors stay at the float32 rounding of the
    # inputs and controls (~1e-7 of each column's span), far below a centimetre
    assert np.median(true_err[:, 0]) < 1e-4 and true_err[:, 0].max() < 1e-3
    assert true_err[:, 1:].max() < 1e-4
    mean_outputs = data.y_scaler.inverse(data.y["train"].astype(np.float64).mean(axis=0))
    const = cl.controls_from_outputs(np.tile(mean_outputs, (len(traj.state0), 1)))
    const_err = cl.reached_errors(cl.fly(traj.state0, const).state, traj.desired)
    assert np.median(const_err[:, 0]) > 1.0  # cm
    assert np.median(const_err[:, 1:]) > 0.05  # rad
    assert np.median(const_err[:, 0]) > 1e4 * np.median(true_err[:, 0])


def _random_network(rng, widths=WIDTHS, density=0.7):
    weights = [
        rng.normal(0, 1 / np.sqrt(a), (a, b)) for a, b in zip(widths[:-1], widths[1:], strict=True)
    ]
    biases = [rng.normal(0, 0.1, b) for b in widths[1:]]
    masks = [rng.random(w.shape) < density for w in weights]
    bias_masks = [rng.random(b.shape) < density for b in biases]
    weights = [w * m for w, m in zip(weights, masks, strict=True)]
    biases = [b * m for b, m in zip(biases, bias_masks, strict=True)]
    return weights, biases, masks, bias_masks


def test_forward_equals_torch(tmp_path):
    rng = np.random.default_rng(3)
    weights, biases, masks, bias_masks = _random_network(rng, [10, 12, 9, 7])
    path = tmp_path / "seed0" / "level0.npz"
    save_level(path, weights, biases, masks, bias_masks)
    net = load_network(path)
    x = rng.uniform(-0.5, 0.5, (50, 10))
    layers = []
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        lin = torch.nn.Linear(w.shape[0], w.shape[1]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w.T))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(net.weights) - 1:
            layers.append(torch.nn.Tanh())
    with torch.no_grad():
        expected = torch.nn.Sequential(*layers)(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(cl.forward(net, x, "tanh"), expected, rtol=1e-12, atol=1e-12)
    # the file holds float32 weights; masked entries are exactly zero there
    np.testing.assert_array_equal(net.weights[0] != 0, masks[0] & (weights[0] != 0))


def _constant_network(path, scaled_outputs):
    """A network whose output is the given scaled vector whatever the input (all weights pruned)."""
    weights = [np.zeros((10, 8)), np.zeros((8, 7))]
    biases = [np.zeros(8), np.asarray(scaled_outputs, dtype=np.float64)]
    masks = [np.zeros((10, 8)), np.zeros((8, 7))]
    save_level(path, weights, biases, masks, [np.zeros(8), np.ones(7)])


def test_closed_loop_table_and_cli(flights, tmp_path):
    _, data = flights
    data_path = tmp_path / "flight.npz"
    data.save(data_path)
    mean_scaled = data.y["train"].astype(np.float64).mean(axis=0)
    paths = [level_path(tmp_path / "networks", 0, k) for k in range(2)]
    _constant_network(paths[0], mean_scaled)
    _constant_network(paths[1], mean_scaled + np.array([0.2, -0.1, 0.1, 0, 0, 0, 0]))
    out = tmp_path / "closed_loop.csv"
    args = ["function", "closed-loop", "--data", str(data_path), "--networks", *map(str, paths)]
    params = '{"closed_loop": {"n_trajectories": 40}}'
    assert main([*args, "--params", params, "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == cl.CLOSED_LOOP_COLUMNS
    assert list(table["level"]) == [0, 1] and (table["n_trajectories"] == 40).all()
    # the table's numbers equal a direct computation for the constant predictor
    traj = cl.test_trajectories(data, 40)
    const = cl.controls_from_outputs(np.tile(data.y_scaler.inverse(mean_scaled), (40, 1)))
    err = cl.reached_errors(cl.fly(traj.state0, const).state, traj.desired)
    assert table.loc[0, "position_median_cm"] == pytest.approx(np.median(err[:, 0]), rel=1e-5)
    assert table.loc[0, "phi_p90_rad"] == pytest.approx(np.quantile(err[:, 2], 0.9), rel=1e-5)


def test_cli_refuses_control_task_and_bad_widths(flights, tmp_path, capsys):
    table, data = flights
    teacher = build_training_data(
        table, teacher={"teacher_widths": [10, 6, 7], "teacher_seed": 0, "enabled": True}
    )
    tpath = tmp_path / "control_task.npz"
    teacher.save(tpath)
    net = level_path(tmp_path / "networks", 0, 0)
    _constant_network(net, np.zeros(7))
    out = tmp_path / "cl.csv"
    assert main(["function", "closed-loop", "--data", str(tpath), "--networks", str(net),
                 "--out", str(out)]) == 2  # fmt: skip
    assert "flight task" in capsys.readouterr().err and not out.exists()
    dpath = tmp_path / "flight.npz"
    data.save(dpath)
    wrong = level_path(tmp_path / "networks", 1, 0)
    save_level(wrong, [np.zeros((9, 7))], [np.zeros(7)], [np.ones((9, 7))], [np.ones(7)])
    assert main(["function", "closed-loop", "--data", str(dpath), "--networks", str(wrong),
                 "--out", str(out)]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert str(wrong) in err and "widths" in err and not out.exists()


def test_reference_errors_bracket_function(flights):
    _, data = flights
    ref = cl.reference_errors(data, 60)
    assert ref["true_controls"]["position_median_cm"] < 1e-4
    assert ref["mean_controls"]["position_median_cm"] > 1.0
    assert ref["true_controls"]["n_failed"] == 0 and ref["mean_controls"]["n_trajectories"] == 60
