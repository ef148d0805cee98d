"""Throughput and accuracy of the flight simulator's kernels against per-trajectory LSODA.

Single thread (BLAS/OpenMP/numba pinned to 1). In one run, trajectories per CPU-second of this
process (= per core; robust on a shared machine) of
  - the compiled kernel (numba, 16 SIMD lanes; the default),
  - the batched numpy kernel (same method; the first implementation),
  - the original study's method: scipy.integrate.odeint (LSODA) per trajectory, its default
    tolerances rtol = atol = 1.49012e-8, calling a numba-compiled right-hand side
    (`reference.odeint_compiled_end_states`),
each at the configured default rtol, against a Radau reference (rtol = atol = 1e-10) on a
sample: worst error under the criterion of sparsemotifs.flight.accuracy
(|y - ref| <= 1e-6 max(|ref|, 1)), worst pure relative error where |ref| > 1, and the fraction
of trajectories beyond 1e-6; then the ratios. It also reports the numba kernel's first-call time
in a fresh process with and without its on-disk cache (compile time). `--million` also times
10^6 trajectories end to end through the CLI as 2 shards on 2 processes.

    .venv/bin/python benchmarks/simulate.py [--n-fast 20000] [--n-lsoda 1000] [--repeat 3] [--million]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
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
    odeint_compiled_end_states,
    radau_end_states,
)
from sparsemotifs.flight.sampling import DEFAULT_RANGES, draw  # noqa: E402

FIRST_CALL = """
import time
start = time.perf_counter()
import numpy as np
from sparsemotifs.flight import kernel
if {cold}:
    from numba.core.caching import NullCache
    for obj in vars(kernel).values():
        if hasattr(obj, "_cache"):
            obj._cache = NullCache()
from sparsemotifs.flight.integrate import integrate
from sparsemotifs.flight.sampling import draw
integrate(*draw(np.random.default_rng(0), 2))
print(time.perf_counter() - start)
"""


def sample(n: int, seed: int):
    return draw(np.random.default_rng(seed), n, DEFAULT_RANGES)


def best_rates(jobs: dict, repeat: int) -> dict:
    """Trajectories per CPU-second of this process, best of `repeat` rounds per job.

    jobs: name -> (function, trajectories). The rounds interleave the jobs, so that a change in
    the machine's load during the run hits all of them alike.
    """
    best = dict.fromkeys(jobs, float("inf"))
    for _ in range(repeat):
        for name, (fn, _n) in jobs.items():
            start = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - start)
    return {name: jobs[name][1] / best[name] for name in jobs}


def first_call_seconds(cold: bool) -> float:
    """Import plus first integrate() call of the numba kernel in a fresh process."""
    code = FIRST_CALL.format(cold=cold)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


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
    ap.add_argument("--n-fast", type=int, default=20000, help="trajectories timed per kernel")
    ap.add_argument("--n-lsoda", type=int, default=1000)
    ap.add_argument("--n-accuracy", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rtol", type=float, default=None, help="default: the config's default")
    ap.add_argument("--million", action="store_true", help="also time 1e6 trajectories via the CLI")
    ap.add_argument("--million-n", type=int, default=1_000_000, help=argparse.SUPPRESS)
    args = ap.parse_args()
    rtol = args.rtol or validate_section("simulation", {"n_trajectories": 1})["rtol"]

    cold, warm = first_call_seconds(cold=True), first_call_seconds(cold=False)
    s0, c0 = sample(args.n_fast, 1)
    integrate(s0[:2], c0[:2])  # compile or load the numba kernel before timing
    n_np = max(args.n_fast // 4, 1)
    s1, c1 = sample(args.n_lsoda, 2)
    odeint_compiled_end_states(s1[:2], c1[:2])  # compile the right-hand side
    rates = best_rates(
        {
            "numba": (lambda: integrate(s0, c0, rtol=rtol), args.n_fast),
            "numpy": (lambda: integrate(s0[:n_np], c0[:n_np], rtol=rtol, kernel="numpy"), n_np),
            "lsoda": (lambda: odeint_compiled_end_states(s1, c1), args.n_lsoda),
        },
        args.repeat,
    )
    fast_rate, numpy_rate, lsoda_rate = rates["numba"], rates["numpy"], rates["lsoda"]

    s2, c2 = sample(args.n_accuracy, 3)
    ref = radau_end_states(s2, c2)
    fast = integrate(s2, c2, rtol=rtol)
    batched = integrate(s2, c2, rtol=rtol, kernel="numpy")
    lsoda_y, lsoda_ok = odeint_compiled_end_states(s2, c2)
    rows = [
        (f"numba kernel, extrapolation order {EXTRAPOLATION_ORDER} (rtol={rtol:g})", args.n_fast,
         fast_rate, error_summary(fast.state, ref)),
        (f"numpy batched, same method (rtol={rtol:g})", n_np, numpy_rate,
         error_summary(batched.state, ref)),
        (f"odeint LSODA per traj, numba RHS (rtol=atol={ODEINT_DEFAULT_TOL:g})", args.n_lsoda,
         lsoda_rate, error_summary(lsoda_y, ref)),
    ]  # fmt: skip
    print(
        f"\nflight simulator benchmark (1 thread, horizon 0.02 s; errors on {args.n_accuracy} "
        "trajectories vs Radau rtol=atol=1e-10;\n'err' = max |y-ref|/max(|ref|,1), 'rel' = pure "
        "relative error where |ref|>1, '>1e-6' = fraction of trajectories beyond 1e-6)"
    )
    print(f"{'method':62s} {'n':>6s} {'traj/s/core':>11s} {'err':>9s} {'rel':>9s} {'>1e-6':>6s}")
    for name, n, rate, acc in rows:
        print(f"{name:62s} {n:6d} {rate:11.0f} {acc['worst']:9.2e} "
              f"{acc['worst_pure_rel(|ref|>1)']:9.2e} {acc['frac>1e-6']:6.1%}")  # fmt: skip
    print(
        f"speed-up numba / compiled LSODA: {fast_rate / lsoda_rate:.1f}x, "
        f"numpy / compiled LSODA: {numpy_rate / lsoda_rate:.1f}x, "
        f"numba / numpy: {fast_rate / numpy_rate:.1f}x\n"
        f"steps per trajectory: mean {fast.steps.mean():.1f}, max {fast.steps.max()} "
        f"(+ {fast.rejected.mean():.2f} rejected); odeint gave up (warned) on "
        f"{int((~lsoda_ok).sum())} of {args.n_accuracy}\n"
        f"numba kernel, import + first call in a fresh process: {cold:.1f} s compiling, "
        f"{warm:.1f} s from its cache"
    )
    if args.million:
        with tempfile.TemporaryDirectory() as tmp:
            wall = million(args.million_n, Path(tmp))
        print(f"{args.million_n} trajectories via CLI, 2 shards on 2 processes: {wall:.0f} s wall "
              f"({args.million_n / wall:.0f} traj/s)")  # fmt: skip


if __name__ == "__main__":
    main()
