"""Benchmark of signed (coloured) motif counts and the class-preserving degree null, one core.

    python benchmarks/signed_motifs.py --network ../shared/reference/data/zahn2022_network/cut0.93.npz
    python benchmarks/signed_motifs.py --mixing   # null means against switches per edge

Network: the reference study's 10-400-400-400-16-7 network pruned to 93 % (about 7 % density
in the 400-wide blocks; sign classes, bias nodes), as its live part and unstripped (all 400-wide
layers, the worst case). Without --network the file is looked up next to the repository
(../shared/... or ../../shared/...); failing that, a random 7 % network with normal weights is
used and named as such. Timed against naive baselines in the same run: (1) coloured counts
against Python loops over nodes and node pairs (the results are compared); (2) degree_signed
z-scores from 1000 samples against sequential same-class edge switches in Python with the naive
counting, timed on a few samples and extrapolated (printed as such); the unsigned degree null
is timed too, for the price of the colours. Timings on a shared machine are noisy.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from sparsemotifs.motifs.analysis import analyse  # noqa: E402
from sparsemotifs.motifs.counts import MOTIFS  # noqa: E402
from sparsemotifs.motifs.graph import LayeredGraph  # noqa: E402
from sparsemotifs.motifs.signed import (  # noqa: E402
    ColouredGraph,
    colour,
    compositions,
    count_coloured,
    load_coloured,
    strip_dead_coloured,
)
from sparsemotifs.motifs.signed_null import analyse_signed  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
NETWORK = Path("reference/data/zahn2022_network/cut0.93.npz")
WIDTHS = (10, 400, 400, 400, 16, 7)


def find_network() -> Path | None:
    for base in (REPO.parent / "shared", REPO.parents[1] / "shared"):
        if (base / NETWORK).exists():
            return base / NETWORK
    return None


def random_network(seed: int = 0, density: float = 0.07) -> ColouredGraph:
    rng = np.random.default_rng(seed)
    masks = [rng.random((WIDTHS[i], WIDTHS[i + 1])) < density for i in range(len(WIDTHS) - 1)]
    graph = LayeredGraph.from_masks(masks, [np.ones(w, bool) for w in WIDTHS[1:]])
    weights = [rng.normal(size=m.shape) for m in masks]
    return colour(graph, weights, [rng.normal(size=w) for w in WIDTHS[1:]], "sign")


# ---------------------------------------------------------------- naive reference (loops)
def _rows(g: ColouredGraph, li: int) -> list[np.ndarray]:
    rows = [g.blocks[li][i] for i in range(g.blocks[li].shape[0])]
    if g.bias[li] is not None:
        rows.append(g.bias[li])
    return rows


def _comp(classes, n_classes):
    return tuple(classes.count(c) for c in range(n_classes))


def _naive_stars(out: dict, rows: list, stacked: np.ndarray, nc: int) -> None:
    for which, vectors in (("diverging", rows), ("converging", list(stacked.T))):
        for vec in vectors:
            deg = [int(np.count_nonzero(vec == c + 1)) for c in range(nc)]
            if which == "diverging":
                for c in range(nc):
                    out["edges"][_comp([c], nc)] += deg[c]
            for k in (2, 3):
                for comp in compositions(k, nc):
                    out[f"{which}_{k}"][comp] += math.prod(
                        math.comb(deg[c], comp[c]) for c in range(nc)
                    )


def _naive_bi_fans(out: dict, rows: list, nc: int) -> None:
    """Pairs of sources; their common targets by the pair of edge classes."""
    for i in range(len(rows)):
        for k in range(i + 1, len(rows)):
            common = (rows[i] > 0) & (rows[k] > 0)
            items = list(
                Counter(zip(rows[i][common] - 1, rows[k][common] - 1, strict=True)).items()
            )
            for x, (t, nt) in enumerate(items):
                out["bi_fan"][_comp(list(t) * 2, nc)] += math.comb(nt, 2)
                for u, nu in items[x + 1 :]:
                    out["bi_fan"][_comp(list(t) + list(u), nc)] += nt * nu


def _naive_paths(out: dict, row: np.ndarray, nxt: np.ndarray, out2, nc: int) -> None:
    """From one source: 2-paths by (class, class) to every target -> bi-parallels, chain_3."""
    paths = {(p, q): np.zeros(nxt.shape[1], np.int64) for p in range(nc) for q in range(nc)}
    for b in np.nonzero(row)[0]:
        for q in range(nc):
            paths[int(row[b]) - 1, q] += nxt[b] == q + 1
    keys = list(paths)
    for x, t in enumerate(keys):
        out["bi_parallel"][_comp(list(t) * 2, nc)] += int((paths[t] * (paths[t] - 1) // 2).sum())
        for u in keys[x + 1 :]:
            out["bi_parallel"][_comp(list(t) + list(u), nc)] += int((paths[t] * paths[u]).sum())
    if out2 is not None:
        for (p, q), v in paths.items():
            for s in range(nc):
                out["chain_3"][_comp([p, q, s], nc)] += int(v @ out2[s])


def naive_coloured_counts(g: ColouredGraph) -> dict[str, Counter]:
    """Python loops over nodes and node pairs; motif -> Counter(composition -> count)."""
    nc = g.n_classes
    out = {m: Counter() for m in MOTIFS}
    nb = g.n_blocks
    for li in range(nb):
        rows = _rows(g, li)
        stacked = np.array(rows, dtype=np.int8).reshape(len(rows), g.blocks[li].shape[1])
        _naive_stars(out, rows, stacked, nc)
        _naive_bi_fans(out, rows, nc)
        if li + 1 >= nb:
            continue
        nxt = g.blocks[li + 1]
        for b in range(nxt.shape[0]):  # chain_2 through middle b
            for p in range(nc):
                n_in = int(np.count_nonzero(stacked[:, b] == p + 1))
                for q in range(nc):
                    out["chain_2"][_comp([p, q], nc)] += n_in * int(
                        np.count_nonzero(nxt[b] == q + 1)
                    )
        out2 = None
        if li + 2 < nb:
            out2 = np.stack([(g.blocks[li + 2] == c + 1).sum(axis=1) for c in range(nc)])
        for row in rows:
            _naive_paths(out, row, nxt, out2, nc)
    return out


def naive_signed_sample(g: ColouredGraph, switches_per_edge: float, rnd: random.Random):
    """Sequential same-class (and double) switches on a dense copy, one at a time."""
    blocks, bias = [], []
    for w, b in zip(g.blocks, g.bias, strict=True):
        full = (w if b is None else np.vstack([w, b[None]])).copy()
        edges = list(zip(*np.nonzero(full), strict=True))
        where = {e: k for k, e in enumerate(edges)}
        for _ in range(int(switches_per_edge * len(edges))):
            i, j = rnd.randrange(len(edges)), rnd.randrange(len(edges))
            (a, x), (c, y) = edges[i], edges[j]
            code, other = full[a, x], full[a, y]
            if full[c, y] == code and a != c and x != y and full[c, x] == other != code:
                full[a, x] = full[c, y] = other  # 0, or a double switch with another class
                full[a, y] = full[c, x] = code
                if other:
                    k, q = where[a, y], where[c, x]
                    edges[k], edges[q] = (a, x), (c, y)
                    where[a, x], where[c, y] = k, q
                else:
                    del where[a, x], where[c, y]
                edges[i], edges[j] = (a, y), (c, x)
                where[a, y], where[c, x] = i, j
        n = w.shape[0]
        blocks.append(full[:n])
        bias.append(None if b is None else full[n])
    return ColouredGraph(tuple(blocks), tuple(bias), g.labels)


def _best_of(fn, repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def benchmark_one(g: ColouredGraph, samples: int, naive_samples: int, spe: float) -> None:
    fast = count_coloured(g)
    slow = naive_coloured_counts(g)
    agree = all(
        int(fast[m][c].sum()) == slow[m].get(c, 0) for m in MOTIFS for c in fast[m]
    ) and all(c in fast[m] for m in MOTIFS for c in slow[m])
    print(f"naive and vectorised coloured counts agree: {agree}")
    t_fast = _best_of(lambda: count_coloured(g), 5)
    t_slow = _best_of(lambda: naive_coloured_counts(g), 1)
    print(
        f"coloured counts, one network: vectorised {t_fast * 1e3:.1f} ms, naive {t_slow:.2f} s "
        f"(x{t_slow / t_fast:.0f})"
    )
    t = time.perf_counter()
    res = analyse_signed(g, samples=samples, rng=np.random.default_rng(0), switches_per_edge=spe)
    t_signed = time.perf_counter() - t
    t = time.perf_counter()
    analyse(
        g.topology(), "degree", samples=samples, rng=np.random.default_rng(0), switches_per_edge=spe
    )
    t_plain = time.perf_counter() - t
    rnd = random.Random(0)
    t = time.perf_counter()
    for _ in range(naive_samples):
        naive_coloured_counts(naive_signed_sample(g, spe, rnd))
    t_naive = (time.perf_counter() - t) / naive_samples * samples
    print(
        f"degree_signed z, {samples} samples, {spe:g} switches/edge: {t_signed:.1f} s; naive "
        f"~{t_naive:.0f} s (extrapolated from {naive_samples}) -> x{t_naive / t_signed:.0f}; "
        f"unsigned degree null {t_plain:.1f} s (colours cost x{t_signed / t_plain:.1f})"
    )
    for key in ("bi_fan|pos=2", "bi_fan|pos=1", "bi_parallel|pos=2", "chain_3|pos=1"):
        r = res.total[key]
        print(
            f"  {key:18s} count {r['count']:>9d}  null {r['null_mean']:12.1f} +- "
            f"{r['null_sd']:8.1f}  z {r['z']:+.2f}"
        )


def benchmark(g: ColouredGraph, samples: int, naive_samples: int, spe: float) -> None:
    live, _ = strip_dead_coloured(g)
    for name, graph in (("live part", live), ("unstripped (all nodes, worst case)", g)):
        edges = sum(sum(c) for c in graph.class_edge_counts())
        widths = [w.shape[0] for w in graph.blocks] + [graph.blocks[-1].shape[1]]
        print(f"\n== {name}: widths {widths}, edges incl. bias {edges} (neg/pos per block "
              f"{graph.class_edge_counts()})")  # fmt: skip
        benchmark_one(graph, samples, naive_samples, spe)


def mixing(g: ColouredGraph, samples: int, settings: list[float]) -> None:
    """Null means of the informative coloured motifs against switches per edge."""
    live, _ = strip_dead_coloured(g)
    keys = ("bi_fan|pos=2", "bi_parallel|pos=2", "chain_3|pos=1")
    print("degree_signed: switches/edge -> null mean (sd), seconds; observed:",
          {k: analyse_signed(live, samples=2, switches_per_edge=0.01).total[k]["count"] for k in keys})  # fmt: skip
    for s in settings:
        t = time.perf_counter()
        res = analyse_signed(
            live, samples=samples, rng=np.random.default_rng(0), switches_per_edge=s
        )
        cells = "  ".join(
            f"{k} {res.total[k]['null_mean']:10.1f} ({res.total[k]['null_sd']:6.1f})" for k in keys
        )
        print(f"  {s:6g}: {cells}  [{time.perf_counter() - t:.1f} s]")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--network", default=None, help="network .npz (weights needed)")
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--naive-samples", type=int, default=2)
    ap.add_argument("--switches-per-edge", type=float, default=10)
    ap.add_argument("--mixing", action="store_true", help="measure mixing instead of timing")
    ap.add_argument("--mixing-samples", type=int, default=100)
    ap.add_argument("--settings", default="0.25,0.5,1,2,5,10,20")
    args = ap.parse_args()
    path = Path(args.network) if args.network else find_network()
    if path is not None:
        print(f"network: {path} (sign classes, bias nodes)")
        g = load_coloured(path)
    else:
        print("network: reference file not found; random 10-400-400-400-16-7 at 7 % density")
        g = random_network()
    if args.mixing:
        mixing(g, args.mixing_samples, [float(x) for x in args.settings.split(",")])
    else:
        benchmark(g, args.samples, args.naive_samples, args.switches_per_edge)


if __name__ == "__main__":
    main()
