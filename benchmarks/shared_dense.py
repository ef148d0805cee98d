"""Variants that differ only in pruning: a shared dense level against training each alone.

Baseline (measured in the same run): each of V variants trains its chunk from scratch, dense
level included. Shared: the dense level is trained once (`dense_out`) and each variant continues
from it (`dense_from`), as the workflow's train_dense rule does. Prints both times, their ratio
and whether the continued variants' metrics equal the from-scratch ones (timing aside).

    .venv/bin/python benchmarks/shared_dense.py [--variants 2] [--k 4] [--width 48]
        [--dense-epochs 10] [--epochs 2]

The saving is (V - 1) dense levels; it is large when the dense level dominates, as in the
reference protocol without early stopping at the dense level (dense_early_stopping: false).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from sparsemotifs.config import validate_section
from sparsemotifs.dataset import MinMaxScaler, TrainingData
from sparsemotifs.training.trainer import configure_threads, train_ensemble


def synthetic_data(n_train: int, seed: int = 0) -> TrainingData:
    """A smooth 10 -> 7 regression task (the shape of the flight task)."""
    rng = np.random.default_rng(seed)
    x = {
        s: rng.uniform(-0.5, 0.5, (n, 10)).astype(np.float32)
        for s, n in (("train", n_train), ("val", 2048), ("test", 256))
    }
    y = {s: np.tanh(v[:, :7] * v[:, 3:]).astype(np.float32) for s, v in x.items()}
    unit = MinMaxScaler(np.zeros(10), np.ones(10))
    return TrainingData(x, y, unit, MinMaxScaler(np.zeros(7), np.ones(7)))


PRUNING = [{"scope": "layer"}, {"scope": "global"}, {"scope": "layer", "prune_biases": False}]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", type=int, default=2, choices=[2, 3])
    ap.add_argument("--k", type=int, default=4, help="networks per chunk")
    ap.add_argument("--width", type=int, default=48)
    ap.add_argument("--rows", type=int, default=20_000, help="training rows")
    ap.add_argument("--dense-epochs", type=float, default=20, help="passes of the dense level")
    ap.add_argument(
        "--ratio",
        type=float,
        default=1.5,
        help="stopping ratio of the pruned levels (high: they stop soon after warm-up, as the "
        "reference protocol's ~3,000-step pruned levels next to its 50,000-step dense level)",
    )
    ap.add_argument("--levels", type=int, default=4, help="pruned levels")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    configure_threads(args.threads)
    data = synthetic_data(args.rows)
    w = args.width
    net = validate_section("network", {"widths": [10, w, w, w, 16, 7]})
    # the reference protocol: no early stopping at the dense level, the stopping rule after it
    tr = validate_section(
        "training",
        {
            "lr": 5e-4, "batch_size": 128, "device": "cpu", "threads": args.threads,
            "max_epochs_per_level": args.dense_epochs, "dense_early_stopping": False,
            "early_stopping": {"rule": "paper", "check_every": 50, "warmup": 200, "window": 100,
                               "ratio": args.ratio},
        },
    )  # fmt: skip
    schedule = [0.5 + 0.45 * i / max(args.levels - 1, 1) for i in range(args.levels)]
    prunings = [
        validate_section("pruning", {"schedule": schedule, **p}) for p in PRUNING[: args.variants]
    ]
    seeds = list(range(args.k))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        alone = [train_ensemble(data, seeds, net, tr, p) for p in prunings]
        t_alone = time.perf_counter() - t0
        dense = Path(tmp) / "dense.pt"
        t0 = time.perf_counter()
        train_ensemble(data, seeds, net, tr, prunings[0], dense_out=dense)
        shared = [train_ensemble(data, seeds, net, tr, p, dense_from=dense) for p in prunings]
        t_shared = time.perf_counter() - t0
    same = all(
        a.drop(columns="wall_time_s").equals(b.drop(columns="wall_time_s"))
        for a, b in zip(alone, shared, strict=True)
    )
    # a network's wall_time_s is its level's time so far: the chunk's dense level = the max
    dense_s = float(alone[0].loc[alone[0].level == 0, "wall_time_s"].max())
    print(
        f"{args.variants} variants x {args.k} networks of 10-{w}-{w}-{w}-16-7, {args.levels} "
        f"pruned levels, dense level {args.dense_epochs} passes over {args.rows} rows "
        f"(~{dense_s:.1f} s per chunk):"
    )
    print(f"  each alone (baseline): {t_alone:7.1f} s")
    print(f"  shared dense level:    {t_shared:7.1f} s")
    print(f"  ratio baseline/shared: {t_alone / t_shared:7.2f}x; identical metrics: {same}")


if __name__ == "__main__":
    main()
