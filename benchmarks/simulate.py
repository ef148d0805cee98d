"""Throughput and accuracy of the flight simulator's kernels against per-trajectory LSODA.

Single thread (BLAS/OpenMP/numba pinned to 1). In one run, trajectories per CPU-second of this
process (= per core; robust on a shared machine) of
  - the default kernel: Rosenbrock Rodas5P with the exact Jacobian, compiled (rodas),
  - the other candidates tried for issue 13: RODAS4 in the same kernel, and the order-11
    extrapolation kernel (numba) with the in-step angle-addition sin/cos,
  - the compiled extrapolation kernel as it was before (libm sin/cos in every right-hand side),
  - the batched numpy kernel (extrapolation; the first implementation),
  - the original study's method: scipy.integrate.odeint (LSODA) per trajectory, its default
    tolerances rtol = atol = 1.49012e-8, calling a numba-compiled right-hand side
    (`reference.odeint_compiled_end_states`),
each at the configured default rtol, against a Radau reference (rtol = atol = 1e-10) on a
sample: worst error under the criterion of sparsemotifs.flight.accuracy
(|y - ref| <= 1e-6 max(|ref|, 1)), worst pure relative error where |ref| > 1, and the fraction
of trajectories beyond 1e-6; right-hand sides per trajectory and CPU-ns per right-hand side
(what bounds each kernel); then the ratios. It also reports the default kernel's first-call
time in a fresh process with and without its on-disk cache (compile time). `--million` also times
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

from sparsemotifs.flight.accuracy import TOLERANCE, pure_relative_error, relative_error  # noqa: E402
from sparsemotifs.flight.integrate import EXTRAPOLATION_ORDER, default_rtol, integrate  # noqa: E402
from sparsemotifs.flight.reference import (  # noqa: E402
    ODEINT_DEFAULT_TOL,
    odeint_compiled_end_states,
    radau_end_states,
)
from sparsemotifs.flight.sampling import DEFAULT_RANGES, draw  # noqa: E402
from sparsemotifs.flight.tableaux import TABLEAUX  # noqa: E402

FIRST_CALL = """
import time
start = time.perf_counter()
import numpy as np
from sparsemotifs.flight import kernel, lanes, rosenbrock
if {cold}:
    from numba.core.caching import NullCache
    for module in (kernel, lanes, rosenbrock):
        for obj in vars(module).values():
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


_EXTRAPOLATION_RHS = EXTRAPOLATION_ORDER * (EXTRAPOLATION_ORDER - 1) // 2 + 1  # per step
# name -> (integrate options, right-hand sides per attempted step); rtol: the kernel's default
KERNELS = {
    "rodas5p": ({"kernel": "rodas", "method": "rodas5p"}, TABLEAUX["rodas5p"].stages),
    "rodas4": ({"kernel": "rodas", "method": "rodas4"}, TABLEAUX["rodas4"].stages),
    "numba": ({"kernel": "numba"}, _EXTRAPOLATION_RHS),
    "numba_libm": ({"kernel": "numba", "near_trig": False}, _EXTRAPOLATION_RHS),
    "numpy": ({"kernel": "numpy"}, _EXTRAPOLATION_RHS),
}
LABELS = {
    "rodas5p": "rodas: Rodas5P, exact Jacobian (DEFAULT)",
    "rodas4": "rodas: RODAS4, exact Jacobian (candidate)",
    "numba": f"numba: extrapolation {EXTRAPOLATION_ORDER}, in-step trig (candidate)",
    "numba_libm": "numba: extrapolation, libm trig (kernel before)",
    "numpy": "numpy batched extrapolation",
}


def options_for(name, rtol):
    opts = dict(KERNELS[name][0])
    opts["rtol"] = rtol or default_rtol(opts["kernel"], opts.get("method"))
    return opts


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
    rtol = args.rtol  # None: each kernel's calibrated default

    cold, warm = first_call_seconds(cold=True), first_call_seconds(cold=False)
    s0, c0 = sample(args.n_fast, 1)
    n_np = max(args.n_fast // 4, 1)
    sizes = {name: n_np if name == "numpy" else args.n_fast for name in KERNELS}
    for name in KERNELS:
        integrate(s0[:2], c0[:2], **options_for(name, rtol))  # compile or load before timing
    s1, c1 = sample(args.n_lsoda, 2)
    odeint_compiled_end_states(s1[:2], c1[:2])  # compile the right-hand side
    jobs = {
        name: (lambda name=name: integrate(s0[: sizes[name]], c0[: sizes[name]],
                                           **options_for(name, rtol)), sizes[name])
        for name in KERNELS
    }  # fmt: skip
    jobs["lsoda"] = (lambda: odeint_compiled_end_states(s1, c1), args.n_lsoda)
    rates = best_rates(jobs, args.repeat)

    s2, c2 = sample(args.n_accuracy, 3)
    ref = radau_end_states(s2, c2)
    rows = []
    for name, (_opts, rhs_per_step) in KERNELS.items():
        opts = options_for(name, rtol)
        res = integrate(s2, c2, **opts)
        attempts = float((res.steps + res.rejected).mean())
        rhs = attempts * rhs_per_step if rhs_per_step else np.nan
        rows.append((f"{LABELS[name]} (rtol={opts['rtol']:g})", sizes[name], rates[name],
                     error_summary(res.state, ref), attempts, rhs))  # fmt: skip
    lsoda_y, lsoda_ok = odeint_compiled_end_states(s2, c2)
    rows.append((f"odeint LSODA per traj, numba RHS (rtol=atol={ODEINT_DEFAULT_TOL:g})",
                 args.n_lsoda, rates["lsoda"], error_summary(lsoda_y, ref), np.nan, np.nan))  # fmt: skip
    print(
        f"\nflight simulator benchmark (1 thread, horizon 0.02 s; errors on {args.n_accuracy} "
        "trajectories vs Radau rtol=atol=1e-10;\n'err' = max |y-ref|/max(|ref|,1), 'rel' = pure "
        "relative error where |ref|>1, '>1e-6' = fraction of trajectories beyond 1e-6;\n"
        "'steps' = attempted steps per trajectory, 'RHS' = right-hand sides per trajectory, "
        "'ns/RHS' = CPU time per trajectory / RHS)"
    )
    print(f"{'method':66s} {'n':>6s} {'traj/s/core':>11s} {'x LSODA':>7s} {'err':>9s} "
          f"{'rel':>9s} {'>1e-6':>6s} {'steps':>6s} {'RHS':>6s} {'ns/RHS':>6s}")  # fmt: skip
    lsoda_rate = rates["lsoda"]
    for name, n, rate, acc, attempts, rhs in rows:
        print(f"{name:66s} {n:6d} {rate:11.0f} {rate / lsoda_rate:7.1f} {acc['worst']:9.2e} "
              f"{acc['worst_pure_rel(|ref|>1)']:9.2e} {acc['frac>1e-6']:6.1%} {attempts:6.1f} "
              f"{rhs:6.0f} {1e9 / rate / rhs:6.1f}")  # fmt: skip
    print(
        f"speed-up default (Rodas5P) / compiled LSODA: {rates['rodas5p'] / lsoda_rate:.1f}x; "
        f"/ kernel before (numba, libm trig): {rates['rodas5p'] / rates['numba_libm']:.2f}x; "
        f"/ numpy: {rates['rodas5p'] / rates['numpy']:.1f}x; kernel before / LSODA: "
        f"{rates['numba_libm'] / lsoda_rate:.1f}x\n"
        f"odeint gave up (warned) on {int((~lsoda_ok).sum())} of {args.n_accuracy}\n"
        f"default kernel, import + first call in a fresh process: {cold:.1f} s compiling, "
        f"{warm:.1f} s from its cache"
    )
    if args.million:
        with tempfile.TemporaryDirectory() as tmp:
            wall = million(args.million_n, Path(tmp))
        print(f"{args.million_n} trajectories via CLI, 2 shards on 2 processes: {wall:.0f} s wall "
              f"({args.million_n / wall:.0f} traj/s)")  # fmt: skip


if __name__ == "__main__":
    main()
