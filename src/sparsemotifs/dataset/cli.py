"""`sparsemotifs dataset`: simulation shards -> the networks' data (flight or control task)."""

from __future__ import annotations

import argparse
import logging

from sparsemotifs.config import parse_json_arg, validate_section
from sparsemotifs.dataset.build import build_training_data, read_simulation_tables

log = logging.getLogger(__name__)


def register(sub) -> None:
    p = sub.add_parser(
        "dataset",
        help="build scaled train/val/test data from simulation tables",
        description="Concatenate simulation shards (in order), build the 10 inputs and 7 outputs, "
        "split them and fit the [-0.5, 0.5] min-max scaler on the training split only.",
    )
    p.add_argument("tables", nargs="+", help="simulation tables (.parquet or .csv), in shard order")
    p.add_argument("--out", required=True, help="output .npz")
    p.add_argument("--params", default="{}", help="the config's `dataset` section as JSON")
    p.add_argument(
        "--control-task",
        default=None,
        metavar="JSON",
        help="the config's `controls.control_task` section as JSON: replace the outputs by a random teacher's",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    params = validate_section("dataset", parse_json_arg(args.params, "--params"))
    teacher = None
    if args.control_task is not None:
        controls = validate_section(
            "controls", {"control_task": parse_json_arg(args.control_task, "--control-task")}
        )
        teacher = controls["control_task"]
    table = read_simulation_tables(args.tables)
    data = build_training_data(
        table,
        fractions=(params["train"], params["val"], params["test"]),
        split_seed=params["seed"],
        source=",".join(map(str, args.tables)),
        teacher=teacher,
    )
    data.save(args.out)
    log.info("wrote %s: %s", args.out, data.meta["split_sizes"])
    return 0
