"""Invalid configurations stop the workflow before any job: non-zero exit, the offending key
named, results/ untouched. Each case is a real `snakemake` run on a whole config file."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_snakemake, snakemake_env
from tests.reliability.conftest import HOOKS, MICRO

pytestmark = pytest.mark.xdist_group("reliability")

BASE = yaml.safe_load(MICRO.read_text())
DELETE = object()

# (config key, bad value or DELETE[, the key the message must name if not the first]).
CASES = [
    ("seeds", "four"),  # wrong type
    ("seeds", 0),  # zero size
    ("simulation.n_trajectories", -10),  # negative size
    ("network.widths", [10, 0, 8, 7]),  # zero layer width
    ("training.batch_size", 0),
    ("training.lr", "fast"),  # wrong type
    ("training.lr_overrides", {"1": -0.1}),
    ("pruning.schedule", [0.5, 0.5]),  # not increasing
    ("pruning.schedule", [0.5, 1.0]),  # outside (0, 1)
    ("pruning.schedule", [0.0, 0.5]),  # outside (0, 1)
    ("network.activation", "sigmoid"),  # unknown activation
    ("network.init", "he_uniform"),  # unknown init
    ("motifs.nulls", ["erdos_renyi"]),  # unknown null
    ("selection.threshold", 0),  # threshold not positive
    ("study", DELETE),  # missing required key
    ("simulation.n_trajectories", DELETE),  # missing required nested key
    ("sead", 3),  # unknown key
    ("training.learning_rate", 0.1),  # unknown nested key
    ("dataset.train", 0.5, "dataset"),  # split fractions no longer sum to 1
]
CASES = [case if len(case) == 3 else (*case, case[0]) for case in CASES]


def bad_config(key: str, value) -> dict:
    cfg = copy.deepcopy(BASE)
    *parents, leaf = key.split(".")
    node = cfg
    for p in parents:
        node = node.setdefault(p, {})
    if value is DELETE:
        del node[leaf]
    else:
        node[leaf] = value
    return cfg


def names_key(text: str, key: str) -> bool:
    """The message names `key`: dotted (sparsemotifs' checks) or as Snakemake's validate() puts
    it (instance['a']['b'], or 'b' plus instance['a'] for a missing or unknown key)."""
    *parents, leaf = key.split(".")
    brackets = "".join(f"['{p}']" for p in parents)
    return (
        key in text
        or f"instance{brackets}['{leaf}']" in text
        or (f"'{leaf}'" in text and (not parents or f"instance{brackets}" in text))
    )


def snapshot(folder: Path) -> dict:
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.rglob("*"))}


def stop_problems(work: Path, key: str, value, named: str, *extra: str, env=None) -> list[str]:
    """Run the study on the bad config; what (if anything) shows it did not stop cleanly."""
    results = work / "results"
    (results / "micro").mkdir(parents=True, exist_ok=True)
    (results / "micro" / "earlier.txt").write_text("results of an earlier run\n")
    before = snapshot(results)
    config = work / "bad.yaml"
    config.write_text(yaml.safe_dump(bad_config(key, value)))
    proc = run_snakemake(*extra, "--cores", "1", "--configfile", str(config), cwd=work, env=env)
    out = proc.stdout + proc.stderr
    problems = []
    if proc.returncode == 0:
        problems.append("exit status 0")
    if not names_key(out, named):
        problems.append(f"message does not name {named}: {out[-1500:]}")
    if "Job stats" in out or re.search(r"^(local)?rule \w+:$", out, re.MULTILINE):
        problems.append("jobs were scheduled")
    if snapshot(results) != before:
        problems.append("results/ changed")
    return problems


@pytest.mark.parametrize(
    ("key", "value", "named"),
    CASES,
    ids=[f"{k}={'<missing>' if v is DELETE else v}" for k, v, _ in CASES],
)
def test_bad_config_stops_before_any_job(tmp_path, key, value, named):
    assert stop_problems(tmp_path, key, value, named) == []


def test_bad_config_check_catches_a_config_that_runs(tmp_path):
    """The broken variant: with the package's semantic checks switched off in Snakemake's
    process, a non-increasing schedule reaches the jobs, and the check above fails."""
    env = snakemake_env(extra_path=HOOKS)
    env["SPARSEMOTIFS_TEST_SKIP_SEMANTICS"] = "1"
    target = "results/micro/config.yaml"  # one quick job is enough to show it ran
    schedule = "pruning.schedule"
    problems = stop_problems(tmp_path, schedule, [0.5, 0.5], schedule, target, env=env)
    assert "jobs were scheduled" in problems and "results/ changed" in problems


def test_names_key_needs_the_key():
    assert names_key("On instance['network']['activation']:", "network.activation")
    assert names_key("'study' is a required property", "study")
    assert not names_key("On instance['network']['init']:", "network.activation")
    assert not names_key("'lr' is wrong", "training.lr_overrides")
