"""Throughput and accuracy of the batched flight simulator against per-trajectory LSODA.

Single thread (BLAS/OpenMP pinned to 1). In one run: trajectories/second of the batched
integrator (default method and rtol) and of two per-trajectory baselines: scipy
solve_ivp(method="LSODA") with odeint's default tolerances rtol = atol = 1.49012e-8, and
scipy.integrate.odeint itself with its defaults (what the original study called, there with a
numba-compiled right-hand side; here both use the same plain-Python scalar one). All against a Radau reference
(rtol = atol = 1e-10) on a sample: worst error under the criterion of
sparsemotifs.flight.accuracy (|y - ref| <= 1e-6 max(|ref|, 1)), worst pure relative error where
|ref| > 1, and the fraction of trajectories beyond 1e-6. `--million` also times 10^6
trajectories end to end through the CLI as 2 shards on 2 processes.

    .venv/bin/python benchmarks/simulate.py [--n-batched 20000] [--n-lsoda 300] [--million]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from sparsemotifs.config import validate_section  # noqa: E402
from sparsemotifs.flight.accuracy import TOLERANCE, pure_relative_error, relative_error  # noqa: E402
from sparsemotifs.flight.integrate import EXTRAPOLATION_ORDER, integrate  # noqa: E402
from sparsemotifs.flight.reference import (  # noqa: E402
    ODEINT_DEFAULT_TOL,
    odeint_end_states,
    radau_end_states,
    solve_ivp_end_states,
)
from sparsemotifs.flight.sampling import DEFAULT_RANGES, draw  # noqa: E402


def sample(n: int, seed: int):
    return draw(np.random.default_rng(seed), n, DEFAULT_RANGES)


def best_rate(fn, n: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return n / min(times)


def error_summary(y, ref):
    err = relative_error(y, ref).max(axis=1)
    pure = pure_relative_error(y, ref)
    return {
        "worst": float(err.max()),
        "worst_pure_rel(|ref|>1)": float(np.nanmax(pure)),
        "frac>1e-6": float(np.mean(err > TOLERANCE)),
    }


def million(n: int, workdir: Path) -> float:
    exe = Path(sys.executable).with_name("sparsemotifs")
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [
                str(exe),
                "simulate",
                "--n",
                str(n),
                "--seed",
                "0",
                "--shard",
                str(i),
                "--shards",
                "2",
                "--out",
                str(workdir / f"shard{i}.parquet"),
            ],
            env=os.environ.copy(),
        )  # fmt: skip
        for i in range(2)
    ]
    codes = [p.wait() for p in procs]
    wall = time.perf_counter() - start
    if any(codes):
        raise SystemExit(f"CLI run failed with exit codes {codes}")
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n-batched", type=int, default=20000)
    ap.add_argument("--n-lsoda", type=int, default=300)
    ap.add_argument("--n-accuracy", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--million", action="store_true", help="also time 1e6 trajectories via the CLI")
    ap.add_argument("--million-n", type=int, default=1_000_000, help=argparse.SUPPRESS)
    args = ap.parse_args()
    rtol = validate_section("simulation", {"n_trajectories": 1})["rtol"]

    s0, c0 = sample(args.n_batched, 1)
    batched_rate = best_rate(lambda: integrate(s0, c0, rtol=rtol), args.n_batched, args.repeat)
    s1, c1 = sample(args.n_lsoda, 2)
    lsoda = lambda: solve_ivp_end_states(  # noqa: E731
        s1, c1, method="LSODA", rtol=ODEINT_DEFAULT_TOL, atol=ODEINT_DEFAULT_TOL
    )
    lsoda_rate = best_rate(lsoda, args.n_lsoda, args.repeat)
    odeint_rate = best_rate(lambda: odeint_end_states(s1, c1), args.n_lsoda, args.repeat)

    s2, c2 = sample(args.n_accuracy, 3)
    ref = radau_end_states(s2, c2)
    batched = integrate(s2, c2, rtol=rtol)
    lsoda_y, lsoda_ok = solve_ivp_end_states(
        s2, c2, method="LSODA", rtol=ODEINT_DEFAULT_TOL, atol=ODEINT_DEFAULT_TOL
    )
    odeint_y, odeint_ok = odeint_end_states(s2, c2)
    rows = [
        (f"batched extrapolation order {EXTRAPOLATION_ORDER} (rtol={rtol:g})", args.n_batched,
         batched_rate, error_summary(batched.state, ref)),
        (f"solve_ivp LSODA per traj (rtol=atol={ODEINT_DEFAULT_TOL:g})", args.n_lsoda, lsoda_rate,
         error_summary(lsoda_y, ref)),
        ("odeint (LSODA) per traj, its defaults", args.n_lsoda, odeint_rate,
         error_summary(odeint_y, ref)),
    ]  # fmt: skip
    print(
        f"\nflight simulator benchmark (1 thread, horizon 0.02 s; errors on {args.n_accuracy} "
        "trajectories vs Radau rtol=atol=1e-10;\n'err' = max |y-ref|/max(|ref|,1), 'rel' = pure "
        "relative error where |ref|>1, '>1e-6' = fraction of trajectories beyond 1e-6)"
    )
    print(f"{'method':52s} {'n':>6s} {'traj/s/core':>11s} {'err':>9s} {'rel':>9s} {'>1e-6':>6s}")
    for name, n, rate, acc in rows:
        print(f"{name:52s} {n:6d} {rate:11.0f} {acc['worst']:9.2e} "
              f"{acc['worst_pure_rel(|ref|>1)']:9.2e} {acc['frac>1e-6']:6.1%}")  # fmt: skip
    print(
        f"speed-up batched / solve_ivp LSODA: {batched_rate / lsoda_rate:.1f}x, "
        f"batched / odeint: {batched_rate / odeint_rate:.1f}x "
        f"(batched steps per trajectory: mean {batched.steps.mean():.0f}, max {batched.steps.max()}; "
        f"solve_ivp LSODA failures: {int((~lsoda_ok).sum())}; odeint gave up (warned) on "
        f"{int((~odeint_ok).sum())} of {args.n_accuracy})"
    )
    if args.million:
        with tempfile.TemporaryDirectory() as tmp:
            wall = million(args.million_n, Path(tmp))
        print(f"{args.million_n} trajectories via CLI, 2 shards on 2 processes: {wall:.0f} s wall "
              f"({args.million_n / wall:.0f} traj/s)")  # fmt: skip


if __name__ == "__main__":
    main()
