"""The ΔZ section of summary.md says what the sign means and reports the table's numbers."""

from __future__ import annotations

import pandas as pd

from sparsemotifs.report.delta_z_summary import delta_z_section


def _summary():
    rows = []
    for level, cut in ((1, 0.5), (2, 0.8)):
        for motif, mean, lo, hi in (("bi_fan", 2.5, 1.0, 4.0), ("chain_2", -1.5, -2.0, -0.5)):
            rows.append({"ensemble": "trained", "null": "fixed_count", "level": str(level),
                         "cut_fraction": cut, "motif": motif, "n_seeds": 9,
                         "mean_z_trained": mean + 1, "mean_z_init": 1.0, "mean_delta_z": mean,
                         "sd_delta_z": 1.0, "ci_low": lo, "ci_high": hi, "p_mean_zero": 0.01,
                         "p_holm": 0.04})  # fmt: skip
    return pd.DataFrame(rows)


def test_section_reports_sign_counts_and_the_level_nearest_the_selected_one():
    levels = pd.DataFrame(
        {"ensemble": "trained", "seed": [0, 1, 2], "level": [2, 2, 1],
         "cut_fraction": [0.8, 0.8, 0.5], "selected": True}
    )  # fmt: skip
    text = "\n".join(delta_z_section(_summary(), levels))
    assert "ΔZ > 0: training makes the motif more over-represented" in text
    assert "random masks with the same per-block counts in distribution" in text
    assert "Biases start at exactly 0" in text
    assert (
        "4 have enough seeds for a CI (>= 5); the seed-bootstrap CI of mean ΔZ lies above 0 in 2 and below 0 in 2"
        in text
    )
    assert "trained at level 2 (cut fraction 0.80" in text
    assert "| fixed_count | bi_fan | 9 | 3.50 | 1.00 | 2.50 [1.00, 4.00] | 0.04 |" in text


def test_section_without_the_control_says_it_is_off():
    text = "\n".join(delta_z_section(_summary().iloc[:0]))
    assert "controls.magnitude_init" in text
