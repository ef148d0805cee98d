"""`sparsemotifs simulate`: one shard of the flight-trajectory table plus a metadata sidecar."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sparsemotifs import SparsemotifsError
from sparsemotifs.config import raw_params, validate_section
from sparsemotifs.io import write_json, write_table

log = logging.getLogger(__name__)

SUFFIXES = (".parquet", ".csv")


def register(sub) -> None:
    p = sub.add_parser(
        "simulate",
        help="simulate hawkmoth flight trajectories (one shard)",
        description="Sample initial states and controls, integrate the two-body hawkmoth model "
        "over the horizon and write one row per trajectory (start state, controls, end state). "
        "Shards 0..K-1 concatenated in order equal the unsharded table.",
    )
    p.add_argument("--n", type=int, default=None, help="number of trajectories of the whole run")
    p.add_argument("--seed", type=int, default=None, help="random seed of the whole run")
    p.add_argument("--out", required=True, help="output table (.parquet, or .csv)")
    p.add_argument("--shard", type=int, default=0, help="index of this shard (default 0)")
    p.add_argument(
        "--shards",
        type=int,
        default=1,
        help="number of shards (default 1; the config's `shards` only tells the workflow how "
        "many jobs to launch)",
    )
    p.add_argument(
        "--params",
        default="{}",
        help='JSON {"simulation": {...}}: the config section (--n/--seed override its keys)',
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sparsemotifs.flight.simulate import simulate

    section = raw_params(args.params, ("simulation",))["simulation"]
    if args.n is not None:
        section["n_trajectories"] = args.n
    if args.seed is not None:
        section["seed"] = args.seed
    settings = validate_section("simulation", section)
    if "n_trajectories" not in settings:  # required by the schema only for simulating studies
        raise SparsemotifsError(
            "simulation.n_trajectories is required: give --n or set it in --params"
        )
    out = Path(args.out)
    if out.suffix not in SUFFIXES:
        raise SparsemotifsError(
            f"--out {out}: unknown table format '{out.suffix}'; use one of {', '.join(SUFFIXES)}"
        )
    if args.shards < 1:
        raise SparsemotifsError(f"--shards must be >= 1, got {args.shards}")
    if not 0 <= args.shard < args.shards:
        raise SparsemotifsError(
            f"--shard must be in 0..{args.shards - 1} for --shards {args.shards}, got {args.shard}"
        )
    table, meta = simulate(
        settings["n_trajectories"],
        settings["seed"],
        shard=args.shard,
        shards=args.shards,
        settings=settings,
    )
    meta_path = Path(f"{out}.meta.json")
    write_table(table, out)
    try:
        write_json(meta, meta_path)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    log.info("wrote %s (%d rows) and %s", out, len(table), meta_path)
    return 0
