"""Benchmark of motif z-scores on the paper's 10-400-400-400-16-7 architecture, one core.

    python benchmarks/motifs.py            # timings against a naive baseline, same run
    python benchmarks/motifs.py --mixing   # how many switches per edge the degree null needs
    python benchmarks/motifs.py --dense    # degree null on dense levels: complement vs edges

Network: random masks at about 7 % density with bias masks (fixed seed), dead nodes removed.
Timed: (1) exact fixed_count z-scores for all motifs (closed forms) against the naive route of
sampling 1000 fixed-count networks and counting each with Python loops; (2) degree-null
z-scores from 1000 samples against a naive sampler (sequential edge switches in Python) with
the same naive counting. The naive routes are timed on a few samples and extrapolated to 1000
(printed as such). Timings on a shared machine are noisy; run more than once.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from sparsemotifs.motifs.analysis import analyse  # noqa: E402
from sparsemotifs.motifs.counts import MOTIFS, count_batch, count_motifs  # noqa: E402
from sparsemotifs.motifs.graph import LayeredGraph, strip_dead  # noqa: E402
from sparsemotifs.motifs.samplers import sample_fixed_count_min1  # noqa: E402

WIDTHS = (10, 400, 400, 400, 16, 7)
DENSITY = 0.07


def paper_sized_network(seed: int = 0, groups: int = 1, strip: bool = True) -> LayeredGraph:
    """Random masks at ~7 % density; `groups` > 1 plants block structure in hidden blocks."""
    rng = np.random.default_rng(seed)
    masks = []
    for li in range(len(WIDTHS) - 1):
        n, m = WIDTHS[li], WIDTHS[li + 1]
        p = np.full((n, m), DENSITY)
        if groups > 1 and n == m:
            same = (np.arange(n)[:, None] % groups) == (np.arange(m)[None, :] % groups)
            p = np.where(same, DENSITY * groups * 0.8, DENSITY * 0.2 * groups / (groups - 1))
        masks.append(rng.random((n, m)) < p)
    bias = [rng.random(w) < DENSITY for w in WIDTHS[1:]]
    graph = LayeredGraph.from_masks(masks, bias)
    return strip_dead(graph)[0] if strip else graph


# ---------------------------------------------------------------- naive reference (loops)
def _rows(graph: LayeredGraph, li: int) -> list[np.ndarray]:
    w = graph.blocks[li]
    rows = [w[i] for i in range(w.shape[0])]
    if graph.bias[li] is not None:
        rows.append(graph.bias[li])
    return rows


def naive_counts(graph: LayeredGraph) -> dict[str, int]:
    """Straightforward dense counting: Python loops over nodes and node pairs."""
    c = dict.fromkeys(MOTIFS, 0)
    nb = graph.n_blocks
    for li in range(nb):
        rows = _rows(graph, li)
        for i, row in enumerate(rows):
            d = int(row.sum())
            c["edges"] += d
            c["diverging_2"] += math.comb(d, 2)
            c["diverging_3"] += math.comb(d, 3)
            for k in range(i + 1, len(rows)):
                c["bi_fan"] += math.comb(int(np.count_nonzero(row & rows[k])), 2)
        ins = np.sum(rows, axis=0)
        for d in ins:
            c["converging_2"] += math.comb(int(d), 2)
            c["converging_3"] += math.comb(int(d), 3)
        if li + 1 < nb:
            nxt = graph.blocks[li + 1]
            for row in rows:
                paths = np.zeros(nxt.shape[1], dtype=np.int64)
                for b in np.nonzero(row)[0]:
                    paths += nxt[b]
                c["chain_2"] += int(paths.sum())
                c["bi_parallel"] += sum(math.comb(int(p), 2) for p in paths)
                if li + 2 < nb:
                    out2 = graph.blocks[li + 2].sum(axis=1)
                    c["chain_3"] += int(paths @ out2)
    return c


def naive_degree_sample(graph: LayeredGraph, switches_per_edge: float, rnd: random.Random):
    """Sequential edge switches on a dense copy, one at a time."""
    blocks, bias = [], []
    for w, b in zip(graph.blocks, graph.bias, strict=True):
        full = (w if b is None else np.vstack([w, b[None]])).copy()
        edges = list(zip(*np.nonzero(full), strict=True))
        for _ in range(int(switches_per_edge * len(edges))):
            i, j = rnd.randrange(len(edges)), rnd.randrange(len(edges))
            (a, x), (c, y) = edges[i], edges[j]
            if a != c and x != y and not full[a, y] and not full[c, x]:
                full[a, x] = full[c, y] = False
                full[a, y] = full[c, x] = True
                edges[i], edges[j] = (a, y), (c, x)
        n = w.shape[0]
        blocks.append(full[:n])
        bias.append(None if b is None else full[n])
    return LayeredGraph(tuple(blocks), tuple(bias))


def naive_fixed_count_sample(graph: LayeredGraph, rnd: random.Random) -> LayeredGraph:
    blocks, bias = [], []
    for w, b in zip(graph.blocks, graph.bias, strict=True):
        flat = np.zeros(w.size, dtype=bool)
        flat[rnd.sample(range(w.size), int(w.sum()))] = True
        blocks.append(flat.reshape(w.shape))
        if b is None:
            bias.append(None)
        else:
            fb = np.zeros(b.size, dtype=bool)
            fb[rnd.sample(range(b.size), int(b.sum()))] = True
            bias.append(fb)
    return LayeredGraph(tuple(blocks), tuple(bias))


def _best_of(fn, repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def benchmark(samples: int, naive_samples: int, switches_per_edge: float) -> None:
    cases = [
        ("live part of the random 7 % network", paper_sized_network()),
        (
            "the same network unstripped (all 23k edges, worst case)",
            paper_sized_network(strip=False),
        ),
    ]
    for name, graph in cases:
        edges = sum(graph.edge_counts()) + sum(max(b, 0) for b in graph.bias_edge_counts())
        print(f"\n== {name}: widths {graph.widths}, edges incl. bias {edges}")
        benchmark_one(graph, samples, naive_samples, switches_per_edge)


def strip_live_only(graph: LayeredGraph) -> bool:
    """True if the graph has no dead nodes (the min-degree null needs that)."""
    return strip_dead(graph)[1].nodes_live == list(graph.widths)


def benchmark_one(graph, samples: int, naive_samples: int, switches_per_edge: float) -> None:
    fast = {k: int(v.sum()) for k, v in count_motifs(graph).items()}
    slow = naive_counts(graph)
    print(f"naive and vectorised counts agree: {fast == slow}")

    t_count = _best_of(lambda: count_motifs(graph), 5)
    t_naive_count = _best_of(lambda: naive_counts(graph), 1)
    print(
        f"count one network: vectorised {t_count * 1e3:.1f} ms, naive {t_naive_count:.2f} s "
        f"(x{t_naive_count / t_count:.0f})"
    )

    t_exact = _best_of(lambda: analyse(graph, "fixed_count"), 5)
    rnd = random.Random(0)
    t = time.perf_counter()
    for _ in range(naive_samples):
        naive_counts(naive_fixed_count_sample(graph, rnd))
    t_naive_fc = (time.perf_counter() - t) / naive_samples * samples
    print(
        f"fixed_count z (all motifs): exact {t_exact * 1e3:.1f} ms (goal < 100 ms); naive sampling "
        f"of {samples} networks ~{t_naive_fc:.0f} s (extrapolated from {naive_samples}) "
        f"-> x{t_naive_fc / t_exact:.0f}"
    )

    t = time.perf_counter()
    res = analyse(
        graph,
        "degree",
        samples=samples,
        rng=np.random.default_rng(0),
        switches_per_edge=switches_per_edge,
    )
    t_degree = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(naive_samples):
        naive_counts(naive_degree_sample(graph, switches_per_edge, rnd))
    t_naive_deg = (time.perf_counter() - t) / naive_samples * samples
    print(
        f"degree z, {samples} samples, {switches_per_edge:g} switches/edge: {t_degree:.1f} s "
        f"(goal < 60 s); naive ~{t_naive_deg:.0f} s (extrapolated from {naive_samples}) "
        f"-> x{t_naive_deg / t_degree:.0f}"
    )
    if strip_live_only(graph):
        t = time.perf_counter()
        analyse(graph, "fixed_count_min1", samples=samples, rng=np.random.default_rng(0))
        print(
            f"fixed_count_min1 z, {samples} samples (no goal set): {time.perf_counter() - t:.1f} s"
        )
    for m in ("chain_3", "bi_fan", "bi_parallel"):
        r = res.total[m]
        print(
            f"  {m:12s} count {r['count']:>9d}  null {r['null_mean']:12.1f} +- {r['null_sd']:8.1f}"
            f"  z {r['z']:+.2f}"
        )


def mixing(samples: int, settings: list[float]) -> None:
    """Null mean and sd of the informative motifs versus the amount of mixing.

    The start is a network with planted blocks (far from typical for its degrees), so an
    under-mixed chain shows up as a null mean still drifting away from the start's counts.
    """
    graph = paper_sized_network(seed=1, groups=4)
    observed = {k: int(v.sum()) for k, v in count_motifs(graph).items()}
    print(
        f"planted-block start, live widths {graph.widths}; observed:",
        {m: observed[m] for m in ("chain_3", "bi_fan", "bi_parallel")},
    )
    print("degree null: switches/edge -> null mean (sd) per motif, seconds")
    for s in settings:
        t = time.perf_counter()
        res = analyse(
            graph, "degree", samples=samples, rng=np.random.default_rng(0), switches_per_edge=s
        )
        cells = "  ".join(
            f"{m} {res.total[m]['null_mean']:10.1f} ({res.total[m]['null_sd']:6.1f})"
            for m in ("chain_3", "bi_fan", "bi_parallel")
        )
        print(f"  {s:6g}: {cells}  [{time.perf_counter() - t:.1f} s]")
    print("fixed_count_min1 move chain (forced on every block): moves/edge -> null mean (sd);")
    print("reference: the exact rejection sampler, on every block where it is feasible")
    names = ("diverging_2", "bi_fan", "bi_parallel")

    def min1_stats(method: str, moves: float) -> str:
        blocks, bias = sample_fixed_count_min1(
            graph, samples, np.random.default_rng(0), moves, method=method
        )
        counts = count_batch(blocks, bias)
        return "  ".join(
            f"{m} {counts[m].sum(axis=1).mean():10.1f} ({counts[m].sum(axis=1).std(ddof=1):6.1f})"
            for m in names
        )

    print(f"  {'auto':>6}: {min1_stats('auto', 10)}")
    for s in settings:
        t = time.perf_counter()
        cells = min1_stats("chain", s)
        print(f"  {s:6g}: {cells}  [{time.perf_counter() - t:.1f} s]")


def dense_levels(samples: int, cuts: list[float]) -> None:
    """Degree-null draws of 10-400-400-400-16-7 masks kept at 1 - cut (the dense levels of a
    layer-wise pruned network): switching each block's complement where it is more than half
    full (the sampler) against switching its edges (the baseline), same run, same samples."""
    from sparsemotifs.motifs.samplers import _switch_block

    rng = np.random.default_rng(0)
    print(f"degree null, {samples} samples per level, 10 switch attempts per edge (or empty cell)")
    for cut in cuts:
        masks = [rng.random((a, b)) >= cut for a, b in zip(WIDTHS[:-1], WIDTHS[1:], strict=False)]
        times = {}
        for complement in (False, True):
            t = time.perf_counter()
            for w in masks:
                batch = np.broadcast_to(w, (samples,) + w.shape).copy()
                _switch_block(batch, 10, np.random.default_rng(1), complement=complement)
                assert (batch.sum(axis=2) == w.sum(axis=1)).all()
            times[complement] = time.perf_counter() - t
        edges = sum(int(w.sum()) for w in masks)
        print(f"cut {cut:.2f} ({edges:6d} edges): edges {times[False]:7.2f} s, complement "
              f"{times[True]:7.2f} s, ratio {times[False] / max(times[True], 1e-9):6.1f}x")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--naive-samples", type=int, default=2)
    ap.add_argument("--switches-per-edge", type=float, default=10)
    ap.add_argument("--mixing", action="store_true", help="measure mixing instead of timing")
    ap.add_argument("--dense", action="store_true", help="degree null on dense levels")
    ap.add_argument("--dense-cuts", default="0.0,0.15,0.35,0.45")
    ap.add_argument("--mixing-samples", type=int, default=100)
    ap.add_argument("--settings", default="0.25,0.5,1,2,3,5,10,20,40")
    args = ap.parse_args()
    if args.dense:
        dense_levels(10, [float(x) for x in args.dense_cuts.split(",")])
    elif args.mixing:
        mixing(args.mixing_samples, [float(x) for x in args.settings.split(",")])
    else:
        benchmark(args.samples, args.naive_samples, args.switches_per_edge)


if __name__ == "__main__":
    main()
