"""`sparsemotifs dataset`: simulation shards -> the networks' data (flight or control task)."""

from __future__ import annotations

import argparse
import logging

from sparsemotifs import registry
from sparsemotifs.config import parse_params
from sparsemotifs.dataset import build

log = logging.getLogger(__name__)
TASKS = registry.DATASETS  # name -> config section of the task (None: the flight task)


def register(sub) -> None:
    p = sub.add_parser(
        "dataset",
        help="build scaled train/val/test data from simulation tables",
        description="Concatenate simulation shards (in order), build the 10 inputs and 7 outputs, "
        "split them and fit the [-0.5, 0.5] min-max scaler on the training split only.",
    )
    p.add_argument("tables", nargs="+", help="simulation tables (.parquet or .csv), in shard order")
    p.add_argument("--out", required=True, help="output .npz")
    p.add_argument(
        "--params",
        default="{}",
        help='JSON {"dataset": {...}, "controls": {"control_task": {...}}}: config sections',
    )
    p.add_argument(
        "--task",
        choices=list(TASKS),
        default="flight",
        help="flight, or control_task: replace the outputs by a random teacher's "
        "(controls.control_task of --params)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    sections = parse_params(args.params, ("dataset", "controls"))
    params = sections["dataset"]
    teacher = sections["controls"]["control_task"] if args.task == "control_task" else None
    table = build.read_simulation_tables(args.tables)
    data = build.build_training_data(
        table,
        fractions=(params["train"], params["val"], params["test"]),
        split_seed=params["seed"],
        source=",".join(map(str, args.tables)),
        teacher=teacher,
    )
    data.save(args.out)
    log.info("wrote %s: %s", args.out, data.meta["split_sizes"])
    return 0
