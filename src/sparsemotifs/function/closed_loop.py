"""Closed-loop function of a controller network: fly its predicted controls, measure the miss.

For test trajectories of the study's dataset: the network maps (initial state, desired final
state) to scaled outputs; the outputs' scaler is undone, (F_x, F_y) become the force magnitude
F = |(F_x, F_y)| and angle alpha = atan2(F_y, F_x) (flight_model.md: F_x = F cos alpha,
F_y = F sin alpha), and (F, alpha, tau) are held constant over the horizon from the initial
state in the package's batched integrator. The reached position and angles are compared with
the desired ones: position error = Euclidean distance in cm, angle errors = |difference| wrapped
to [0, pi] in rad. The predicted final velocities are not flown (they are not controls).

All networks of a call are integrated in one batched run (one lane per network and
trajectory), so the per-trajectory cost is the integrator's, not a Python loop's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sparsemotifs.config import validate_section
from sparsemotifs.dataset import INPUT_NAMES, OUTPUT_NAMES, TrainingData
from sparsemotifs.flight import integrate as integ
from sparsemotifs.flight.params import FlightParams
from sparsemotifs.io import InputError
from sparsemotifs.weights.network import Network

ACTIVATIONS = ("tanh", "relu", "linear")
ERROR_NAMES = ("position_cm", "theta_rad", "phi_rad")
CLOSED_LOOP_COLUMNS = [
    "ensemble", "seed", "level", "n_trajectories", "n_failed",
    "position_median_cm", "position_p90_cm", "theta_median_rad", "theta_p90_rad",
    "phi_median_rad", "phi_p90_rad",
]  # fmt: skip


def forward(net: Network, x: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """Outputs of the MLP, float64: h <- act(h W_l + b_l) for hidden layers, linear output.

    The same function the training forward pass computes (torch baddbmm, tanh as
    2 sigmoid(2x) - 1), on the masked weights of the file.
    """
    if activation not in ACTIVATIONS:
        raise InputError(f"unknown activation {activation!r}; use one of {ACTIVATIONS}")
    h = np.asarray(x, dtype=np.float64)
    if h.ndim != 2 or h.shape[1] != net.widths[0]:
        raise InputError(f"inputs must be (N, {net.widths[0]}), got {h.shape}")
    for li, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        h = h @ w + b
        if li < net.n_blocks - 1:
            if activation == "tanh":
                h = np.tanh(h)
            elif activation == "relu":
                h = np.maximum(h, 0.0)
    return h


@dataclass(frozen=True)
class Trajectories:
    """Unscaled test trajectories: initial states (N, 8, table order), desired (x, y, theta, phi),
    and the true controls (F, alpha, tau) as far as the dataset's float32 storage preserves them."""

    state0: np.ndarray
    desired: np.ndarray
    controls: np.ndarray
    x_scaled: np.ndarray


def test_trajectories(
    data: TrainingData, n: int | None = None, split: str = "test"
) -> Trajectories:
    """The first n rows of a split (splits are random permutations, so a random sample)."""
    if data.meta.get("task", "flight") != "flight" or list(data.output_names) != OUTPUT_NAMES:
        raise InputError(
            f"closed-loop function needs the flight task's dataset (outputs {OUTPUT_NAMES}), "
            f"got task {data.meta.get('task')!r} with outputs {list(data.output_names)}"
        )
    if list(data.input_names) != INPUT_NAMES:
        raise InputError(f"dataset inputs must be {INPUT_NAMES}, got {list(data.input_names)}")
    x_scaled = np.asarray(data.x[split], dtype=np.float64)
    y_scaled = np.asarray(data.y[split], dtype=np.float64)
    if n is not None:
        if n < 1:
            raise InputError(f"n_trajectories must be >= 1, got {n}")
        x_scaled, y_scaled = x_scaled[:n], y_scaled[:n]
    x = data.x_scaler.inverse(x_scaled)
    col = {name: x[:, i] for i, name in enumerate(INPUT_NAMES)}
    zeros = np.zeros(len(x))
    state0 = np.column_stack(
        [zeros, col["xd_0"], zeros, col["yd_0"], col["theta_0"], col["thetad_0"],
         col["phi_0"], col["phid_0"]]
    )  # fmt: skip
    desired = np.column_stack([col["x_f"], col["y_f"], col["theta_f"], col["phi_f"]])
    controls = controls_from_outputs(data.y_scaler.inverse(y_scaled))
    return Trajectories(state0, desired, controls, x_scaled)


def controls_from_outputs(y: np.ndarray) -> np.ndarray:
    """(F, alpha, tau) from unscaled outputs whose first three columns are (F_x, F_y, tau)."""
    y = np.asarray(y, dtype=np.float64)
    return np.column_stack([np.hypot(y[:, 0], y[:, 1]), np.arctan2(y[:, 1], y[:, 0]), y[:, 2]])


def reached_errors(final: np.ndarray, desired: np.ndarray) -> np.ndarray:
    """(N, 3): position miss (cm), |theta miss| and |phi miss| wrapped to [0, pi] (rad)."""
    final = np.asarray(final, dtype=np.float64)
    pos = np.hypot(final[:, 0] - desired[:, 0], final[:, 2] - desired[:, 1])
    ang = final[:, [4, 6]] - desired[:, 2:4]
    ang = np.abs(np.arctan2(np.sin(ang), np.cos(ang)))
    return np.column_stack([pos, ang])


def fly(
    state0: np.ndarray, controls: np.ndarray, simulation: Mapping | None = None
) -> integ.IntegrationResult:
    """End states after the configured horizon with the study's integrator and tolerance."""
    settings = validate_section("simulation", {"n_trajectories": 1, **dict(simulation or {})})
    params = FlightParams.from_scale(settings["morphology_scale"])
    return integ.integrate(
        state0, controls, params, horizon=settings["horizon"], rtol=settings["rtol"],
        kernel=settings["kernel"],
    )  # fmt: skip


def summarize_errors(errors: np.ndarray, ok: np.ndarray) -> dict:
    """Median and 90th percentile of each error over the trajectories that flew (ok)."""
    good = errors[ok]
    out = {"n_trajectories": int(len(errors)), "n_failed": int((~ok).sum())}
    for name, col in zip(("position", "theta", "phi"), good.T, strict=True):
        unit = "cm" if name == "position" else "rad"
        med, p90 = np.quantile(col, [0.5, 0.9]) if len(col) else (np.nan, np.nan)
        out[f"{name}_median_{unit}"] = float(med)
        out[f"{name}_p90_{unit}"] = float(p90)
    return out


def closed_loop_table(
    networks: Sequence[tuple[Mapping, Network]],
    trajectories: Trajectories,
    *,
    activation: str = "tanh",
    y_scaler,
    simulation: Mapping | None = None,
) -> pd.DataFrame:
    """One row (CLOSED_LOOP_COLUMNS) per network; `networks` pairs a key (ensemble, seed, level)
    with the network. Predictions of all networks are flown in a single batched integration."""
    if not networks:
        return pd.DataFrame(columns=CLOSED_LOOP_COLUMNS)
    n = len(trajectories.state0)
    controls = [
        controls_from_outputs(y_scaler.inverse(forward(net, trajectories.x_scaled, activation)))
        for _, net in networks
    ]
    result = fly(
        np.tile(trajectories.state0, (len(networks), 1)), np.concatenate(controls), simulation
    )
    errors = reached_errors(result.state, np.tile(trajectories.desired, (len(networks), 1)))
    rows = []
    for i, (key, _) in enumerate(networks):
        part = slice(i * n, (i + 1) * n)
        rows.append({**key, **summarize_errors(errors[part], result.ok[part])})
    return pd.DataFrame(rows, columns=CLOSED_LOOP_COLUMNS)


def reference_errors(
    data: TrainingData, n: int | None, split: str = "test", simulation: Mapping | None = None
) -> dict[str, dict]:
    """Scale of the misses: the dataset's own controls (its float32 storage is the only error
    source) and a constant predictor (the training split's mean outputs) on the same flights."""
    traj = test_trajectories(data, n, split)
    mean = data.y_scaler.inverse(np.asarray(data.y["train"], dtype=np.float64).mean(axis=0))
    out = {}
    for name, controls in (
        ("true_controls", traj.controls),
        ("mean_controls", controls_from_outputs(np.tile(mean, (len(traj.state0), 1)))),
    ):
        result = fly(traj.state0, controls, simulation)
        out[name] = summarize_errors(reached_errors(result.state, traj.desired), result.ok)
    return out
