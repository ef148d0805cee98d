"""Selection outcomes under their own names, against select_levels on hand-made losses."""

from __future__ import annotations

import pandas as pd

from sparsemotifs.training.outcomes import analysed_networks, outcome_counts, seed_outcomes
from sparsemotifs.training.selection import select_levels


def _metrics():
    # seed 0: passes 0-2, fails 3 -> selected 2; seed 1: fails the dense level, passes 1-3;
    # seed 2: never passes
    losses = {0: [0.001, 0.002, 0.003, 0.01], 1: [0.01, 0.002, 0.003, 0.004], 2: [0.1] * 4}
    rows = [
        {"seed": s, "level": k, "cut_fraction": 0.1 * k, "weights_kept": 100 - k,
         "loss_train": v, "loss_val": v, "loss_test": v, "status": "ok"}
        for s, vals in losses.items() for k, v in enumerate(vals)
    ]  # fmt: skip
    return pd.DataFrame(rows)


SELECTION = {"split": "val", "rule": "first_failure", "threshold": 0.005}


def test_first_failure_dropouts_are_named_with_their_later_levels():
    out = seed_outcomes(select_levels(_metrics(), SELECTION)).set_index("seed")
    assert out.loc[0, "outcome"] == "selected" and out.loc[0, "selected_level"] == 2
    assert out.loc[1, "outcome"] == "failed at the dense level, passes later"
    assert out.loc[1, "passing_levels"] == "1 2 3" and out.loc[1, "first_failing_level"] == 0
    assert out.loc[2, "outcome"] == "never passes"
    counts = outcome_counts(select_levels(_metrics(), SELECTION)).set_index("outcome")["seeds"]
    assert counts.to_dict() == {
        "selected": 1, "failed at the dense level, passes later": 1, "never passes": 1,
    }  # fmt: skip
    last = seed_outcomes(select_levels(_metrics(), {**SELECTION, "rule": "last_pass"}))
    assert last.set_index("seed").loc[1, "selected_level"] == 3  # the reference's rule keeps it


def test_dead_output_networks_excluded_by_default():
    levels = pd.DataFrame(
        {"ensemble": "trained", "seed": [0, 1], "level": [2, 2], "dead_output": [True, False]}
    )
    motifs = pd.DataFrame({"ensemble": "trained", "seed": [0, 0, 1], "level": 2, "z": [1, 2, 3]})
    kept = analysed_networks(levels, motifs)
    assert kept["seed"].tolist() == [1]
    assert len(analysed_networks(levels, motifs, exclude_dead_outputs=False)) == 3
