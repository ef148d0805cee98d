"""Atomic writes: outputs appear whole or not at all, with ordinary file permissions."""

from __future__ import annotations

import os
import stat

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.io import InputError, atomic_path, load_npz, read_table, save_npz, write_table


def test_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("partial")
        raise RuntimeError("crash mid-write")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_outputs_get_umask_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    finally:
        os.umask(mask)
    mode = stat.S_IMODE((tmp_path / "t.csv").stat().st_mode)
    assert mode == 0o666 & ~mask  # not mkstemp's private 0600


def test_round_trip_and_bad_files(tmp_path):
    save_npz(tmp_path / "a.npz", x=np.arange(3))
    assert load_npz(tmp_path / "a.npz")["x"].tolist() == [0, 1, 2]
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="bad.npz"):
        load_npz(tmp_path / "bad.npz")
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.parquet")
    with pytest.raises(InputError, match="missing columns"):
        read_table(tmp_path / "t.parquet", required_columns=["a", "b"])
