"""The class-preserving degree null: margins kept, uniform on its reachable set, z-scores."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from scipy.stats import chisquare

from sparsemotifs.motifs.counts import MOTIFS, count_batch
from sparsemotifs.motifs.samplers import sample_degree
from sparsemotifs.motifs.signed import (
    ColouredGraph,
    coloured_keys,
    count_coloured_batch,
    strip_dead_coloured,
)
from sparsemotifs.motifs.signed_null import analyse_signed, sample_degree_signed


def _margins(s: np.ndarray, n_classes: int):
    return [((s == c + 1).sum(axis=-1), (s == c + 1).sum(axis=-2)) for c in range(n_classes)]


def _all_states(full: np.ndarray, n_classes: int) -> list[np.ndarray]:
    """Every coloured matrix with the per-class row and column sums of `full` (brute force over
    each class's 0/1 matrices with those sums, then disjoint combinations)."""
    per_class = []
    for rows, cols in _margins(full, n_classes):
        mats = []
        for bits in itertools.product((False, True), repeat=full.size):
            x = np.array(bits).reshape(full.shape)
            if (x.sum(axis=1) == rows).all() and (x.sum(axis=0) == cols).all():
                mats.append(x)
        per_class.append(mats)
    out = []
    for combo in itertools.product(*per_class):
        if sum(x.astype(int) for x in combo).max() <= 1:
            s = np.zeros(full.shape, dtype=np.int8)
            for c, x in enumerate(combo):
                s[x] = c + 1
            out.append(s)
    return out


def _reachable(full: np.ndarray, double: bool = True) -> list[np.ndarray]:
    """States reachable from `full` by same-class switches (BFS): a->j1, b->j2 of class c become
    a->j2, b->j1 if both cells are empty, or (double) if both hold one other class, which moves
    the other way."""
    seen, todo = {full.tobytes(): full}, [full]
    n, m = full.shape
    while todo:
        s = todo.pop()
        for a, b in itertools.permutations(range(n), 2):
            for j1, j2 in itertools.permutations(range(m), 2):
                c, x = s[a, j1], s[a, j2]
                if not c or s[b, j2] != c or s[b, j1] != x or x == c or (x and not double):
                    continue
                t = s.copy()
                t[a, j1] = t[b, j2] = x
                t[a, j2] = t[b, j1] = c
                if t.tobytes() not in seen:
                    seen[t.tobytes()] = t
                    todo.append(t)
    return list(seen.values())


def _graph(full: np.ndarray, with_bias: bool) -> ColouredGraph:
    if with_bias:
        return ColouredGraph((full[:-1],), (full[-1],), ("neg", "pos"))
    return ColouredGraph((full,), (None,), ("neg", "pos"))


def _sampled(blocks, bias, i) -> bytes:
    m = blocks[0][i]
    if bias[0] is not None:
        m = np.vstack([m, bias[0][i][None]])
    return m.tobytes()


def _assert_uniform(states, blocks, bias, r):
    freq = Counter(_sampled(blocks, bias, i) for i in range(r))
    keys = [s.tobytes() for s in states]
    assert set(freq) <= set(keys), "sampler left the reachable set"
    p = chisquare(np.array([freq.get(k, 0) for k in keys])).pvalue
    assert p > 1e-3, f"non-uniform sampler: chi-square p = {p:.2e} over {len(keys)} states"


IRREDUCIBLE = np.array([[2, 1, 0, 0], [0, 2, 0, 1], [1, 0, 2, 0]], dtype=np.int8)
NEEDS_DOUBLE = np.array([[2, 1, 1, 0], [0, 2, 0, 1], [1, 0, 2, 0]], dtype=np.int8)
FROZEN = np.array([[1, 2, 0], [2, 0, 1], [0, 1, 2]], dtype=np.int8)


def test_reachable_sets_of_the_test_graphs():
    """Plain switches connect all states of one example; another needs double switches; a
    Latin-square block is frozen (its other states differ by 3-cycles)."""
    assert len(_reachable(IRREDUCIBLE, False)) == len(_all_states(IRREDUCIBLE, 2)) == 18
    assert len(_reachable(NEEDS_DOUBLE, False)) == 8
    assert len(_reachable(NEEDS_DOUBLE)) == len(_all_states(NEEDS_DOUBLE, 2)) == 24
    assert len(_reachable(FROZEN)) == 1 < len(_all_states(FROZEN, 2)) == 12


@pytest.mark.parametrize("start", ["irreducible", "needs_double"])
@pytest.mark.parametrize("with_bias", [False, True])
def test_signed_sampler_is_uniform_over_every_state(start, with_bias):
    full = IRREDUCIBLE if start == "irreducible" else NEEDS_DOUBLE
    r = 3000
    blocks, bias = sample_degree_signed(_graph(full, with_bias), r, np.random.default_rng(5))
    _assert_uniform(_all_states(full, 2), blocks, bias, r)


def test_frozen_block_stays_put():
    blocks, _ = sample_degree_signed(_graph(FROZEN, False), 50, np.random.default_rng(0))
    assert (blocks[0] == FROZEN).all()


@pytest.mark.parametrize(
    "full, n_all, n_reach, n_plain",
    [
        ([[0, 1, 3, 0], [3, 0, 1, 2], [2, 1, 0, 3]], 12, 12, 6),
        ([[2, 0, 1, 2], [0, 2, 0, 1], [1, 3, 2, 0]], 18, 12, 4),  # reachable: a proper subset
    ],
)
def test_three_class_sampler_is_uniform_over_the_reachable_set(full, n_all, n_reach, n_plain):
    full = np.array(full, dtype=np.int8)
    reach = _reachable(full)
    assert (len(_all_states(full, 3)), len(reach), len(_reachable(full, False))) == (
        n_all,
        n_reach,
        n_plain,
    )
    r = 3000
    g = ColouredGraph((full,), (None,), ("sneg", "mild", "spos"))
    blocks, bias = sample_degree_signed(g, r, np.random.default_rng(9))
    _assert_uniform(reach, blocks, bias, r)


def test_uniformity_check_detects_an_unmixed_signed_chain():
    r = 3000
    blocks, bias = sample_degree_signed(
        _graph(IRREDUCIBLE, False), r, np.random.default_rng(5), 0.5
    )
    with pytest.raises(AssertionError, match="non-uniform"):
        _assert_uniform(_reachable(IRREDUCIBLE), blocks, bias, r)


def _random_live(seed, n_classes=2, widths=(6, 14, 12, 5)):
    rng = np.random.default_rng(seed)
    blocks, bias = [], []
    for i in range(len(widths) - 1):
        shape = (widths[i], widths[i + 1])
        present = rng.random(shape) < 0.35
        blocks.append(np.where(present, rng.integers(1, n_classes + 1, shape), 0).astype(np.int8))
        on = rng.random(shape[1]) < 0.5
        bias.append(np.where(on, rng.integers(1, n_classes + 1, shape[1]), 0).astype(np.int8))
    labels = ("neg", "pos") if n_classes == 2 else ("sneg", "mild", "spos")
    return strip_dead_coloured(ColouredGraph(tuple(blocks), tuple(bias), labels))[0]


@pytest.mark.parametrize("n_classes", [2, 3])
def test_signed_sampler_keeps_every_per_class_degree(n_classes):
    graph = _random_live(0, n_classes)
    blocks, bias = sample_degree_signed(graph, 40, np.random.default_rng(0))
    changed = False
    for li, (w, b) in enumerate(zip(graph.blocks, graph.bias, strict=True)):
        full = w if b is None else np.vstack([w, b[None]])
        s = blocks[li] if b is None else np.concatenate([blocks[li], bias[li][:, None]], axis=1)
        assert s.dtype == np.int8 and s.min() >= 0 and s.max() <= n_classes
        for c in range(n_classes):
            assert ((s == c + 1).sum(axis=2) == (full == c + 1).sum(axis=1)).all()
            assert ((s == c + 1).sum(axis=1) == (full == c + 1).sum(axis=0)).all()
        changed |= bool((s != full).any())
    assert changed


def test_one_class_signed_null_matches_the_unsigned_degree_null():
    """With every edge in one class the two nulls are the same law: compare their moments."""
    graph = _random_live(3)
    one = ColouredGraph(
        tuple(np.where(w > 0, 1, 0).astype(np.int8) for w in graph.blocks),
        tuple(None if b is None else np.where(b > 0, 1, 0).astype(np.int8) for b in graph.bias),
        ("all",),
    )
    r = 1500
    blocks, bias = sample_degree_signed(one, r, np.random.default_rng(1))
    signed = count_coloured_batch(blocks, bias, 1)
    ub, ubias = sample_degree(graph.topology(), r, np.random.default_rng(2))
    plain = count_batch(ub, ubias)
    for m in ("chain_3", "bi_fan", "bi_parallel"):
        a = signed[m][(4,) if m != "chain_3" else (3,)].sum(axis=1).astype(float)
        b = plain[m].sum(axis=1).astype(float)
        se = np.sqrt(a.var() / r + b.var() / r)
        assert abs(a.mean() - b.mean()) < 4.5 * se, m
        assert 0.85 < a.std() / b.std() < 1.15, m


def test_analyse_signed_rows_fixed_counts_and_consistency():
    graph = _random_live(7)
    res = analyse_signed(graph, samples=60, rng=np.random.default_rng(0))
    keys = [k for _, _, k in coloured_keys(graph.labels)]
    balanced = {"bi_fan|balanced", "bi_parallel|balanced"}
    assert set(res.total) == set(keys) | set(MOTIFS) | balanced
    assert not balanced & set(res.sp)  # redundant with the compositions: not in the SP
    for k in keys:
        row = res.total[k]
        assert set(row) == {"count", "null_mean", "null_sd", "z", "p"}
        motif = k.split("|")[0]
        if motif in (
            "edges",
            "diverging_2",
            "converging_2",
            "chain_2",
            "diverging_3",
            "converging_3",
        ):
            assert np.isnan(row["z"]) and row["null_mean"] == row["count"]  # fixed by the null
    informative = [k for k in keys if np.isfinite(res.total[k]["z"])]
    assert informative and all(
        k.split("|")[0] in ("chain_3", "bi_fan", "bi_parallel") for k in informative
    )
    assert sum(res.sp[k] ** 2 for k in informative) == pytest.approx(1.0)
    for m in MOTIFS:  # coloured null means add up to the plain motif's
        parts = [k for k in keys if k.split("|")[0] == m]
        assert sum(res.total[k]["null_mean"] for k in parts) == pytest.approx(
            res.total[m]["null_mean"]
        )
        assert sum(res.total[k]["count"] for k in parts) == res.total[m]["count"]
    again = analyse_signed(graph, samples=60, rng=np.random.default_rng(0))
    assert again.total == res.total  # deterministic given the generator
    per = res.per_layer["bi_fan|pos=2"]
    assert sum(row["count"] for row in per) == res.total["bi_fan|pos=2"]["count"]
