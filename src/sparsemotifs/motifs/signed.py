"""Signed (coloured) motifs: edge classes from weights and exact counts by class composition.

Definitions: shared/reference/weighted.md (after Zambra, Testolin & Maritan 2020). Every edge
of a layered graph gets one class; an occurrence of a motif is summarised by its composition,
the number of its edges of each class (e.g. a bi-fan with 3 positive and 1 negative edge). In a
strictly layered graph each motif is the complete pattern of its layer arrangement, so these are
exact labelled-subgraph counts; the composition needs no canonical labelling of symmetric
motifs.

Edge-class schemes
- ``sign`` (default): class 0 = "neg" (w <= 0; an exactly zero weight is not positive), class
  1 = "pos" (w > 0). A bias edge has the sign of its bias value.
- ``zambra``: three classes from one Gaussian N(mu, sigma) fitted to the pooled weights (biases
  excluded) of an ensemble: the band |w - mu| <= sigma * sqrt(-2 ln c) (edges b0 < b1) is
  deleted from the graph; with min' = 1.1 min w and max' = 1.1 max w, w < lo = b0 + 0.2 (min' -
  b0) is "sneg", w > hi = b1 + 0.2 (max' - b1) is "spos", the inner fifths [lo, b0) and (b1, hi]
  are "mild". Bias edges are classified (and deleted) with the same thresholds.

Counting (vectorised over a batch of R graphs, exact)
A coloured block is an int8 array: 0 = no edge, 1 + c = an edge of class c. With A_c the 0/1
matrix of class-c edges, the number of occurrences whose edges, taken in a fixed order of the
motif's edge slots, have classes (c_1, ..., c_E) is a sum of products of class-wise degrees,
Gram matrices A_p A_q^T or path matrices A_p A'_q; summing over all slot colourings with one
composition counts each occurrence once per automorphism of the motif (1 for chains, 2 for the
bi-parallel's two middles, 4 for the bi-fan), which is divided out (the division is checked).
Diverging/converging motifs use the direct formula sum_nodes prod_c C(deg_c, k_c).
For the sign scheme, bi-fans and bi-parallels (4-cycles without directions) are also counted as
balanced (an even number of negative edges: the product of the signs is positive).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sparsemotifs.io import InputError, load_npz
from sparsemotifs.motifs.counts import MOTIFS, SPAN
from sparsemotifs.motifs.graph import (
    LayeredGraph,
    LiveReport,
    graph_from_arrays,
    live_node_masks,
    strip_dead,
)

SCHEMES = ("sign", "zambra")
LABELS = {"sign": ("neg", "pos"), "zambra": ("sneg", "mild", "spos")}
DEFAULT_ZAMBRA_BAND = 0.55  # c of their synthetic experiments (0.1 for MNIST)
ZAMBRA_SCALE = 1.1  # min' = 1.1 min w, max' = 1.1 max w
ZAMBRA_MILD_FRACTION = 0.2  # the inner fifth of each tail next to the band is "mild"
# Edges per motif occurrence.
MOTIF_EDGES = {
    "edges": 1,
    "diverging_2": 2,
    "converging_2": 2,
    "chain_2": 2,
    "diverging_3": 3,
    "converging_3": 3,
    "chain_3": 3,
    "bi_fan": 4,
    "bi_parallel": 4,
}
_FLOAT64_EXACT = 2.0**53


@dataclass(frozen=True)
class ZambraThresholds:
    """The fitted Gaussian and the class edges lo < b0 <= b1 < hi (see module doc)."""

    mu: float
    sigma: float
    band: float  # c
    b0: float
    b1: float
    lo: float
    hi: float
    n_weights: int

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, d: dict, source: str = "thresholds") -> ZambraThresholds:
        """Thresholds given by a user (e.g. computed once per ensemble); checks their order."""
        try:
            lo, b0, b1, hi = (float(d[k]) for k in ("lo", "b0", "b1", "hi"))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{source}: needs numbers lo, b0, b1, hi ({exc})") from None
        if not (lo <= b0 <= b1 <= hi) or not all(map(math.isfinite, (lo, b0, b1, hi))):
            raise InputError(f"{source}: need finite lo <= b0 <= b1 <= hi, got {lo, b0, b1, hi}")
        return cls(
            mu=float(d.get("mu", (b0 + b1) / 2)),
            sigma=float(d.get("sigma", math.nan)),
            band=float(d.get("band", math.nan)),
            b0=b0,
            b1=b1,
            lo=lo,
            hi=hi,
            n_weights=int(d.get("n_weights", 0)),
        )


def zambra_thresholds(weights: np.ndarray, band: float = DEFAULT_ZAMBRA_BAND) -> ZambraThresholds:
    """Fit N(mu, sigma) (maximum likelihood) to pooled weights and derive the class edges."""
    w = np.asarray(weights, dtype=np.float64).ravel()
    if not 0 < band < 1:
        raise ValueError(f"the band constant c must lie in (0, 1), got {band}")
    if w.size < 2 or not np.isfinite(w).all():
        raise ValueError("need at least two finite weights to fit the Gaussian")
    mu, sigma = float(w.mean()), float(w.std())
    half = sigma * math.sqrt(-2.0 * math.log(band))
    b0, b1 = mu - half, mu + half
    lo_end, hi_end = ZAMBRA_SCALE * float(w.min()), ZAMBRA_SCALE * float(w.max())
    lo = b0 + ZAMBRA_MILD_FRACTION * (lo_end - b0)
    hi = b1 + ZAMBRA_MILD_FRACTION * (hi_end - b1)
    return ZambraThresholds(mu, sigma, band, b0, b1, lo, hi, int(w.size))


def classify(values: np.ndarray, scheme: str, thresholds: ZambraThresholds | None = None):
    """Class index (int8) of each weight; -1 = deleted (Zambra's band)."""
    v = np.asarray(values)
    if scheme == "sign":
        return (v > 0).astype(np.int8)
    if scheme != "zambra":
        raise ValueError(f"unknown edge-class scheme {scheme!r}; choose from {', '.join(SCHEMES)}")
    if thresholds is None:
        raise ValueError("the zambra scheme needs thresholds (zambra_thresholds of the ensemble)")
    t = thresholds
    out = np.full(v.shape, 1, dtype=np.int8)  # mild
    out[v < t.lo] = 0
    out[v > t.hi] = 2
    out[(v >= t.b0) & (v <= t.b1)] = -1
    return out


@dataclass(frozen=True)
class ColouredGraph:
    """int8 blocks (n_l x n_{l+1}) and bias vectors (n_{l+1}) or None: 0 = no edge, 1 + class."""

    blocks: tuple[np.ndarray, ...]
    bias: tuple[np.ndarray | None, ...]
    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        LayeredGraph(
            tuple(b > 0 for b in self.blocks),
            tuple(None if b is None else b > 0 for b in self.bias),
        )  # validates shapes
        for arr in (*self.blocks, *(b for b in self.bias if b is not None)):
            if arr.dtype != np.int8 or (
                arr.size and (arr.min() < 0 or arr.max() > len(self.labels))
            ):
                raise ValueError(f"coloured arrays must be int8 codes in 0..{len(self.labels)}")

    @property
    def n_classes(self) -> int:
        return len(self.labels)

    @property
    def n_blocks(self) -> int:
        return len(self.blocks)

    def topology(self) -> LayeredGraph:
        """The uncoloured graph (which edges exist)."""
        return LayeredGraph(
            tuple(b > 0 for b in self.blocks),
            tuple(None if b is None else b > 0 for b in self.bias),
        )

    def without_bias(self) -> ColouredGraph:
        return ColouredGraph(self.blocks, (None,) * self.n_blocks, self.labels)

    def class_edge_counts(self) -> list[list[int]]:
        """Per block: edges of each class (bias edges included)."""
        out = []
        for w, b in zip(self.blocks, self.bias, strict=True):
            codes = w.ravel() if b is None else np.concatenate([w.ravel(), b])
            out.append([int((codes == c + 1).sum()) for c in range(self.n_classes)])
        return out


def from_classes(
    graph: LayeredGraph,
    block_classes: list[np.ndarray],
    bias_classes: list[np.ndarray | None],
    labels: tuple[str, ...],
) -> ColouredGraph:
    """Colour a graph's edges by class arrays of the block shapes (class -1 deletes an edge)."""
    blocks, bias = [], []
    for w, b, cw, cb in zip(graph.blocks, graph.bias, block_classes, bias_classes, strict=True):
        blocks.append(np.where(w & (cw >= 0), cw + 1, 0).astype(np.int8))
        if b is None:
            bias.append(None)
        else:
            bias.append(np.where(b & (cb >= 0), cb + 1, 0).astype(np.int8))
    return ColouredGraph(tuple(blocks), tuple(bias), labels)


def strip_dead_coloured(
    graph: ColouredGraph, bias_only_live: bool = True
) -> tuple[ColouredGraph, LiveReport]:
    """Remove dead nodes exactly as `strip_dead` does on the topology; colours follow."""
    topo = graph.topology()
    alive, _ = live_node_masks(topo, bias_only_live)
    _, report = strip_dead(topo, bias_only_live)
    blocks, bias = [], []
    for li, (w, b) in enumerate(zip(graph.blocks, graph.bias, strict=True)):
        blocks.append(w[np.ix_(alive[li], alive[li + 1])].copy())
        kept = None if b is None else b[alive[li + 1]].copy()
        bias.append(kept if kept is not None and kept.any() else None)
    return ColouredGraph(tuple(blocks), tuple(bias), graph.labels), report


def prepare_coloured(
    graph: ColouredGraph, *, bias_nodes: bool, strip: bool = True, bias_only_live: bool = True
) -> tuple[ColouredGraph, LiveReport | None]:
    """Drop bias nodes unless asked for; remove dead nodes unless `strip` is False."""
    if not bias_nodes:
        graph = graph.without_bias()
    if not strip:
        return graph, None
    return strip_dead_coloured(graph, bias_only_live)


# ------------------------------------------------------------------------- files and weights
def _weights(arrays: dict, graph: LayeredGraph, path: Path) -> tuple[list, list]:
    """weight_l (n_l x n_{l+1}) per block and bias_l where the block has a bias node."""
    weights, biases = [], []
    for li, (w, b) in enumerate(zip(graph.blocks, graph.bias, strict=True)):
        key = f"weight_{li}"
        if key not in arrays:
            raise InputError(f"{path}: {key} is missing (edge classes need the weights)")
        wl = np.asarray(arrays[key])
        if wl.shape != w.shape:
            raise InputError(
                f"{path}: {key} must have shape {w.shape} like mask_{li}, got {wl.shape}"
            )
        if not np.issubdtype(wl.dtype, np.number) or not np.isfinite(wl[w]).all():
            raise InputError(f"{path}: {key} must hold finite numbers on the unmasked edges")
        weights.append(wl.astype(np.float64))
        if b is None:
            biases.append(None)
            continue
        bkey = f"bias_{li}"
        if bkey not in arrays:
            raise InputError(f"{path}: {bkey} is missing (bias edges are coloured by their value)")
        bl = np.asarray(arrays[bkey])
        if bl.shape != b.shape:
            raise InputError(f"{path}: {bkey} must have shape {b.shape}, got {bl.shape}")
        if not np.issubdtype(bl.dtype, np.number) or not np.isfinite(bl[b]).all():
            raise InputError(f"{path}: {bkey} must hold finite numbers on the unmasked biases")
        biases.append(bl.astype(np.float64))
    return weights, biases


def load_weighted(path: str | Path) -> tuple[LayeredGraph, list, list]:
    """Graph (masks) and its weights and biases; problems raise InputError naming the file."""
    path = Path(path)
    arrays = load_npz(path)
    graph = graph_from_arrays(arrays, path)
    weights, biases = _weights(arrays, graph, path)
    return graph, weights, biases


def pooled_weights(paths: list[str | Path]) -> np.ndarray:
    """All unmasked weights (biases excluded) of the given files, for Zambra's pooled fit."""
    parts = []
    for p in paths:
        graph, weights, _ = load_weighted(p)
        parts += [w[m] for w, m in zip(weights, graph.blocks, strict=True)]
    return np.concatenate(parts) if parts else np.zeros(0)


def colour(
    graph: LayeredGraph,
    weights: list,
    biases: list,
    scheme: str = "sign",
    thresholds: ZambraThresholds | None = None,
) -> ColouredGraph:
    """Classes of a graph's edges from its weights (Zambra's band edges are deleted)."""
    cw = [classify(w, scheme, thresholds) for w in weights]
    cb = [None if b is None else classify(b, scheme, thresholds) for b in biases]
    return from_classes(graph, cw, cb, LABELS[scheme])


def load_coloured(
    path: str | Path, scheme: str = "sign", thresholds: ZambraThresholds | None = None
) -> ColouredGraph:
    """A network file coloured by `scheme` (bias nodes kept where bias masks exist)."""
    return colour(*load_weighted(path), scheme=scheme, thresholds=thresholds)


# ------------------------------------------------------------------------- counting
def compositions(n_edges: int, n_classes: int) -> list[tuple[int, ...]]:
    """Class compositions of an occurrence, ordered by the last class's count first."""
    combos = [
        c for c in itertools.product(range(n_edges + 1), repeat=n_classes) if sum(c) == n_edges
    ]
    return sorted(combos, key=lambda c: c[::-1])


def composition_key(motif: str, comp: tuple[int, ...], labels: tuple[str, ...]) -> str:
    """'bi_fan|pos=3' for the sign scheme (k positive edges), else every class named."""
    if labels == LABELS["sign"]:
        return f"{motif}|pos={comp[1]}"
    return f"{motif}|" + ",".join(f"{lab}={k}" for lab, k in zip(labels, comp, strict=True))


def coloured_keys(labels: tuple[str, ...]) -> list[tuple[str, tuple[int, ...], str]]:
    """(motif, composition, key) of every coloured count, in output order."""
    return [
        (m, comp, composition_key(m, comp, labels))
        for m in MOTIFS
        for comp in compositions(MOTIF_EDGES[m], len(labels))
    ]


def _choose(x: np.ndarray, k: int) -> np.ndarray:
    out = np.ones(x.shape, dtype=np.int64)
    for i in range(k):
        out = out * (x - i)
    return out // math.factorial(k)


def _comp_of(slots: tuple[int, ...], n_classes: int) -> tuple[int, ...]:
    return tuple(slots.count(c) for c in range(n_classes))


def _sum_prod(x: np.ndarray, y: np.ndarray, inner: int) -> np.ndarray:
    """sum over the last two axes of x * y, exact for integer entries <= inner."""
    if inner >= 2**12:  # products would exceed 2^24: multiply in float64
        x, y = x.astype(np.float64), y.astype(np.float64)
    s = np.einsum("rij,rij->r", x, y, dtype=np.float64)
    if s.size and s.max() >= _FLOAT64_EXACT:
        raise OverflowError("coloured motif count exceeds 2^53")
    return s


def _to_int(x: np.ndarray) -> np.ndarray:
    if x.size and np.abs(x).max() >= _FLOAT64_EXACT:
        raise OverflowError("coloured motif count exceeds 2^53")
    return np.rint(x).astype(np.int64)


def _four_slot(mats: dict, diag_sum: dict, inner: int, n_classes: int, r: int, sym: int) -> dict:
    """Counts by composition of a 4-edge motif from pair matrices K_pq (see module doc).

    Ordered labelled copies with slot classes (p, q, r, s) number
    sum_{u != v} K_pq K_rs - [p = r][q = s] sum_{u != v} K_pq  (u != v only for Grams),
    `diag_sum[(pq, rs)]` is the u = v part of the first sum and of K_pq (0 for path matrices).
    """
    pairs = list(itertools.product(range(n_classes), repeat=2))
    prod: dict = {}
    for i, pq in enumerate(pairs):
        for rs in pairs[i:]:
            prod[pq, rs] = prod[rs, pq] = _sum_prod(mats[pq], mats[rs], inner) - diag_sum.get(
                (pq, rs), 0.0
            )
    single = {
        pq: mats[pq].sum(axis=(1, 2), dtype=np.float64) - diag_sum.get((pq,), 0.0) for pq in pairs
    }
    acc: dict = {}
    for pq in pairs:
        for rs in pairs:
            t = prod[pq, rs] - (single[pq] if pq == rs else 0.0)
            comp = _comp_of(pq + rs, n_classes)
            acc[comp] = acc.get(comp, 0.0) + t
    out = {}
    for comp, v in acc.items():
        n = _to_int(v)
        if (n % sym).any():
            raise ArithmeticError("coloured count not divisible by the motif's symmetry")
        out[comp] = n // sym
    for comp in compositions(4, n_classes):
        out.setdefault(comp, np.zeros(r, dtype=np.int64))
    return out


def _stars(deg: list[np.ndarray], k: int, n_classes: int) -> dict:
    """Diverging/converging k-stars by composition: sum over centres of prod_c C(deg_c, k_c)."""
    vals = {}
    for comp in compositions(k, n_classes):
        prod = np.ones_like(deg[0])
        for c in range(n_classes):
            prod = prod * _choose(deg[c], comp[c])
        vals[comp] = prod.sum(axis=1)
    return vals


def _bi_fans(a: list, out_d: list, in_d: list, n_classes: int, r: int) -> dict:
    """Bi-fans of one block from the smaller Gram family: A_p A_q^T (sources) or A_p^T A_q."""
    cls = range(n_classes)
    n_src, n_tgt = a[0].shape[1], a[0].shape[2]
    if n_src <= n_tgt:
        grams = {(p, q): a[p] @ a[q].transpose(0, 2, 1) for p in cls for q in cls}
        deg, inner = out_d, n_tgt
    else:
        grams = {(p, q): a[p].transpose(0, 2, 1) @ a[q] for p in cls for q in cls}
        deg, inner = in_d, n_src
    diag: dict = {}  # K_pq[u, u] = [p = q] deg_p[u]
    for p in cls:
        diag[((p, p),)] = deg[p].sum(axis=1).astype(np.float64)
        for q in cls:
            diag[(p, p), (q, q)] = (deg[p] * deg[q]).sum(axis=1).astype(np.float64)
    return _four_slot(grams, diag, inner, n_classes, r, sym=4)


def _chain3(in_l: list, nxt: list, out_2: list, n_classes: int) -> dict:
    """in_p . A'_q . out_s for every slot colouring (p, q, s), summed into compositions."""
    cls = range(n_classes)
    t = {}
    for q in cls:
        for s in cls:
            v = np.einsum("rij,rj->ri", nxt[q], out_2[s].astype(np.float32), dtype=np.float64)
            for p in cls:
                t[p, q, s] = _to_int(np.einsum("ri,ri->r", in_l[p].astype(np.float64), v))
    return _accumulate(t, n_classes)


def count_coloured_batch(
    blocks: list[np.ndarray], bias: list[np.ndarray | None], n_classes: int
) -> dict[str, dict[tuple[int, ...], np.ndarray]]:
    """Counts of R coloured graphs: blocks[l] (R, n_l, n_{l+1}) int8 codes, bias[l] (R, n_{l+1}).

    Returns motif -> composition -> int64 array (R, n_positions) (positions as in `counts`).
    """
    n_blocks = len(blocks)
    r = blocks[0].shape[0] if n_blocks else 1
    cls = range(n_classes)
    full, main, out_d, in_d, main_out = [], [], [], [], []
    for w, b in zip(blocks, bias, strict=True):
        x = w if b is None else np.concatenate([w, b[:, None, :]], axis=1)
        a = [(x == c + 1) for c in cls]
        full.append([m.astype(np.float32) for m in a])
        main.append([m[:, : w.shape[1]] for m in full[-1]])
        out_d.append([m.sum(axis=2, dtype=np.int64) for m in a])
        in_d.append([m.sum(axis=1, dtype=np.int64) for m in a])
        main_out.append([m[:, : w.shape[1]].sum(axis=2, dtype=np.int64) for m in a])

    res: dict[str, dict[tuple, list]] = {
        m: {comp: [] for comp in compositions(MOTIF_EDGES[m], n_classes)} for m in MOTIFS
    }

    def add(motif: str, values: dict) -> None:
        for comp, lst in res[motif].items():
            lst.append(values.get(comp, np.zeros(r, dtype=np.int64)))

    for li in range(n_blocks):
        a = full[li]
        add("edges", {_comp_of((c,), n_classes): out_d[li][c].sum(axis=1) for c in cls})
        for k in (2, 3):
            add(f"diverging_{k}", _stars(out_d[li], k, n_classes))
            add(f"converging_{k}", _stars(in_d[li], k, n_classes))
        add("bi_fan", _bi_fans(a, out_d[li], in_d[li], n_classes, r))
        if li + 1 < n_blocks:
            nxt = main[li + 1]
            slots = {
                (p, q): (in_d[li][p] * main_out[li + 1][q]).sum(axis=1) for p in cls for q in cls
            }
            add("chain_2", _accumulate(slots, n_classes))
            paths = {(p, q): a[p] @ nxt[q] for p in cls for q in cls}  # entries <= n_{l+1}
            add("bi_parallel", _four_slot(paths, {}, a[0].shape[2], n_classes, r, sym=2))
        if li + 2 < n_blocks:
            add("chain_3", _chain3(in_d[li], main[li + 1], main_out[li + 2], n_classes))
    return {
        m: {
            comp: np.stack(v, axis=1) if v else np.zeros((r, 0), dtype=np.int64)
            for comp, v in per.items()
        }
        for m, per in res.items()
    }


def _accumulate(by_slots: dict, n_classes: int) -> dict:
    """Sum ordered slot colourings into compositions (chains: one colouring per occurrence)."""
    acc: dict = {}
    for slots, v in by_slots.items():
        comp = _comp_of(slots, n_classes)
        acc[comp] = acc.get(comp, 0) + v
    return acc


def count_coloured(graph: ColouredGraph) -> dict[str, dict[tuple[int, ...], np.ndarray]]:
    """Per-position coloured counts of one graph: motif -> composition -> int64 (positions,)."""
    blocks = [w[None] for w in graph.blocks]
    bias = [None if b is None else b[None] for b in graph.bias]
    batch = count_coloured_batch(blocks, bias, graph.n_classes)
    return {m: {c: v[0] for c, v in per.items()} for m, per in batch.items()}


# Motifs that are 4-cycles when directions are ignored: a cycle is balanced (structural balance)
# when the product of its edge signs is positive, i.e. it has an even number of negative edges.
CYCLE_MOTIFS = ("bi_fan", "bi_parallel")


def balanced_counts(counts: dict, labels: tuple[str, ...]) -> dict[str, np.ndarray]:
    """'bi_fan|balanced', 'bi_parallel|balanced' (sign scheme only; else empty)."""
    if labels != LABELS["sign"]:
        return {}
    return {
        f"{m}|balanced": sum(v for comp, v in counts[m].items() if comp[0] % 2 == 0)
        for m in CYCLE_MOTIFS
    }


def keyed_counts(counts: dict, labels: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Flatten motif -> composition -> array to 'motif|class=k' -> array, in output order."""
    return {key: counts[m][comp] for m, comp, key in coloured_keys(labels)}


__all__ = [
    "DEFAULT_ZAMBRA_BAND",
    "LABELS",
    "MOTIF_EDGES",
    "SCHEMES",
    "CYCLE_MOTIFS",
    "SPAN",
    "ColouredGraph",
    "balanced_counts",
    "ZambraThresholds",
    "classify",
    "colour",
    "coloured_keys",
    "compositions",
    "count_coloured",
    "count_coloured_batch",
    "keyed_counts",
    "load_coloured",
    "load_weighted",
    "pooled_weights",
    "prepare_coloured",
    "strip_dead_coloured",
    "zambra_thresholds",
]
