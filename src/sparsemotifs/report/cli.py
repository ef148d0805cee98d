"""`sparsemotifs aggregate | figures | summary`: ensemble statistics, figures and summary.md."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import yaml

from sparsemotifs import convergence as stats
from sparsemotifs import registry
from sparsemotifs.contracts.outputs import STATISTICS_COLUMNS
from sparsemotifs.contracts.tables import first_draw
from sparsemotifs.io import InputError, read_table, write_table, write_text

log = logging.getLogger(__name__)

TABLE_NAMES = list(STATISTICS_COLUMNS)
TABLE_COLUMNS = STATISTICS_COLUMNS


def _add_inputs(p, tables_dir: bool) -> None:
    p.add_argument("--levels", required=True, help="levels table (CSV or parquet)")
    p.add_argument(
        "--control-levels",
        action="append",
        default=[],
        help="levels table of another trained ensemble as NAME=PATH (a bare PATH is the "
        "control_task's; rows without an `ensemble` column get NAME); may be repeated",
    )
    p.add_argument("--motifs", required=True, help="motifs table (whole network)")
    p.add_argument(
        "--variants",
        nargs="+",
        default=None,
        metavar="NAME",
        help="the study's variants (config key `variants`), in order: the first is the subject "
        "(its levels table is --levels), the others are trained controls (--control-levels)",
    )
    if tables_dir:
        p.add_argument("--tables-dir", required=True, help="folder written by `aggregate`")


def register(sub) -> None:
    p = sub.add_parser("aggregate", help="convergence statistics over the ensemble -> tables")
    _add_inputs(p, tables_dir=False)
    p.add_argument("--per-layer", help="per-layer motifs table (with a `layer` column)")
    p.add_argument("--out-dir", required=True, help="folder for the CSV tables")
    p.add_argument("--seed", type=int, default=0, help="seed of bootstraps and permutations")
    p.add_argument("--permutations", type=int, default=999, help="label permutations per test")
    p.add_argument("--bootstrap", type=int, default=2000, help="bootstrap resamples per CI")
    p.add_argument(
        "--reference-cut",
        type=float,
        default=stats.REFERENCE_CUT,
        help="cut fraction of the 'dense-ish' level of the paired trend test",
    )
    p.set_defaults(func=run_aggregate)

    p = sub.add_parser("figures", help="figures of the ensemble study (PNG + PDF)")
    _add_inputs(p, tables_dir=True)
    p.add_argument("--out-dir", required=True, help="folder for the figures")
    p.add_argument("--threshold", type=float, required=True, help="selection loss threshold")
    p.add_argument(
        "--split",
        choices=["train", "val", "test"],
        default="val",
        help="loss split drawn in loss_vs_sparsity",
    )
    p.set_defaults(func=run_figures)

    p = sub.add_parser("summary", help="write summary.md with the convergence verdict")
    _add_inputs(p, tables_dir=True)
    p.add_argument("--out", required=True, help="output markdown file")
    p.add_argument("--config", help="resolved study config (YAML), quoted in the summary")
    p.add_argument(
        "--section",
        action="append",
        default=[],
        help="markdown file appended to the summary (other stages' answers); repeatable",
    )
    p.add_argument(
        "--threshold",
        type=float,
        help="selection loss threshold for the share-under-threshold table "
        "(default: selection.threshold of --config)",
    )
    p.add_argument(
        "--split",
        choices=["train", "val", "test"],
        default=None,
        help="loss split of that table (default: selection.split of --config, else val)",
    )
    p.add_argument(
        "--signed-motifs",
        default=None,
        help="tables/signed_motifs.csv (motifs.edge_classes: sign) for the signed-motif section",
    )
    p.set_defaults(func=run_summary)


def _named_path(spec: str) -> tuple[str, str]:
    """`NAME=PATH` names the ensemble of a levels table; a bare path is the control task's."""
    name, sep, path = spec.partition("=")
    return (name, path) if sep and name in registry.names() else ("control_task", spec)


def _read_levels(path: str) -> pd.DataFrame:
    """A levels table; one written by `select` (no `ensemble` column) is labelled the subject's."""
    df = read_table(path)
    if "ensemble" not in df.columns:
        df = df.assign(ensemble=registry.SUBJECT)
    return stats.validate_levels(df, str(path))


def load_levels(path: str, control_paths: list[str] | str | None = None) -> pd.DataFrame:
    """The subject's levels table plus other trained ensembles' levels tables, validated as one."""
    levels = _read_levels(path)
    if isinstance(control_paths, str):
        control_paths = [control_paths]
    for spec in control_paths or []:
        name, control_path = _named_path(spec)
        control = _read_levels(control_path)
        levels = stats.concat_levels(levels, control, name)
        levels = stats.validate_levels(levels, f"{path} + {control_path}")
    return levels


def load_motifs(path: str, per_layer: bool = False) -> pd.DataFrame:
    """A motifs table, validated (with `per_layer`, it must have a `layer` column)."""
    df = read_table(path)
    if per_layer and "layer" not in df.columns:
        raise InputError(f"{path}: missing column(s) 'layer'")
    return stats.validate_motifs(df, str(path))


def load_tables(tables_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The statistics tables the figures and the summary read, with their required columns."""
    tables = {}
    for name in TABLE_NAMES:
        path = Path(tables_dir) / f"{name}.csv"
        df = read_table(path, TABLE_COLUMNS[name])
        if "level" in df.columns:
            df["level"] = df["level"].astype(str)
        tables[name] = df
    return tables


def _check_positive(value: int, what: str) -> None:
    if value < 1:
        raise InputError(f"--{what} must be at least 1, got {value}")


def run_aggregate(args) -> int:
    registry.use_variants(args.variants)
    _check_positive(args.permutations, "permutations")
    _check_positive(args.bootstrap, "bootstrap")
    levels = load_levels(args.levels, args.control_levels)
    motifs = load_motifs(args.motifs)
    per_layer = load_motifs(args.per_layer, per_layer=True) if args.per_layer else None
    tables = stats.aggregate(
        levels,
        motifs,
        per_layer,
        n_boot=args.bootstrap,
        n_perm=args.permutations,
        seed=args.seed,
        reference_cut=args.reference_cut,
    )
    for name, df in tables.items():  # everything is computed before the first file is written
        write_table(df, Path(args.out_dir) / f"{name}.csv")
    log.info("wrote %s to %s", ", ".join(f"{n}.csv" for n in tables), args.out_dir)
    return 0


def run_figures(args) -> int:
    registry.use_variants(args.variants)
    from sparsemotifs.report import plots  # matplotlib only when figures are drawn

    levels = load_levels(args.levels, args.control_levels)
    motifs = first_draw(load_motifs(args.motifs))  # one network per seed and level
    tables = load_tables(args.tables_dir)
    paths = plots.make_figures(
        levels, motifs, tables["convergence"], args.out_dir, args.threshold, args.split
    )
    log.info("wrote %d figure files to %s", len(paths), args.out_dir)
    return 0


def load_config(path: str) -> dict:
    """The resolved study config (or provenance document) quoted in the summary."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    try:
        config = yaml.safe_load(p.read_text())
    except yaml.YAMLError as exc:
        raise InputError(f"{p}: not valid YAML ({exc})") from None
    if not isinstance(config, dict):
        raise InputError(f"{p}: expected a mapping at the top level")
    return config


def run_summary(args) -> int:
    registry.use_variants(args.variants)
    from sparsemotifs.report import summary

    levels = load_levels(args.levels, args.control_levels)
    load_motifs(args.motifs)  # validated so that a broken motifs file is reported here too
    tables = load_tables(args.tables_dir)
    config = load_config(args.config) if args.config else None
    sources = {"levels": args.levels, "motifs": args.motifs, "tables": args.tables_dir}
    signed = None
    if args.signed_motifs:
        from sparsemotifs.io import read_table

        signed = read_table(args.signed_motifs, ["ensemble", "seed", "level", "key", "colour", "z", "sp"])  # fmt: skip
    text = summary.render_summary(
        levels, tables, config, sources, args.threshold, args.split, signed
    )
    for section in args.section:
        if not Path(section).is_file():
            raise InputError(f"{section}: summary section not found")
        text = text.rstrip("\n") + "\n\n" + Path(section).read_text()
    write_text(text, args.out)
    log.info("wrote %s", args.out)
    return 0
