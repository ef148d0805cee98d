"""The verdict's rules and statistics on hand-built profiles with a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.convergence.verdict import (
    VERDICT_COLUMNS,
    VERDICTS,
    _pair_mean,
    compare,
    decide,
    informative_motifs,
    profiles,
    seed_similarity,
    similarity,
    verdict_table,
)
from sparsemotifs.motifs.counts import MOTIFS

NULL = "fixed_count_min1"


def _table(z_rows, ensemble="trained", level=0, null=NULL):
    """Motifs table from a list of z vectors (one per seed) over the informative motifs."""
    names = informative_motifs(null)
    rows = []
    for seed, z in enumerate(z_rows):
        for m in MOTIFS:
            zz = z[names.index(m)] if m in names else np.nan
            rows.append({"ensemble": ensemble, "seed": seed, "level": level, "null": null,
                         "motif": m, "count": 1, "null_mean": 0.0, "null_sd": 1.0, "z": zz,
                         "p": np.nan})  # fmt: skip
    return pd.DataFrame(rows)


def _aligned(n, rng, noise=0.05):
    base = np.linspace(1, 3, len(informative_motifs(NULL)))
    return [base * rng.uniform(1, 5) + rng.normal(0, noise, base.size) for _ in range(n)]


def _random(n, rng):
    return [rng.normal(0, 1, len(informative_motifs(NULL))) for _ in range(n)]


def test_similarity_measures_hand_cases():
    x = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    assert similarity(x, x, "cosine")[0, 1] == 0.0
    assert similarity(x, x, "angular")[0, 1] == pytest.approx(0.5)
    y = np.random.default_rng(0).normal(size=(4, 6))
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    np.testing.assert_allclose(similarity(y, y, "pearson"), np.corrcoef(y), atol=1e-12)
    with pytest.raises(ValueError, match="measure"):
        similarity(x, x, "bogus")


def test_pair_mean_excludes_self_pairs_and_copies():
    s = np.arange(16.0).reshape(4, 4)
    s = (s + s.T) / 2
    off = s[~np.eye(4, dtype=bool)].mean()
    assert _pair_mean(s, np.ones((1, 4)))[0] == pytest.approx(off)
    # seed 0 twice, seed 1 once: pairs (0,1) x2 each way only, never (0,0)
    assert _pair_mean(s, np.array([[2.0, 1.0, 0.0, 0.0]]))[0] == pytest.approx(s[0, 1])


def test_seed_similarity_averages_draws_of_distinct_seeds():
    sp = pd.DataFrame(
        [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]],
        index=pd.MultiIndex.from_tuples([(0, 0), (0, 1), (1, 0)], names=["seed", "draw"]),
    )
    s = seed_similarity(sp, np.array([0, 1]), "cosine")
    assert s[0, 1] == pytest.approx(0.5)  # draws of seed 0: one aligned with seed 1, one not


def test_aligned_ensemble_converges_against_random_null_samples():
    rng = np.random.default_rng(1)
    row = compare(_table(_aligned(12, rng)), _table(_random(12, rng), "nulls"), NULL, n_boot=500)
    assert row["delta_ci_low"] > 0.3 and row["q25_ci_low"] > 0
    assert decide(row)[0] == "converges"


def test_equal_ensembles_do_not_converge_and_reversed_neither():
    rng = np.random.default_rng(2)
    same = _aligned(12, rng)
    row = compare(_table(same), _table(_aligned(12, rng), "nulls"), NULL, n_boot=500)
    assert decide(row)[0] == "does not converge"  # gain CI below the margin
    row = compare(_table(_random(12, rng)), _table(_aligned(12, rng), "n"), NULL, n_boot=500)
    assert row["delta_ci_high"] < 0 and decide(row)[0] == "does not converge"


def test_half_converging_mixture_is_not_called_converges():
    rng = np.random.default_rng(3)
    mix = [v for pair in zip(_aligned(25, rng), _random(25, rng), strict=True) for v in pair]
    row = compare(_table(mix), _table(_random(50, rng), "nulls"), NULL, n_boot=500)
    assert row["delta_ci_low"] > 0.05  # the mean gain alone would say "converges"
    verdict, reason = decide(row)
    assert verdict == "undetermined" and "subgroup" in reason


def test_control_task_and_minimum_size():
    rng = np.random.default_rng(4)
    trained, nulls = _table(_aligned(12, rng)), _table(_random(12, rng), "nulls")
    control = _table(_aligned(10, rng), "control_task")
    row = compare(trained, nulls, NULL, control=control, n_boot=500)
    assert decide(row)[0] == "not distinguishable from the control"
    row = compare(_table(_aligned(5, rng)), _table(_random(5, rng), "n"), NULL, n_boot=500)
    verdict, reason = decide(row)
    assert verdict == "undetermined" and "minimum" in reason


def test_verdict_table_rows_and_overall():
    rng = np.random.default_rng(5)
    trained = pd.concat([_table(_aligned(10, rng), level=1), _table(_random(10, rng), level=2)])
    nulls = pd.concat([_table(_random(10, rng), "n", 1), _table(_random(10, rng), "n", 2)])
    v = verdict_table(trained, nulls, n_boot=300)
    assert list(v.columns) == VERDICT_COLUMNS
    assert set(v["verdict"]) <= set(VERDICTS)
    by_level = v.set_index("level")["verdict"]
    assert by_level[1] == "converges" and by_level[2] != "converges"
    assert by_level["all"] == "undetermined"  # every level must converge


def test_profiles_reduced_and_whitened_need_their_inputs():
    rng = np.random.default_rng(6)
    t = _table(_aligned(3, rng))
    full, red = profiles(t, NULL, "full"), profiles(t, NULL, "reduced")
    assert "diverging_3" in full.columns and "diverging_3" not in red.columns
    np.testing.assert_allclose(np.linalg.norm(red.to_numpy(), axis=1), 1.0)
    with pytest.raises(ValueError, match="z_white"):
        profiles(t, NULL, "whitened")
    assert informative_motifs("degree") == ["chain_3", "bi_fan", "bi_parallel"]


def test_selected_level_states_its_level_mix():
    rng = np.random.default_rng(7)
    trained = _table(_aligned(9, rng), level="selected")
    nulls = _table(_random(9, rng), "n", level="selected")
    levels = pd.DataFrame(
        {"ensemble": "trained", "seed": range(9), "level": [5] * 4 + [6] * 5, "selected": True}
    )
    v = verdict_table(trained, nulls, n_boot=200, levels=levels).set_index("level")
    assert v.loc["selected", "level_mix"] == "level 5: 4, level 6: 5"
    assert v.loc["selected", "verdict"] == "converges"


def test_control_matched_by_cut_fraction():
    rng = np.random.default_rng(8)
    trained = _table(_aligned(10, rng), level=3).assign(cut_fraction=0.9)
    nulls = _table(_random(10, rng), "n", level=3)
    control = pd.concat(
        [
            _table(_random(10, rng), "c", level=5).assign(cut_fraction=0.91),
            _table(_aligned(10, rng), "c", level=3).assign(cut_fraction=0.7),
        ]
    )
    by_level = verdict_table(trained, nulls, control=control, n_boot=300).iloc[0]
    assert by_level["control_level"] == 3
    assert by_level["verdict"] == "not distinguishable from the control"
    by_cut = verdict_table(trained, nulls, control=control, n_boot=300, match="cut_fraction")
    row = by_cut.iloc[0]
    assert row["control_level"] == 5 and row["control_cut_fraction"] == pytest.approx(0.91)
    assert row["verdict"] == "converges"  # the random control at the same sparsity is looser
