"""Turn simulated trajectories into the networks' data: inputs, outputs, split and scaler.

The inverse problem (flight_model.md): from the initial and final state (10 inputs) predict the
controls and final velocities (7 outputs). Every column is min-max scaled to [-0.5, 0.5] with
statistics of the training split only; the scaler is saved with the data so that validation
and test data (and any later data) are scaled identically. Angles are not wrapped.

A control task with the same sizes but none of the flight structure replaces the outputs by
those of a random teacher network applied to the same inputs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sparsemotifs.contracts.names import SPLITS
from sparsemotifs.contracts.tables import SIMULATION_COLUMNS
from sparsemotifs.io import InputError, load_npz, read_table, save_npz

log = logging.getLogger(__name__)

INPUT_NAMES = [
    "phi_0", "theta_0", "x_f", "y_f", "phi_f", "theta_f", "xd_0", "yd_0", "phid_0", "thetad_0",
]  # fmt: skip
OUTPUT_NAMES = ["F_x", "F_y", "tau", "xd_f", "yd_f", "phid_f", "thetad_f"]


@dataclass(frozen=True)
class MinMaxScaler:
    """Affine map of each column onto [-0.5, 0.5] using the training split's min and max."""

    low: np.ndarray
    high: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray) -> MinMaxScaler:
        return cls(
            low=values.min(axis=0).astype(np.float64), high=values.max(axis=0).astype(np.float64)
        )

    @property
    def span(self) -> np.ndarray:
        span = self.high - self.low
        return np.where(span > 0, span, 1.0)  # a constant column maps to -0.5, not NaN

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, dtype=np.float64) - self.low) / self.span - 0.5

    def inverse(self, scaled: np.ndarray) -> np.ndarray:
        return (np.asarray(scaled, dtype=np.float64) + 0.5) * self.span + self.low


@dataclass
class TrainingData:
    """Scaled float32 arrays per split plus the scalers and provenance."""

    x: dict[str, np.ndarray]
    y: dict[str, np.ndarray]
    x_scaler: MinMaxScaler
    y_scaler: MinMaxScaler
    input_names: list[str] = field(default_factory=lambda: list(INPUT_NAMES))
    output_names: list[str] = field(default_factory=lambda: list(OUTPUT_NAMES))
    meta: dict = field(default_factory=dict)

    @property
    def n_inputs(self) -> int:
        return self.x["train"].shape[1]

    @property
    def n_outputs(self) -> int:
        return self.y["train"].shape[1]

    def save(self, path: str | Path) -> None:
        arrays = {}
        for s in SPLITS:
            arrays[f"x_{s}"] = self.x[s]
            arrays[f"y_{s}"] = self.y[s]
        save_npz(
            path,
            **arrays,
            x_low=self.x_scaler.low,
            x_high=self.x_scaler.high,
            y_low=self.y_scaler.low,
            y_high=self.y_scaler.high,
            input_names=np.array(self.input_names),
            output_names=np.array(self.output_names),
            meta=np.array(json.dumps(self.meta, sort_keys=True)),
        )


def load_training_data(path: str | Path) -> TrainingData:
    """Read a data file written by `TrainingData.save` (InputError naming the file if not one)."""
    data = load_npz(path)
    needed = [f"{a}_{s}" for s in SPLITS for a in ("x", "y")] + [
        "x_low",
        "x_high",
        "y_low",
        "y_high",
    ]
    missing = [k for k in needed if k not in data]
    if missing:
        raise InputError(f"{path}: not a training-data file, missing arrays {missing}")
    return TrainingData(
        x={s: data[f"x_{s}"] for s in SPLITS},
        y={s: data[f"y_{s}"] for s in SPLITS},
        x_scaler=MinMaxScaler(data["x_low"], data["x_high"]),
        y_scaler=MinMaxScaler(data["y_low"], data["y_high"]),
        input_names=[str(v) for v in data.get("input_names", INPUT_NAMES)],
        output_names=[str(v) for v in data.get("output_names", OUTPUT_NAMES)],
        meta=json.loads(str(data["meta"])) if "meta" in data else {},
    )


def inputs_outputs(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The 10 network inputs and 7 targets of flight_model.md, unscaled (float64)."""
    x = table[INPUT_NAMES].to_numpy(np.float64)
    force, alpha = table["F"].to_numpy(np.float64), table["alpha"].to_numpy(np.float64)
    y = np.column_stack(
        [
            force * np.cos(alpha),
            force * np.sin(alpha),
            table["tau"].to_numpy(np.float64),
            table["xd_f"].to_numpy(np.float64),
            table["yd_f"].to_numpy(np.float64),
            table["phid_f"].to_numpy(np.float64),
            table["thetad_f"].to_numpy(np.float64),
        ]
    )
    return x, y


def split_indices(n: int, fractions: Sequence[float], seed: int) -> dict[str, np.ndarray]:
    """A seeded permutation cut into train/val/test; every split gets at least one row."""
    if n < len(SPLITS):
        raise InputError(f"need at least {len(SPLITS)} trajectories to split, got {n}")
    counts = np.floor(np.asarray(fractions) * n).astype(int)
    counts = np.maximum(counts, 1)
    counts[0] = n - counts[1:].sum()  # the remainder goes to training
    if counts[0] < 1:
        raise InputError(f"{n} trajectories are too few for the split {list(fractions)}")
    perm = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED])).permutation(n)
    bounds = np.cumsum(counts)[:-1]
    return dict(zip(SPLITS, np.split(perm, bounds), strict=True))


def teacher_outputs(
    x_scaled: np.ndarray, widths: Sequence[int], seed: int, gain: float = 1.0
) -> np.ndarray:
    """Outputs of a random tanh teacher MLP (weights N(0, gain^2/fan_in)): a task with no flight
    structure; `gain` sets its difficulty (larger: more saturated, more nonlinear)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x7EAC]))
    h = np.asarray(x_scaled, dtype=np.float64)
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        w = rng.normal(0.0, gain / np.sqrt(n_in), size=(n_in, n_out))
        b = rng.normal(0.0, 0.1, size=n_out)
        h = h @ w + b
        if i < len(widths) - 2:
            h = np.tanh(h)
    return h


def build_training_data(
    table: pd.DataFrame,
    *,
    fractions: Sequence[float] = (0.64, 0.16, 0.20),
    split_seed: int = 0,
    source: str = "",
    teacher: dict | None = None,
) -> TrainingData:
    """Inputs/outputs, split, scalers fitted on train only. `teacher` switches to the control task."""
    x_raw, y_raw = inputs_outputs(table)
    idx = split_indices(len(table), fractions, split_seed)
    x_scaler = MinMaxScaler.fit(x_raw[idx["train"]])
    output_names = list(OUTPUT_NAMES)
    task = "flight"
    if teacher is not None:
        widths = teacher["teacher_widths"]
        if widths[0] != x_raw.shape[1] or widths[-1] != y_raw.shape[1]:
            raise InputError(
                f"teacher_widths must start with {x_raw.shape[1]} and end with {y_raw.shape[1]}, got {widths}"
            )
        y_raw = teacher_outputs(
            x_scaler.transform(x_raw),
            widths,
            teacher["teacher_seed"],
            float(teacher.get("teacher_gain", 1.0)),
        )
        output_names = [f"teacher_{i}" for i in range(y_raw.shape[1])]
        task = "control_task"
    y_scaler = MinMaxScaler.fit(y_raw[idx["train"]])
    x = {s: x_scaler.transform(x_raw[i]).astype(np.float32) for s, i in idx.items()}
    y = {s: y_scaler.transform(y_raw[i]).astype(np.float32) for s, i in idx.items()}
    meta = {
        "task": task,
        "source": source,
        "n": int(len(table)),
        "split_sizes": {s: int(len(i)) for s, i in idx.items()},
        "split_fractions": list(map(float, fractions)),
        "split_seed": int(split_seed),
    }
    if teacher is not None:
        meta["teacher"] = dict(teacher)
    return TrainingData(x, y, x_scaler, y_scaler, list(INPUT_NAMES), output_names, meta)


def read_simulation_tables(paths: Sequence[str | Path]) -> pd.DataFrame:
    """Concatenate simulation shards in the given order, rejecting malformed ones by name."""
    frames = []
    for path in paths:
        df = read_table(path, required_columns=SIMULATION_COLUMNS)
        bad = ~np.isfinite(df[SIMULATION_COLUMNS].to_numpy(np.float64)).all(axis=1)
        if bad.any():
            raise InputError(
                f"{path}: {int(bad.sum())} rows contain NaN or infinite values "
                f"(first at row {int(np.flatnonzero(bad)[0])})"
            )
        frames.append(df[SIMULATION_COLUMNS])
    if not frames:
        raise InputError("no simulation tables given")
    return pd.concat(frames, ignore_index=True)
