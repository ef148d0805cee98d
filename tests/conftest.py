"""Shared fixtures: repository paths and a helper to run the CLI or Snakemake in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run_cli(*args: str, cwd: Path | None = None, check: bool = False, env: dict | None = None):
    """Run `sparsemotifs ARGS` as a user would (a real process, real exit code)."""
    proc = subprocess.run(
        [str(BIN / "sparsemotifs"), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"sparsemotifs {' '.join(map(str, args))} failed:\n{proc.stderr}")
    return proc


def snakemake_env(extra_path: Path | None = None) -> dict:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    if extra_path is not None:
        env["PYTHONPATH"] = f"{extra_path}{os.pathsep}{env.get('PYTHONPATH', '')}"
    return env


def run_snakemake(*args: str, cwd: Path, env: dict | None = None, timeout: int = 600):
    """Run the repository's Snakefile with `cwd` as the working directory (results land there)."""
    return subprocess.run(
        [str(BIN / "snakemake"), "-s", str(REPO / "Snakefile"), "--directory", str(cwd), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env or snakemake_env(),
        timeout=timeout,
    )


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Make `--dist loadgroup` honour xdist_group marks under pytest >= 9.2.

    pytest-xdist (3.8) groups tests by appending "@<group>" to `item._nodeid`, which pytest 9.2
    no longer reads (node ids live in `item._id`), so grouped tests were spread over workers:
    Snakemake runs sharing a working directory ran concurrently and module fixtures ran once per
    worker. Only acts where xdist's own renaming did not take effect.
    """
    if not config.getoption("loadgroup", default=False):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        groups = sorted(
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        )
        suffix = "@" + "_".join(dict.fromkeys(groups))
        if groups and not item.nodeid.endswith(suffix) and hasattr(item, "_id"):
            item._id = NodeId.parse(item.nodeid + suffix)
