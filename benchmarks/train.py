"""Training throughput: K networks batched in one process vs the same K trained one after another.

Runs the real per-level training loop (sparsemotifs.training.trainer) on synthetic data, so data
gathering, the hand-written backward pass and the batched Adam are all included. Reports
network-samples per second (networks x minibatch rows x steps / s), the batched/sequential
ratio, GFLOP/s achieved (6 x batch x weights per network-step: forward, weight gradient, input
gradient) next to a large torch.mm on the same machine, and the steps/s of the laptop-scale chunk
(4 networks of 10-64-64-64-16-7) used to size the default study.

    .venv/bin/python benchmarks/train.py [--threads 1] [--k 4] [--steps 60] [--repeats 3]

CPU timings on a shared machine are noisy: the best of --repeats is reported.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from sparsemotifs.config import validate_section
from sparsemotifs.dataset import MinMaxScaler, TrainingData
from sparsemotifs.training.trainer import EnsembleTrainer, configure_threads

PAPER_WIDTHS = [10, 400, 400, 400, 16, 7]
SMALL_WIDTHS = [10, 64, 64, 64, 16, 7]


def synthetic_data(n_train: int, seed: int = 0) -> TrainingData:
    rng = np.random.default_rng(seed)
    x = {
        s: rng.uniform(-0.5, 0.5, (n, 10)).astype(np.float32)
        for s, n in (("train", n_train), ("val", 2048), ("test", 256))
    }
    y = {s: np.tanh(v[:, :7] * v[:, 3:]).astype(np.float32) for s, v in x.items()}
    return TrainingData(
        x, y, MinMaxScaler(np.zeros(10), np.ones(10)), MinMaxScaler(np.zeros(7), np.ones(7))
    )


def level_time(data, seeds, widths, steps, rule, batch=128) -> float:
    """Seconds for one dense training level of `steps` steps (no early stop), best effort timing."""
    net = validate_section("network", {"widths": widths})
    early = {"rule": rule, "check_every": 100, "warmup": 10**9}
    tr = validate_section(
        "training",
        {
            "batch_size": batch,
            "max_steps_per_level": steps,
            "device": "cpu",
            "early_stopping": early,
        },
    )
    pr = validate_section("pruning", {"schedule": [0.5]})
    trainer = EnsembleTrainer(data, seeds, net, tr, pr)
    state = trainer._initial_state()
    members = list(range(len(seeds)))
    t0 = time.perf_counter()
    trainer._train_level(state, 0, members, t0)
    return time.perf_counter() - t0


def plain_torch_time(data, seeds, widths, steps, batch=128) -> float:
    """Baseline: torch.nn.Sequential + autograd + torch.optim.Adam, one network after another."""
    x, y = torch.from_numpy(data.x["train"]), torch.from_numpy(data.y["train"])
    t0 = time.perf_counter()
    for seed in seeds:
        torch.manual_seed(seed)
        layers = []
        for n_in, n_out in zip(widths[:-1], widths[1:], strict=True):
            layers += [torch.nn.Linear(n_in, n_out), torch.nn.Tanh()]
        model = torch.nn.Sequential(*layers[:-1])
        opt = torch.optim.Adam(model.parameters(), lr=5e-4)
        order = torch.randperm(len(x))
        for step in range(steps):
            idx = order[step * batch : (step + 1) * batch]
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(x[idx]), y[idx]).backward()
            opt.step()
    return time.perf_counter() - t0


def best(fn, repeats):
    return min(fn() for _ in range(repeats))


def matmul_gflops(n=2048, repeats=3) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    t = best(lambda: _timed(lambda: torch.mm(a, b)), repeats)
    return 2 * n**3 / t / 1e9


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--k", type=int, default=4, help="networks trained together")
    ap.add_argument("--steps", type=int, default=60, help="steps per timing (paper architecture)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    configure_threads(args.threads)
    batch = 128
    data = synthetic_data(n_train=batch * max(args.steps, 2000))
    seeds = list(range(args.k))
    weights = sum(a * b for a, b in zip(PAPER_WIDTHS[:-1], PAPER_WIDTHS[1:], strict=True))
    level_time(data, seeds, PAPER_WIDTHS, 5, "none")  # warm-up

    t_batched = best(
        lambda: level_time(data, seeds, PAPER_WIDTHS, args.steps, "none"), args.repeats
    )
    t_seq = best(
        lambda: sum(level_time(data, [s], PAPER_WIDTHS, args.steps, "none") for s in seeds),
        args.repeats,
    )
    t_plain = best(lambda: plain_torch_time(data, seeds, PAPER_WIDTHS, args.steps), args.repeats)
    samples = args.k * batch * args.steps
    rate_b, rate_s, rate_p = samples / t_batched, samples / t_seq, samples / t_plain
    flops = 6 * batch * weights * args.k * args.steps
    mm = matmul_gflops()
    print(
        f"threads {torch.get_num_threads()}, K={args.k}, batch {batch}, paper widths {PAPER_WIDTHS}"
    )
    print(
        f"batched    : {rate_b:10.0f} network-samples/s  ({args.k * args.steps / t_batched:7.1f} network-steps/s)"
    )
    print(
        f"sequential : {rate_s:10.0f} network-samples/s  ({args.k * args.steps / t_seq:7.1f} network-steps/s)"
    )
    print(f"plain torch.nn + optim.Adam, one after another: {rate_p:10.0f} network-samples/s")
    print(
        f"ratio batched/sequential: {rate_b / rate_s:.2f}x; batched/plain torch.nn: {rate_b / rate_p:.2f}x"
    )
    print(f"training GFLOP/s: batched {flops / t_batched / 1e9:.1f}, sequential {flops / t_seq / 1e9:.1f}; "
          f"torch.mm 2048x2048: {mm:.1f} GFLOP/s ({flops / t_batched / 1e9 / mm:.0%} of matmul)")  # fmt: skip

    small_steps = 2000
    small_data = synthetic_data(n_train=batch * small_steps)
    for rule in ("none", "paper"):
        t = best(
            lambda rule=rule: level_time(small_data, [0, 1, 2, 3], SMALL_WIDTHS, small_steps, rule),
            args.repeats,
        )
        t1 = best(
            lambda rule=rule: level_time(small_data, [0], SMALL_WIDTHS, small_steps, rule),
            args.repeats,
        )
        if rule == "none":
            tp = best(
                lambda: plain_torch_time(small_data, [0], SMALL_WIDTHS, small_steps), args.repeats
            )
            print(f"plain torch.nn, one network of {SMALL_WIDTHS}: {small_steps / tp:.0f} steps/s")
        print(f"chunk of 4 x {SMALL_WIDTHS}, batch {batch}, early stopping rule {rule!r}: "
              f"{small_steps / t:.0f} chunk-steps/s (single network: {small_steps / t1:.0f} steps/s; "
              f"batched/sequential {4 * t1 / t:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
