"""Per-level verdict rows judge only the networks that pass at that level (issue 12, item 3);
the null samples follow their source network; `selected` keeps every seed. Hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs import convergence as stats
from sparsemotifs.contracts.names import MOTIFS
from sparsemotifs.convergence.prepare import prepare
from sparsemotifs.convergence.study_verdict import passing_only, study_verdict

TEMPLATE = {"diverging_2": 5.0, "converging_2": -3.0, "chain_2": 2.0, "chain_3": 4.0,
            "bi_fan": -2.0, "bi_parallel": 1.0}  # fmt: skip
N_SEEDS = 12
FAILING_AT_1 = (0, 1, 2, 3, 4)  # fail at level 1, so 7 < 8 seeds remain there


def _levels():
    rows = [
        {"ensemble": "trained", "seed": s, "level": k, "cut_fraction": 0.5 * k,
         "weights_kept": 1 - 0.5 * k, "loss_train": 1e-4, "loss_val": 1e-4, "loss_test": 1e-4,
         "status": "ok", "selected": k == (0 if s in FAILING_AT_1 else 1),
         "passes": not (k == 1 and s in FAILING_AT_1), "dead_output": False}
        for s in range(N_SEEDS) for k in (0, 1)
    ]  # fmt: skip
    return stats.validate_levels(pd.DataFrame(rows))


def _motifs():
    rng = np.random.default_rng(1)
    rows = []
    for ensemble in ("trained", "null_degree"):
        for s in range(N_SEEDS):
            for k in (0, 1):
                for motif in MOTIFS:
                    z = TEMPLATE.get(motif, np.nan)
                    if np.isfinite(z):
                        z = z + rng.normal(0, 0.3) if ensemble == "trained" else rng.normal()
                    rows.append({"ensemble": ensemble, "seed": s, "level": k,
                                 "null": "fixed_count", "motif": motif, "count": 10.0,
                                 "null_mean": 9.0, "null_sd": 1.0, "z": z, "p": np.nan})  # fmt: skip
    return stats.validate_motifs(pd.DataFrame(rows))


def _seeds(m, ensemble, level):
    return sorted(m.loc[(m.ensemble == ensemble) & (m.level == level), "seed"].unique())


def test_failing_networks_and_their_null_samples_leave_the_level():
    prepared = prepare(_levels(), _motifs()).motifs
    kept = passing_only(prepared, _levels())
    passing = [s for s in range(N_SEEDS) if s not in FAILING_AT_1]
    for ensemble in ("trained", "null_degree"):
        assert _seeds(kept, ensemble, "1") == passing
        assert _seeds(kept, ensemble, "0") == list(range(N_SEEDS))
        assert _seeds(kept, ensemble, "selected") == list(range(N_SEEDS))


def test_text_flags_read_back_from_csv_count_as_bools():
    levels = _levels().assign(passes=lambda d: d["passes"].map({True: "True", False: "False"}))
    prepared = prepare(_levels(), _motifs()).motifs
    assert _seeds(passing_only(prepared, levels), "trained", "1") == [5, 6, 7, 8, 9, 10, 11]


def test_verdict_counts_only_passing_seeds_per_level():
    levels = _levels()
    table = study_verdict(prepare(levels, _motifs()).motifs, levels, n_boot=200)
    rows = table.set_index("level")
    assert rows.loc["0", "n_seeds"] == N_SEEDS and rows.loc["0", "verdict"] == "converges"
    assert rows.loc["1", "n_seeds"] == N_SEEDS - len(FAILING_AT_1)
    assert rows.loc["1", "verdict"] == "undetermined"  # 7 passing seeds < the minimum 8
    assert rows.loc["selected", "n_seeds"] == N_SEEDS


def test_without_a_passes_column_nothing_is_dropped():
    prepared = prepare(_levels(), _motifs()).motifs
    assert len(passing_only(prepared, _levels().drop(columns="passes"))) == len(prepared)
