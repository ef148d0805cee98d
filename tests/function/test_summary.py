"""The summary paragraphs state the measured numbers of constructed tables."""

from __future__ import annotations

import pandas as pd

from sparsemotifs.function.summary import closed_loop_paragraph, weights_paragraph


def test_closed_loop_paragraph_numbers():
    rows, levels = [], []
    for seed in range(3):
        for level in range(4):
            rows.append({"ensemble": "trained", "seed": seed, "level": level, "n_trajectories": 100,
                         "n_failed": 0, "position_median_cm": 0.5 * 3**level,
                         "position_p90_cm": 2.0, "theta_median_rad": 0.01, "theta_p90_rad": 0.1,
                         "phi_median_rad": 0.02, "phi_p90_rad": 0.2})  # fmt: skip
            levels.append({"seed": seed, "level": level, "loss_test": 1e-3 * (1 + level),
                           "weights_kept": 1 - 0.2 * level, "selected": level == 2})  # fmt: skip
    text = "\n".join(closed_loop_paragraph(pd.DataFrame(rows), pd.DataFrame(levels)))
    assert "within 0.5 cm" in text and "13.5 cm, a factor 27" in text
    assert "grows by a factor 4" in text
    assert "first exceeds twice its dense value from level 1 (20 % pruned)" in text
    assert "the loss from level 2 (40 % pruned)" in text
    assert "selected level (median 40 % pruned, 3 seeds) the median position miss is 4.5 cm" in text


def test_weights_paragraph_verdict():
    rows = []
    for metric, ratio in (("weight", 1.1), ("strength", 4.0), ("fluctuation", 1.5)):
        for level in range(3):
            rows.append({"comparison": "loss_bins", "ensemble_a": "trained",
                         "ensemble_b": "trained", "metric": metric, "level": level, "layer": 1,
                         "kl": 0.1 * ratio, "kl_ratio": ratio})  # fmt: skip
    text = "\n".join(weights_paragraph(pd.DataFrame(rows)))
    assert "strength separate accurate from poor networks" in text
    assert "link-weight distributions do not" in text and "weight 0.11 (1.1x its null)" in text
    assert "No weight" in "\n".join(weights_paragraph(pd.DataFrame(columns=["comparison"])))


def test_motif_relation_matches_scipy_and_is_in_the_paragraph():
    import numpy as np
    from scipy import stats as sps

    from sparsemotifs.function.summary import motif_relation

    rng = np.random.default_rng(0)
    cl, levels, motifs = [], [], []
    for seed in range(8):
        miss = rng.uniform(0.1, 1.0)
        for level in range(2):
            cl.append({"ensemble": "trained", "seed": seed, "level": level, "n_trajectories": 10,
                       "n_failed": 0, "position_median_cm": miss + level, "position_p90_cm": 1,
                       "theta_median_rad": 0.1, "theta_p90_rad": 0.2, "phi_median_rad": 0.1,
                       "phi_p90_rad": 0.2})  # fmt: skip
            levels.append({"seed": seed, "level": level, "loss_test": 1.0,
                           "weights_kept": 1 - level / 2, "selected": level == 1})  # fmt: skip
            for motif, z in (("bi_fan", 10 * miss), ("bi_parallel", rng.normal())):
                for null in ("degree", "fixed_count"):
                    motifs.append({"ensemble": "trained", "seed": seed, "level": level,
                                   "null": null, "motif": motif, "z": z + level})  # fmt: skip
    cl, levels, motifs = pd.DataFrame(cl), pd.DataFrame(levels), pd.DataFrame(motifs)
    rel = motif_relation(cl, levels, motifs).set_index("motif")
    assert rel.loc["bi_fan", "rho"] == 1.0 and rel.loc["bi_fan", "n_seeds"] == 8
    sel = motifs[(motifs.level == 1) & (motifs.null == "degree") & (motifs.motif == "bi_parallel")]
    expected = sps.spearmanr(cl[cl.level == 1]["position_median_cm"], sel["z"]).statistic
    assert rel.loc["bi_parallel", "rho"] == expected
    text = "\n".join(closed_loop_paragraph(cl, levels, motifs=motifs))
    assert "Across 8 seeds at their selected levels" in text and "bi_fan rho = 1.00" in text


def test_closed_loop_paragraph_per_variant_uses_each_variants_own_levels():
    """Two flown variants: a subsection each, numbers from its own rows and levels only."""
    rows, levels = [], []
    for name, factor in (("first", 1.0), ("second", 10.0)):
        for seed in range(3):
            for level in range(3):
                rows.append({"ensemble": name, "seed": seed, "level": level,
                             "n_trajectories": 100, "n_failed": 0,
                             "position_median_cm": factor * 2**level, "position_p90_cm": 2.0,
                             "theta_median_rad": 0.01, "theta_p90_rad": 0.1,
                             "phi_median_rad": 0.02, "phi_p90_rad": 0.2})  # fmt: skip
                levels.append({"ensemble": name, "seed": seed, "level": level,
                               "loss_test": factor * 1e-3 * (1 + level),
                               "weights_kept": 1 - 0.25 * level,
                               "selected": level == 1})  # fmt: skip
    lines = closed_loop_paragraph(pd.DataFrame(rows), pd.DataFrame(levels))
    text = "\n".join(lines)
    assert lines.count("## Closed-loop function") == 1
    first, second = text.split("### first")[1].split("### second")
    assert "within 1 cm" in first and "the position miss is 4 cm, a factor 4" in first
    assert "within 10 cm" in second and "the position miss is 40 cm, a factor 4" in second
    assert "grows by a factor 3" in first and "grows by a factor 3" in second
    assert (
        "selected level (median 25 % pruned, 3 seeds) the median position miss is 20 cm" in second
    )
