"""`sparsemotifs function closed-loop`: fly networks' predicted controls; `function figure`."""

from __future__ import annotations

import argparse
import logging
import time

import pandas as pd

from sparsemotifs.config import raw_params, validate_section
from sparsemotifs.dataset import load_training_data
from sparsemotifs.function.closed_loop import closed_loop_table, test_trajectories
from sparsemotifs.io import InputError, read_table, write_table
from sparsemotifs.weights.network import load_network, parse_seed_level

log = logging.getLogger(__name__)


def register(sub) -> None:
    p = sub.add_parser("function", help="closed-loop function of controller networks")
    action = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    c = action.add_parser(
        "closed-loop",
        help="fly the controls networks predict for test trajectories; reached-state errors",
        description="For the first N test trajectories of the dataset: predict (F_x, F_y, tau) "
        "with each network, undo the output scaling, fly them from the initial state for the "
        "horizon and compare the reached position and angles with the desired ones.",
    )
    c.add_argument("--data", required=True, help="the study's dataset (.npz, flight task)")
    c.add_argument("--networks", nargs="+", required=True, help="…/seed<s>/level<k>.npz files")
    c.add_argument("--ensemble", default="trained")
    c.add_argument(
        "--params",
        default="{}",
        help='JSON {"closed_loop": {...}, "simulation": {...}, "network": {...}}: config sections '
        "(n_trajectories and split; horizon, rtol and morphology; activation)",
    )
    c.add_argument("--out", required=True, help="table (.parquet or .csv)")
    c.set_defaults(func=run_closed_loop)

    f = action.add_parser("figure", help="closed-loop errors and loss against sparsity")
    f.add_argument("--closed-loop", required=True, help="closed_loop table")
    f.add_argument(
        "--levels",
        required=True,
        nargs="+",
        help="levels tables of the flown ensembles (with variants: one per variant)",
    )
    f.add_argument("--out-dir", required=True)
    f.set_defaults(func=run_figure)

    m = action.add_parser(
        "summary", help="markdown paragraphs with the closed-loop and weight-metric answers"
    )
    m.add_argument("--closed-loop", help="closed_loop table")
    m.add_argument(
        "--levels", nargs="+", help="levels tables of the flown ensembles (one per variant)"
    )
    m.add_argument("--weights-compare", help="weights-compare table")
    m.add_argument("--motifs", help="motif table (adds the function-motif correlation)")
    m.add_argument("--data", help="dataset: adds the true-control and constant-predictor misses")
    m.add_argument(
        "--params",
        default="{}",
        help='JSON {"closed_loop": {...}, "simulation": {...}}: config sections (with --data)',
    )
    m.add_argument("--out", required=True, help="markdown file")
    m.set_defaults(func=run_summary)


SECTIONS = ("closed_loop", "simulation", "network")


def closed_loop_params(text: str) -> dict[str, dict]:
    """--params with the closed_loop, simulation and network sections validated; the simulation
    section's required n_trajectories (irrelevant here) is filled in when absent."""
    raw = raw_params(text, SECTIONS)
    raw["simulation"] = {"n_trajectories": 1, **raw["simulation"]}
    return {name: validate_section(name, raw[name]) for name in SECTIONS}


def run_closed_loop(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    params = closed_loop_params(args.params)
    settings, simulation = params["closed_loop"], params["simulation"]
    data = load_training_data(args.data)
    try:
        trajectories = test_trajectories(data, settings["n_trajectories"], settings["split"])
    except InputError as exc:
        raise InputError(f"{args.data}: {exc}") from None
    networks = []
    for path in args.networks:
        seed, level = parse_seed_level(path)
        net = load_network(path)
        if net.widths[0] != data.n_inputs or net.widths[-1] != data.n_outputs:
            raise InputError(
                f"{path}: network widths {net.widths} do not fit the dataset's "
                f"{data.n_inputs} inputs and {data.n_outputs} outputs ({args.data})"
            )
        networks.append(({"ensemble": args.ensemble, "seed": seed, "level": level}, net))
    table = closed_loop_table(
        networks,
        trajectories,
        activation=params["network"]["activation"],
        y_scaler=data.y_scaler,
        simulation=simulation,
    )
    write_table(table, args.out)
    log.info(
        "wrote %s: %d networks x %d trajectories in %.1f s (%d failed integrations)",
        args.out, len(networks), len(trajectories.state0), time.perf_counter() - start,
        int(table["n_failed"].sum()),
    )  # fmt: skip
    return 0


def read_levels(paths: list[str], closed_loop: pd.DataFrame) -> pd.DataFrame:
    """The flown ensembles' levels tables as one; a table without an `ensemble` column (one
    flown ensemble) is labelled with the closed-loop table's ensemble."""
    parts = []
    for path in paths:
        lv = read_table(path)
        if "ensemble" not in lv.columns:
            names = list(dict.fromkeys(closed_loop.get("ensemble", pd.Series(["trained"]))))
            if len(paths) > 1 or len(names) > 1:
                raise InputError(f"{path}: no 'ensemble' column to match the closed-loop rows")
            lv = lv.assign(ensemble=names[0] if names else "trained")
        parts.append(lv)
    return pd.concat(parts, ignore_index=True)


def run_figure(args: argparse.Namespace) -> int:
    from sparsemotifs.figure_io import save_figure
    from sparsemotifs.function.figures import plot_function_vs_sparsity

    table = read_table(args.closed_loop)
    levels = read_levels(args.levels, table)
    save_figure(plot_function_vs_sparsity(table, levels), args.out_dir, "closed_loop_vs_sparsity")
    return 0


def run_summary(args: argparse.Namespace) -> int:
    from sparsemotifs.function.summary import closed_loop_paragraph, weights_paragraph
    from sparsemotifs.io import write_text

    lines: list[str] = []
    if args.closed_loop:
        if not args.levels:
            raise InputError("--closed-loop needs --levels")
        motifs = read_table(args.motifs) if args.motifs else None
        closed_loop = read_table(args.closed_loop)
        references = None
        if args.data:
            from sparsemotifs.function.closed_loop import reference_errors

            params = closed_loop_params(args.params)
            references = reference_errors(
                load_training_data(args.data),
                params["closed_loop"]["n_trajectories"],
                params["closed_loop"]["split"],
                params["simulation"],
            )
        lines += closed_loop_paragraph(
            closed_loop,
            read_levels(args.levels, closed_loop),
            motifs=motifs,
            references=references,
        )
    if args.weights_compare:
        lines += weights_paragraph(read_table(args.weights_compare))
    write_text("\n".join(lines), args.out)
    return 0
