"""The study's verdict and calibration tables from a prepared motifs table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs.convergence.study_verdict import study_calibration, study_verdict

FREE = ["diverging_2", "converging_2", "chain_2", "chain_3", "bi_fan", "bi_parallel"]


def _rows(ensemble, z_of_seed, n_seeds=10, levels=("1", "2"), null="fixed_count"):
    rows = []
    for level in levels:
        for seed in range(n_seeds):
            for motif, z in zip(FREE, z_of_seed(seed), strict=True):
                rows.append({"ensemble": ensemble, "seed": seed, "level": level, "null": null,
                             "motif": motif, "z": z, "count": 10})  # fmt: skip
    return rows


def test_shared_profile_converges_and_structureless_does_not():
    rng = np.random.default_rng(0)
    template = np.array([5.0, -3.0, 2.0, 4.0, -2.0, 1.0])
    trained = _rows("trained", lambda s: template + rng.normal(0, 0.3, 6))
    samples = _rows("null_degree", lambda s: rng.normal(0, 1, 6))
    table = study_verdict(pd.DataFrame(trained + samples), n_boot=300)
    overall = table[table["level"] == "all"].iloc[0]
    assert overall["verdict"] == "converges", overall["reason"]
    # the null samples share the template: no gain, so it does not converge
    same = _rows("null_degree", lambda s: template + rng.normal(0, 0.3, 6))
    table = study_verdict(pd.DataFrame(trained + same), n_boot=300)
    assert table[table["level"] == "all"].iloc[0]["verdict"] == "does not converge"


def test_without_null_samples_every_null_is_undetermined():
    trained = _rows("trained", lambda s: np.ones(6)) + _rows(
        "trained", lambda s: np.ones(6), null="degree"
    )
    table = study_verdict(pd.DataFrame(trained))
    assert list(table["null"]) == ["fixed_count", "degree"]
    assert (table["verdict"] == "undetermined").all()
    assert table["reason"].str.contains("controls.null_samples").all()


def test_calibration_flags_a_shifted_null():
    rng = np.random.default_rng(1)
    ok = _rows("null_min1", lambda s: rng.normal(0, 1, 6), n_seeds=60, null="fixed_count_min1")
    shifted = _rows("random_pruned", lambda s: rng.normal(-1.0, 1, 6), n_seeds=60)
    cal = study_calibration(pd.DataFrame(ok + shifted), n_boot=300)
    assert set(cal["ensemble"]) == {"null_min1", "random_pruned"}
    assert cal.loc[cal["ensemble"] == "random_pruned", "calibrated"].sum() == 0
    assert cal.loc[cal["ensemble"] == "null_min1", "calibrated"].mean() >= 0.5
    assert (cal["n"] == 120).all()  # both levels, 60 seeds
