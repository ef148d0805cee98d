"""The key table of config/README.md, generated from the schema so the two cannot drift.

`sparsemotifs config docs --write config/README.md` (or `make docs`) rewrites the "Every key"
section; `--check` fails when the committed file differs (the test suite runs it).
"""

from __future__ import annotations

from pathlib import Path

from sparsemotifs.config import ConfigError, _resolve_ref, load_schema
from sparsemotifs.io import write_text

HEADING = "## Every key\n\n"
_BOUNDS = (
    ("minimum", ">="),
    ("exclusiveMinimum", ">"),
    ("maximum", "<="),
    ("exclusiveMaximum", "<"),
)


def _bounds(schema: dict, prefix: str = "") -> list[str]:
    return [f"{prefix}{op} {schema[key]}" for key, op in _BOUNDS if key in schema]


def allowed(schema: dict) -> str:
    """The 'allowed' cell: bounds, pattern, choices (of the value or of each item)."""
    parts = _bounds(schema)
    if "pattern" in schema:
        parts.append(f"matches `{schema['pattern']}`")
    if "enum" in schema:
        parts.append(" / ".join(f"`{v}`" for v in schema["enum"]))
    items = schema.get("items") or {}
    if "enum" in items:
        parts.append("subset of " + ", ".join(f"`{v}`" for v in items["enum"]))
    parts += _bounds(items, "each ")
    return "; ".join(parts)


def _default(value) -> str:
    return value if isinstance(value, str) else repr(value)


def _text(value) -> str:
    return " ".join(str(value or "").split())


def _conditional(schema: dict) -> set[str]:
    """Keys required only without `import_networks` (the schema's if/then), as dotted names."""
    then = schema.get("then", {})
    names = set(then.get("required", []))
    for key, sub in then.get("properties", {}).items():
        names |= {f"{key}.{r}" for r in sub.get("required", [])}
    return names


def _rows(
    props: dict, root: dict, required: list, prefix: str = "", conditional=frozenset()
) -> list[str]:
    rows = []
    for key, sub in props.items():
        sub = _resolve_ref(sub, root)
        name = f"{prefix}{key}"
        if sub.get("type") == "object" and "properties" in sub:
            rows.append(f"| **`{name}`** | section | | | {_text(sub.get('description'))} |")
            rows += _rows(sub["properties"], root, sub.get("required", []), f"{name}.", conditional)
            continue
        if key in required:
            default = "**required**"
        elif name in conditional:
            default = "**required** unless `import_networks`"
        elif "default" in sub:
            default = f"`{_default(sub['default'])}`"
        else:
            default = "none"
        rows.append(
            f"| `{name}` | {sub.get('type', '')} | {allowed(sub)} | {default} | "
            f"{_text(sub.get('description'))} |"
        )
    return rows


def key_table(schema: dict | None = None) -> str:
    """Markdown table of every key: type, allowed values, default, meaning."""
    schema = schema or load_schema()
    lines = ["| key | type | allowed | default | meaning |", "|---|---|---|---|---|"]
    lines += _rows(
        schema["properties"], schema, schema.get("required", []), conditional=_conditional(schema)
    )
    return "\n".join(lines) + "\n"


def render_readme(text: str) -> str:
    """`text` (config/README.md) with its "Every key" section replaced by the generated table."""
    if HEADING not in text:
        raise ConfigError(f"config README: no '{HEADING.strip()}' section to fill")
    return text.split(HEADING, 1)[0] + HEADING + key_table()


def update_readme(path: str | Path, check: bool = False) -> bool:
    """Rewrite (or with `check`, only compare) the README's key table; True if it was current."""
    path = Path(path)
    text = path.read_text()
    new = render_readme(text)
    if new != text and not check:
        write_text(new, path)
    return new == text
