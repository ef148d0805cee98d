"""Variant against subject beyond the matched nulls (issue 11): by hand on small cases, and on
synthetic ensembles whose answer is known (same profile, planted difference, pure null) at the
z scale of the default width and of the paper's width."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sparsemotifs import registry
from sparsemotifs.contracts.names import informative_motifs
from sparsemotifs.convergence.variant_effects import (
    PROFILE,
    compare_z,
    hedges_g,
    variant_effects,
)
from sparsemotifs.report.variant_effects_summary import comparison_level, variant_effects_section

MOTIFS = informative_motifs("fixed_count")  # the 8 motifs besides `edges`
BI_FAN = MOTIFS.index("bi_fan")


@pytest.fixture(autouse=True)
def two_variants():
    registry.use_variants(["paper", "xavier"])
    yield
    registry.configure({})


def _table(z_by_ensemble: dict[str, np.ndarray], level="3", null="fixed_count", cut=0.9):
    """Motif rows from {ensemble: (seeds x motifs) z}."""
    rows = []
    for ensemble, z in z_by_ensemble.items():
        for seed, zs in enumerate(z):
            for motif, v in zip(MOTIFS, zs, strict=True):
                rows.append({"ensemble": ensemble, "seed": seed, "level": level, "null": null,
                             "motif": motif, "z": float(v), "draw": 0, "cut_fraction": cut})  # fmt: skip
    return pd.DataFrame(rows)


def _levels(n_seeds: int, failing: dict[str, list[int]] | None = None, level=3):
    failing = failing or {}
    rows = [
        {"ensemble": e, "seed": s, "level": level, "passes": s not in failing.get(e, [])}
        for e in ("paper", "xavier")
        for s in range(n_seeds)
    ]
    return pd.DataFrame(rows)


def test_hedges_g_and_welch_by_hand():
    a, b = np.array([1.0, 2.0, 3.0, 4.0]), np.array([3.0, 5.0, 7.0])
    # pooled sd^2 = (3 * 5/3 + 2 * 4) / 5 = 13/5; J = 1 - 3 / (4 * 7 - 9) = 16/19
    assert hedges_g(a, b) == pytest.approx(16 / 19 * (5.0 - 2.5) / np.sqrt(13 / 5))
    got = compare_z(a, b, 2000, np.random.default_rng(0))
    assert got["diff"] == pytest.approx(2.5)
    assert got["p"] == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)
    assert got["ci_low"] < 2.5 < got["ci_high"]
    assert got["g_ci_low"] < got["hedges_g"] < got["g_ci_high"]


def test_table_by_hand_passing_only_and_too_few_seeds():
    z = {
        "paper": np.array([np.arange(8.0) + 1, np.arange(8.0) + 2, np.arange(8.0) + 3]),
        "xavier": np.array([np.arange(8.0) + 1, np.full(8, 9.0), np.arange(8.0) + 3]),
    }
    levels = _levels(3, failing={"xavier": [1]})  # the 9s fail at the level: never compared
    t = variant_effects(_table(z), levels, n_boot=200, n_perm=99, min_seeds=2)
    bi = t[(t["motif"] == MOTIFS[0])].iloc[0]  # z 1, (9), 3
    assert (bi["ensemble"], bi["reference"], bi["n_reference"], bi["n_variant"]) == (
        "xavier",
        "paper",
        3,
        2,
    )
    assert bi["mean_z_reference"] == pytest.approx(2.0) and bi["mean_z_variant"] == 2.0
    assert bi["diff"] == pytest.approx(0.0)
    assert set(t["motif"]) == {*MOTIFS, PROFILE}
    # with the default 5 seeds every answer is undetermined
    t5 = variant_effects(_table(z), levels, n_boot=200, n_perm=99)
    assert (t5["answer"] == "undetermined").all()


def test_without_a_second_variant_the_table_is_empty():
    registry.configure({})
    t = variant_effects(_table({"trained": np.ones((6, 8))}), None)
    assert t.empty and "answer" in t.columns


# Known answers. Scale: the default study's z (width 48: SP-like profile x ~3, seed sd ~1) and
# the paper's width (x ~25, seed sd ~4, cf. the published bi_fan 20.0 +- 2.9).
SCALES = {"width 48": (3.0, 1.0), "width 400": (25.0, 4.0)}
BASE = np.array([1.0, 0.9, 0.4, 0.6, 0.5, -0.2, 1.2, 0.8])  # MOTIFS order


def _ensemble(rng, profile, scale, sd, n=16):
    return scale * profile + sd * rng.standard_normal((n, len(profile)))


@pytest.mark.parametrize("scale", SCALES)
def test_same_profile_is_rarely_called_different(scale):
    """Two ensembles from one profile: "differs" at about the test's level, never more."""
    mult, sd = SCALES[scale]
    rng = np.random.default_rng(1)
    calls = []
    for _ in range(40):
        z = {e: _ensemble(rng, BASE, mult, sd) for e in ("paper", "xavier")}
        t = variant_effects(_table(z), _levels(16), n_boot=200, n_perm=199)
        calls.append(t.loc[t["motif"] == PROFILE, "answer"].iloc[0])
        assert (t.loc[t["motif"] != PROFILE, "answer"] != "undetermined").all()
    assert sum(c == "differs" for c in calls) <= 5  # binomial(40, 0.05): P(> 5) ~ 0.05


def test_pure_null_ensembles_do_not_differ():
    rng = np.random.default_rng(2)
    calls = []
    for _ in range(20):
        z = {e: rng.standard_normal((16, 8)) for e in ("paper", "xavier")}
        t = variant_effects(_table(z), _levels(16), n_boot=200, n_perm=199)
        calls += list(t["answer"])
    assert sum(c == "differs" for c in calls) <= 3


@pytest.mark.parametrize("scale", SCALES)
def test_planted_difference_is_found_and_named(scale):
    """The variant's bi-fan reversed: profile and that motif differ, with g < 0; the untouched
    motifs do not."""
    mult, sd = SCALES[scale]
    rng = np.random.default_rng(3)
    other = BASE.copy()
    other[BI_FAN] = -1.0
    z = {"paper": _ensemble(rng, BASE, mult, sd), "xavier": _ensemble(rng, other, mult, sd)}
    t = variant_effects(_table(z), _levels(16), n_boot=500, n_perm=499).set_index("motif")
    assert t.loc[PROFILE, "answer"] == "differs"
    assert t.loc["bi_fan", "answer"] == "differs"
    assert t.loc["bi_fan", "g_ci_high"] < 0 and t.loc["bi_fan", "ci_high"] < 0
    rest = [m for m in MOTIFS if m != "bi_fan"]
    assert (t.loc[rest, "answer"] == "no detectable difference").all()


def test_summary_names_the_level_the_answer_and_the_resolution():
    rng = np.random.default_rng(4)
    other = BASE.copy()
    other[BI_FAN] = -1.0
    parts = []
    for level, prof in (("3", BASE), ("5", other)):
        z = {"paper": _ensemble(rng, BASE, 3, 1), "xavier": _ensemble(rng, prof, 3, 1)}
        parts.append(_table(z, level=level, cut=0.5 if level == "3" else 0.9))
    motifs = pd.concat(parts, ignore_index=True)
    levels = pd.concat([_levels(16, level=3), _levels(16, level=5)], ignore_index=True)
    t = variant_effects(motifs, levels, n_boot=300, n_perm=299)
    assert comparison_level(t, "fixed_count") == "5"  # the sparsest with enough seeds
    text = "\n".join(variant_effects_section(t, levels.assign(cut_fraction=0.9)))
    assert "## Does the variant change the motif profile?" in text
    assert "at level 5 (90 % pruned)" in text
    assert "profile differs from `paper`'s" in text and "bi_fan g = -" in text
    assert "profile differs at 1." in text  # over the 2 levels with enough seeds
    # at level 3 alone (same profile), the sentence bounds what could have been missed
    only3 = t[t["level"] == "3"]
    text3 = "\n".join(variant_effects_section(only3))
    assert "no detectable difference" in text3 and "rule out differences beyond |g| =" in text3
