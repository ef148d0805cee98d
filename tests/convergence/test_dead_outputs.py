"""Dead-output networks: left out of the statistics by default, counted, the verdict given both
ways; and the control task's difficulty ratio. Hand-made tables with a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sparsemotifs import convergence as stats
from sparsemotifs.contracts.names import MOTIFS
from sparsemotifs.convergence.difficulty import control_difficulty
from sparsemotifs.convergence.prepare import prepare

TEMPLATE = {"diverging_2": 5.0, "converging_2": -3.0, "chain_2": 2.0, "chain_3": 4.0,
            "bi_fan": -2.0, "bi_parallel": 1.0}  # fmt: skip
DEAD = (0, 1)  # seeds with a dead output at every level


def _levels(n_seeds=9, exclude=True):
    rows = [
        {"ensemble": "trained", "seed": s, "level": k, "cut_fraction": 0.5 * k,
         "weights_kept": 1 - 0.5 * k, "loss_train": 1e-4, "loss_val": 1e-4, "loss_test": 1e-4,
         "status": "ok", "selected": k == 1, "passes": True, "dead_output": s in DEAD,
         "selection_exclude_dead_outputs": exclude}
        for s in range(n_seeds) for k in (0, 1)
    ]  # fmt: skip
    return stats.validate_levels(pd.DataFrame(rows))


def _motifs(n_seeds=9):
    rng = np.random.default_rng(0)
    rows = []
    for ensemble in ("trained", "null_degree"):
        for s in range(n_seeds):
            for k in (0, 1):
                for motif in MOTIFS:
                    z = TEMPLATE.get(motif, np.nan)
                    if np.isfinite(z):  # trained share the template, null samples are noise
                        z = z + rng.normal(0, 0.3) if ensemble == "trained" else rng.normal()
                    rows.append({"ensemble": ensemble, "seed": s, "level": k,
                                 "null": "fixed_count", "motif": motif, "count": 10.0,
                                 "null_mean": 9.0, "null_sd": 1.0, "z": z, "p": np.nan})  # fmt: skip
    return stats.validate_motifs(pd.DataFrame(rows))


def _networks(prepared, ensemble, level):
    m = prepared.motifs
    return sorted(m.loc[(m.ensemble == ensemble) & (m.level == level), "seed"].unique())


def test_prepare_excludes_dead_outputs_with_their_derived_controls():
    p = prepare(_levels(), _motifs())
    for ensemble in ("trained", "null_degree"):  # the null samples follow their source
        for level in ("0", "1", "selected"):
            assert _networks(p, ensemble, level) == list(range(2, 9))
    ex = p.excluded.set_index(["ensemble", "level"])["n_excluded_dead_output"]
    assert ex[("trained", "1")] == 2 and ex[("null_degree", "0")] == 2
    assert ex[("trained", "selected")] == 2
    kept = prepare(_levels(exclude=False), _motifs())  # the setting as `select` recorded it
    assert _networks(kept, "trained", "1") == list(range(9))
    forced = prepare(_levels(exclude=False), _motifs(), exclude_dead_outputs=True)
    assert _networks(forced, "trained", "1") == list(range(2, 9))


def test_verdict_given_with_and_without_dead_outputs():
    # 9 seeds, 2 with a dead output: excluded, 7 < the minimum of 8 seeds -> undetermined;
    # included, 9 seeds sharing a template against noise samples -> converges
    tables = stats.aggregate(_levels(), _motifs(), n_boot=100, n_perm=19, seed=0)
    v = tables["verdict"].set_index("level")
    assert v.loc["all", "dead_outputs"] == "excluded"
    assert v.loc["all", "alt_dead_outputs"] == "included"
    assert v.loc["all", "verdict"] == "undetermined"
    assert v.loc["all", "alt_verdict"] == "converges", v.loc["all", "alt_reason"]
    assert v.loc["1", "n_seeds"] == 7 and v.loc["1", "alt_n_seeds"] == 9
    assert v.loc["1", "n_dead_output_seeds"] == 2 and v.loc["all", "n_dead_output_seeds"] == 2
    conv = tables["convergence"]
    row = conv[(conv.ensemble == "trained") & (conv.level == "1") & (conv.motif == "bi_fan")]
    assert row["n"].iloc[0] == 7 and row["n_excluded_dead_output"].iloc[0] == 2
    # the setting off: the primary answer includes them, the alternative excludes them
    off = stats.aggregate(_levels(exclude=False), _motifs(), n_boot=100, n_perm=19, seed=0)
    w = off["verdict"].set_index("level")
    assert (w.loc["all", "dead_outputs"], w.loc["all", "verdict"]) == ("included", "converges")
    assert w.loc["all", "alt_verdict"] == "undetermined"


def test_control_difficulty_by_hand():
    rows = []
    for ens, losses in (("trained", [1e-3, 2e-3, 3e-3, 9.0]), ("control_task", [1e-5, 3e-5])):
        for s, loss in enumerate(losses):
            status = "diverged" if loss == 9.0 else "ok"  # a diverged level does not count
            for k in (0, 1):
                rows.append({"ensemble": ens, "seed": s, "level": k, "status": status,
                             "loss_val": loss * (1 + k), "loss_train": 1.0,
                             "selection_split": "val"})  # fmt: skip
    d = control_difficulty(pd.DataFrame(rows))
    assert d["dense_loss_split"] == "val"
    assert d["dense_loss_trained"] == pytest.approx(2e-3)
    assert d["dense_loss_control"] == pytest.approx(2e-5)
    assert d["control_dense_loss_ratio"] == pytest.approx(0.01)
    assert control_difficulty(pd.DataFrame(rows), "train")["control_dense_loss_ratio"] == 1.0
