"""The `reference` null (reference_null.md): hand-computed small cases, an exact enumeration of
the generator's literal sequential steps, z with the sample sd, and the CLI."""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from fractions import Fraction
from math import comb

import numpy as np
import pytest
from scipy import stats as sps

from sparsemotifs.motifs.analysis import analyse, sample_null_counts
from sparsemotifs.motifs.counts import PUBLISHED_CONVENTIONS, count_batch, count_motifs
from sparsemotifs.motifs.graph import LayeredGraph
from sparsemotifs.motifs.reference import block_kinds, reference_block, sample_reference


def _freq(samples: np.ndarray) -> Counter:
    return Counter(s.tobytes() for s in samples)


def _key(cells: frozenset, n: int, m: int) -> bytes:
    a = np.zeros((n, m), dtype=bool)
    for i, j in cells:
        a[i, j] = True
    return a.tobytes()


def _exact_dense_rule(n: int, m: int, w: int) -> dict[bytes, Fraction]:
    """Exact law of step 1, enumerated literally: N cells, rows in turn, columns in turn, extras
    one at a time (each a uniform choice among the current empty cells)."""
    cells = [(i, j) for i in range(n) for j in range(m)]
    k = w - (n + m)
    law: dict[tuple, Fraction] = {
        (frozenset(c), 0): Fraction(1, comb(len(cells), k))
        for c in itertools.combinations(cells, k)
    }

    def step(law, lines):
        for line in lines:
            new: dict[tuple, Fraction] = defaultdict(Fraction)
            for (occ, extra), p in law.items():
                empty = [c for c in line if c not in occ]
                if not empty:
                    new[(occ, extra + 1)] += p
                for c in empty:
                    new[(occ | {c}, extra)] += p / len(empty)
            law = new
        return law

    law = step(law, [[(i, j) for j in range(m)] for i in range(n)])
    law = step(law, [[(i, j) for i in range(n)] for j in range(m)])
    done: dict[bytes, Fraction] = defaultdict(Fraction)
    while law:
        new = defaultdict(Fraction)
        for (occ, extra), p in law.items():
            if extra == 0:
                done[_key(occ, n, m)] += p
                continue
            empty = [c for c in cells if c not in occ]
            for c in empty:
                new[(occ | {c}, extra - 1)] += p / len(empty)
        law = new
    return dict(done)


def _chi2_p(samples: np.ndarray, law: dict[bytes, Fraction]) -> float:
    freq = _freq(samples)
    assert set(freq) <= set(law), "the sampler produced a block the generator cannot produce"
    keys = sorted(law)
    expected = np.array([float(law[k]) for k in keys]) * len(samples)
    observed = np.array([freq.get(k, 0) for k in keys])
    return float(sps.chisquare(observed, expected).pvalue)


@pytest.mark.parametrize("n,m,w", [(3, 3, 7), (2, 4, 7), (3, 4, 8), (3, 4, 9)])
def test_dense_rule_matches_exact_enumeration_of_the_literal_steps(n, m, w):
    law = _exact_dense_rule(n, m, w)
    assert sum(law.values()) == 1
    draws = reference_block(n, m, w, "early", 20000, np.random.default_rng(n * 100 + m * 10 + w))
    assert (draws.sum(axis=(1, 2)) == w).all()  # exactly W edges
    assert draws.any(axis=2).all() and draws.any(axis=1).all()  # no empty row or column
    assert _chi2_p(draws, law) > 1e-3


def test_dense_rule_law_is_not_uniform():
    """The forced edges make the law non-uniform (the reference's defect 2), checked exactly."""
    law = _exact_dense_rule(3, 4, 8)
    assert len(set(law.values())) > 1


def test_full_block_is_deterministic():
    draws = reference_block(2, 3, 6, "early", 50, np.random.default_rng(0))
    assert draws.all()


def test_sparse_early_block_stays_empty():
    # N = W - (n + m) <= 0 before the last two blocks: all zero (the defect)
    draws = reference_block(4, 4, 8, "early", 30, np.random.default_rng(1))
    assert not draws.any()


def test_second_to_last_rule_by_hand():
    # 2x2, W = 3: a = 1 uniform cell, then one empty cell per row; a + n = W, nothing more.
    # Hand: the row of the first cell fills up (its only empty cell), the other row gets one of
    # its 2 cells: 4 blocks with one full row, each with probability 1/4.
    draws = reference_block(2, 2, 3, "second_to_last", 8000, np.random.default_rng(2))
    law = {}
    for full_row in range(2):
        for j in range(2):
            a = np.zeros((2, 2), dtype=bool)
            a[full_row] = True
            a[1 - full_row, j] = True
            law[a.tobytes()] = Fraction(1, 4)
    assert _chi2_p(draws, law) > 1e-3


def test_second_to_last_rule_top_up_and_cap():
    rng = np.random.default_rng(3)
    # 4x3, W = 6: a = 1 <= W - n = 2; 1 + 4 rows = 5 < 6: one more cell -> 6 edges, rows covered
    d = reference_block(4, 3, 6, "second_to_last", 500, rng)
    assert (d.sum(axis=(1, 2)) == 6).all() and d.any(axis=2).all()
    # 4x3, W = 5: a = 2 > W - n = 1: one cell, then the rows -> 5 edges
    d = reference_block(4, 3, 5, "second_to_last", 500, rng)
    assert (d.sum(axis=(1, 2)) == 5).all() and d.any(axis=2).all()


def test_last_rule_by_hand():
    # n4 < n5: 1x3, W = 2: identity (0,0), 2 appended columns with their one 1 in row 0:
    # the full row, 3 edges > W (the defect keeps them)
    d = reference_block(1, 3, 2, "last", 20, np.random.default_rng(4))
    assert d.all()
    # n4 >= n5: 3x2, W = 3: identity 2x2, one appended row with a 1 in a uniform column, rows
    # shuffled. Hand: the 6 blocks with one 1 per row and both columns used, each 1/6.
    d = reference_block(3, 2, 3, "last", 12000, np.random.default_rng(5))
    law = {}
    for cols in itertools.product(range(2), repeat=3):
        if len(set(cols)) == 2:
            a = np.zeros((3, 2), dtype=bool)
            a[np.arange(3), cols] = True
            law[a.tobytes()] = Fraction(1, 6)
    assert len(law) == 6
    assert _chi2_p(d, law) > 1e-3
    # top-up: 2x3, W = 4 > n5 = 3: identity + 1 appended column + 1 further cell = 4 edges
    d = reference_block(2, 3, 4, "last", 300, np.random.default_rng(6))
    assert (d.sum(axis=(1, 2)) == 4).all() and d.any(axis=1).all()


def test_block_kinds_follow_the_paper_depth():
    assert block_kinds(5) == ["early", "early", "early", "second_to_last", "last"]
    assert block_kinds(1) == ["last"]


def test_bias_rows_are_uniform_subsets_and_output_width_restored():
    g = LayeredGraph.from_masks(
        [np.ones((3, 4), bool), np.eye(4, 2, dtype=bool)],
        [np.array([1, 1, 0, 0], bool), np.array([1, 0], bool)],
    )
    blocks, bias = sample_reference(g, 6000, np.random.default_rng(7), output_width=3)
    assert blocks[1].shape == (6000, 4, 3) and bias[1].shape == (6000, 3)
    assert (bias[0].sum(axis=1) == 2).all() and (bias[1].sum(axis=1) == 1).all()
    law = {}
    for c in itertools.combinations(range(4), 2):
        v = np.zeros(4, bool)
        v[list(c)] = True
        law[v.tobytes()] = Fraction(1, 6)
    assert _chi2_p(bias[0], law) > 1e-3
    with pytest.raises(ValueError, match="output_width"):
        sample_reference(g, 2, np.random.default_rng(0), output_width=1)


def test_z_uses_sample_sd_and_the_published_conventions():
    rng = np.random.default_rng(8)
    masks = [rng.random((8, 9)) < 0.3, rng.random((9, 8)) < 0.3, rng.random((8, 4)) < 0.5]
    for m in masks:
        m[:, 0] = True
        m[0, :] = True
    g = LayeredGraph.from_masks(masks, [rng.random(9) < 0.5, None, rng.random(4) < 0.5])
    res = analyse(g, "reference", samples=200, rng=np.random.default_rng(9), connected_pairs=True)
    sim = sample_null_counts(g, "reference", 200, np.random.default_rng(9), connected_pairs=True)
    obs = count_motifs(g, connected_pairs=True)
    for m in ("bi_fan", "chain_2", *PUBLISHED_CONVENTIONS):
        tot = sim[m].sum(axis=1).astype(float)
        sd = tot.std(ddof=1)
        assert sd > 0, m
        assert res.total[m]["null_sd"] == pytest.approx(sd)
        assert res.total[m]["z"] == pytest.approx((obs[m].sum() - tot.mean()) / sd)
    # a single chunk is the generator itself
    small = sample_null_counts(g, "reference", 64, np.random.default_rng(9), connected_pairs=True)
    direct = count_batch(*sample_reference(g, 64, np.random.default_rng(9)), connected_pairs=True)
    for m in small:
        assert np.array_equal(small[m], direct[m])


def test_cli_reference_null_on_a_network_file(tmp_path, capsys):
    from sparsemotifs.cli import main

    rng = np.random.default_rng(10)
    widths = [10, 12, 12, 12, 5, 7]
    arrays = {}
    for li in range(5):
        arrays[f"mask_{li}"] = (rng.random((widths[li], widths[li + 1])) < 0.4).astype(np.uint8)
        arrays[f"bias_mask_{li}"] = (rng.random(widths[li + 1]) < 0.3).astype(np.uint8)
    arrays["mask_4"][:, 6] = 0  # a dead output: the reference keeps it
    path = tmp_path / "net.npz"
    np.savez(path, **arrays)
    argv = ["motifs", "zscore", str(path), "--null", "reference", "--samples", "50"]
    argv += ["--bias-nodes", "--connected-pairs", "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == first  # deterministic
    for m in ("bi_fan", "connected_pairs_2", "connected_pairs_3", "converging_3_as_published"):
        assert first[m]["null_sd"] is not None


def test_table_rows_under_the_reference_null(tmp_path):
    """The workflow's table: the reference null always scores the published conventions."""
    import pandas as pd

    from sparsemotifs.cli import main

    rng = np.random.default_rng(11)
    widths = [10, 12, 12, 12, 5, 7]
    arrays = {
        f"mask_{li}": (rng.random((widths[li], widths[li + 1])) < 0.5).astype(np.uint8)
        for li in range(5)
    }
    path = tmp_path / "seed3" / "level2.npz"
    path.parent.mkdir()
    np.savez(path, **arrays)
    out = tmp_path / "t.csv"
    params = json.dumps({"motifs": {"samples": 20}})  # connected_pairs_z off
    argv = ["motifs", "table", str(path), "--ensemble", "e", "--null", "reference"]
    argv += ["--null", "fixed_count", "--params", params, "--out", str(out)]
    assert main(argv) == 0
    df = pd.read_csv(out).set_index(["null", "motif"])
    for m in PUBLISHED_CONVENTIONS:
        assert np.isfinite(df.loc[("reference", m), "null_sd"]), m
        assert np.isnan(df.loc[("fixed_count", m), "z"]), m  # counts only, as before
    assert df.loc[("reference", "bi_fan"), "samples"] == 20
