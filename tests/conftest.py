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
