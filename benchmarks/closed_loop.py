"""Closed-loop evaluation per network: batched (all networks' lanes in one integration) against a
naive per-trajectory loop (forward pass on one row, scipy solve_ivp LSODA at odeint's default
tolerances), in the same run.

Single thread. Networks are random dense ones of the default study's widths; trajectories come
from a freshly simulated dataset. Prints seconds per network (n trajectories each) for both, the
ratio, and the largest difference of the reached-state errors between the two (the batched
result against a Radau rtol=atol=1e-10 reference is also printed).

    .venv/bin/python benchmarks/closed_loop.py [--networks 12] [--n 200] [--n-naive 40]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from sparsemotifs.dataset import build_training_data  # noqa: E402
from sparsemotifs.flight.reference import ODEINT_DEFAULT_TOL, solve_ivp_end_states  # noqa: E402
from sparsemotifs.flight.simulate import simulate  # noqa: E402
from sparsemotifs.function import closed_loop as cl  # noqa: E402
from sparsemotifs.weights.network import Network  # noqa: E402

WIDTHS = [10, 48, 48, 48, 16, 7]


def random_network(rng: np.random.Generator) -> Network:
    weights = tuple(
        rng.normal(0, 1 / np.sqrt(a), (a, b)) for a, b in zip(WIDTHS[:-1], WIDTHS[1:], strict=True)
    )
    biases = tuple(rng.normal(0, 0.05, b) for b in WIDTHS[1:])
    masks = tuple(np.ones(w.shape, bool) for w in weights)
    return Network(weights, biases, masks, tuple(np.ones(b.shape, bool) for b in biases))


def naive(net: Network, traj: cl.Trajectories, y_scaler, method="LSODA", tol=ODEINT_DEFAULT_TOL):
    """One trajectory at a time: predict, unscale, solve_ivp, error."""
    errors = []
    for i in range(len(traj.state0)):
        y = y_scaler.inverse(cl.forward(net, traj.x_scaled[i : i + 1]))
        controls = cl.controls_from_outputs(y)
        end, _ = solve_ivp_end_states(traj.state0[i : i + 1], controls, method=method, rtol=tol,
                                      atol=tol)  # fmt: skip
        errors.append(cl.reached_errors(end, traj.desired[i : i + 1])[0])
    return np.array(errors)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--networks", type=int, default=12, help="networks per batched call (a chunk)")
    ap.add_argument("--n", type=int, default=200, help="trajectories per network")
    ap.add_argument("--n-naive", type=int, default=40, help="trajectories timed in the naive loop")
    args = ap.parse_args()
    table, _ = simulate(max(2000, 4 * args.n), seed=11)
    data = build_training_data(table, fractions=(0.5, 0.25, 0.25), split_seed=0)
    traj = cl.test_trajectories(data, args.n)
    rng = np.random.default_rng(0)
    nets = [
        ({"ensemble": "bench", "seed": i, "level": 0}, random_network(rng))
        for i in range(args.networks)
    ]

    start = time.perf_counter()
    batched = cl.closed_loop_table(nets, traj, y_scaler=data.y_scaler)
    per_net_batched = (time.perf_counter() - start) / args.networks

    small = cl.Trajectories(
        *(a[: args.n_naive] for a in (traj.state0, traj.desired, traj.controls, traj.x_scaled))
    )
    start = time.perf_counter()
    naive_err = naive(nets[0][1], small, data.y_scaler)
    per_net_naive = (time.perf_counter() - start) * args.n / args.n_naive

    controls = cl.controls_from_outputs(
        data.y_scaler.inverse(cl.forward(nets[0][1], small.x_scaled))
    )
    fast_err = cl.reached_errors(cl.fly(small.state0, controls).state, small.desired)
    radau_end, _ = solve_ivp_end_states(
        small.state0, controls, method="Radau", rtol=1e-10, atol=1e-10
    )
    radau_err = cl.reached_errors(radau_end, small.desired)
    print(f"\nclosed-loop benchmark (1 thread, widths {WIDTHS}, {args.n} trajectories per network)")
    print(f"batched, {args.networks} networks per call : {per_net_batched:8.3f} s per network")
    print(
        f"naive per-trajectory solve_ivp LSODA   : {per_net_naive:8.3f} s per network "
        f"(timed on {args.n_naive} trajectories, scaled)"
    )
    print(f"speed-up                               : {per_net_naive / per_net_batched:8.1f}x")
    print(
        f"max |error difference| batched vs LSODA: {np.abs(fast_err - naive_err).max():.2e}"
        f"  vs Radau 1e-10: {np.abs(fast_err - radau_err).max():.2e} (cm / rad)"
    )
    print(
        f"median position error of random networks: {batched['position_median_cm'].median():.2f} cm"
    )


if __name__ == "__main__":
    main()
