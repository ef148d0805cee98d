"""`sparsemotifs networks import MODEL.pt --out DIR`: a torch checkpoint to a level file.

The `networks` command itself is defined in workflow_cli (its `list` action); this module adds
the options and the action of `import`.
"""

from __future__ import annotations

import argparse

from sparsemotifs.contracts.network_import import import_checkpoint, imported_levels
from sparsemotifs.io import InputError


def add_import_options(p: argparse.ArgumentParser) -> None:
    """Options of `networks import` (ignored by `networks list`)."""
    p.add_argument(
        "--out",
        help="import: directory of network files (seed<s>/level<k>.npz); levels: the table",
    )
    p.add_argument("--seed", type=int, default=0, help="import: seed of the file (default 0)")
    p.add_argument("--level", type=int, default=0, help="import: level of the file (default 0)")
    p.add_argument(
        "--seeds", type=int, nargs="*", default=None, help="levels: only these seeds (a chunk)"
    )
    p.add_argument(
        "--allow-pickle",
        action="store_true",
        help="import: also read a pickled nn.Module (runs code from the file: trusted only)",
    )


def run_import(args: argparse.Namespace) -> int:
    """Convert one checkpoint (an nn.Sequential of Linear layers, plain or pruned)."""
    if not args.out:
        raise InputError("networks import: --out DIR is required")
    if len(args.metrics) != 1:
        raise InputError("networks import: give exactly one checkpoint file")
    path = import_checkpoint(
        args.metrics[0], args.out, seed=args.seed, level=args.level, allow_pickle=args.allow_pickle
    )
    imported_levels(args.out)  # the directory as a whole must stay importable
    print(path)
    return 0


def run_levels(args: argparse.Namespace) -> int:
    """The levels table of an imported directory (`import_networks`), optionally some seeds."""
    from sparsemotifs.io import write_table

    if not args.out or len(args.metrics) != 1:
        raise InputError("networks levels: give one DIR and --out TABLE")
    table = imported_levels(args.metrics[0])
    if args.seeds is not None:
        missing = sorted(set(args.seeds) - set(table["seed"]))
        if missing:
            raise InputError(f"{args.metrics[0]}: no network files for seed(s) {missing}")
        table = table[table["seed"].isin(args.seeds)]
    write_table(table, args.out)
    return 0
