"""ΔZ = z(trained at level k) - z(initial weights magnitude-pruned to level k), by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.convergence.delta_z import delta_z_summary, delta_z_table


def _rows(ensemble, seed, level, z, null="fixed_count", draw=0, cut=0.5):
    return [
        {"ensemble": ensemble, "seed": seed, "level": str(level), "null": null, "motif": m,
         "z": v, "draw": draw, "cut_fraction": cut}
        for m, v in z.items()
    ]  # fmt: skip


@pytest.fixture
def motifs():
    rows = []
    rows += _rows("trained", 0, 2, {"bi_fan": 5.0, "chain_2": 1.0, "diverging_2": np.nan})
    rows += _rows("magnitude_init", 0, 2, {"bi_fan": 1.0, "chain_2": 3.0, "diverging_2": 0.2})
    rows += _rows("trained", 1, 2, {"bi_fan": 7.0, "chain_2": 0.0, "diverging_2": 1.0})
    rows += _rows("magnitude_init", 1, 2, {"bi_fan": 1.0, "chain_2": 1.0, "diverging_2": 1.5})
    rows += _rows("trained", 2, 2, {"bi_fan": 4.0, "chain_2": 2.0, "diverging_2": 3.0})
    rows += _rows("magnitude_init", 2, 2, {"bi_fan": 2.0, "chain_2": 5.0, "diverging_2": 1.0})
    # neither the selected pseudo-level, nor other ensembles, nor draws > 0 enter
    rows += _rows("trained", 0, "selected", {"bi_fan": 50.0})
    rows += _rows("magnitude_init", 0, "selected", {"bi_fan": 0.0})
    rows += _rows("random_pruned", 0, 2, {"bi_fan": -9.0})
    rows += _rows("magnitude_init", 1, 2, {"bi_fan": 100.0}, draw=1)
    # a level the init ensemble lacks is not paired
    rows += _rows("trained", 0, 3, {"bi_fan": 9.0}, cut=0.6)
    return pd.DataFrame(rows)


def test_per_seed_delta_by_hand(motifs):
    t = delta_z_table(motifs)
    got = t.set_index(["seed", "motif"])["delta_z"].to_dict()
    assert got == {
        (0, "bi_fan"): 4.0, (1, "bi_fan"): 6.0, (2, "bi_fan"): 2.0,
        (0, "chain_2"): -2.0, (1, "chain_2"): -1.0, (2, "chain_2"): -3.0,
        (1, "diverging_2"): -0.5, (2, "diverging_2"): 2.0,
    }  # fmt: skip
    assert (t["ensemble"] == "trained").all() and set(t["level"]) == {2}
    row = t[(t["seed"] == 1) & (t["motif"] == "bi_fan")].iloc[0]
    assert (row["z_trained"], row["z_init"], row["cut_fraction"]) == (7.0, 1.0, 0.5)


def test_summary_mean_ci_and_tests(motifs):
    s = delta_z_summary(delta_z_table(motifs), n_boot=500, min_seeds=2).set_index("motif")
    assert s.loc["bi_fan", "mean_delta_z"] == pytest.approx(4.0)
    assert s.loc["bi_fan", "sd_delta_z"] == pytest.approx(2.0)
    assert s.loc["chain_2", "mean_delta_z"] == pytest.approx(-2.0)
    assert s.loc["diverging_2", "n_seeds"] == 2  # seed 0's NaN z is left out, not read as 0
    assert s.loc["bi_fan", "mean_z_trained"] == pytest.approx(16 / 3)
    assert s.loc["bi_fan", "mean_z_init"] == pytest.approx(4 / 3)
    # bootstrap over 3 seeds: the CI lies within the range of per-seed values and holds the mean
    assert 2.0 <= s.loc["bi_fan", "ci_low"] <= 4.0 <= s.loc["bi_fan", "ci_high"] <= 6.0
    assert -3.0 <= s.loc["chain_2", "ci_low"] < s.loc["chain_2", "ci_high"] <= -1.0
    # t test by hand: mean 4, sd 2, n 3 -> t = 2 sqrt(3), df 2
    from scipy import stats

    assert s.loc["bi_fan", "p_mean_zero"] == pytest.approx(2 * stats.t.sf(2 * np.sqrt(3), 2))
    assert (s["p_holm"] >= s["p_mean_zero"]).all()


def test_too_few_seeds_give_a_mean_but_no_ci(motifs):
    s = delta_z_summary(delta_z_table(motifs), n_boot=100).set_index("motif")  # 3 < 5 seeds
    assert s.loc["bi_fan", "mean_delta_z"] == pytest.approx(4.0)
    assert s[["ci_low", "ci_high", "p_mean_zero", "p_holm"]].isna().all().all()


def test_without_magnitude_init_the_tables_are_empty_with_their_columns(motifs):
    t = delta_z_table(motifs[motifs["ensemble"] != "magnitude_init"])
    assert t.empty and "delta_z" in t.columns
    assert delta_z_summary(t).empty
