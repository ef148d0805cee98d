"""File helpers shared by every stage: atomic writes and tables in parquet or CSV.

Every output is written to a temporary file beside its destination and renamed into place,
so a killed job never leaves a partial file that a rerun would mistake for a finished one.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sparsemotifs import SparsemotifsError


class InputError(SparsemotifsError):
    """An input file is missing, unreadable or malformed; the message names the file."""


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


@contextlib.contextmanager
def atomic_path(path: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path in the destination folder; rename it to `path` on success only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A killed earlier write of this output (one writer per output at a time) left its temporary
    # file behind; remove it so a restart leaves no stray hidden files.
    suffix = suffix if suffix is not None else path.suffix
    own_temp = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}{re.escape(suffix)}")
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*"):
        if own_temp.fullmatch(stale.name):
            stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600 files; outputs get the usual permissions
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_table(df: pd.DataFrame, path: str | Path) -> None:
    """Parquet unless the path ends in .csv; written atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix == ".csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)


def read_table(path: str | Path, required_columns: Sequence[str] = ()) -> pd.DataFrame:
    """A parquet or CSV table; InputError naming the file when missing, unreadable or short of columns."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    try:
        df = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad file
        raise InputError(f"{path}: cannot read table ({type(exc).__name__}: {exc})") from None
    missing = [c for c in required_columns if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing columns {missing}")
    return df


def save_npz(path: str | Path, **arrays: np.ndarray) -> None:
    """np.savez_compressed, atomically."""
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez_compressed(tmp, **arrays)


def load_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Every array of an .npz file (no pickles); InputError naming the file when unreadable."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except Exception as exc:  # noqa: BLE001 - zip/CRC/pickle errors all mean a corrupt file
        raise InputError(
            f"{path}: not a readable .npz file ({type(exc).__name__}: {exc})"
        ) from None


def write_json(obj, path: str | Path) -> None:
    """JSON (sorted keys, numpy scalars converted), written atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, default=_json_default) + "\n")


def write_text(text: str, path: str | Path) -> None:
    """Text, written atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def _json_default(obj):
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
