"""Signed motifs on the command line: `--edge-classes` for `motifs count|zscore`, `motifs thresholds`.

`motifs count FILE --edge-classes sign --json` adds keys "{motif}|pos={k}" (occurrences with
exactly k positive edges) and "bi_fan|balanced", "bi_parallel|balanced" (4-cycles whose sign
product is positive) to the plain counts; `--edge-classes zambra` adds
"{motif}|sneg=a,mild=b,spos=c" and deletes Zambra's band from the graph first (so the plain
counts are those of the graph without the band). Zambra's thresholds are fitted to the pooled
weights of all FILEs of the call (one ensemble, initial and trained networks) unless given with
`--zambra-thresholds` (JSON, e.g. the output of `motifs thresholds` on the whole ensemble).
`motifs zscore FILE --null degree_signed [--edge-classes sign]` prints z, p and SP of every
coloured motif against the class-preserving degree null.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from sparsemotifs.io import InputError
from sparsemotifs.motifs.signed import (
    DEFAULT_ZAMBRA_BAND,
    SCHEMES,
    ZambraThresholds,
    balanced_counts,
    colour,
    count_coloured,
    keyed_counts,
    load_weighted,
    pooled_weights,
    prepare_coloured,
    zambra_thresholds,
)
from sparsemotifs.motifs.signed_null import SIGNED_NULLS, analyse_signed

_SIGNED_NULL_CODE = {"degree_signed": 100}  # distinct from the unsigned nulls' seed codes


def add_edge_class_args(p: argparse.ArgumentParser) -> None:
    """Options shared by `count` and `zscore`."""
    p.add_argument(
        "--edge-classes",
        choices=SCHEMES,
        default=None,
        help="colour edges by weight: sign (pos/neg; biases by their value) or zambra (three "
        "classes, band deleted); adds coloured keys 'motif|pos=k' or 'motif|sneg=a,mild=b,spos=c'",
    )
    _add_zambra_args(p)


def _add_zambra_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--zambra-band",
        type=float,
        default=DEFAULT_ZAMBRA_BAND,
        metavar="C",
        help=f"band constant c of the zambra classes (default {DEFAULT_ZAMBRA_BAND}; 0.1 for MNIST)",
    )
    p.add_argument(
        "--zambra-thresholds",
        default=None,
        metavar="JSON",
        help="zambra class edges {lo, b0, b1, hi} as JSON or a JSON file (default: fitted to "
        "the pooled weights of the FILEs given)",
    )


def _thresholds(args: argparse.Namespace) -> ZambraThresholds:
    spec = args.zambra_thresholds
    if spec is not None:
        text = spec if spec.lstrip().startswith("{") else None
        if text is None:
            try:
                text = Path(spec).read_text()
            except OSError as exc:
                raise InputError(f"{spec}: cannot read the zambra thresholds ({exc})") from None
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"--zambra-thresholds: not valid JSON ({exc})") from None
        if not isinstance(obj, dict):
            raise InputError("--zambra-thresholds: expected a JSON object")
        return ZambraThresholds.from_dict(obj.get("thresholds", obj), "--zambra-thresholds")
    return _fit(args.files, args.zambra_band)[0]


def _fit(files, band: float, extra=()) -> tuple[ZambraThresholds, int]:
    """Zambra's fit to the pooled unmasked weights of `files` plus the `extra` weight arrays;
    returns the thresholds and the number of weights pooled."""
    if not 0 < band < 1:
        raise InputError(f"--zambra-band must lie in (0, 1), got {band}")
    weights = np.concatenate([pooled_weights(files), *(np.ravel(w) for w in extra)])
    if weights.size < 2:
        raise InputError(f"{files[0]}: fewer than two unmasked weights to fit zambra classes")
    return zambra_thresholds(weights, band), int(weights.size)


def load_coloured_files(args: argparse.Namespace):
    """Every FILE coloured by `--edge-classes` (all validated before any output) and the info."""
    scheme = args.edge_classes or "sign"
    loaded = [load_weighted(f) for f in args.files]
    thresholds = _thresholds(args) if scheme == "zambra" else None
    graphs = [colour(g, w, b, scheme, thresholds) for g, w, b in loaded]
    info: dict = {"scheme": scheme}
    if thresholds is not None:
        info["thresholds"] = thresholds.as_dict()
    return graphs, info


def _prepared(graph, args):
    return prepare_coloured(
        graph,
        bias_nodes=args.bias_nodes,
        strip=getattr(args, "strip", True),
        bias_only_live=args.bias_only_live,
    )


def run_count_coloured(args: argparse.Namespace) -> int:
    """`motifs count --edge-classes ...`: plain and coloured counts, one JSON line per file."""
    from sparsemotifs.motifs.cli import _json_line
    from sparsemotifs.motifs.counts import count_motifs
    from sparsemotifs.motifs.signed import strip_dead_coloured

    graphs, info = load_coloured_files(args)
    lines = []
    for graph in graphs:
        graph, report = _prepared(graph, args)
        plain = count_motifs(graph.topology(), connected_pairs=True)
        by_comp = count_coloured(graph)
        coloured = {**keyed_counts(by_comp, graph.labels), **balanced_counts(by_comp, graph.labels)}
        obj: dict = {k: int(v.sum()) for k, v in plain.items()}
        obj.update({k: int(v.sum()) for k, v in coloured.items()})
        if args.per_layer:
            obj["per_layer"] = {k: [int(x) for x in v] for k, v in {**plain, **coloured}.items()}
        if args.live_report:
            obj["live"] = (report or strip_dead_coloured(graph, args.bias_only_live)[1]).as_dict()
        obj["classes"] = {**info, "class_edges": graph.class_edge_counts(), "labels": graph.labels}
        lines.append(_json_line(obj))
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


def run_zscore_signed(args: argparse.Namespace) -> int:
    """`motifs zscore --null degree_signed`: z, p, SP per coloured motif, one JSON per file."""
    from sparsemotifs.motifs.cli import _json_line

    graphs, info = load_coloured_files(args)
    lines = []
    for graph in graphs:
        live, _ = _prepared(graph, args)
        seq = np.random.SeedSequence([args.seed, 0, 0, _SIGNED_NULL_CODE[args.null]])
        res = analyse_signed(
            live,
            args.null,
            samples=args.samples,
            rng=np.random.default_rng(seq),
            switches_per_edge=args.switches_per_edge,
        )
        obj = {
            k: {**row, **({"sp": res.sp[k]} if k in res.sp else {})} for k, row in res.total.items()
        }
        obj["classes"] = {**info, "class_edges": live.class_edge_counts(), "labels": live.labels}
        lines.append(_json_line(obj))
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


def check_zscore_args(args: argparse.Namespace) -> bool:
    """True if the signed route applies; refuses edge classes with an unsigned null."""
    if args.null in SIGNED_NULLS:
        return True
    if getattr(args, "edge_classes", None):
        raise InputError(
            f"--edge-classes needs a class-preserving null (--null {' or '.join(SIGNED_NULLS)}), "
            f"not {args.null}"
        )
    return False


def run_thresholds(args: argparse.Namespace) -> int:
    """`motifs thresholds FILE...`: Zambra's class edges fitted to the pooled weights, as JSON.

    `--dense-only` pools only the level-0 files; `--initial NETWORK` adds each file's seed's
    initial weights (regenerated as training starts from them): Zambra et al. pool an
    ensemble's initial and trained weights.
    """
    from sparsemotifs.contracts.network import parse_seed_level
    from sparsemotifs.io import write_text
    from sparsemotifs.motifs.cli import _json_line

    files = list(args.files)
    # seed and level come from the path (bad names fail before any work); only needed here
    need_names = args.dense_only or args.initial
    seeds_levels = [parse_seed_level(f) for f in files] if need_names else []
    if args.dense_only:
        files = [f for f, (_, level) in zip(files, seeds_levels, strict=True) if level == 0]
        if not files:
            raise InputError(f"--dense-only: no level-0 file among the {len(args.files)} given")
    seeds = sorted({seed for seed, _ in seeds_levels})
    initial = []
    if args.initial:
        from sparsemotifs.config import parse_params
        from sparsemotifs.motifs.init_pruning import initial_weights

        network = parse_params(args.initial, ("network",))["network"]
        initial = [w for s in seeds for w in initial_weights(s, network)]
    fit, n_weights = _fit(files, args.zambra_band, initial)
    info = {"band": args.zambra_band, "n_weights": n_weights, "n_files": len(files)}
    info["initial_seeds"] = len(seeds) if args.initial else 0
    line = _json_line({"thresholds": fit.as_dict(), **info}) + "\n"
    if args.out:
        write_text(line, args.out)
    else:
        sys.stdout.write(line)
    return 0


def register_thresholds(actions) -> None:
    """The `motifs thresholds` action (one ensemble's pooled fit, to pass to other calls)."""
    t = actions.add_parser(
        "thresholds",
        help="Zambra's edge-class thresholds fitted to the pooled weights of the FILEs",
    )
    t.add_argument("files", nargs="+", metavar="FILE", help=".npz network files (one ensemble)")
    t.add_argument(
        "--zambra-band",
        type=float,
        default=DEFAULT_ZAMBRA_BAND,
        metavar="C",
        help=f"band constant c (default {DEFAULT_ZAMBRA_BAND})",
    )
    t.add_argument("--json", action="store_true", help="JSON output (the only format)")
    t.add_argument("--dense-only", action="store_true", help="pool only the level-0 files")
    t.add_argument("--initial", default=None, metavar="JSON",
                   help='{"network": {...}}: also pool each seed\'s initial weights')  # fmt: skip
    t.add_argument("--out", default=None, help="write the JSON here (atomically) instead of stdout")
    t.set_defaults(func=run_thresholds)


SIGNED_TABLE_COLUMNS = [
    "ensemble", "seed", "level", "null", "edge_classes", "motif", "colour", "key", "count",
    "null_mean", "null_sd", "z", "p", "sp", "live_nodes", "live_edges", "samples",
]  # fmt: skip


def signed_file_rows(path, *, ensemble: str, params: dict, graph=None) -> list[dict]:
    """Tidy rows of one network file under degree_signed; params = the `motifs` section.

    One row per key: the plain motif (colour ""), each composition (colour "pos=k") and the
    balanced cycles (colour "balanced"), all under the class-preserving null.
    """
    from sparsemotifs.contracts.network import parse_seed_level

    seed, level = parse_seed_level(path)
    scheme = params["edge_classes"]
    if graph is None:
        graph = colour(*load_weighted(path), scheme=scheme)
    live, report = prepare_coloured(
        graph, bias_nodes=params["bias_nodes"], bias_only_live=params["bias_only_live"]
    )
    null = SIGNED_NULLS[0]
    seq = np.random.SeedSequence([params["seed"], seed, level, _SIGNED_NULL_CODE[null]])
    res = analyse_signed(
        live,
        null,
        samples=params["samples"],
        rng=np.random.default_rng(seq),
        switches_per_edge=params["degree_switches_per_edge"],
    )
    rows = []
    for key, row in res.total.items():
        motif, _, colour_name = key.partition("|")
        rows.append(
            {"ensemble": ensemble, "seed": seed, "level": level, "null": null,
             "edge_classes": scheme, "motif": motif, "colour": colour_name, "key": key, **row,
             "sp": res.sp.get(key, float("nan")), "live_nodes": report.live_nodes,
             "live_edges": report.live_edges, "samples": res.samples}
        )  # fmt: skip
    return rows


def run_signed_table(args: argparse.Namespace) -> int:
    """`motifs signed-table`: degree_signed rows of every FILE (sign classes) for the workflow."""
    import pandas as pd

    from sparsemotifs.config import parse_params
    from sparsemotifs.contracts.network import parse_seed_level
    from sparsemotifs.io import write_table

    params = parse_params(args.params, ("motifs",))["motifs"]
    scheme = params["edge_classes"]
    if scheme not in SCHEMES:
        raise InputError(
            f"--params: motifs.edge_classes is {scheme!r}; the study table needs one of "
            f"{', '.join(SCHEMES)}"
        )
    thresholds = None
    if scheme == "zambra":
        if not args.zambra_thresholds:
            raise InputError("motifs.edge_classes zambra needs --zambra-thresholds (the fit)")
        thresholds = _thresholds(args)
    for f in args.files:  # fail on bad paths or files before any computation or output
        parse_seed_level(f)
    graphs = [colour(*load_weighted(f), scheme=scheme, thresholds=thresholds) for f in args.files]
    rows = []
    for path, graph in zip(args.files, graphs, strict=True):
        rows += signed_file_rows(path, ensemble=args.ensemble, params=params, graph=graph)
    write_table(pd.DataFrame(rows, columns=SIGNED_TABLE_COLUMNS), args.out)
    return 0


def register_signed_table(actions) -> None:
    """The `motifs signed-table` action (the study's signed-motif table, per chunk)."""
    t = actions.add_parser(
        "signed-table", help="tidy table of signed-motif z-scores (degree_signed) for the workflow"
    )
    t.add_argument("files", nargs="+", metavar="FILE", help="…/seed<seed>/level<k>.npz files")
    t.add_argument("--ensemble", required=True, help="ensemble name written to every row")
    t.add_argument("--params", default="{}", help='JSON {"motifs": {...}}: the config section')
    t.add_argument("--out", required=True, help="output table (.parquet, or .csv)")
    t.add_argument("--zambra-thresholds", default=None, metavar="JSON",
                   help="with edge_classes zambra: the ensemble's fit (`motifs thresholds`)")  # fmt: skip
    t.set_defaults(func=run_signed_table)
