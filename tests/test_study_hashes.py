"""scripts/study_hashes.py: content hashes that ignore wall times and file metadata."""

from __future__ import annotations

import importlib.util
import time

import numpy as np
import pandas as pd

from tests.conftest import REPO

spec = importlib.util.spec_from_file_location("study_hashes", REPO / "scripts" / "study_hashes.py")
study_hashes = importlib.util.module_from_spec(spec)
spec.loader.exec_module(study_hashes)


def _study(root, loss=0.5, wall=1.0):
    (root / "train" / "trained").mkdir(parents=True)
    pd.DataFrame({"seed": [0], "loss_val": [loss], "wall_time_s": [wall]}).to_csv(
        root / "train" / "trained" / "chunk0.csv", index=False
    )
    (root / "networks" / "seed0").mkdir(parents=True)
    np.savez_compressed(
        root / "networks" / "seed0" / "level0.npz", mask_0=np.eye(3, dtype=np.uint8)
    )


def test_timing_columns_and_file_times_do_not_count(tmp_path):
    _study(tmp_path / "a")
    time.sleep(1.1)  # zip members carry a modification time; it must not matter
    _study(tmp_path / "b", wall=99.0)
    a, b = study_hashes.study_hashes(tmp_path / "a"), study_hashes.study_hashes(tmp_path / "b")
    assert set(a) == {"train/trained/chunk0.csv", "networks/seed0/level0.npz"}
    assert a == b


def test_a_changed_value_is_a_difference(tmp_path):
    _study(tmp_path / "a")
    _study(tmp_path / "b", loss=0.25)
    saved = tmp_path / "saved.txt"
    hashes = study_hashes.study_hashes(tmp_path / "a")
    saved.write_text("".join(f"{h}  {rel}\n" for rel, h in hashes.items()))
    assert study_hashes.main([str(tmp_path / "a"), "--compare", str(saved)]) == 0
    assert study_hashes.main([str(tmp_path / "b"), "--compare", str(saved)]) == 1
