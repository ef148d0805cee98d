"""Load and validate study configurations against the one schema Snakemake also uses.

JSON Schema covers types, ranges and names; `check_semantics` adds what it cannot express.
Every error names the offending key so a user can fix the file without reading code.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from sparsemotifs import SparsemotifsError

SCHEMA_RESOURCE = "schema.yaml"


class ConfigError(SparsemotifsError):
    """The configuration is invalid; the message names the key and what is allowed."""


@cache
def load_schema() -> dict:
    """The study config's JSON Schema (schema.yaml shipped in the package)."""
    text = resources.files("sparsemotifs").joinpath(SCHEMA_RESOURCE).read_text()
    return yaml.safe_load(text)


def _key_path(path) -> str:
    return ".".join(str(p) for p in path) or "<top level>"


def _resolve_ref(schema: dict, root: dict) -> dict:
    if "$ref" in schema:
        ref = schema["$ref"].removeprefix("#/").split("/")
        target = root
        for part in ref:
            target = target[part]
        merged = dict(target)
        merged.update({k: v for k, v in schema.items() if k != "$ref"})
        return merged
    return schema


def _fill_defaults(instance: Any, schema: dict, root: dict) -> None:
    """Insert schema defaults for missing keys, recursively (copies, never shared objects)."""
    schema = _resolve_ref(schema, root)
    if not isinstance(instance, dict):
        return
    for key, sub in schema.get("properties", {}).items():
        sub = _resolve_ref(sub, root)
        if key not in instance and "default" in sub:
            instance[key] = copy.deepcopy(sub["default"])
        if key in instance:
            _fill_defaults(instance[key], sub, root)


def _format_error(err: jsonschema.ValidationError) -> str:
    path = list(err.absolute_path)
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return f"config key '{_key_path(path + [missing])}' is required but missing"
    if err.validator == "additionalProperties":
        return f"config key '{_key_path(path)}': {err.message} (unknown key; check the spelling against config/schema.yaml)"
    allowed = ""
    if err.validator == "enum":
        allowed = f"; allowed: {', '.join(map(str, err.validator_value))}"
    return f"config key '{_key_path(path)}': {err.message}{allowed}"


def validate_config(config: Mapping, *, fill_defaults: bool = True) -> dict:
    """Validate a whole study config; return a deep copy with defaults filled in."""
    schema = load_schema()
    cfg = copy.deepcopy(dict(config))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(cfg), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ConfigError(
            "invalid configuration:\n  " + "\n  ".join(_format_error(e) for e in errors)
        )
    if fill_defaults:
        _fill_defaults(cfg, schema, schema)
    check_semantics(cfg)
    _check_variants(cfg)
    return cfg


# Training keys that shape jobs (chunks of seeds, threads, device), not networks: one per study.
STUDY_WIDE_TRAINING = ("chunk_size", "threads", "device")


def _check_variants(cfg: dict) -> None:
    """Each variant's effective config must itself be a valid study config."""
    variants = cfg.get("variants") or {}
    if not variants:
        return
    from sparsemotifs import registry  # registry imports this module lazily, not at import

    try:
        registry.variant_entries(variants)
    except ValueError as exc:
        raise ConfigError(f"invalid configuration:\n  config key 'variants': {exc}") from None
    for name in variants:
        fixed = sorted(set(variants[name].get("training") or {}) & set(STUDY_WIDE_TRAINING))
        if fixed:
            raise ConfigError(
                f"invalid configuration: config key 'variants.{name}.training': {fixed} are "
                "study-wide (job layout), set them in the top-level training section"
            )
        effective = deep_merge({k: v for k, v in cfg.items() if k != "variants"}, variants[name])
        try:
            validate_config(effective, fill_defaults=False)
        except ConfigError as exc:
            detail = str(exc).removeprefix("invalid configuration:")
            raise ConfigError(
                f"invalid configuration: variant '{name}' (config key 'variants.{name}'):{detail}"
            ) from None


def section_schema(name: str) -> dict:
    """The schema of one top-level config section (references resolved)."""
    schema = load_schema()
    try:
        return schema["properties"][name]
    except KeyError:
        raise ConfigError(f"unknown config section '{name}'") from None


def validate_section(name: str, section: Mapping | None) -> dict:
    """Validate one section (as passed to a CLI stage by a rule); defaults filled in."""
    schema = load_schema()
    sub = dict(section_schema(name))
    sub["definitions"] = schema.get("definitions", {})
    value = copy.deepcopy(dict(section or {}))
    errors = list(jsonschema.Draft202012Validator(sub).iter_errors(value))
    if errors:
        for e in errors:
            e.path.appendleft(name)
        raise ConfigError(
            "invalid configuration:\n  " + "\n  ".join(_format_error(e) for e in errors)
        )
    _fill_defaults(value, sub, sub)
    check_semantics({name: value})
    return value


def _check_schedule(cfg: Mapping) -> list[str]:
    schedule = (cfg.get("pruning") or {}).get("schedule")
    for i in range(1, len(schedule or [])):
        if not schedule[i] > schedule[i - 1]:
            return [
                f"config key 'pruning.schedule': cut fractions must increase strictly, "
                f"but entry {i} ({schedule[i]}) <= entry {i - 1} ({schedule[i - 1]})"
            ]
    return []


def _check_split(cfg: Mapping) -> list[str]:
    ds = cfg.get("dataset") or {}
    if all(k in ds for k in ("train", "val", "test")):
        total = ds["train"] + ds["val"] + ds["test"]
        if abs(total - 1.0) > 1e-9:
            return [f"config key 'dataset': train + val + test must sum to 1, got {total:g}"]
    return []


def _check_ranges(cfg: Mapping) -> list[str]:
    ranges = (cfg.get("simulation") or {}).get("ranges") or {}
    return [
        f"config key 'simulation.ranges.{key}': low {rng[0]} > high {rng[1]}"
        for key, rng in ranges.items()
        if len(rng) == 2 and not rng[0] <= rng[1]
    ]


def _check_widths(cfg: Mapping) -> list[str]:
    widths = (cfg.get("network") or {}).get("widths")
    if widths is not None and "simulation" in cfg and (widths[0] != 10 or widths[-1] != 7):
        return [
            f"config key 'network.widths': the flight task has 10 inputs and 7 outputs, "
            f"so widths must start with 10 and end with 7 (got {widths})"
        ]
    return []


def _check_teacher(cfg: Mapping) -> list[str]:
    widths = (cfg.get("network") or {}).get("widths")
    teacher = ((cfg.get("controls") or {}).get("control_task") or {}).get("teacher_widths")
    if teacher is None or widths is None:
        return []
    if teacher[0] != widths[0] or teacher[-1] != widths[-1]:
        return [
            f"config key 'controls.control_task.teacher_widths': must start with {widths[0]} "
            f"and end with {widths[-1]} like network.widths (got {teacher})"
        ]
    return []


# Rules JSON Schema cannot express, each a named check returning its problems.
SEMANTIC_CHECKS = (_check_schedule, _check_split, _check_ranges, _check_widths, _check_teacher)


def check_semantics(cfg: Mapping) -> None:
    """Rules JSON Schema cannot express. Works on a whole config or on single sections."""
    problems = [problem for check in SEMANTIC_CHECKS for problem in check(cfg)]
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


def load_config(path: str | Path, overlays: list[str | Path] = ()) -> dict:
    """Read a YAML config (plus overlays merged on top, like extra --configfile) and validate it."""
    cfg: dict = {}
    for p in [path, *overlays]:
        p = Path(p)
        if not p.exists():
            raise ConfigError(f"config file not found: {p}")
        try:
            data = yaml.safe_load(p.read_text()) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"config file {p} is not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"config file {p} must hold a mapping at the top level")
        cfg = deep_merge(cfg, data)
    return validate_config(cfg)


def deep_merge(base: Mapping, update: Mapping) -> dict:
    """Recursive dict update (what Snakemake does with several --configfile)."""
    out = copy.deepcopy(dict(base))
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def parse_json_arg(text: str, what: str) -> dict:
    """A JSON object given on the command line; ConfigError naming `what` otherwise."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{what} must be a JSON object")
    return value


def parse_params(text: str, sections: tuple[str, ...], what: str = "--params") -> dict[str, dict]:
    """The one `--params` shape of every command: a JSON object of named config sections.

    `{"<section>": {...}, ...}` with sections among `sections` (each validated, defaults filled;
    an absent one gets its defaults). The workflow builds it with `cli_params` in common.smk.
    """
    params = raw_params(text, sections, what)
    return {name: validate_section(name, params.get(name)) for name in sections}


def raw_params(text: str, sections: tuple[str, ...], what: str = "--params") -> dict[str, dict]:
    """`--params` checked for its shape only (for commands that override keys before validating)."""
    params = parse_json_arg(text, what)
    unknown = sorted(set(params) - set(sections))
    if unknown:
        raise ConfigError(f"{what}: unknown section(s) {unknown}; allowed: {', '.join(sections)}")
    return {name: dict(params.get(name) or {}) for name in sections}
