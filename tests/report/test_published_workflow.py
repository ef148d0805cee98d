"""The workflow passes `report.reference_data` to the published-comparison jobs only when the
config changes it (so $SPARSEMOTIFS_REFERENCE_DATA can redirect the default), and lists the
comparison's outputs as targets."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import REPO, run_snakemake

pytestmark = pytest.mark.xdist_group("snakemake")


def _dry_run(tmp_path, overlay: dict | None = None) -> str:
    args = ["-n", "-p", "--configfile", str(REPO / "config/test.yaml")]
    if overlay is not None:
        path = tmp_path / "overlay.yaml"
        path.write_text(yaml.safe_dump(overlay))
        args.append(str(path))
    proc = run_snakemake(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc.stdout


def test_reference_data_setting_reaches_the_commands(tmp_path):
    default = _dry_run(tmp_path)
    assert "sparsemotifs published compare" in default
    assert "sparsemotifs published reference-network" in default
    assert "--reference-data" not in default
    assert "--networks trained=results/test/networks " in default
    moved = _dry_run(tmp_path, {"report": {"reference_data": "/no/such/dir"}})
    assert moved.count("--reference-data /no/such/dir") == 2


def test_reference_network_can_be_switched_off(tmp_path):
    off = _dry_run(tmp_path, {"report": {"reference_network": {"enabled": False}}})
    assert "published reference-network" not in off and "--reference-network" not in off
    assert "published compare" in off
