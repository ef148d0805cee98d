"""The README's SLURM command, read from the README itself so the tests check it as written."""

from __future__ import annotations

import re
import shlex
import subprocess

from tests.conftest import BIN, REPO, snakemake_env

SECTION = "## Running on a cluster (SLURM)"


def readme_cluster_command(**site: str) -> list[str]:
    """The first bash block of the README's cluster section as argv (without `snakemake`),
    with <account>, <cpu-partition>, <gpu-partition> filled in from `site`."""
    text = (REPO / "README.md").read_text()
    section = text.split(SECTION, 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    words = shlex.split(block.replace("\\\n", " "))
    assert words[0] == "snakemake", block
    filled = []
    for word in words[1:]:
        for name, value in site.items():
            word = word.replace(f"<{name.replace('_', '-')}>", value)
        assert "<" not in word, f"README placeholder left unfilled: {word}"
        filled.append(word)
    return filled


def run_from_repo(*args: str, work, env: dict | None = None, timeout: int = 600):
    """Snakemake as a user runs the README's command: from the repository root (so its relative
    --configfile and --profile paths resolve there), results in `work`."""
    return subprocess.run(
        [str(BIN / "snakemake"), "--directory", str(work), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env or snakemake_env(),
        timeout=timeout,
    )
