"""The Snakemake DAG without running it: paper config locally and on SLURM, bad configs, lint."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import REPO, run_snakemake

pytestmark = pytest.mark.xdist_group("snakemake")


def job_counts(stdout: str) -> dict[str, int]:
    """Parse Snakemake's 'Job stats' table."""
    counts: dict[str, int] = {}
    block = stdout.split("Job stats:", 1)[-1]
    for line in block.splitlines():
        m = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if m and m.group(1) != "total":
            counts[m.group(1)] = int(m.group(2))
    return counts


def test_paper_config_dry_run_local(tmp_path):
    proc = run_snakemake("-n", "--configfile", str(REPO / "config/paper.yaml"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    counts = job_counts(proc.stdout)
    assert counts["train"] == 2 * 400 // 50  # trained + control_task chunks of 50 seeds
    assert counts["simulate"] == 50
    # ensembles (3 + 2 null-sample controls + magnitude_init) x nulls x chunks
    assert counts["motifs"] == 6 * 3 * 8


def test_paper_config_dry_run_slurm_profile(tmp_path):
    proc = run_snakemake(
        "-n",
        "--configfile",
        str(REPO / "config/paper.yaml"),
        "--profile",
        str(REPO / "profiles/slurm"),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "train" in job_counts(proc.stdout)


def test_paper_study_requests_one_gpu_for_training():
    """The GPU request is the study's (resources.train.gpu), not the profile's (tests/hpc)."""
    profile = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())
    assert profile["executor"] == "slurm" and "set-resources" not in profile
    paper = yaml.safe_load((REPO / "config/paper.yaml").read_text())
    assert paper["resources"]["train"]["gpu"] == 1


@pytest.mark.parametrize(
    ("overlay", "key"),
    [
        ("seeds: 0\n", "seeds"),
        ("network:\n  activation: sigmoid\n", "sigmoid"),
        ("pruning:\n  schedule: [0.5, 0.3]\n", "pruning.schedule"),
        ("selection:\n  threshold: -1\n", "threshold"),
        ("motif_nulls: [degree]\n", "motif_nulls"),
    ],
)
def test_bad_config_stops_before_any_job(tmp_path, overlay, key):
    (tmp_path / "bad.yaml").write_text(overlay)
    proc = run_snakemake(
        "--cores",
        "1",
        "--configfile",
        str(REPO / "config/test.yaml"),
        str(tmp_path / "bad.yaml"),
        cwd=tmp_path,
    )
    assert proc.returncode != 0
    assert key in proc.stderr + proc.stdout
    assert not (tmp_path / "results").exists()


def test_lint_clean(tmp_path):
    proc = run_snakemake("--lint", "--configfile", str(REPO / "config/test.yaml"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "good condition" in proc.stdout + proc.stderr


def test_signed_motifs_only_when_switched_on(tmp_path):
    """motifs.edge_classes: sign adds one signed_motifs job per trained ensemble and chunk."""
    base = ("-n", "--configfile", str(REPO / "config/test.yaml"))
    off = job_counts(run_snakemake(*base, cwd=tmp_path).stdout)
    assert "signed_motifs" not in off and "collect_signed_motifs" not in off
    overlay = tmp_path / "signed.yaml"
    overlay.write_text("motifs:\n  edge_classes: sign\n")
    proc = run_snakemake(*base, str(overlay), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    on = job_counts(proc.stdout)
    assert on["collect_signed_motifs"] == 1
    assert on["signed_motifs"] == off["train"]  # trained ensembles x chunks; derived ones skipped
    assert "zambra_thresholds" not in on
    overlay.write_text("motifs:\n  edge_classes: zambra\n")
    proc = run_snakemake(*base, str(overlay), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    zambra = job_counts(proc.stdout)
    assert zambra["signed_motifs"] == on["signed_motifs"]
    assert zambra["zambra_thresholds"] == 2  # one fit per trained ensemble (+ control task)
