"""`sparsemotifs weights`: weight metrics per network file; `weights-compare`: La Malfa's KL table."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import pandas as pd

from sparsemotifs.config import parse_params
from sparsemotifs.io import InputError, read_table, write_table
from sparsemotifs.weights.compare import compare_table
from sparsemotifs.weights.metrics import (
    TABLE_COLUMNS,
    VALUE_COLUMNS,
    network_rows,
    network_values,
    weights_json,
)
from sparsemotifs.weights.network import load_network, parse_seed_level

log = logging.getLogger(__name__)

COMPARE_DEFAULTS = {"loss": "loss_test", "bins": 3, "permutations": 5, "seed": 0}


def register(sub) -> None:
    p = sub.add_parser(
        "weights",
        help="link weights, node strength and layer fluctuation of network files",
        description="With --json: one JSON object per file (La Malfa's node strength per layer, "
        "input first, and the layer fluctuation = population sd of the strengths). With --out: "
        "the summary table (one row per network, layer and metric) and, with --values-out, every "
        "kept weight and node value for the KL comparison.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="network .npz files")
    p.add_argument("--json", action="store_true", help="print one JSON object per file")
    p.add_argument("--ensemble", default="trained", help="ensemble name for the table rows")
    p.add_argument("--out", help="summary table (.parquet or .csv)")
    p.add_argument("--values-out", help="long table of every value (.parquet)")
    p.set_defaults(func=run_weights)

    c = sub.add_parser(
        "weights-compare",
        help="symmetrised KL divergence of KDEs between loss bins and between ensembles",
    )
    c.add_argument("--table", nargs="+", required=True, help="summary tables from `weights`")
    c.add_argument("--values", nargs="+", required=True, help="value tables from `weights`")
    c.add_argument(
        "--losses",
        action="append",
        default=[],
        metavar="ENSEMBLE=LEVELS",
        help="an ensemble's levels table (seed, level, loss); repeat per ensemble",
    )
    c.add_argument(
        "--params",
        default="{}",
        help='JSON {"weights": {...}}: the config section (loss, bins, permutations, seed)',
    )
    c.add_argument(
        "--reference",
        default="trained",
        help="the ensemble every other one is compared with (the study's subject)",
    )
    c.add_argument("--out", required=True)
    c.set_defaults(func=run_compare)

    f = sub.add_parser("weights-figure", help="weight metrics against sparsity per ensemble")
    f.add_argument("--table", nargs="+", required=True, help="summary tables from `weights`")
    f.add_argument("--compare", help="the weights-compare table (adds the separation figure)")
    f.add_argument("--levels", action="append", default=[], metavar="ENSEMBLE=LEVELS")
    f.add_argument("--out-dir", required=True)
    f.set_defaults(func=run_figure)


def _ensemble_tables(items, required) -> dict[str, pd.DataFrame]:
    out = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise InputError(f"{item!r}: expected ENSEMBLE=PATH")
        out[name] = read_table(path, required_columns=required)
    return out


def run_weights(args: argparse.Namespace) -> int:
    if not args.json and not args.out:
        raise InputError("give --json, --out or both")
    if args.values_out and not args.out:
        raise InputError("--values-out needs --out")
    keys = [parse_seed_level(f) for f in args.files] if args.out else [None] * len(args.files)
    nets = [load_network(path) for path in args.files]  # all valid before any output
    if args.json:
        for path, net in zip(args.files, nets, strict=True):
            print(json.dumps({"file": str(path), **weights_json(net)}))
        sys.stdout.flush()
    if not args.out:
        return 0
    rows, values = [], []
    for net, (seed, level) in zip(nets, keys, strict=True):
        key = {"ensemble": args.ensemble, "seed": seed, "level": level}
        rows.extend(network_rows(net, key))
        if args.values_out:
            values.append(network_values(net, key))
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    if args.values_out:
        vals = pd.concat(values, ignore_index=True)[VALUE_COLUMNS]
        write_table(vals, args.values_out)
    try:
        write_table(table, args.out)
    except BaseException:
        if args.values_out:
            Path(args.values_out).unlink(missing_ok=True)
        raise
    log.info("wrote %s (%d rows from %d files)", args.out, len(table), len(args.files))
    return 0


def run_compare(args: argparse.Namespace) -> int:
    params = parse_params(args.params, ("weights",))["weights"]
    losses = _ensemble_tables(args.losses, ["seed", "level", params["loss"]])
    table = pd.concat([read_table(p, required_columns=TABLE_COLUMNS) for p in args.table])
    values = pd.concat([read_table(p, required_columns=VALUE_COLUMNS) for p in args.values])
    out = compare_table(
        values,
        table,
        losses,
        loss_column=params["loss"],
        n_bins=int(params["bins"]),
        n_perm=int(params["permutations"]),
        seed=int(params["seed"]),
        reference=args.reference,
    )
    write_table(out, args.out)
    log.info("wrote %s (%d comparisons)", args.out, len(out))
    return 0


def run_figure(args: argparse.Namespace) -> int:
    from sparsemotifs.figure_io import save_figure
    from sparsemotifs.weights.figures import plot_weight_separation, plot_weights_vs_sparsity

    table = pd.concat([read_table(p, required_columns=TABLE_COLUMNS) for p in args.table])
    levels = _ensemble_tables(args.levels, ["level"])
    save_figure(plot_weights_vs_sparsity(table, levels), args.out_dir, "weights_vs_sparsity")
    if args.compare:
        compare = read_table(args.compare, required_columns=["comparison", "kl_ratio"])
        save_figure(plot_weight_separation(compare), args.out_dir, "weights_separation")
    return 0
