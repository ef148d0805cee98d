"""Cost of the paper protocol at width 10-400-400-400-16-7, and a cost model of a study.

Measures, with the real trainer (sparsemotifs.training.trainer) on synthetic data:
- seconds per 1000 optimiser steps for K networks trained together (Adam, batch 128), with the
  windowed early-stopping rule (one validation minibatch forward per step) and without it;
- the same at a 93 % pruned mask (the trainer multiplies masks into dense blocks, so pruned
  weights cost as much as live ones);
- the full-split evaluation after every level (loss on train/val/test), in seconds per 10^5
  rows per network, and the magnitude pruning of one level;
and prints a cost model for a study of `--trajectories` trajectories (64/16/20 split), `--seeds`
seeds per variant, the faithful variant (dense level through its whole step budget, no
stopping) and the corrected one (dense level stops early), 17 pruned levels each.

Wall times on a shared machine are inflated by other processes: each figure is the best of
`--repeats` short timings (the least disturbed one), and the process CPU time is shown beside
it. The cost model uses the best wall times. Baseline of the ratios: the same step with K = 1.

    .venv/bin/python benchmarks/train_width400.py [--threads 2] [--ks 1 4 12] [--steps 60]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from sparsemotifs.config import validate_section
from sparsemotifs.dataset import MinMaxScaler, TrainingData
from sparsemotifs.training.pruning import prune
from sparsemotifs.training.trainer import EnsembleTrainer, configure_threads

WIDTHS = [10, 400, 400, 400, 16, 7]
BATCH = 128
PAPER_STOPPING = {"rule": "paper", "check_every": 100, "warmup": 1000, "window": 500, "ratio": 1.01}


def synthetic_data(n_train: int, n_val: int = 4096, n_test: int = 256, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = {
        s: rng.uniform(-0.5, 0.5, (n, 10)).astype(np.float32)
        for s, n in (("train", n_train), ("val", n_val), ("test", n_test))
    }
    y = {s: np.tanh(v[:, :7] * v[:, 3:]).astype(np.float32) for s, v in x.items()}
    return TrainingData(
        x, y, MinMaxScaler(np.zeros(10), np.ones(10)), MinMaxScaler(np.zeros(7), np.ones(7))
    )


def make_trainer(data, k: int, steps: int, rule: str) -> EnsembleTrainer:
    stopping = dict(PAPER_STOPPING, rule=rule, warmup=10**9)  # never stops inside a timing
    net = validate_section("network", {"widths": WIDTHS})
    tr = validate_section(
        "training",
        {
            "lr": 5e-4,
            "batch_size": BATCH,
            "max_steps_per_level": steps,
            "device": "cpu",
            "early_stopping": stopping,
        },
    )
    pr = validate_section("pruning", {"schedule": [0.93]})
    return EnsembleTrainer(data, list(range(k)), net, tr, pr)


def timed(fn) -> tuple[float, float]:
    """(wall, process CPU) seconds of fn()."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def step_cost(data, k: int, steps: int, rule: str, pruned: bool, repeats: int):
    """Best (wall, cpu) seconds per 1000 steps of K networks together."""
    trainer = make_trainer(data, k, steps, rule)
    state = trainer._initial_state()
    if pruned:
        prune(trainer.layout, state.params, state.masks, 0.93)
    members = list(range(k))
    runs = [
        timed(lambda: trainer._train_level(state, 1 if pruned else 0, members, 0.0))
        for _ in range(repeats)
    ]
    wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
    return 1000 * wall / steps, 1000 * cpu / steps


def eval_cost(data, k: int, repeats: int):
    """Best (wall, cpu) seconds of the full-split evaluation per 10^5 rows per network."""
    trainer = make_trainer(data, k, 10, "none")
    state = trainer._initial_state()
    rows = sum(len(data.x[s]) for s in ("train", "val", "test"))
    runs = [timed(lambda: trainer._evaluate(state, list(range(k)))) for _ in range(repeats)]
    scale = 1e5 / rows / k
    return min(r[0] for r in runs) * scale, min(r[1] for r in runs) * scale


def compact_eval_ratio(path, rows: int, repeats: int):
    """Dense vs live-unit evaluation of one real pruned network (e.g. the shared 2022 network)."""
    from sparsemotifs.io import load_npz
    from sparsemotifs.training.compact_eval import compact_split_squared_errors
    from sparsemotifs.training.ensemble import Layout, split_squared_errors

    arrays = load_npz(path)
    layout = Layout(tuple(WIDTHS), 1)
    params, masks = torch.zeros(layout.size), torch.zeros(layout.size)
    for li in range(layout.n_layers):
        for kind, p_key, m_key in (("weight", "weight", "mask"), ("bias", "bias", "bias_mask")):
            layout.view(masks, kind, li)[0] = torch.as_tensor(arrays[f"{m_key}_{li}"] != 0)
            values = torch.as_tensor(arrays[f"{p_key}_{li}"], dtype=torch.float32)
            layout.view(params, kind, li)[0] = values * layout.view(masks, kind, li)[0]
    data = synthetic_data(rows)
    x, y = torch.as_tensor(data.x["train"]), torch.as_tensor(data.y["train"])
    t_dense = min(
        timed(lambda: split_squared_errors(layout, params, x, y, "tanh", 4096))[0]
        for _ in range(repeats)
    )
    t_compact = min(
        timed(lambda: compact_split_squared_errors(layout, params, masks, x, y, "tanh", 4096))[0]
        for _ in range(repeats)
    )
    return t_dense, t_compact


def prune_cost(data, k: int):
    trainer = make_trainer(data, k, 10, "none")
    state = trainer._initial_state()
    wall, cpu = timed(lambda: prune(trainer.layout, state.params, state.masks, 0.93))
    return wall / k, cpu / k


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ks", type=int, nargs="+", default=[1, 4, 12])
    ap.add_argument("--steps", type=int, default=60, help="steps per timing")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--eval-rows", type=int, default=65536, help="train rows of the eval timing")
    ap.add_argument("--trajectories", type=int, default=10**6)
    ap.add_argument("--seeds", type=int, default=12, help="seeds per variant")
    ap.add_argument("--dense-steps-faithful", type=int, default=50_000)
    ap.add_argument("--dense-steps-corrected", type=int, default=8_500)
    ap.add_argument(
        "--pruned-steps",
        type=int,
        nargs="+",
        default=[1000, 2000, 5000],
        help="assumed steps per pruned level (1000 = the rule's earliest stop)",
    )
    args = ap.parse_args()
    configure_threads(args.threads)
    threads = torch.get_num_threads()
    data = synthetic_data(BATCH * max(args.steps, 200))
    step_cost(data, 1, 5, "paper", False, 1)

    print(f"widths {WIDTHS}, batch {BATCH}, threads {threads}; best of {args.repeats}")
    print("s per 1000 steps: wall / cpu / cpu per thread ; per network (wall/K)")
    table = {}
    for k in args.ks:
        for rule in ("paper", "none"):
            for pruned in (False, True):
                wall, cpu = step_cost(data, k, args.steps, rule, pruned, args.repeats)
                table[(k, rule, pruned)] = wall
                print(
                    f"K={k:2d} rule={rule:5s} {'93% mask' if pruned else 'dense   '}: "
                    f"{wall:7.2f} / {cpu:7.2f} / {cpu / threads:7.2f} s ; "
                    f"{wall / k:6.2f} s per network"
                )
    k0 = args.ks[0]
    for k in args.ks[1:]:
        ratio = (table[(k0, "paper", False)] / k0) / (table[(k, "paper", False)] / k)
        print(f"throughput ratio K={k} vs K={k0} (per network, rule paper): {ratio:.2f}x")
    val_share = 1 - table[(args.ks[-1], "none", False)] / table[(args.ks[-1], "paper", False)]
    print(f"share of a step spent on the per-step validation minibatch: {val_share:.0%}")

    eval_data = synthetic_data(args.eval_rows, args.eval_rows // 4, args.eval_rows // 4)
    ew, ec = eval_cost(eval_data, args.ks[-1], args.repeats)
    pw, pc = prune_cost(data, args.ks[-1])
    print(
        f"full-split evaluation: {ew:.3f} s wall / {ec:.3f} s cpu per 1e5 rows per network; "
        f"pruning: {pw:.3f} / {pc:.3f} s per network and level"
    )

    from sparsemotifs.report.published_data import network_path

    net93 = network_path(0.93)
    if net93 is not None:
        t_dense, t_compact = compact_eval_ratio(net93, args.eval_rows, args.repeats)
        print(
            f"evaluation of the shared 2022 network at 93 % ({args.eval_rows} rows): dense "
            f"{t_dense:.3f} s, live units only {t_compact:.3f} s; ratio {t_dense / t_compact:.1f}x"
        )
    else:
        print("shared 2022 network absent: no live-unit evaluation timing")

    # ---------------------------------------------------------------- cost model
    k = args.ks[-1]
    per_step = table[(k, "paper", False)] / k / 1000  # s per network-step, rule paper
    per_step_none = table[(k, "none", False)] / k / 1000
    rows = args.trajectories  # train + val + test rows of one evaluation
    eval_s = ew * rows / 1e5
    levels = 18
    print(f"\ncost model ({args.trajectories:.0e} trajectories, {args.seeds} seeds x 2 variants, "
          f"K={k} per chunk, {threads} threads):")  # fmt: skip
    print(f"  per network-step {per_step * 1e3:.2f} ms (paper rule), "
          f"{per_step_none * 1e3:.2f} ms (no rule); evaluation {eval_s:.1f} s per network-level")  # fmt: skip
    for pruned_steps in args.pruned_steps:
        faithful = args.dense_steps_faithful * per_step_none + 17 * pruned_steps * per_step
        corrected = (args.dense_steps_corrected + 17 * pruned_steps) * per_step
        evals = levels * eval_s
        total = args.seeds * (faithful + corrected + 2 * evals)
        print(
            f"  pruned levels of {pruned_steps:5d} steps: per network faithful {faithful:6.0f} s, "
            f"corrected {corrected:6.0f} s, evaluations {evals:5.0f} s; "
            f"study training {total / 3600:.2f} h"
        )
    budget = 2 * 3600
    fixed = args.seeds * (
        args.dense_steps_faithful * per_step_none
        + args.dense_steps_corrected * per_step
        + 2 * levels * eval_s
    )
    left = budget - fixed
    s_max = left / (args.seeds * 2 * 17 * per_step) if left > 0 else 0
    print(
        f"  2 h budget: dense levels + evaluations take {fixed / 3600:.2f} h; the rest allows "
        f"{s_max:.0f} steps per pruned level on average (training only, no motif analysis)"
    )


if __name__ == "__main__":
    main()
