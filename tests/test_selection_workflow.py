"""The select rule reads the dataset (each output's variance) only for the per_output_r2 threshold."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, run_snakemake

pytestmark = pytest.mark.xdist_group("snakemake")


def _select_commands(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if "sparsemotifs select " in line]


def test_select_gets_the_dataset_only_for_per_output_r2(tmp_path):
    base = ("-n", "-p", "--configfile", str(REPO / "config/test.yaml"))
    proc = run_snakemake(*base, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    plain = _select_commands(proc.stdout)
    assert len(plain) == 2 and not any("--data" in c for c in plain)  # trained + control_task
    overlay = tmp_path / "r2.yaml"
    overlay.write_text("selection:\n  threshold_kind: per_output_r2\n  min_r2: 0.9\n")
    proc = run_snakemake(*base, str(overlay), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    r2 = _select_commands(proc.stdout)
    assert sorted(c.split("--data ")[1].split()[0].rsplit("/", 1)[-1] for c in r2) == [
        "control_task.npz",
        "flight.npz",
    ]
