"""The `sparsemotifs` command. Each stage module registers its own subcommands.

Snakemake rules are thin shells around these subcommands; user-facing errors
(SparsemotifsError) print one clear line and exit with status 2, leaving no output behind.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from sparsemotifs import SparsemotifsError, __version__

# Modules that expose `register(subparsers)`; order is the order in `--help`.
COMMAND_MODULES = [
    "sparsemotifs.config_cli",
    "sparsemotifs.flight.cli",
    "sparsemotifs.dataset.cli",
    "sparsemotifs.workflow_cli",
    "sparsemotifs.training.cli",
    "sparsemotifs.motifs.cli",
    "sparsemotifs.weights.cli",
    "sparsemotifs.function.cli",
    "sparsemotifs.report.cli",
    "sparsemotifs.report.published_cli",
]


def build_parser() -> argparse.ArgumentParser:
    """The `sparsemotifs` parser with every command module's subcommands."""
    parser = argparse.ArgumentParser(
        prog="sparsemotifs",
        description="Motifs of pruned neural networks trained on hawkmoth flight control.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; a SparsemotifsError prints one line and returns 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        rc = args.func(args)
    except SparsemotifsError as exc:
        print(f"sparsemotifs {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return int(rc or 0)


if __name__ == "__main__":
    sys.exit(main())
