"""Code fingerprints of the workflow's commands, derived from what each command imports.

Snakemake reruns a job when its params change but knows nothing of the Python code a shell
command runs, so every rule passes `code_fingerprint("<subcommand>")` as a param. The
fingerprint hashes the source of the modules the subcommand actually uses: the module of its
entry function (from the CLI's own parser) with that module's top-level imports and the lazy
imports inside the entry function (and the same-module functions it calls), then, transitively,
every import anywhere in each package module reached (functions included). Editing a module a
command imports reruns its jobs; editing any other module does not. An import of a package
module that does not exist is an error, never silently skipped.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
from functools import cache
from importlib.util import find_spec
from pathlib import Path

PACKAGE = "sparsemotifs"


class FingerprintError(RuntimeError):
    """A command or an imported package module cannot be resolved to a source file."""


def package_dir() -> Path:
    """The folder of the imported `sparsemotifs` package (the code that runs)."""
    spec = find_spec(PACKAGE)
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)))


def module_file(name: str, root: Path | None = None) -> Path | None:
    """Source file of package module `name` (a package's __init__.py), or None."""
    root = root or package_dir()
    parts = name.split(".")[1:]
    base = root.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _imported_names(nodes, root: Path, where: str) -> set[str]:
    """Package modules named by the Import/ImportFrom nodes among `nodes`."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.split(".")[0] == PACKAGE]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != PACKAGE:
                continue
            names = [node.module]
            # `from pkg import sub` imports the submodule when there is one
            names += [
                f"{node.module}.{a.name}"
                for a in node.names
                if module_file(f"{node.module}.{a.name}", root) is not None
            ]
        else:
            continue
        for name in names:
            if module_file(name, root) is None:
                raise FingerprintError(f"{where}: imports {name}, which has no source file")
            found.add(name)
    return found


def _module_tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _entry_imports(module: str, function: str, root: Path) -> set[str]:
    """Top-level imports of `module` plus imports inside `function` and its same-module callees."""
    path = module_file(module, root)
    if path is None:
        raise FingerprintError(f"command module {module} has no source file")
    tree = _module_tree(path)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    if function not in functions:
        raise FingerprintError(f"{module} has no function {function}")
    top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    found = _imported_names(top, root, str(path))
    todo, seen = [function], set()
    while todo:
        fn = functions[todo.pop()]
        if fn.name in seen:
            continue
        seen.add(fn.name)
        body = list(ast.walk(fn))
        found |= _imported_names(body, root, f"{path}:{fn.name}")
        todo += [n.id for n in body if isinstance(n, ast.Name) and n.id in functions]
    return found | {module}


def module_closure(
    start: set[str], root: Path | None = None, read: frozenset[str] = frozenset()
) -> set[str]:
    """`start` and every package module they import, anywhere in their source, transitively
    (modules in `read` are included but their imports are already among `start`)."""
    root = root or package_dir()
    done: set[str] = set(read)
    todo = sorted(start - read) + [p for m in read for p in _parents(m)]
    while todo:
        name = todo.pop()
        if name in done:
            continue
        done.add(name)
        todo += _parents(name)
        path = module_file(name, root)
        if path is None:
            raise FingerprintError(f"module {name} has no source file under {root}")
        todo += sorted(_imported_names(ast.walk(_module_tree(path)), root, str(path)))
    return done


@cache
def _entry_point(command: str) -> tuple[str, str]:
    from sparsemotifs.cli import build_parser

    parser: argparse.ArgumentParser = build_parser()
    for word in command.split():
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs or word not in subs[0].choices:
            raise FingerprintError(f"'sparsemotifs {command}': no subcommand {word!r}")
        parser = subs[0].choices[word]
    func = parser.get_default("func")
    if func is None:
        raise FingerprintError(f"'sparsemotifs {command}' names no runnable command")
    return func.__module__, func.__name__


def command_modules(command: str, root: Path | None = None) -> list[str]:
    """The package modules `sparsemotifs <command>` runs, sorted."""
    root = root or package_dir()
    module, function = _entry_point(command)
    start = _entry_imports(module, function, root) | {f"{PACKAGE}.cli"}
    return sorted(module_closure(start, root, read=frozenset({module})))


def code_fingerprint(*commands: str) -> str:
    """SHA-256 (first 16 hex digits) over the source of the modules the commands run."""
    root = package_dir()
    modules = sorted({m for c in commands for m in command_modules(c, root)})
    digest = hashlib.sha256()
    for name in modules:
        path = module_file(name, root)
        assert path is not None
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
