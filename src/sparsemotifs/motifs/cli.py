"""`sparsemotifs motifs {count,zscore,table}`: motif counts and z-scores of mask files.

Input files are .npz with mask_0..mask_{L-1} (0/1, n_l x n_{l+1}, row = source) and optional
bias_mask_l (n_{l+1}); anything else in them is ignored. Malformed files raise InputError
(exit status 2) before any output is written.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sparsemotifs.config import parse_params, validate_section
from sparsemotifs.contracts.network import parse_seed_level
from sparsemotifs.contracts.tables import MOTIF_TABLE_COLUMNS as TABLE_COLUMNS
from sparsemotifs.contracts.tables import PER_LAYER_COLUMNS
from sparsemotifs.io import InputError, write_table
from sparsemotifs.motifs import signed_cli
from sparsemotifs.motifs.analysis import analyse, null_seed
from sparsemotifs.motifs.counts import MOTIFS, PUBLISHED_CONVENTIONS, count_motifs
from sparsemotifs.motifs.derive import NETWORK_DERIVATIONS, derive
from sparsemotifs.motifs.derive import names as derive_names
from sparsemotifs.motifs.graph import LayeredGraph, load_graph, strip_dead
from sparsemotifs.motifs.stats import NULLS, nan_to_none, significance_profile


def prepare_graph(
    graph: LayeredGraph, *, bias_nodes: bool, strip: bool = True, bias_only_live: bool = True
):
    """Drop bias nodes unless asked for; remove dead nodes unless `strip` is False."""
    if not bias_nodes:
        graph = graph.without_bias()
    if not strip:
        return graph, None
    return strip_dead(graph, bias_only_live=bias_only_live)


def _json_line(obj) -> str:
    return json.dumps(nan_to_none(obj), allow_nan=False)


def run_count(args: argparse.Namespace) -> int:
    if args.edge_classes:
        return signed_cli.run_count_coloured(args)
    graphs = [load_graph(f) for f in args.files]  # validate every file before printing anything
    lines = []
    for graph in graphs:
        graph, report = prepare_graph(
            graph, bias_nodes=args.bias_nodes, strip=args.strip, bias_only_live=args.bias_only_live
        )
        counts = count_motifs(graph, connected_pairs=True)
        obj: dict = {k: int(v.sum()) for k, v in counts.items()}
        if args.per_layer:
            obj["per_layer"] = {k: [int(x) for x in v] for k, v in counts.items()}
        if args.live_report:
            obj["live"] = (report or strip_dead(graph, args.bias_only_live)[1]).as_dict()
        lines.append(_json_line(obj))
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


def run_zscore(args: argparse.Namespace) -> int:
    if signed_cli.check_zscore_args(args):
        return signed_cli.run_zscore_signed(args)
    graphs = [load_graph(f) for f in args.files]
    lines = []
    for graph in graphs:
        live, _ = prepare_graph(
            graph, bias_nodes=args.bias_nodes, bias_only_live=args.bias_only_live
        )
        # the same stream for every file: a file's result does not depend on its place in the list
        rng = np.random.default_rng(null_seed(args.seed, 0, 0, args.null))
        res = analyse(
            live,
            args.null,
            samples=args.samples,
            rng=rng,
            switches_per_edge=args.switches_per_edge,
            bias_only_live=args.bias_only_live,
            connected_pairs=args.connected_pairs,
            output_width=graph.widths[-1] if graph.n_blocks else None,
        )
        lines.append(_json_line(res.total))
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


def analyse_file_rows(
    path: str | Path,
    *,
    ensemble: str,
    nulls: list[str],
    params: dict,
    derivation: str | None = None,
    graph: LayeredGraph | None = None,
    draws: int = 1,
    network: dict | None = None,
) -> tuple[list[dict], list[dict]]:
    """Tidy rows (summary, per layer) of one file under each null; params = `motifs` section.

    With `derivation`, the file's network is first replaced by that derived network (the
    producer of a derived ensemble, `motifs.derive`), seeded by (params seed, seed, level), and
    `draws` such networks (column `draw` 0..draws-1) are analysed; `network` is the source
    ensemble's `network` section (needed by magnitude_init). Real networks have draw 0.
    """
    seed, level = parse_seed_level(path)
    graph = graph if graph is not None else load_graph(path)
    if derivation is None:
        return _graph_rows(graph, {"ensemble": ensemble, "seed": seed, "level": level, "draw": 0},
                           nulls, params)  # fmt: skip
    rows, layer_rows = [], []
    for d in range(int(draws)):
        try:
            derived = derive(
                derivation, graph, params["seed"], seed, level, draw=d, network=network
            )
        except ValueError as exc:  # e.g. magnitude_init: the file does not fit network.widths
            raise InputError(f"{path}: {exc}") from None
        key = {"ensemble": ensemble, "seed": seed, "level": level, "draw": d}
        r, lr = _graph_rows(derived, key, nulls, params)
        rows += r
        layer_rows += lr
    return rows, layer_rows


def _draw_seed(seq: np.random.SeedSequence, draw: int) -> np.random.SeedSequence:
    """The null's stream of one draw: draw 0 keeps (seed, level, null)'s, so k = 1 is unchanged."""
    return seq if not draw else np.random.SeedSequence(seq.entropy, spawn_key=(int(draw),))


def _graph_rows(graph: LayeredGraph, key: dict, nulls: list[str], params: dict):
    """Rows (summary, per layer) of one network under each null; `key` starts every row."""
    seed, level = key["seed"], key["level"]
    live, report = prepare_graph(
        graph, bias_nodes=params["bias_nodes"], bias_only_live=params["bias_only_live"]
    )
    counts = count_motifs(live, connected_pairs=True)
    rows, layer_rows = [], []
    draw = int(key.get("draw", 0))
    for null in nulls:
        res = analyse(
            live,
            null,
            samples=params["samples"],
            rng=np.random.default_rng(
                _draw_seed(null_seed(params["seed"], seed, level, null), draw)
            ),
            switches_per_edge=params["degree_switches_per_edge"],
            min1_moves_per_edge=params["min1_moves_per_edge"],
            bias_only_live=params["bias_only_live"],
            # the published method scores the published counting conventions
            connected_pairs=params["connected_pairs_z"] or null == "reference",
            output_width=graph.widths[-1] if graph.n_blocks else None,
        )
        sp = significance_profile({m: res.total[m]["z"] for m in MOTIFS})
        extra = {
            "live_nodes": report.live_nodes,
            "live_edges": report.live_edges,
            "dead_outputs": report.dead_outputs,
            "constant_outputs": report.constant_outputs,
            "samples": res.samples,
        }
        for m in MOTIFS:
            rows.append({**key, "null": null, "motif": m, **res.total[m], "sp": sp[m], **extra})
            for layer, entry in enumerate(res.per_layer[m]):
                layer_rows.append({**key, "null": null, "layer": layer, "motif": m, **entry})
        for m in PUBLISHED_CONVENTIONS:  # the paper's counting conventions, not motifs: no SP
            if m in res.total:
                rows.append(
                    {**key, "null": null, "motif": m, **res.total[m], "sp": math.nan, **extra}
                )
                for layer, entry in enumerate(res.per_layer[m]):
                    layer_rows.append({**key, "null": null, "layer": layer, "motif": m, **entry})
            else:  # count only
                nan = math.nan
                rows.append(
                    {**key, "null": null, "motif": m, "count": int(counts[m].sum()), "null_mean": nan,
                     "null_sd": nan, "z": nan, "p": nan, "sp": nan, **extra}
                )  # fmt: skip
    return rows, layer_rows


def _full_sample_levels(args: argparse.Namespace, params: dict) -> set | None:
    """(seed, level) pairs that keep `samples` under motifs.samples_other_levels: each seed's
    selected level under each --selection (of the ensembles that read these networks) on
    --metrics, and the levels at motifs.full_sample_cuts; None = `samples` everywhere."""
    if params.get("samples_other_levels") is None:
        return None
    if args.metrics is None or not args.selection:
        raise InputError("motifs.samples_other_levels needs --metrics and --selection")
    from sparsemotifs.training.selection import read_metrics, select_levels

    metrics = read_metrics(args.metrics)
    cuts = np.asarray(params.get("full_sample_cuts", []), np.float64)
    keep = np.isclose(metrics["cut_fraction"].to_numpy(np.float64)[:, None], cuts).any(axis=1)
    for spec in args.selection:
        selection = parse_params(spec, ("selection",))["selection"]
        if selection["threshold_kind"] != "mean_mse":
            return None  # the R² threshold needs the dataset: full samples everywhere
        keep |= select_levels(metrics, selection)["selected"].to_numpy(bool)
    chosen = metrics[keep]
    return {(int(s), int(lv)) for s, lv in zip(chosen["seed"], chosen["level"], strict=True)}


def _level_params(params: dict, seed_level: tuple[int, int], full: set | None) -> dict:
    """The motifs section of one file: fewer samples off the full-sample levels."""
    if full is None or seed_level in full:
        return params
    return {**params, "samples": min(params["samples"], params["samples_other_levels"])}


def run_table(args: argparse.Namespace) -> int:
    params = parse_params(args.params, ("motifs",))["motifs"]
    nulls = list(dict.fromkeys(args.null))
    if args.draws < 1 or (args.draws > 1 and args.derive is None):
        raise InputError(f"--draws must be >= 1 and needs --derive (got {args.draws})")
    network = parse_params(args.network, ("network",))["network"] if args.network else None
    if args.derive in NETWORK_DERIVATIONS and network is None:
        raise InputError(f"--derive {args.derive} needs --network (the source's network section)")
    for f in args.files:  # fail on bad paths or files before any computation or output
        parse_seed_level(f)
    full = _full_sample_levels(args, params)
    graphs = [load_graph(f) for f in args.files]
    rows, layer_rows = [], []
    for path, graph in zip(args.files, graphs, strict=True):
        r, lr = analyse_file_rows(
            path,
            ensemble=args.ensemble,
            nulls=nulls,
            params=_level_params(params, parse_seed_level(path), full),
            derivation=args.derive,
            graph=graph,
            draws=args.draws,
            network=network,
        )
        rows += r
        layer_rows += lr
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    per_layer = pd.DataFrame(layer_rows, columns=PER_LAYER_COLUMNS)
    if args.per_layer_out:
        write_table(per_layer, args.per_layer_out)
    write_table(table, args.out)
    return 0


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help=".npz mask files")
    p.add_argument(
        "--bias-nodes", action="store_true", help="model each layer's bias as a source-only node"
    )
    p.add_argument(
        "--bias-only-live",
        type=lambda s: {"true": True, "false": False}[s.lower()],
        default=True,
        metavar="{true,false}",
        help="whether a node fed only by a bias counts as live (default true)",
    )


def register(sub) -> None:
    p = sub.add_parser(
        "motifs",
        help="motif counts, null models and z-scores of pruned networks",
        description="Exact motif counts of layered masks and their z-scores against null models "
        "(fixed_count: exact moments; fixed_count_min1, degree: sampled; reference: the reference "
        "study's own generator, to reproduce its published z-scores, never a default).",
    )
    actions = p.add_subparsers(dest="motifs_action", metavar="ACTION", required=True)

    c = actions.add_parser("count", help="print exact counts, one JSON object per file")
    _add_common(c)
    c.add_argument("--per-layer", action="store_true", help="add per-layer-position lists")
    c.add_argument("--strip", action="store_true", help="remove dead nodes before counting")
    c.add_argument(
        "--live-report",
        action="store_true",
        help='add key "live": per-layer live nodes/edges and outputs that lost every input',
    )
    c.add_argument("--json", action="store_true", help="JSON lines output (the only format)")
    signed_cli.add_edge_class_args(c)
    c.set_defaults(func=run_count)

    z = actions.add_parser("zscore", help="print z-scores of the live graph, one JSON per file")
    _add_common(z)
    z.add_argument(
        "--null",
        required=True,
        choices=NULLS + signed_cli.SIGNED_NULLS,
        help="degree_signed: class-preserving degree null of the coloured graph",
    )
    z.add_argument("--samples", type=int, default=1000, help="null samples (sampled nulls)")
    z.add_argument("--seed", type=int, default=0)
    z.add_argument("--switches-per-edge", type=float, default=None, help=argparse.SUPPRESS)
    z.add_argument(
        "--connected-pairs",
        action="store_true",
        help="add the reference study's counting conventions (connected_pairs_2/3, its chain "
        "statistic; converging_3_as_published), always sampled",
    )
    z.add_argument("--json", action="store_true", help="JSON lines output (the only format)")
    signed_cli.add_edge_class_args(z)
    z.set_defaults(func=_zscore_with_defaults)
    signed_cli.register_thresholds(actions)
    signed_cli.register_signed_table(actions)

    t = actions.add_parser("table", help="tidy table of counts and z-scores for the workflow")
    t.add_argument("files", nargs="+", metavar="FILE", help="…/seed<seed>/level<k>.npz files")
    t.add_argument("--ensemble", required=True, help="ensemble name written to every row")
    t.add_argument(
        "--null", required=True, action="append", choices=NULLS, help="null model (repeatable)"
    )
    t.add_argument("--params", default="{}", help='JSON {"motifs": {...}}: the config section')
    t.add_argument("--out", required=True, help="output table (.parquet, or .csv)")
    t.add_argument("--per-layer-out", default=None, help="optional per-layer table")
    t.add_argument(
        "--derive",
        default=None,
        choices=sorted(derive_names()),
        help="analyse the network derived from each file by this producer (a derived "
        "ensemble, e.g. random_masks: uniform random masks with the same per-layer edge "
        "counts), seeded by the `motifs` seed, the file's seed and level",
    )
    t.add_argument(
        "--draws",
        type=int,
        default=1,
        help="derived networks per file (column draw; with --derive)",
    )
    t.add_argument(
        "--network",
        default=None,
        help='JSON {"network": {...}}: the source ensemble\'s network section (magnitude_init)',
    )
    t.add_argument(
        "--metrics",
        nargs="+",
        default=None,
        help="training metrics of the files' networks (motifs.samples_other_levels)",
    )
    t.add_argument(
        "--selection",
        action="append",
        default=[],
        help='JSON {"selection": {...}}: a selection on the metrics (samples_other_levels; '
        "repeatable: the union of the selected levels keeps the full samples)",
    )
    t.set_defaults(func=run_table)


def _zscore_with_defaults(args: argparse.Namespace) -> int:
    if args.samples < 2:
        raise InputError(f"--samples must be at least 2, got {args.samples}")
    if args.switches_per_edge is None:
        args.switches_per_edge = validate_section("motifs", {})["degree_switches_per_edge"]
    return run_zscore(args)
