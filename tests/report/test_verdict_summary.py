"""summary.md's verdict, calibration and seed-outcome sections say what the tables say."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs.convergence.verdict import VERDICT_COLUMNS
from sparsemotifs.report.verdict_summary import (
    calibration_section,
    outcomes_section,
    verdict_section,
)


def _verdict_rows():
    base = dict.fromkeys(VERDICT_COLUMNS, np.nan)
    lvl = {**base, "null": "degree", "level": "3", "n_seeds": 10, "similarity_trained": 0.4,
           "similarity_null_samples": 0.5, "delta": -0.1, "delta_ci_low": -0.2,
           "delta_ci_high": -0.01, "q25_seed_delta": -0.15, "verdict": "does not converge",
           "min_seeds": 8, "margin": 0.05}  # fmt: skip
    overall = {**lvl, "level": "all", "reason": "same verdict at all 1 level(s)"}
    return pd.DataFrame([lvl, overall])


def test_verdict_section_states_direction_dependencies_and_width():
    text = "\n".join(verdict_section(_verdict_rows(), {"network": {"widths": [10, 48, 7]}}))
    assert "**null = degree: does not converge.**" in text
    assert "trained seeds are less similar to each other (mean cosine 0.400)" in text
    assert "gain -0.100, 95 % CI [-0.200, -0.010]" in text
    assert "conditional on width" in text and "[10, 48, 7]" in text
    assert "Criterion:" in text and "at least 8 seeds" in text


def test_calibration_section_counts_calibrated_rows_from_csv_strings():
    cal = pd.DataFrame({"ensemble": ["random_pruned"] * 2, "null": ["fixed_count"] * 2,
                        "motif": ["bi_fan", "chain_3"], "n": [40, 40], "mean_z": [-1.0, 0.0],
                        "sd_z": [1.0, 1.0], "calibrated": ["False", "True"],
                        "p_holm": [1e-4, 0.9]})  # fmt: skip
    text = "\n".join(calibration_section(cal))
    assert "1 of 2 (ensemble, null, motif) rows are calibrated" in text
    assert "| random_pruned | fixed_count | bi_fan | 40 | -1.00" in text


def test_outcomes_section_names_late_passers_with_their_levels():
    rows = []
    for seed, losses in {0: [0.001, 0.002, 0.01], 1: [0.01, 0.002, 0.003], 2: [0.02] * 3}.items():
        for level, loss in enumerate(losses):
            rows.append({"ensemble": "trained", "seed": seed, "level": level, "loss_val": loss,
                         "status": "ok", "selected": seed == 0 and level == 1})  # fmt: skip
    text = "\n".join(outcomes_section(pd.DataFrame(rows), 0.005, "val"))
    assert "| trained | selected | 1 |" in text
    assert "| trained | failed at the dense level, passes later | 1 |" in text
    assert "| trained | never passes | 1 |" in text
    assert "trained seed 1 passes at levels 1 2" in text
