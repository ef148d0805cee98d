"""Convergence statistics against direct computations, closed forms and exhaustive enumeration."""

from __future__ import annotations

import itertools
import statistics

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sparsemotifs import convergence as stats
from sparsemotifs.io import InputError


def _prepared(levels, motifs):
    return stats.prepare(stats.validate_levels(levels), stats.validate_motifs(motifs))


# ----------------------------------------------------------------------------- bootstrap / CV
def test_bootstrap_ci_matches_exact_bootstrap_distribution():
    sample = np.array([19.0, 20.0, 27.0, 28.0])
    # exact bootstrap distribution of the mean: all 4^4 equally likely resamples
    means = np.array([np.mean(c) for c in itertools.product(sample, repeat=sample.size)])
    atoms, counts = np.unique(np.round(means, 10), return_counts=True)
    cdf = np.cumsum(counts) / counts.sum()
    lower = atoms[np.searchsorted(cdf, 0.025)]
    upper = atoms[np.searchsorted(cdf, 0.975)]
    # the quantiles must not sit on a cdf step, or sampling noise could pick either atom
    assert np.min(np.abs(cdf - 0.025)) > 0.004 and np.min(np.abs(cdf - 0.975)) > 0.004
    low, high = stats.bootstrap_mean_ci(sample, 40000, np.random.default_rng(1))
    assert low == pytest.approx(lower, abs=1e-9)
    assert high == pytest.approx(upper, abs=1e-9)


def test_describe_matches_direct_computation_and_ignores_non_finite():
    values = np.array([3.0, -1.0, 4.5, 10.0, np.nan, np.inf, 2.0])
    finite = [3.0, -1.0, 4.5, 10.0, 2.0]
    d = stats.describe(values, 500, np.random.default_rng(0))
    assert d["n"] == 5
    assert d["mean"] == pytest.approx(statistics.fmean(finite))
    assert d["sd"] == pytest.approx(statistics.stdev(finite))
    assert d["cv"] == pytest.approx(statistics.stdev(finite) / abs(statistics.fmean(finite)))
    assert d["median"] == pytest.approx(statistics.median(finite))
    assert d["ci_low"] < d["mean"] < d["ci_high"]


def test_describe_degenerate_samples():
    empty = stats.describe(np.array([np.nan, np.nan]), 100, np.random.default_rng(0))
    assert empty["n"] == 0 and np.isnan(empty["mean"]) and np.isnan(empty["ci_low"])
    single = stats.describe(np.array([2.0]), 100, np.random.default_rng(0))
    assert single["n"] == 1 and single["mean"] == 2.0 and np.isnan(single["sd"])


def test_ci_covers_true_mean_and_shrinks_with_n():
    rng = np.random.default_rng(7)
    # coverage over replicate samples is close to the nominal 95 %
    covered = [
        lo < 5.0 < hi
        for lo, hi in (
            stats.bootstrap_mean_ci(rng.normal(5.0, 2.0, 60), 400, rng) for _ in range(300)
        )
    ]
    assert 0.88 < np.mean(covered) < 0.99
    widths = {}
    for n in (200, 2000):
        x = rng.normal(5.0, 2.0, size=n)
        low, high = stats.bootstrap_mean_ci(x, 2000, np.random.default_rng(3))
        widths[n] = high - low
        # the normal-theory width 2 * 1.96 * s / sqrt(n) is what the bootstrap approximates
        assert widths[n] == pytest.approx(2 * 1.96 * x.std(ddof=1) / np.sqrt(n), rel=0.15)
        assert abs((low + high) / 2 - x.mean()) < 0.2 * widths[n]
    assert widths[2000] < widths[200] / 2.5
    big = rng.normal(5.0, 2.0, size=20000)
    low, high = stats.bootstrap_mean_ci(big, 1000, np.random.default_rng(3))
    assert low < 5.0 < high and high - low < 0.1


# ----------------------------------------------------------------------------- profiles
def test_significance_profile_by_hand():
    motifs = pd.DataFrame(
        {
            "ensemble": "trained",
            "level": "3",
            "null": "degree",
            "seed": 0,
            "motif": ["edges", "chain_3", "bi_fan", "bi_parallel"],
            "z": [np.nan, 3.0, 4.0, 0.0],
        }
    )
    sp = stats.significance_profiles(motifs)
    row = sp.iloc[0]
    assert np.isnan(row["edges"])
    assert row["chain_3"] == pytest.approx(0.6) and row["bi_fan"] == pytest.approx(0.8)
    assert row["bi_parallel"] == 0.0


def test_identical_and_scaled_profiles_correlate_perfectly():
    base = np.array([18.0, 16.0, -15.0, 20.0, -10.0, 19.0, 27.0])
    sp = np.vstack([base, base, 2.5 * base])
    r = stats.pairwise_profile_correlation(sp)
    assert np.allclose(r, 1.0)
    out = stats.profile_similarity(sp, 200, np.random.default_rng(0))
    assert out["mean_r"] == pytest.approx(1.0)
    assert out["ci_low"] == pytest.approx(1.0) and out["ci_high"] == pytest.approx(1.0)


def test_independent_profiles_have_mean_r_near_zero():
    sp = np.random.default_rng(11).normal(size=(150, 9))
    out = stats.profile_similarity(sp, 300, np.random.default_rng(0))
    assert abs(out["mean_r"]) < 0.05
    assert out["ci_low"] < 0 < out["ci_high"]


def test_pairwise_correlation_uses_common_finite_motifs():
    rng = np.random.default_rng(2)
    sp = rng.normal(size=(4, 7))
    sp[1, 2] = np.nan
    sp[3, [0, 5]] = np.nan
    r = stats.pairwise_profile_correlation(sp)
    for i, j in itertools.combinations(range(4), 2):
        common = np.isfinite(sp[i]) & np.isfinite(sp[j])
        expected = sps.pearsonr(sp[i, common], sp[j, common]).statistic
        assert r[i, j] == pytest.approx(expected)
    # fewer than 3 common motifs or a constant profile -> undefined, never a number
    few = np.array([[1.0, 2.0, np.nan, np.nan], [2.0, 1.0, 5.0, np.nan]])
    assert np.isnan(stats.pairwise_profile_correlation(few)[0, 1])
    const = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]])
    assert np.isnan(stats.pairwise_profile_correlation(const)[0, 1])


def test_weighted_mean_pairwise_matches_explicit_resample():
    rng = np.random.default_rng(5)
    r = np.corrcoef(rng.normal(size=(6, 9)))
    r[1, 4] = r[4, 1] = np.nan
    draws = rng.integers(0, 6, size=(20, 6))
    counts = np.zeros((20, 6))
    np.add.at(counts, (np.arange(20)[:, None], draws), 1.0)
    fast = stats.mean_pairwise(r, counts)
    for b in range(20):
        # every pair of resampled items that are different networks, each ordered pair once
        vals = [r[i, j] for i in draws[b] for j in draws[b] if i != j and np.isfinite(r[i, j])]
        expected = np.mean(vals) if vals else np.nan
        np.testing.assert_allclose(fast[b], expected)


# ----------------------------------------------------------------------------- permutation tests
def test_dispersion_and_profile_statistics_by_hand():
    a = np.array([[0.0, 0.0], [2.0, 0.0]])
    b = np.array([[0.0, 0.0], [0.0, 4.0], [0.0, 8.0]])
    d = stats.dispersion_test(a, b, 99, np.random.default_rng(0))
    assert d["value_trained"] == pytest.approx(1.0)  # both points 1 from (1, 0)
    assert d["value_control"] == pytest.approx(8.0 / 3.0)  # 4, 0, 4 from (0, 4)
    assert d["statistic"] == pytest.approx(1.0 - 8.0 / 3.0)
    # within SS = 2 + 32, between SS = n1 n2 / N |c1 - c2|^2 = 6/5 * 17; F = 20.4 / (34 / 3)
    p = stats.profile_test(a, b, 99, np.random.default_rng(0))
    assert p["statistic"] == pytest.approx(20.4 / (34.0 / 3.0))
    assert p["value_trained"] == pytest.approx(np.sqrt(17.0))


def test_profile_p_value_matches_exhaustive_enumeration():
    x = np.array([[0.0, 0.1], [0.3, 0.0], [1.0, 1.2], [1.1, 0.9], [0.5, 0.4], [0.8, 1.0]])
    observed = stats.pseudo_f(x, np.array([True, True, False, False, True, False]))[0]
    all_f = []
    for first in itertools.combinations(range(6), 3):
        labels = np.zeros(6, dtype=bool)
        labels[list(first)] = True
        all_f.append(stats.pseudo_f(x, labels)[0])
    exact = np.mean(np.array(all_f) >= observed - 1e-12)
    out = stats.profile_test(x[[0, 1, 4]], x[[2, 3, 5]], 20000, np.random.default_rng(4))
    assert out["statistic"] == pytest.approx(observed)
    assert out["p_one_sided"] == pytest.approx(exact, abs=0.01)


def test_same_distribution_gives_roughly_uniform_p():
    rng = np.random.default_rng(21)
    p_disp, p_prof = [], []
    for _ in range(40):
        a, b = rng.normal(size=(15, 5)), rng.normal(size=(15, 5))
        p_disp.append(stats.dispersion_test(a, b, 199, rng)["p_one_sided"])
        p_prof.append(stats.profile_test(a, b, 199, rng)["p_one_sided"])
    for p in (p_disp, p_prof):
        assert 0.3 < np.mean(p) < 0.7
        assert np.mean(np.array(p) < 0.05) <= 0.15
        assert sps.kstest(p, "uniform").pvalue > 0.001


def test_strongly_different_dispersion_is_significant():
    rng = np.random.default_rng(3)
    tight, loose = rng.normal(0, 0.1, size=(20, 5)), rng.normal(0, 1.0, size=(20, 5))
    out = stats.dispersion_test(tight, loose, 999, np.random.default_rng(0))
    assert out["statistic"] < 0 and out["p_one_sided"] < 0.01
    # the reverse direction is not "tighter"
    assert stats.dispersion_test(loose, tight, 999, np.random.default_rng(0))["p_one_sided"] > 0.5
    sd = stats.sd_ratio_test(tight[:, 0], loose[:, 0], 999, np.random.default_rng(0))
    assert sd["statistic"] == pytest.approx(
        np.log(tight[:, 0].std(ddof=1) / loose[:, 0].std(ddof=1))
    )
    assert sd["p_one_sided"] < 0.01


def test_permutation_table_trained_tighter_than_random_pruned(synthetic):
    prepared = _prepared(*synthetic(n_seeds=12))
    table = stats.permutation_tests(prepared, n_perm=199, seed=0)
    sel = table[
        (table.level == "selected")
        & (table.test == "dispersion")
        & (table.control == "random_pruned")
    ]
    assert set(sel.null) == {"fixed_count", "degree"}
    assert (sel.p_one_sided < 0.01).all()
    assert (sel.value_trained < sel.value_control).all()
    # degree null: only the 5 motifs it does not fix are informative
    assert sel.set_index("null").loc["degree", "n_motifs"] == 5


# ----------------------------------------------------------------------------- trend
def _trend(synthetic, spread, seed=0):
    levels, motifs = synthetic(
        n_seeds=30, spread=spread, seed=seed, diverged=None, never_passing_seed=None
    )
    levels = stats.validate_levels(levels)
    prepared = stats.prepare(levels, stats.validate_motifs(motifs))
    trend = stats.dispersion_trend(prepared, levels)
    return trend[trend.ensemble == "trained"]


def test_shrinking_spread_gives_negative_rho_and_significant_wilcoxon(synthetic):
    trend = _trend(synthetic, {0.5: 10.0, 0.85: 5.0, 0.9: 2.0, 0.93: 0.5}.get)
    assert (trend.reference_cut == 0.85).all()
    assert (trend.rho_levels < 0).all()
    assert (trend.rho_pooled < 0).all()
    assert (trend.n_pairs == 29).all()  # seed 3's selected level has a dead output: left out
    assert (trend.wilcoxon_p < 0.01).all()
    assert (trend.median_dev_selected < trend.median_dev_reference).all()


def test_flat_spread_is_not_significant(synthetic):
    trend = _trend(synthetic, lambda cut: 2.0, seed=5)
    motif_rows = trend[trend.motif != "profile"]
    assert (motif_rows.wilcoxon_p < 0.05).mean() <= 0.2
    assert motif_rows.wilcoxon_p.median() > 0.2
    assert (motif_rows.p_pooled < 0.01).mean() <= 0.2


# ----------------------------------------------------------------------------- exclusion, tables
def test_diverged_networks_excluded_and_counted(synthetic):
    levels, motifs = synthetic(n_seeds=6, diverged=(0, 1))
    poison = (
        (motifs.seed == 0)
        & (motifs.level == 1)
        & motifs.ensemble.isin(["trained", "random_pruned"])
    )
    motifs.loc[poison & motifs.z.notna(), "z"] = 1e6
    prepared = _prepared(levels, motifs)
    conv = stats.convergence_table(prepared, n_boot=50)
    row = conv[
        (conv.ensemble == "trained")
        & (conv.level == "1")
        & (conv.null == "degree")
        & (conv.motif == "bi_fan")
    ].iloc[0]
    assert row.n == 5 and row.n_excluded_diverged == 1
    assert abs(row["mean"]) < 100  # the poisoned network did not enter
    rp = conv[(conv.ensemble == "random_pruned") & (conv.level == "1")]
    assert (rp.n_excluded_diverged == 1).all()
    assert (conv[conv.level == "2"].n_excluded_diverged == 0).all()
    counts = stats.network_counts(stats.validate_levels(levels))
    assert counts["diverged_networks"] == 1 and counts["diverged_levels"] == 1


def test_network_counts_against_direct_count(synthetic):
    levels, _ = synthetic(n_seeds=8)
    levels = stats.validate_levels(levels)
    counts = stats.network_counts(levels, "trained")
    t = levels[levels.ensemble == "trained"]
    selected_seeds = {s for s, g in t.groupby("seed") if g.selected.any()}
    assert counts["networks"] == 8
    assert counts["never_passing"] == 8 - len(selected_seeds) == 1
    assert counts["dead_output_selected"] == int(t[t.selected].dead_output.sum())


def test_convergence_matches_groupby_and_selection_mirrors_trained(synthetic):
    levels, motifs = synthetic(n_seeds=7)
    prepared = _prepared(levels, motifs)
    conv = stats.convergence_table(prepared, n_boot=50)
    raw = motifs[
        (motifs.ensemble == "control_task")
        & (motifs.level == 2)
        & (motifs.null == "fixed_count")
        & (motifs.motif == "chain_3")
    ].z
    row = conv[
        (conv.ensemble == "control_task")
        & (conv.level == "2")
        & (conv.null == "fixed_count")
        & (conv.motif == "chain_3")
    ].iloc[0]
    assert row.n == raw.size and row["mean"] == pytest.approx(raw.mean())
    assert row.sd == pytest.approx(raw.std(ddof=1))
    m = prepared.motifs[prepared.motifs.level == "selected"]
    pairs = {e: set(zip(g.seed, g.selected_level, strict=True)) for e, g in m.groupby("ensemble")}
    trained_sel = levels[(levels.ensemble == "trained") & levels.selected & ~levels.dead_output]
    assert pairs["trained"] == set(zip(trained_sel.seed, trained_sel.level, strict=True))
    assert 3 not in {seed for seed, _ in pairs["trained"]}  # its dead output: left out
    assert pairs["random_pruned"] == pairs["trained"]


def test_aggregate_is_deterministic_and_seed_dependent(synthetic):
    levels, motifs = synthetic(n_seeds=5)
    levels, motifs = stats.validate_levels(levels), stats.validate_motifs(motifs)
    a = stats.aggregate(levels, motifs, n_boot=100, n_perm=49, seed=1)
    b = stats.aggregate(levels, motifs, n_boot=100, n_perm=49, seed=1)
    c = stats.aggregate(levels, motifs, n_boot=100, n_perm=49, seed=2)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not np.allclose(a["convergence"].ci_low.fillna(0), c["convergence"].ci_low.fillna(0))


def test_per_layer_table_has_layer_column(synthetic):
    levels, motifs = synthetic(n_seeds=4)
    per_layer = pd.concat([motifs.assign(layer=0), motifs.assign(layer=1)])
    levels, motifs = stats.validate_levels(levels), stats.validate_motifs(motifs)
    tables = stats.aggregate(levels, motifs, stats.validate_motifs(per_layer), n_boot=20, n_perm=9)
    pl = tables["convergence_per_layer"]
    assert set(pl.layer) == {0, 1}
    assert len(pl) == 2 * len(tables["convergence"])


# ----------------------------------------------------------------------------- validation
def test_validation_errors_name_column_and_problem(synthetic):
    levels, motifs = synthetic(n_seeds=3)
    with pytest.raises(InputError, match="'loss_val'"):
        stats.validate_levels(levels.drop(columns="loss_val"), "L.csv")
    with pytest.raises(InputError, match="L.csv.*'z'"):
        stats.validate_motifs(motifs.drop(columns="z"), "L.csv")
    two = levels.copy()
    two.loc[two.seed == 0, "selected"] = True
    with pytest.raises(InputError, match="more than one"):
        stats.validate_levels(two)
    bad = levels.copy()
    bad.loc[0, "status"] = "exploded"
    with pytest.raises(InputError, match="'status'"):
        stats.validate_levels(bad)
    text = levels.assign(selected=levels.selected.map({True: "True", False: "False"}))
    assert stats.validate_levels(text).selected.dtype == bool
    no_ensemble = stats.validate_levels(
        levels[levels.ensemble == "trained"].drop(columns="ensemble")
    )
    assert (no_ensemble.ensemble == "trained").all()


def test_trend_pairs_only_seeds_selected_beyond_the_reference(synthetic):
    levels, motifs = synthetic(n_seeds=8, diverged=None, never_passing_seed=None)
    # seeds 0 and 1 are selected at the reference level itself (cut 0.85 = level 2)
    moved = levels.ensemble.eq("trained") & levels.seed.isin([0, 1])
    levels.loc[moved, "selected"] = levels.loc[moved, "level"] == 2
    levels = stats.validate_levels(levels)
    trend = stats.dispersion_trend(stats.prepare(levels, stats.validate_motifs(motifs)), levels)
    trained = trend[trend.ensemble == "trained"]
    assert (trained.reference_level == 2).all()
    assert (trained.n_pairs == 5).all()  # and seed 3 (a dead output at its selected level)


def with_connected_pairs(motifs):
    """Add the paper's chain statistic rows (not a motif) as the motif stage writes them."""
    pairs = motifs[motifs.motif == "chain_2"].assign(motif="connected_pairs_2", z=lambda d: d.z * 3)
    return pd.concat([motifs, pairs], ignore_index=True)


def test_connected_pairs_do_not_enter_profiles(synthetic):
    levels, motifs = synthetic(n_seeds=5)
    base = stats.profile_similarity_table(_prepared(levels, motifs), n_boot=50)
    prepared = _prepared(levels, with_connected_pairs(motifs))
    assert "connected_pairs_2" not in stats.significance_profiles(prepared.motifs).columns
    pd.testing.assert_frame_equal(stats.profile_similarity_table(prepared, n_boot=50), base)
    conv = stats.convergence_table(prepared, n_boot=20)
    assert "connected_pairs_2" in set(conv.motif)
