"""The package shows the pipeline: stage packages in order, contracts at the bottom, no module
importing a later stage, no overlong module, and tests/ mirroring the packages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PKG = REPO / "src" / "sparsemotifs"
# Pipeline order. Rank 0: shared modules every stage may import (they import no stage);
# the dispatcher and the workflow glue sit on top and may import anything.
STAGES = ["flight", "dataset", "training", "motifs", "weights", "function", "convergence", "report"]
SHARED = {"sparsemotifs", "io", "config", "contracts", "registry", "figure_io"}
TOP = {"cli", "config_cli", "config_docs", "workflow_cli", "fingerprint", "resources"}
MAX_LINES = 450
# Cohesive numerical kernels allowed past MAX_LINES (none at present).
# Cohesive numerical kernels allowed past the limit (one algorithm, split would only scatter it).
LONG_KERNELS: set[str] = {"motifs/signed.py"}


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def rank(module: str) -> int:
    """0 for shared modules, 1.. for stages in pipeline order, len(STAGES) + 1 for the top."""
    parts = module.split(".")
    head = parts[1] if len(parts) > 1 else "sparsemotifs"
    if head in SHARED:
        return 0
    if head in TOP:
        return len(STAGES) + 1
    return STAGES.index(head) + 1


def package_imports(path: Path) -> set[str]:
    """Package modules imported anywhere in a file (functions too: lazy imports count)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("sparsemotifs")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("sparsemotifs"):
                found.add(node.module)
                found |= {
                    f"{node.module}.{a.name}"
                    for a in node.names
                    if (PKG.parent / node.module.replace(".", "/") / f"{a.name}.py").exists()
                    or (PKG.parent / node.module.replace(".", "/") / a.name).is_dir()
                }
    return found


MODULES = sorted(PKG.rglob("*.py"))


def test_every_module_has_a_known_place():
    for path in MODULES:
        rank(module_name(path))  # raises ValueError for a module outside the layout


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_no_import_from_a_later_stage(path):
    here = module_name(path)
    later = [m for m in sorted(package_imports(path)) if rank(m) > rank(here)]
    assert not later, f"{here} (rank {rank(here)}) imports a later stage: {later}"


def test_import_rule_catches_a_backward_import(tmp_path):
    """The rule itself can fail: a flight module importing the dataset stage is an arrow back."""
    bad = tmp_path / "bad.py"
    bad.write_text("from sparsemotifs.dataset import SIMULATION_COLUMNS\n")
    imports = package_imports(bad)
    assert imports == {"sparsemotifs.dataset"}
    assert rank("sparsemotifs.dataset") > rank("sparsemotifs.flight.simulate")


def test_no_overlong_module():
    long = {
        str(p.relative_to(PKG)): n
        for p in MODULES
        if (n := len(p.read_text().splitlines())) > MAX_LINES
        and str(p.relative_to(PKG)) not in LONG_KERNELS
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_tests_mirror_the_packages():
    """Every stage package (and contracts) has a test folder of the same name."""
    for name in [*STAGES, "contracts"]:
        if (PKG / name).is_dir():
            assert (REPO / "tests" / name / "__init__.py").is_file(), f"tests/{name}/ missing"


def test_argparse_only_in_cli_modules():
    for path in MODULES:
        text = path.read_text()
        if "import argparse" in text:
            assert (
                path.name == "cli.py"
                or path.stem.endswith("_cli")
                or path.stem
                in {
                    "fingerprint"  # reads the CLI's parser to find a command's entry function
                }
            ), path
