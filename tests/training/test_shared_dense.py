"""A dense level trained once and continued by variants that differ only in pruning.

Reference: each variant trained from scratch on its own (the uninterrupted run); a variant
continued from the shared dense state must give the same metrics and level files bit for bit,
without training level 0 again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.training.level import LevelRun
from sparsemotifs.training.shared_dense import dense_settings_key
from sparsemotifs.training.trainer import TrainingError, train_ensemble
from tests.training.conftest import sections

SEEDS = [3, 5]
TIMING = ["wall_time_s"]


def _arrays(path):
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


def _count_levels(monkeypatch) -> list[int]:
    """Record the level of every LevelRun (one per trained level)."""
    trained: list[int] = []
    original = LevelRun.run

    def counting(self):
        trained.append(self.level)
        return original(self)

    monkeypatch.setattr(LevelRun, "run", counting)
    return trained


def test_variant_continued_from_shared_dense_equals_training_from_scratch(
    task, tmp_path, monkeypatch
):
    net, tr, layer = sections(pruning={"scope": "layer"})
    _, _, glob = sections(pruning={"scope": "global", "prune_biases": False})
    trained = _count_levels(monkeypatch)
    dense = tmp_path / "dense.pt"
    rows = train_ensemble(task, SEEDS, net, tr, layer, dense_out=dense)
    assert trained == [0] and dense.is_file() and set(rows["level"]) == {0}

    out = {}
    for name, pruning in (("a", layer), ("b", glob)):
        trained.clear()
        out[name] = train_ensemble(
            task, SEEDS, net, tr, pruning, out_dir=tmp_path / name, dense_from=dense
        )
        assert trained == [1, 2, 3]  # level 0 is not trained again
    trained.clear()
    scratch_b = train_ensemble(task, SEEDS, net, tr, glob, out_dir=tmp_path / "scratch_b")
    assert trained == [0, 1, 2, 3]

    # the shared dense networks are identical in both variants (and the variants differ later)
    for seed in SEEDS:
        a0 = _arrays(tmp_path / "a" / f"seed{seed}" / "level0.npz")
        b0 = _arrays(tmp_path / "b" / f"seed{seed}" / "level0.npz")
        assert a0.keys() == b0.keys() and all(np.array_equal(a0[k], b0[k]) for k in a0)
    a3 = _arrays(tmp_path / "a" / f"seed{SEEDS[0]}" / "level3.npz")
    b3 = _arrays(tmp_path / "b" / f"seed{SEEDS[0]}" / "level3.npz")
    assert not all(np.array_equal(a3[k], b3[k]) for k in a3)

    # continued = from scratch, bit for bit (timing aside), metrics and every level file
    pd.testing.assert_frame_equal(
        out["b"].drop(columns=TIMING), scratch_b.drop(columns=TIMING), check_exact=True
    )
    for seed in SEEDS:
        for level in range(4):
            x = _arrays(tmp_path / "b" / f"seed{seed}" / f"level{level}.npz")
            y = _arrays(tmp_path / "scratch_b" / f"seed{seed}" / f"level{level}.npz")
            assert all(np.array_equal(x[k], y[k]) for k in x), (seed, level)


@pytest.mark.parametrize(
    "change",
    [
        {"seeds": [3, 6]},
        {"training": {"lr": 0.02}},
        {"network": {"init": "xavier_normal"}},
    ],
)
def test_a_dense_state_of_other_seeds_or_settings_is_refused(task, tmp_path, change):
    net, tr, pr = sections()
    dense = tmp_path / "dense.pt"
    train_ensemble(task, SEEDS, net, tr, pr, dense_out=dense)
    net2, tr2, pr2 = sections(network=change.get("network"), training=change.get("training"))
    with pytest.raises(TrainingError, match="other seeds, data, network or training"):
        train_ensemble(task, change.get("seeds", SEEDS), net2, tr2, pr2, dense_from=dense)


def test_missing_dense_state_is_a_clear_error(task, tmp_path):
    net, tr, pr = sections()
    with pytest.raises(TrainingError, match="shared dense level not found"):
        train_ensemble(task, SEEDS, net, tr, pr, dense_from=tmp_path / "nope.pt")


def test_dense_key_ignores_job_layout_and_pruning_only():
    net, tr, _ = sections()
    key = dense_settings_key("flight", net, tr)
    assert key == dense_settings_key("flight", net, {**tr, "threads": 8, "chunk_size": 9})
    assert key != dense_settings_key("control_task", net, tr)
    assert key != dense_settings_key("flight", net, {**tr, "dense_early_stopping": False})
    assert key != dense_settings_key("flight", {**net, "init": "orthogonal"}, tr)
