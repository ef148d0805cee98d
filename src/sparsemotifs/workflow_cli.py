"""Small glue commands the Snakemake rules need: provenance, network listing, table concatenation.

Kept in the package (not as inline Python in the Snakefile) so rules stay thin shell calls
and the behaviour is tested like any other code.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import yaml

from sparsemotifs import __version__
from sparsemotifs.config import parse_json_arg, validate_config
from sparsemotifs.contracts.network import level_path
from sparsemotifs.fingerprint import code_fingerprint, package_dir
from sparsemotifs.io import InputError, atomic_path, read_table, write_table

# The subcommands the workflow's rules run; provenance records the code fingerprint of each.
WORKFLOW_COMMANDS = (
    "simulate", "dataset", "train", "select", "networks", "motifs table", "concat",
    "aggregate", "figures", "summary",
)  # fmt: skip


def git_commit(directory: Path) -> str:
    """HEAD of the repository holding the code (suffix -dirty with local changes), or unknown."""
    try:
        out = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(directory), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return out + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def network_paths(metrics: pd.DataFrame, networks_dir: Path, source: str = "") -> list[Path]:
    """Level files of every non-diverged (seed, level) row of a training metrics table."""
    for col in ("seed", "level", "status"):
        if col not in metrics.columns:
            raise InputError(f"{source or 'metrics table'}: missing column '{col}'")
    rows = metrics[metrics["status"] == "ok"].sort_values(["seed", "level"])
    paths = [
        level_path(networks_dir, int(s), int(k))
        for s, k in zip(rows["seed"], rows["level"], strict=True)
    ]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError(
            f"{source}: {len(missing)} network files listed as trained are missing, e.g. "
            f"{missing[0]}; delete {source or 'the metrics table'} and rerun to retrain its chunk"
        )
    return paths


def concat_tables(
    inputs: Sequence[str | Path], out: str | Path, ensemble: str | None = None
) -> pd.DataFrame:
    """Concatenate tables in the given order (deterministic), keeping the first one's columns.

    With `ensemble`, every row's `ensemble` column is set to it (a variant trained exactly like
    another analyses the same networks: its tables are that one's, relabelled).
    """
    frames = [read_table(p) for p in inputs]
    frames = [f for f in frames if len(f.columns)]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if ensemble is not None:
        if len(df.columns) and "ensemble" not in df.columns:
            raise InputError(f"{inputs[0]}: no 'ensemble' column to relabel")
        if len(df.columns):
            df["ensemble"] = ensemble
    write_table(df, out)
    return df


# ----------------------------------------------------------------------------- CLI


def register(sub) -> None:
    p = sub.add_parser(
        "provenance", help="write the resolved config with package version and git commit"
    )
    p.add_argument("--config-json", required=True, help="the whole (Snakemake) config as JSON")
    p.add_argument("--out", required=True)
    p.set_defaults(func=_run_provenance)

    p = sub.add_parser(
        "networks",
        help="list the level files of a training metrics table; import a torch checkpoint",
    )
    p.add_argument("action", choices=["list", "import", "levels"])
    p.add_argument(
        "metrics",
        nargs="+",
        help="list: training metrics tables (chunk{c}.csv); import: MODEL.pt; levels: DIR of "
        "imported network files",
    )
    p.add_argument("--dir", help="list: the networks folder holding seed{s}/level{k}.npz")
    from sparsemotifs.contracts.network_import_cli import add_import_options

    add_import_options(p)
    p.set_defaults(func=_run_networks)

    p = sub.add_parser("concat", help="concatenate tables (parquet/csv) in the given order")
    p.add_argument("inputs", nargs="+")
    p.add_argument("--out", required=True)
    p.add_argument("--ensemble", default=None, help="set every row's `ensemble` to NAME")
    p.set_defaults(func=_run_concat)


def _run_provenance(args) -> int:
    cfg = validate_config(parse_json_arg(args.config_json, "--config-json"))
    doc = {
        "sparsemotifs_version": __version__,
        "git_commit": git_commit(package_dir()),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "code_fingerprints": {c: code_fingerprint(c) for c in WORKFLOW_COMMANDS},
        "config": cfg,
    }
    with atomic_path(args.out) as tmp:
        tmp.write_text(yaml.safe_dump(doc, sort_keys=False))
    return 0


def _run_networks(args) -> int:
    if args.action in ("import", "levels"):
        from sparsemotifs.contracts.network_import_cli import run_import, run_levels

        return run_import(args) if args.action == "import" else run_levels(args)
    if not args.dir:
        raise InputError("networks list: --dir is required")
    paths: list[Path] = []
    for m in args.metrics:
        paths.extend(network_paths(read_table(m), Path(args.dir), source=m))
    if not paths:
        raise InputError(f"no trained network files listed in {', '.join(args.metrics)}")
    print("\n".join(map(str, paths)))
    return 0


def _run_concat(args) -> int:
    concat_tables(args.inputs, args.out, args.ensemble)
    return 0


def as_json(obj) -> str:
    """Canonical JSON for rule params: equal settings give equal strings (no spurious reruns)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))
