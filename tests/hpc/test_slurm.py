"""The README's SLURM command against a real single-node SLURM cluster (scripts/slurm-cluster.sh):
every cluster job of the tiny study goes through sbatch and COMPLETES in sacct, with the
resources its rule asks, and the results equal a local run's.

Needs root and Debian's slurm-wlm, slurmdbd, mariadb-server and munge (.ci/run installs them).
Where the cluster cannot be brought up this FAILS with the script's reason: it never skips.
"""

from __future__ import annotations

import collections
import re
import subprocess
import time

import pytest

from sparsemotifs.config import load_config
from sparsemotifs.resources import RULE_SECTIONS, evaluated, rule_resources
from tests.conftest import REPO, snakemake_env
from tests.hpc.conftest import readme_cluster_command, run_from_repo
from tests.reliability.conftest import compare_results
from tests.test_workflow_dryrun import job_counts

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("slurm")]

SCRIPT = REPO / "scripts" / "slurm-cluster.sh"
ACCOUNT = "sparsemotifs"  # the script's default account
CONFIGS = ["config/test.yaml", "config/no-gpu.yaml"]  # the tiny study, GPU request off
SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+) \(log: \S*/rule_(\w+)/")


@pytest.fixture(scope="module")
def cluster():
    """Bring the cluster up (or reuse a running one, which is left running); the environment
    that points SLURM commands at it. A cluster this fixture started is stopped afterwards."""
    was_up = subprocess.run(["bash", str(SCRIPT), "status"], capture_output=True).returncode == 0
    try:
        proc = subprocess.run(
            ["bash", str(SCRIPT), "up"], capture_output=True, text=True, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        pytest.fail(f"{SCRIPT.name} up did not finish: {err}", pytrace=False)
    if proc.returncode != 0:
        pytest.fail(
            f"no SLURM cluster: `{SCRIPT.name} up` exited {proc.returncode}:\n{proc.stderr[-3000:]}",
            pytrace=False,
        )
    env = snakemake_env()
    env.update(re.findall(r"^export (\w+)=(\S+)$", proc.stdout, re.M))
    assert "SLURM_CONF" in env, proc.stdout
    yield env
    if not was_up:
        subprocess.run(["bash", str(SCRIPT), "down"], capture_output=True, timeout=120)


def _cluster_argv() -> list[str]:
    argv = readme_cluster_command(account=ACCOUNT, cpu_partition="cpu", gpu_partition="gpu")
    i = argv.index("config/paper.yaml")
    # The plugin's first status check waits 40 s by default; 2 s keeps the test short.
    return argv[:i] + CONFIGS + argv[i + 1 :] + ["--slurm-init-seconds-before-status-checks", "2"]


@pytest.fixture(scope="module")
def slurm_run(cluster, tmp_path_factory):
    work = tmp_path_factory.mktemp("slurm-study")
    start = time.monotonic()
    proc = run_from_repo(*_cluster_argv(), work=work, env=cluster, timeout=1500)
    wall = time.monotonic() - start
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    print(f"\ntiny study through SLURM: {wall:.0f} s wall")
    return work, out


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("local-study")
    start = time.monotonic()
    proc = run_from_repo("--configfile", *CONFIGS, "--cores", "2", work=work, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-5000:]
    print(f"\ntiny study locally (--cores 2): {time.monotonic() - start:.0f} s wall")
    return work


def _sacct(env: dict, ids: list[str]) -> dict[str, dict]:
    fields = "JobID,State,ExitCode,Partition,Account,ReqCPUS,ReqMem,Timelimit"
    proc = subprocess.run(
        ["sacct", "-X", "-P", "-n", "-j", ",".join(ids), "-o", fields],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )  # fmt: skip
    rows = [
        dict(zip(fields.split(","), line.split("|"), strict=True)) for line in proc.stdout.split()
    ]
    return {row["JobID"]: row for row in rows}


def test_every_cluster_job_ran_as_a_slurm_job_and_completed(cluster, slurm_run):
    _, out = slurm_run
    submitted = dict(SUBMITTED.findall(out))  # SLURM job id -> rule
    planned = job_counts(out)
    assert planned.get("train"), out[:3000]
    # exactly one submission per planned cluster job (every rule with resources, i.e. not a
    # localrule): none ran locally, none was restarted
    cluster_rules = [r for r in RULE_SECTIONS if r in planned]
    assert {"simulate", "dataset", "train", "motifs"} <= set(cluster_rules), planned
    assert collections.Counter(submitted.values()) == {r: planned[r] for r in cluster_rules}

    cfg = load_config(REPO / CONFIGS[0], [REPO / CONFIGS[1]])
    accounting = _sacct(cluster, sorted(submitted))
    assert sorted(accounting) == sorted(submitted), "sacct does not know every submitted job"
    for job_id, rule in submitted.items():
        row = accounting[job_id]
        assert (row["State"], row["ExitCode"]) == ("COMPLETED", "0:0"), (rule, row)
        assert row["Account"] == ACCOUNT, row
        assert row["Partition"] == ("gpu" if rule == "train" else "cpu"), (rule, row)
        want = evaluated(rule_resources(cfg, rule))
        assert int(row["ReqCPUS"]) == want["cpus_per_task"], (rule, row)
        assert row["ReqMem"] == f"{want['mem_mb']}M", (rule, row)
        hours, minutes = divmod(want["runtime"], 60)
        assert row["Timelimit"] == f"{hours:02d}:{minutes:02d}:00", (rule, row)


def test_slurm_results_equal_a_local_run(slurm_run, local_run):
    work, _ = slurm_run
    problems = compare_results(work / "results" / "test", local_run / "results" / "test")
    assert not problems, problems
