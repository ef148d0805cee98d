"""Scale-aware statistics: each against a hand-computed or closed-form reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sparsemotifs.convergence.scale import (
    bh,
    describe_spread,
    effect_sizes,
    holm,
    level_mix,
    seed_slopes,
    sp_deviation,
    trend_table,
)


def test_holm_and_bh_hand_cases():
    p = [0.01, 0.04, 0.03, np.nan, 0.005]
    # sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04 -> monotone
    np.testing.assert_allclose(holm(p), [0.03, 0.06, 0.06, np.nan, 0.02])
    # BH: 0.005*4/1, 0.01*4/2, 0.03*4/3, 0.04*4/4 -> 0.02, 0.02, 0.04, 0.04
    np.testing.assert_allclose(bh(p), [0.02, 0.04, 0.04, np.nan, 0.02])


def test_effect_sizes_hand_case():
    df = pd.DataFrame(
        {
            "ensemble": "t", "seed": 0, "level": 1, "null": "fixed_count",
            "motif": ["edges", "bi_fan"], "count": [100, 30], "null_mean": [100.0, 20.0],
            "null_sd": [0.0, 5.0], "z": [np.nan, 2.0], "p": np.nan,
        }
    )  # fmt: skip
    out = effect_sizes(df).set_index("motif")
    assert out.loc["bi_fan", "rel_excess"] == 0.5
    assert out.loc["bi_fan", "z_per_sqrt_edges"] == 0.2


def test_spread_cis_cover_the_true_sd():
    rng = np.random.default_rng(0)
    hits_sd = hits_mean = 0
    reps = 200
    for _ in range(reps):
        row = describe_spread(rng.normal(3.0, 2.0, 40), 400, rng)
        hits_sd += row["sd_ci_low"] <= 2.0 <= row["sd_ci_high"]
        hits_mean += row["mean_ci_low"] <= 3.0 <= row["mean_ci_high"]
    assert 0.85 <= hits_sd / reps <= 0.99  # percentile bootstrap of sd: slightly below 0.95
    assert 0.88 <= hits_mean / reps <= 0.99


def test_seed_slopes_are_per_seed_and_tested_across_seeds():
    rng = np.random.default_rng(1)
    rows = []
    for seed in range(12):
        slope = 2.0 + rng.normal(0, 0.1)
        for cut in (0.8, 0.85, 0.9, 0.95):
            # a seed-specific offset that a pooled fit would confound with the trend
            rows.append({"seed": seed, "cut_fraction": cut, "value": 10 * seed + slope * cut})
    out = seed_slopes(pd.DataFrame(rows))
    assert out["n_seeds"] == 12
    assert abs(out["mean_slope"] - 2.0) < 0.1
    assert out["p_wilcoxon"] == stats.wilcoxon(np.full(12, 1.0) + np.arange(12)).pvalue
    few = seed_slopes(pd.DataFrame(rows).query("cut_fraction < 0.86"))
    assert few["n_seeds"] == 0  # two levels per seed < min_levels


def test_sp_deviation_is_zero_for_identical_directions_and_scale_free():
    rows = []
    for seed, scale in enumerate([1.0, 10.0, 100.0]):
        for motif, z in zip(["a", "b", "c"], [1.0, 2.0, 3.0], strict=True):
            rows.append({"ensemble": "t", "level": 0, "null": "n", "seed": seed,
                         "motif": motif, "z": z * scale})  # fmt: skip
    dev = sp_deviation(pd.DataFrame(rows))
    np.testing.assert_allclose(dev["value"], 0.0, atol=1e-7)


def test_level_mix_and_trend_table_columns():
    levels = pd.DataFrame(
        {"ensemble": "trained", "seed": [0, 1, 2], "level": [5, 6, 6], "selected": True}
    )
    assert level_mix(levels)["level_mix"].iloc[0] == "level 5: 1, level 6: 2"
    rng = np.random.default_rng(2)
    rows, cuts = [], []
    for seed in range(6):
        for level, cut in enumerate([0.8, 0.85, 0.9]):
            cuts.append({"ensemble": "trained", "seed": seed, "level": level, "cut_fraction": cut})
            for motif, mean in (("edges", 100.0), ("bi_fan", 50.0), ("chain_3", 40.0)):
                count = mean * (1 + cut) + rng.normal(0, 0.05)
                z = np.nan if motif == "edges" else rng.normal(3, 1)
                rows.append({"ensemble": "trained", "seed": seed, "level": level,
                             "null": "fixed_count_min1", "motif": motif, "count": count,
                             "null_mean": mean, "null_sd": 1.0, "z": z, "p": np.nan})  # fmt: skip
    t = trend_table(pd.DataFrame(rows), pd.DataFrame(cuts))
    assert t["confirmatory"].sum() == 1
    rel = t[(t["quantity"] == "rel_excess") & (t["motif"] == "bi_fan")].iloc[0]
    assert abs(rel["mean_slope"] - 1.0) < 0.2  # d/dcut of (count - E)/E = 1
    assert (t["p_holm"] >= t["p_wilcoxon"]).all()
