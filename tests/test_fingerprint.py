"""Code fingerprints follow the imports of each command (tests on a copy of the package)."""

from __future__ import annotations

import shutil

import pytest

from sparsemotifs import fingerprint
from tests.conftest import REPO

COMMANDS = ["simulate", "dataset", "train", "select", "motifs table", "aggregate", "figures"]


@pytest.fixture
def pkg(tmp_path, monkeypatch):
    root = tmp_path / "sparsemotifs"
    shutil.copytree(
        REPO / "src" / "sparsemotifs", root, ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.setattr(fingerprint, "package_dir", lambda: root)
    return root


def prints() -> dict[str, str]:
    return {c: fingerprint.code_fingerprint(c) for c in COMMANDS}


def edit(path) -> None:
    path.write_text(path.read_text() + "\n# edited\n")


def changed(before: dict, after: dict) -> set[str]:
    return {c for c in before if before[c] != after[c]}


def test_modules_of_the_motif_stage(pkg):
    modules = fingerprint.command_modules("motifs table", pkg)
    assert "sparsemotifs.motifs.samplers" in modules  # via motifs.analysis
    assert "sparsemotifs.contracts.network" in modules  # via motifs.graph
    # magnitude_init regenerates the initial weights with training's own init code, and
    # motifs.samples_other_levels finds the selected levels with training's selection; only those
    assert {m for m in modules if m.split(".")[1:2] == ["training"]} == {
        "sparsemotifs.training", "sparsemotifs.training.ensemble",
        "sparsemotifs.training.selection", "sparsemotifs.training.outcomes",
        "sparsemotifs.training.storage",
    }  # fmt: skip
    assert not [m for m in modules if m.split(".")[1:2] in (["convergence"], ["report"])]


def test_lazy_imports_of_the_entry_function_count_and_only_those(pkg):
    # `figures` imports report.plots inside run_figures; `aggregate` does not run it
    assert "sparsemotifs.report.plots" in fingerprint.command_modules("figures", pkg)
    assert "sparsemotifs.report.plots" not in fingerprint.command_modules("aggregate", pkg)
    # `train` imports the trainer (torch) inside run_train; `select` does not
    assert "sparsemotifs.training.trainer" in fingerprint.command_modules("train", pkg)
    assert "sparsemotifs.training.trainer" not in fingerprint.command_modules("select", pkg)


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("motifs/samplers.py", {"motifs table"}),
        ("motifs/derive.py", {"motifs table"}),
        ("report/plots.py", {"figures"}),
        ("convergence/trend.py", {"aggregate", "figures"}),
        ("training/level.py", {"train"}),
        ("training/ensemble.py", {"train", "motifs table"}),  # the init of magnitude_init
        ("flight/integrate.py", {"simulate"}),
        ("contracts/network.py", {"train", "select", "motifs table"}),
        ("io.py", set(COMMANDS)),
    ],
)
def test_editing_a_module_changes_exactly_the_commands_that_import_it(pkg, module, expected):
    before = prints()
    edit(pkg / module)
    assert changed(before, prints()) == expected


def test_unimported_module_changes_nothing(pkg):
    before = prints()
    (pkg / "motifs" / "unused_helper.py").write_text("X = 1\n")
    edit(pkg / "config_cli.py")  # the `config` command's module: no workflow rule runs it
    assert changed(before, prints()) == set()


def test_lazy_import_added_to_a_module_is_followed(pkg):
    before = prints()
    (pkg / "report" / "extra.py").write_text("Y = 2\n")
    graph = pkg / "motifs" / "graph.py"
    graph.write_text(
        graph.read_text() + "\n\ndef _later():\n    from sparsemotifs.report import extra\n"
    )
    after = prints()
    assert "sparsemotifs.report.extra" in fingerprint.command_modules("motifs table", pkg)
    edit(pkg / "report" / "extra.py")
    assert prints()["motifs table"] != after["motifs table"] != before["motifs table"]


def test_missing_module_is_an_error(pkg):
    counts = pkg / "motifs" / "counts.py"
    counts.write_text(
        counts.read_text() + "\n\ndef _f():\n    from sparsemotifs.motifs.gone import x\n"
    )
    with pytest.raises(fingerprint.FingerprintError, match="sparsemotifs.motifs.gone"):
        fingerprint.code_fingerprint("motifs table")


def test_unknown_command_is_an_error(pkg):
    with pytest.raises(fingerprint.FingerprintError, match="no subcommand"):
        fingerprint.code_fingerprint("motifs bogus")


def test_adding_an_output_table_does_not_rerun_the_early_stages():
    """The output names and statistics columns (contracts/outputs.py) grow with every new table
    or figure; the simulation, training and motif commands must not import them, or each new
    table would rerun a whole study (it did: registry.TABLES and contracts/tables.py)."""
    from sparsemotifs.fingerprint import command_modules

    for command in ("simulate", "dataset", "train", "motifs table", "motifs signed-table"):
        assert "sparsemotifs.contracts.outputs" not in command_modules(command), command
    for command in ("aggregate", "summary", "figures"):
        assert "sparsemotifs.contracts.outputs" in command_modules(command), command
