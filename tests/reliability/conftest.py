"""Shared machinery of the reliability tests: the micro study, kills at chosen points, and exact
comparison of two studies' results.

Every Snakemake-running test is in xdist group "reliability" (one worker, serially); one
uninterrupted reference run of the micro study (session fixture) backs the comparisons.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import BIN, REPO, run_snakemake, snakemake_env

HERE = Path(__file__).resolve().parent
MICRO = HERE / "micro.yaml"
HOOKS = HERE / "hooks"
STUDY = "micro"
RESULTS = Path("results") / STUDY

# Columns that measure time, not results: they legitimately differ between runs.
TIMING_COLUMN = re.compile(r"(^|_)(wall_time|time|elapsed|seconds)(_|$)|_s$")


def results_dir(work: Path) -> Path:
    return work / RESULTS


def run_study(work: Path, *extra: str, cores: int = 2, env: dict | None = None, timeout=600):
    """The micro study in `work`, as a user runs it (exit status and output returned).
    `extra` (targets, options) goes before --configfile, which takes every word after it."""
    return run_snakemake(
        *extra, "--cores", str(cores), "--configfile", str(MICRO), cwd=work, env=env,
        timeout=timeout,
    )  # fmt: skip


def study_args(work: Path, *extra: str, cores: int = 2) -> list[str]:
    return [
        str(BIN / "snakemake"), "-s", str(REPO / "Snakefile"), "--directory", str(work),
        *extra, "--cores", str(cores), "--configfile", str(MICRO),
    ]  # fmt: skip


def run_until_paused(
    work: Path,
    pause: str,
    *extra: str,
    jobs: int = 1,
    cores: int = 2,
    broken_atomic: bool = False,
    timeout: float = 180,
) -> tuple[str, list[str]]:
    """Start the study and SIGKILL Snakemake's whole process group once `jobs` jobs of `pause`
    ("<subcommand>:<n>", see hooks/sitecustomize.py) are stuck in the middle of their n-th
    write. Returns Snakemake's output up to the kill and the files the paused jobs were writing."""
    marker = work / f".paused-{pause.replace(':', '-')}"
    env = snakemake_env(extra_path=HOOKS)
    env.update(SPARSEMOTIFS_TEST_PAUSE=pause, SPARSEMOTIFS_TEST_MARKER=str(marker))
    if broken_atomic:
        env["SPARSEMOTIFS_TEST_BROKEN_ATOMIC"] = "1"
    log_path = work / f".snakemake-{pause.replace(':', '-')}.out"
    with open(log_path, "w") as out:
        proc = subprocess.Popen(
            study_args(work, *extra, cores=cores),
            cwd=work,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while len(list(work.glob(marker.name + ".*"))) < jobs:
                if proc.poll() is not None:
                    raise AssertionError(
                        f"the study ended (rc {proc.returncode}) before {pause} paused:\n"
                        + log_path.read_text()[-4000:]
                    )
                if time.monotonic() > deadline:
                    raise AssertionError(f"{pause} never paused:\n" + log_path.read_text()[-4000:])
                time.sleep(0.05)
            time.sleep(0.3)  # let jobs that are finishing right now get recorded (or not)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    paused = []
    for path in sorted(work.glob(marker.name + ".*")):
        pid, _, written = path.read_text().split()
        _wait_gone(int(pid))
        paused.append(written)
        path.unlink()
    return log_path.read_text(), paused


def _wait_gone(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ", 1)[1].startswith("Z"):
                    return  # a zombie: dead, waiting for its (dead) parent's reaper
        except FileNotFoundError:
            return
        time.sleep(0.05)
    raise AssertionError(f"paused job {pid} survived the SIGKILL of its process group")


# ---------------------------------------------------------------------------- Snakemake logs

_JOB_HEADER = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$")


def started_jobs(log: str) -> dict[int, tuple[str, str]]:
    """jobid -> (rule, outputs) of every job Snakemake started in this log (rule `all` left out)."""
    jobs: dict[int, tuple[str, str]] = {}
    lines = log.splitlines()
    for i, line in enumerate(lines):
        m = _JOB_HEADER.match(line.strip()) if not line.startswith(" ") else None
        if not m or m.group(1) == "all":
            continue
        outputs, jobid = "", None
        for detail in lines[i + 1 : i + 15]:
            if not detail.startswith("    "):
                break
            key, _, value = detail.strip().partition(": ")
            if key == "output":
                outputs = value
            elif key == "jobid":
                jobid = int(value)
        if jobid is not None:
            jobs[jobid] = (m.group(1), outputs)
    return jobs


def finished_jobs(log: str) -> set[tuple[str, str]]:
    """(rule, outputs) of the jobs this log reports finished."""
    started = started_jobs(log)
    done = {int(j) for j in re.findall(r"Finished jobid: (\d+)", log)}
    return {started[j] for j in done if j in started}


def job_stats(log: str) -> dict[str, int]:
    """Snakemake's 'Job stats' table of a run's plan (rule `all` left out)."""
    counts: dict[str, int] = {}
    block = log.split("Job stats:", 1)[-1]
    for line in block.splitlines()[3:]:
        m = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if not m:
            break
        if m.group(1) not in ("total", "all"):
            counts[m.group(1)] = int(m.group(2))
    return counts


# ---------------------------------------------------------------------------- results


def result_files(results: Path) -> list[str]:
    """Everything a study's conclusions rest on: tables, networks, data, motif tables, summary."""
    patterns = [
        "tables/*.csv", "networks/*/*.npz", "control_task/networks/*/*.npz", "data/*.npz",
        "data/simulation/*.parquet", "motifs/*/*/*.parquet", "train/*/*.csv", "summary.md",
    ]  # fmt: skip
    found = (p for pat in patterns for p in results.glob(pat) if not p.name.startswith("."))
    return sorted(str(p.relative_to(results)) for p in found)


def temporary_leftovers(results: Path) -> list[str]:
    """Hidden temporary files of atomic writes (a killed write leaves one behind)."""
    return sorted(str(p.relative_to(results)) for p in results.rglob(".*") if p.is_file())


def _table(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
    return df.drop(columns=[c for c in df.columns if TIMING_COLUMN.search(c)])


def compare_results(a: Path, b: Path) -> list[str]:
    """Differences between two studies' result files: exact, timing columns excepted."""
    files_a, files_b = result_files(a), result_files(b)
    problems = [f"only in one study: {sorted(set(files_a) ^ set(files_b))}"]
    if files_a == files_b:
        problems = []
    for rel in sorted(set(files_a) & set(files_b)):
        pa, pb = a / rel, b / rel
        if pa.suffix == ".npz":
            with np.load(pa) as fa, np.load(pb) as fb:
                if sorted(fa.files) != sorted(fb.files):
                    problems.append(f"{rel}: arrays {sorted(fa.files)} vs {sorted(fb.files)}")
                    continue
                for key in fa.files:
                    x, y = fa[key], fb[key]
                    if x.dtype != y.dtype or x.shape != y.shape or x.tobytes() != y.tobytes():
                        problems.append(f"{rel}: array {key} differs")
        elif pa.suffix in (".csv", ".parquet"):
            ta, tb = _table(pa), _table(pb)
            try:
                pd.testing.assert_frame_equal(ta, tb, check_exact=True)
            except AssertionError as exc:
                problems.append(f"{rel}: {str(exc).splitlines()[0:3]}")
        elif pa.read_bytes() != pb.read_bytes():
            problems.append(f"{rel}: contents differ")
    return problems


def unreadable_outputs(results: Path) -> list[str]:
    """Result files (not hidden temporary files) that are not complete, readable files."""
    bad = []
    for path in sorted(results.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        try:
            if path.suffix == ".npz":
                with np.load(path) as f:
                    for key in f.files:
                        f[key]
            elif path.suffix == ".parquet":
                pd.read_parquet(path)
            elif path.suffix == ".csv":
                pd.read_csv(path)
                if not path.read_text().endswith("\n"):
                    raise ValueError("no final newline")
            elif path.suffix == ".json":
                json.loads(path.read_text())
            elif path.suffix == ".yaml":
                yaml.safe_load(path.read_text())
        except Exception as exc:  # noqa: BLE001 - any failure means a partial file
            bad.append(f"{path.relative_to(results)}: {type(exc).__name__}")
    return bad


@pytest.fixture(scope="session")
def reference_study(tmp_path_factory) -> Path:
    """One uninterrupted run of the micro study (--cores 2): the working directory."""
    work = tmp_path_factory.mktemp("reference")
    proc = run_study(work)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return work


@pytest.fixture(scope="session")
def reference_results(reference_study) -> Path:
    return results_dir(reference_study)


@pytest.fixture(scope="session")
def reference_log(reference_study) -> str:
    logs = sorted((reference_study / ".snakemake" / "log").glob("*.snakemake.log"))
    return logs[-1].read_text()
