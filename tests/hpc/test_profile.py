"""The SLURM profile and the README's cluster command, without a cluster: what Snakemake would
submit (dry run of config/paper.yaml) keeps every per-rule resource."""

from __future__ import annotations

import re

import pytest
import yaml

from sparsemotifs.config import load_config
from sparsemotifs.resources import RULE_SECTIONS, evaluated, rule_resources
from tests.conftest import REPO
from tests.hpc.conftest import readme_cluster_command, run_from_repo
from tests.test_workflow_dryrun import job_counts

SITE = {"account": "acct_x", "cpu_partition": "cpu_x", "gpu_partition": "gpu_x"}
PER_RULE_KEYS = {"default-resources", "set-resources", "set-threads", "resources", "threads"}


def test_slurm_profile_holds_no_per_rule_requests():
    profile = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())
    assert profile["executor"] == "slurm"
    assert not PER_RULE_KEYS & set(profile), "the command line would replace these keys whole"


def test_cluster_latency_wait_is_in_effect(monkeypatch):
    """profiles/default is applied after --profile, key by key: it must not reset latency-wait."""
    from snakemake.cli import parse_args

    monkeypatch.chdir(REPO)
    _, args = parse_args(readme_cluster_command(**SITE) + ["-n"])
    profile = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())
    assert args.latency_wait == profile["latency-wait"] == 60
    assert args.executor == "slurm"


def _job_resources(stdout: str) -> list[tuple[str, dict]]:
    """(rule, resources) of every job block in a dry run's output."""
    jobs = []
    for block in re.split(r"\n(?=\[[^\]]+\]\n(?:local)?rule )", stdout):
        rule = re.search(r"^(?:local)?rule (\w+):", block, re.M)
        res = re.search(r"^\s+resources: (.*)$", block, re.M)
        if rule and res:
            pairs = (kv.split("=", 1) for kv in res.group(1).split(", "))
            jobs.append((rule.group(1), dict(pairs)))
    return jobs


@pytest.fixture(scope="module")
def paper_dry_run(tmp_path_factory):
    """The README's command, placeholders filled, as a dry run from the repository root."""
    work = tmp_path_factory.mktemp("paper-dry")
    argv = readme_cluster_command(**SITE)
    proc = run_from_repo(*argv, "-n", work=work, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    return proc.stdout


@pytest.mark.slow
def test_readme_command_keeps_every_train_jobs_gpu_memory_runtime_and_cpus(paper_dry_run):
    cfg = load_config(REPO / "config/paper.yaml")
    jobs = _job_resources(paper_dry_run)
    train = [res for rule, res in jobs if rule == "train"]
    assert len(train) == job_counts(paper_dry_run)["train"] == 16
    want = evaluated(rule_resources(cfg, "train"))
    assert want == {"mem_mb": 32000, "runtime": 720, "cpus_per_task": 8, "gpu": 1}
    for res in train:
        assert {k: int(res[k]) for k in want} == want, res
        assert res["slurm_partition"] == "gpu_x" and res["slurm_account"] == "acct_x"
    for rule in [r for r in RULE_SECTIONS if r != "train" and r in job_counts(paper_dry_run)]:
        want = evaluated(rule_resources(cfg, rule))
        found = [res for r, res in jobs if r == rule]
        assert found, rule
        for res in found:
            assert {k: int(res[k]) for k in want} == want, (rule, res)
            assert res["slurm_partition"] == "cpu_x" and "gpu" not in res


@pytest.mark.slow
def test_no_gpu_overlay_drops_only_the_gpu(tmp_path):
    argv = readme_cluster_command(**SITE)
    i = argv.index("config/paper.yaml")
    argv.insert(i + 1, "config/no-gpu.yaml")
    proc = run_from_repo(*argv, "-n", "--until", "train", work=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    train = [res for rule, res in _job_resources(proc.stdout) if rule == "train"]
    assert train and all(res["gpu"] == "0" and res["cpus_per_task"] == "8" for res in train)
    assert all(res["mem_mb"] == "32000" and res["runtime"] == "720" for res in train)
