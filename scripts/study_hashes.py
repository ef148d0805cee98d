"""SHA-256 of every table and network file of a finished study, for before/after comparisons.

Tables (tables/*.csv, motifs/**/*.parquet, train/**/*.csv, data/simulation/*.parquet) are hashed
by content (read, timing columns dropped, written as CSV), network and data files (.npz) by
their arrays (name, dtype, shape, bytes), so file timestamps and zip metadata do not count.

    python scripts/study_hashes.py results/test > hashes.txt
    python scripts/study_hashes.py results/test --compare hashes.txt   # exit 1 on a difference
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd

TIMING_COLUMNS = {"wall_time_s", "seconds", "elapsed_s"}
PATTERNS = (
    "tables/*.csv",
    "motifs/**/*.parquet",
    "train/*/*.csv",
    "data/simulation/*.parquet",
    "data/*.npz",
    "networks/**/*.npz",
    "*/networks/**/*.npz",
)


def table_hash(path: Path) -> str:
    df = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
    df = df.drop(columns=[c for c in df.columns if c in TIMING_COLUMNS])
    return hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()


def npz_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with np.load(path, allow_pickle=False) as f:
        for key in sorted(f.files):
            a = f[key]
            digest.update(f"{key}|{a.dtype.str}|{a.shape}".encode())
            digest.update(np.ascontiguousarray(a).tobytes())
    return digest.hexdigest()


def study_hashes(results: Path) -> dict[str, str]:
    """Relative path -> content hash of every compared file under results/<study>/."""
    out = {}
    for pattern in PATTERNS:
        for path in sorted(results.glob(pattern)):
            if "checkpoints" in path.parts:
                continue
            rel = str(path.relative_to(results))
            out[rel] = npz_hash(path) if path.suffix == ".npz" else table_hash(path)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results", type=Path, help="results/<study> folder")
    p.add_argument("--compare", type=Path, help="a saved hash list to compare with")
    args = p.parse_args(argv)
    hashes = study_hashes(args.results)
    if args.compare is None:
        sys.stdout.write("".join(f"{h}  {rel}\n" for rel, h in hashes.items()))
        return 0
    saved = dict(
        reversed(line.split("  ", 1)) for line in args.compare.read_text().splitlines() if line
    )
    differ = sorted(k for k in saved.keys() & hashes.keys() if saved[k] != hashes[k])
    only_saved, only_now = (
        sorted(saved.keys() - hashes.keys()),
        sorted(hashes.keys() - saved.keys()),
    )
    print(
        f"{len(saved)} saved, {len(hashes)} now, {len(saved.keys() & hashes.keys())} common, "
        f"{len(differ)} differ, {len(only_saved)} only saved, {len(only_now)} only now"
    )
    for label, items in (("differs", differ), ("only saved", only_saved), ("only now", only_now)):
        for item in items:
            print(f"  {label}: {item}")
    return 1 if differ or only_saved or only_now else 0


if __name__ == "__main__":
    sys.exit(main())
