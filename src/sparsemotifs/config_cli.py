"""`sparsemotifs config validate|resolve|docs`: check a config file the way the workflow will,
print it resolved, or regenerate config/README.md's key table from the schema."""

from __future__ import annotations

import sys

import yaml

from sparsemotifs.config import ConfigError, load_config


def register(sub) -> None:
    p = sub.add_parser(
        "config", help="validate or print a resolved study configuration; document its keys"
    )
    p.add_argument("action", choices=["validate", "resolve", "docs"])
    p.add_argument("configfile", nargs="?", help="YAML config file (validate, resolve)")
    p.add_argument("overlays", nargs="*", help="extra config files merged on top, in order")
    p.add_argument(
        "--write",
        metavar="README",
        help="docs: rewrite the 'Every key' section of this file (config/README.md)",
    )
    p.add_argument(
        "--check",
        metavar="README",
        help="docs: exit 1 if this file's key table differs from the schema's",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    if args.action == "docs":
        return _docs(args)
    if args.configfile is None:
        raise ConfigError(f"config {args.action}: a config file is required")
    cfg = load_config(args.configfile, args.overlays)
    if args.action == "resolve":
        yaml.safe_dump(cfg, sys.stdout, sort_keys=False)
    else:
        print(f"{args.configfile}: valid")
    return 0


def _docs(args) -> int:
    from sparsemotifs.config_docs import key_table, update_readme

    if args.check:
        if update_readme(args.check, check=True):
            return 0
        print(f"{args.check}: key table differs from the schema; run `make docs`", file=sys.stderr)
        return 1
    if args.write:
        update_readme(args.write)
        return 0
    sys.stdout.write(key_table())
    return 0
