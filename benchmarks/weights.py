"""Weight-metric stage hot paths, each against a baseline measured in the same run.

1. Symmetrised KL of two KDEs: binned evaluation (linear binning + Gaussian filter) against
   direct scipy gaussian_kde evaluation on the same grid; prints the ratio and the difference.
2. Metrics of one width-48 network (default study's widths): vectorised strengths against a
   per-node Python loop over the weight matrices.

    .venv/bin/python benchmarks/weights.py [--n 4000] [--repeat 20]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy import stats as sps  # noqa: E402
from scipy.integrate import trapezoid  # noqa: E402

from sparsemotifs.weights import compare, metrics  # noqa: E402
from sparsemotifs.weights.network import Network  # noqa: E402

WIDTHS = [10, 48, 48, 48, 16, 7]


def direct_kl(a, b, n_grid):
    kp, kq = sps.gaussian_kde(a), sps.gaussian_kde(b)
    pad = 4 * max(np.sqrt(kp.covariance[0, 0]), np.sqrt(kq.covariance[0, 0]))
    grid = np.linspace(min(a.min(), b.min()) - pad, max(a.max(), b.max()) + pad, n_grid)
    p, q = kp(grid), kq(grid)
    floor = compare.DENSITY_FLOOR * max(p.max(), q.max())
    p, q = np.maximum(p, floor), np.maximum(q, floor)
    p, q = p / trapezoid(p, grid), q / trapezoid(q, grid)
    return float(trapezoid((p - q) * np.log(p / q), grid))


def loop_strength(net: Network) -> list[np.ndarray]:
    out = [np.array([net.weights[0][i].sum() + 1.0 for i in range(net.widths[0])])]
    for li in range(1, net.n_blocks):
        w_in, w_out, b = net.weights[li - 1], net.weights[li], net.biases[li - 1]
        out.append(
            np.array([w_out[i].sum() + w_in[:, i].sum() + b[i] for i in range(w_out.shape[0])])
        )
    w, b = net.weights[-1], net.biases[-1]
    out.append(np.array([w[:, j].sum() + b[j] + 1.0 for j in range(w.shape[1])]))
    return out


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=compare.MAX_SAMPLE)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, args.n), rng.normal(0.3, 1.2, args.n)
    kp = sps.gaussian_kde(a)
    n_grid = int(
        np.ceil(
            5
            * (np.ptp(np.r_[a, b]) + 8 * 1.2 * np.sqrt(kp.covariance[0, 0]))
            / np.sqrt(kp.covariance[0, 0])
        )
    )
    n_grid = max(n_grid, compare.GRID_SIZE)
    t_binned = best(lambda: compare.symmetric_kl(a, b), args.repeat)
    t_direct = best(lambda: direct_kl(a, b, n_grid), max(2, args.repeat // 5))
    kl_b, kl_d = compare.symmetric_kl(a, b), direct_kl(a, b, n_grid)

    weights = tuple(rng.normal(0, 1, (m, n)) for m, n in zip(WIDTHS[:-1], WIDTHS[1:], strict=True))
    biases = tuple(rng.normal(0, 0.1, n) for n in WIDTHS[1:])
    net = Network(weights, biases, tuple(np.ones(w.shape, bool) for w in weights),
                  tuple(np.ones(b.shape, bool) for b in biases))  # fmt: skip
    t_vec = best(lambda: metrics.node_strength(net), args.repeat)
    t_loop = best(lambda: loop_strength(net), args.repeat)
    diff = max(
        np.abs(x - y).max()
        for x, y in zip(metrics.node_strength(net), loop_strength(net), strict=True)
    )
    t_rows = best(lambda: metrics.network_rows(net, {"ensemble": "e", "seed": 0, "level": 0}), 5)
    t_vals = best(lambda: metrics.network_values(net, {"ensemble": "e", "seed": 0, "level": 0}), 5)

    print(f"\nweights benchmark (1 thread; KDE samples of {args.n}, grid {n_grid})")
    print(f"symmetric KL, binned KDE      : {t_binned * 1e3:8.2f} ms")
    print(
        f"symmetric KL, direct kde(grid): {t_direct * 1e3:8.2f} ms   ratio {t_direct / t_binned:6.1f}x"
    )
    print(f"  KL binned {kl_b:.5f} vs direct {kl_d:.5f} (rel diff {abs(kl_b - kl_d) / kl_d:.1e})")
    print(f"node strength, vectorised     : {t_vec * 1e6:8.1f} us")
    print(f"node strength, per-node loop  : {t_loop * 1e6:8.1f} us   ratio {t_loop / t_vec:6.1f}x"
          f"  (max diff {diff:.1e})")  # fmt: skip
    print(f"summary rows + value table per width-48 network: {(t_rows + t_vals) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
