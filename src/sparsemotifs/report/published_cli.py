"""`sparsemotifs published {compare,reference-network}`: our ensembles next to the published
one, and the reference pipeline's own network under every null.

When the reference data (config `report.reference_data`) are absent both commands still write
their outputs: tables with the header only, figures with annotated panels and a summary section
whose note names the setting. Skipped, never an error.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd

from sparsemotifs.contracts.names import NULLS
from sparsemotifs.io import InputError, read_table, write_table, write_text

log = logging.getLogger(__name__)


def _pairs(specs: list[str], what: str) -> dict[str, str]:
    out = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep or not name or not value:
            raise InputError(f"--{what} {spec!r}: expected NAME=VALUE")
        out[name] = value
    return out


def _selection(spec: str) -> dict:
    """SPLIT,THRESHOLD,RULE (the ensemble's selection section)."""
    parts = spec.split(",")
    if len(parts) != 3:
        raise InputError(f"--selection {spec!r}: expected NAME=SPLIT,THRESHOLD,RULE")
    try:
        threshold = float(parts[1])
    except ValueError:
        raise InputError(f"--selection {spec!r}: threshold {parts[1]!r} is not a number") from None
    return {"split": parts[0], "threshold": threshold, "rule": parts[2]}


def _ours(args) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    from sparsemotifs.motifs.graph import load_graph
    from sparsemotifs.report.published_compare import live_structure

    levels_paths = _pairs(args.levels, "levels")
    networks = _pairs(args.networks, "networks")
    selections = {n: _selection(s) for n, s in _pairs(args.selection, "selection").items()}
    frames, graphs = [], {}
    for name, path in levels_paths.items():
        lv = read_table(path, ["seed", "level", "cut_fraction", "status", "selected"])
        lv = lv.assign(ensemble=name)
        frames.append(lv)
        if name in networks:
            for row in lv[lv["status"] == "ok"].itertuples():
                f = Path(networks[name]) / f"seed{int(row.seed)}" / f"level{int(row.level)}.npz"
                graphs[(name, int(row.seed), float(row.cut_fraction))] = load_graph(f)
    levels = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    motifs = read_table(args.motifs, ["ensemble", "seed", "level", "null", "motif", "z"])
    for name in levels_paths:
        selections.setdefault(name, {"split": "val", "threshold": 1e-3, "rule": ""})
    return levels, motifs, live_structure(graphs), selections


def run_compare(args: argparse.Namespace) -> int:
    from sparsemotifs.figure_io import save_figure
    from sparsemotifs.report import published_data, published_figures, published_summary
    from sparsemotifs.report.published_compare import comparison_table

    levels, motifs, live, selections = _ours(args)
    root = args.reference_data
    note = published_data.missing_note(root) or published_data.missing_note(
        root, published_data.ZSCORES_FILE
    )
    losses = published_data.load_losses(root)
    zscores = published_data.load_motif_zscores(root)
    table = comparison_table(levels, motifs, live, selections, losses, zscores)
    figures = {
        "published_losses": published_figures.plot_losses(table, note),
        "published_live": published_figures.plot_live(table, note),
        "published_z": published_figures.plot_z(table, note),
    }
    text = "\n".join(published_summary.summary_section(table, note))
    if args.reference_network:  # its own section follows the comparison
        from sparsemotifs.report import reference_network

        ref = read_table(args.reference_network, ["null", "motif", "cut_fraction", "z"])
        ref_note = reference_network.missing_note(root)
        text += "\n" + "\n".join(reference_network.summary_section(ref, ref_note))
        figures["reference_network_z"] = published_figures.plot_reference_network(ref, ref_note)
    write_table(table, args.out)
    for name, fig in figures.items():
        save_figure(fig, args.figures_dir, name)
    if args.summary_out:
        write_text(text + "\n", args.summary_out)
    if note:
        log.warning("%s", note)
    log.info("wrote %s (%d rows), %d figures", args.out, len(table), len(figures))
    return 0


def run_choices(args: argparse.Namespace) -> int:
    """tables/published_choices.csv and its summary section: one choice off at a time."""
    import json

    from sparsemotifs.report import choices

    try:
        variants = json.loads(args.variants)
    except json.JSONDecodeError as exc:
        raise InputError(f"--variants is not JSON: {exc}") from None
    comparison = read_table(args.comparison, ["ensemble", "quantity", "null", "motif", "n", "mean"])
    verdict = read_table(args.verdict, ["ensemble", "null", "level", "verdict"])
    reference = (
        read_table(args.reference_network, ["null", "motif", "cut_fraction", "z"])
        if args.reference_network
        else None
    )
    table = choices.choices_table(
        comparison, verdict, variants, args.subject, reference, reference_cut=args.reference_cut
    )
    note = (
        None
        if (comparison["ensemble"] == "published").any()
        else (
            "the published ensemble is absent (config report.reference_data): its row is left out"
        )
    )
    write_table(table, args.out)
    write_text("\n".join(choices.summary_section(table, note)) + "\n", args.summary_out)
    log.info("wrote %s (%d rows)", args.out, len(table))
    return 0


def run_width_scaling(args: argparse.Namespace) -> int:
    """tables/width_scaling.csv and its figure: our ensembles by width, the published last."""
    from sparsemotifs.report import published_data, width_scaling

    widths = {}
    for name, value in _pairs(args.width, "width").items():
        try:
            widths[name] = int(value)
        except ValueError:
            raise InputError(f"--width {name}={value!r}: the width is not an integer") from None
    levels_paths = _pairs(args.levels, "levels")
    if set(widths) - set(levels_paths):
        missing = ", ".join(sorted(set(widths) - set(levels_paths)))
        raise InputError(f"--width names ensembles without --levels: {missing}")
    levels = pd.concat(
        [
            read_table(levels_paths[n], ["seed", "level", "cut_fraction", "selected"]).assign(
                ensemble=n
            )
            for n in widths
        ],
        ignore_index=True,
    )
    need = ["ensemble", "seed", "level", "null", "motif", "count", "null_mean", "z", "live_edges"]
    motifs = read_table(args.motifs, need)
    verdict = read_table(args.verdict, ["ensemble", "null", "level", "verdict"])
    profile = read_table(args.profile_similarity, ["ensemble", "null", "level", "mean_r"])
    ours = width_scaling.ours(
        motifs, levels, widths, verdict, profile, cut=args.cut, n_boot=args.bootstrap
    )
    zscores = published_data.load_motif_zscores(args.reference_data)
    note = published_data.missing_note(args.reference_data, published_data.ZSCORES_FILE)
    fixed = ours.loc[ours["level"].astype(str) != "selected", "cut_fraction"].median()
    cuts = dict.fromkeys([c for c in (fixed, width_scaling.DEFAULT_CUT) if pd.notna(c)])
    pubs = [width_scaling.published(zscores, cut=c, n_boot=args.bootstrap) for c in cuts]
    pub = pd.concat(pubs).drop_duplicates(["level", "motif"])  # 93 % may be the fixed cut
    table = width_scaling.width_scaling_table(ours, pub)
    write_table(table, args.out)
    width_scaling.width_scaling_figure(table, args.figures_dir)
    if note:
        log.warning("%s (the published point is left out)", note)
    log.info("wrote %s (%d rows)", args.out, len(table))
    return 0


def run_reference_network(args: argparse.Namespace) -> int:
    from sparsemotifs.report import reference_network

    if args.samples < 2 or args.samples_other < 2:
        raise InputError("--samples and --samples-other must be at least 2 (sampled nulls)")
    table = reference_network.analyse_reference_network(
        args.reference_data,
        nulls=list(dict.fromkeys(args.null or NULLS)),
        samples=args.samples,
        samples_other=args.samples_other,
        selected_cut=args.selected_cut,
        seed=args.seed,
        cuts=args.cut,
    )
    if table is None:
        log.warning("%s", reference_network.missing_note(args.reference_data))
        table = pd.DataFrame(columns=reference_network.COLUMNS)
    write_table(table, args.out)
    log.info("wrote %s (%d rows)", args.out, len(table))
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "published",
        help="our ensembles next to the reference study's published data",
        description="Compare with the reference study's published data (losses, selection, "
        "live structure, z-scores; config report.reference_data) and analyse its shared network "
        "under every null. Absent data are skipped with a note, never an error.",
    )
    actions = p.add_subparsers(dest="published_action", metavar="ACTION", required=True)
    c = actions.add_parser("compare", help="comparison table, figures and summary section")
    c.add_argument("--levels", action="append", default=[], metavar="NAME=PATH",
                   help="levels table of one of our trained ensembles (repeatable)")  # fmt: skip
    c.add_argument("--networks", action="append", default=[], metavar="NAME=DIR",
                   help="its networks folder (seed<s>/level<k>.npz), for the live structure")  # fmt: skip
    c.add_argument("--selection", action="append", default=[], metavar="NAME=SPLIT,THRESHOLD,RULE",
                   help="its selection settings (share under the threshold)")  # fmt: skip
    c.add_argument("--motifs", required=True, help="tables/motifs.csv")
    c.add_argument("--reference-data", default=None,
                   help="folder of the published data (config report.reference_data)")  # fmt: skip
    c.add_argument("--reference-network", default=None,
                   help="table of `published reference-network` (adds its section and figure)")  # fmt: skip
    c.add_argument("--out", required=True, help="comparison table (CSV)")
    c.add_argument("--figures-dir", required=True, help="folder of the figures")
    c.add_argument("--summary-out", default=None, help="markdown section for summary.md")
    c.set_defaults(func=run_compare)

    ch = actions.add_parser("choices", help="the reference study's choices, one at a time")
    ch.add_argument("--comparison", required=True, help="tables/published_comparison.csv")
    ch.add_argument("--verdict", required=True, help="tables/verdict.csv")
    ch.add_argument("--subject", required=True, help="the subject ensemble (our reproduction)")
    ch.add_argument("--variants", default="{}", help="JSON of the config's variants section")
    ch.add_argument("--reference-network", default=None,
                    help="table of `published reference-network` (its row)")  # fmt: skip
    ch.add_argument("--reference-cut", type=float, default=0.93,
                    help="the reference network's cut (config report.reference_network.selected_cut)")  # fmt: skip
    ch.add_argument("--out", required=True, help="output table (CSV)")
    ch.add_argument("--summary-out", required=True, help="markdown section for summary.md")
    ch.set_defaults(func=run_choices)

    w = actions.add_parser("width-scaling", help="motif statistics against width, published last")
    w.add_argument("--levels", action="append", default=[], metavar="NAME=PATH",
                   help="levels table of one of our trained ensembles (repeatable)")  # fmt: skip
    w.add_argument("--width", action="append", default=[], metavar="NAME=WIDTH",
                   help="its hidden width (repeatable; the ensembles shown)")  # fmt: skip
    w.add_argument("--motifs", required=True, help="tables/motifs.csv")
    w.add_argument("--verdict", required=True, help="tables/verdict.csv")
    w.add_argument("--profile-similarity", required=True, help="tables/profile_similarity.csv")
    w.add_argument("--reference-data", default=None, help="config report.reference_data")
    w.add_argument("--cut", type=float, default=None,
                   help="the fixed level's cut fraction (default: the sparsest level at which "
                   "every width has >= 5 passing networks)")  # fmt: skip
    w.add_argument("--bootstrap", type=int, default=2000, help="bootstrap resamples of mean z")
    w.add_argument("--out", required=True, help="output table (CSV)")
    w.add_argument("--figures-dir", required=True, help="folder of the figure width_scaling")
    w.set_defaults(func=run_width_scaling)

    r = actions.add_parser("reference-network", help="the shared 2022 network under every null")
    r.add_argument("--reference-data", default=None, help="config report.reference_data")
    r.add_argument("--null", action="append", choices=NULLS, help="null (repeatable; default all)")
    r.add_argument("--samples", type=int, default=100, help="null samples at --selected-cut")
    r.add_argument("--samples-other", type=int, default=5, help="null samples at other levels")
    r.add_argument("--selected-cut", type=float, default=0.93, help="the level of full samples")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--cut", type=float, action="append", default=None,
                   help="analyse only this cut fraction (repeatable; default every level)")  # fmt: skip
    r.add_argument("--out", required=True, help="output table (CSV)")
    r.set_defaults(func=run_reference_network)
