"""`sparsemotifs config validate|resolve`: check a config file the way the workflow will."""

from __future__ import annotations

import sys

import yaml

from sparsemotifs.config import load_config


def register(sub) -> None:
    p = sub.add_parser("config", help="validate or print a resolved study configuration")
    p.add_argument("action", choices=["validate", "resolve"])
    p.add_argument("configfile", help="YAML config file")
    p.add_argument("overlays", nargs="*", help="extra config files merged on top, in order")
    p.set_defaults(func=run)


def run(args) -> int:
    cfg = load_config(args.configfile, args.overlays)
    if args.action == "resolve":
        yaml.safe_dump(cfg, sys.stdout, sort_keys=False)
    else:
        print(f"{args.configfile}: valid")
    return 0
