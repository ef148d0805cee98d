"""Numerical faults: a diverging network is recorded, excluded and counted while the study
completes; unresolvable simulated trajectories are replaced or dropped and counted."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sparsemotifs import cli
from sparsemotifs.contracts.tables import SIMULATION_COLUMNS
from sparsemotifs.flight import integrate as integ
from sparsemotifs.flight import simulate as simulate_module
from tests.reliability.conftest import MICRO, results_dir, run_snakemake

DIVERGING_SEED = 1
# three seeds in one chunk, seed 1 with an absurd learning rate; one null and no control task
# keep the run short (the random_pruned control, needed by the summary, stays)
DIVERGE = {
    "seeds": 3,
    "training": {"chunk_size": 3, "lr_overrides": {str(DIVERGING_SEED): 1.0e30}},
    "motifs": {"nulls": ["fixed_count"]},
    "controls": {"control_task": {"enabled": False}},
}


@pytest.fixture(scope="module")
def diverged_study(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("diverged")
    (work / "diverge.yaml").write_text(yaml.safe_dump(DIVERGE))
    proc = run_snakemake(
        "results/micro/summary.md", "--cores", "2",
        "--configfile", str(MICRO), str(work / "diverge.yaml"), cwd=work,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-5000:]  # the study completes
    return results_dir(work)


def networks_row(summary: str, ensemble: str) -> dict[str, str]:
    """The summary's 'Networks' table row of one ensemble, by column header."""
    lines = summary.split("## Networks", 1)[1].strip().splitlines()
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == ensemble:
            return dict(zip(header, cells, strict=True))
    raise AssertionError(f"no {ensemble} row in the summary's Networks table")


def divergence_problems(results: Path, seed: int = DIVERGING_SEED) -> list[str]:
    """What shows that `seed`'s divergence was not recorded, excluded and counted."""
    problems = []
    levels = pd.read_csv(results / "tables/levels.csv")
    mine = levels[levels["seed"] == seed].sort_values("level")
    if list(mine["status"]) != ["ok"] * (len(mine) - 1) + ["diverged"]:
        problems.append(f"levels.csv: statuses {list(mine['status'])}")
    if mine["selected"].any():
        problems.append("levels.csv: a diverged network is selected")
    others = levels[levels["seed"] != seed]
    if not (others["status"] == "ok").all():
        problems.append("levels.csv: another network diverged")
    motifs = pd.read_csv(results / "tables/motifs.csv")
    if (motifs["seed"] == seed).any():
        problems.append("motifs.csv: the diverged network was analysed")
    convergence = pd.read_csv(results / "tables/convergence.csv")
    trained = convergence[convergence["ensemble"].isin(["trained", "random_pruned"])]
    if (trained["n"] > 2).any():
        problems.append("convergence.csv: statistics over more than the 2 sound networks")
    dense = trained[trained["level"].astype(str) == "0"]
    if dense.empty or not (dense["n_excluded_diverged"] == 1).all():
        problems.append("convergence.csv: level 0 does not count the excluded network")
    row = networks_row((results / "summary.md").read_text(), "trained")
    if row["trained networks"] != "3" or row["diverged networks (excluded)"] != "1":
        problems.append(f"summary.md: networks row {row}")
    return problems


@pytest.mark.xdist_group("reliability")
@pytest.mark.slow
def test_diverging_network_is_recorded_excluded_and_counted(diverged_study):
    assert divergence_problems(diverged_study) == []
    levels = pd.read_csv(diverged_study / "tables/levels.csv")
    assert levels.loc[levels["seed"] == DIVERGING_SEED, "lr"].iloc[0] == 1.0e30


@pytest.mark.xdist_group("reliability")
@pytest.mark.slow
def test_divergence_check_catches_an_unrecorded_divergence(diverged_study, tmp_path):
    """The broken variant: a trainer that labels the diverged level `ok`. Statistics and summary
    are recomputed from its levels table, and the check above fails on each of them."""
    results = tmp_path / "results"
    shutil.copytree(diverged_study / "tables", results / "tables")
    shutil.copy2(diverged_study / "config.yaml", results / "config.yaml")
    levels = pd.read_csv(results / "tables/levels.csv")
    levels["status"] = "ok"
    levels.to_csv(results / "tables/levels.csv", index=False)
    tables = results / "tables"
    common = ["--levels", tables / "levels.csv", "--motifs", tables / "motifs.csv"]
    aggregate = ["aggregate", *common, "--per-layer", tables / "motifs_per_layer.csv"]
    assert cli.main([*map(str, aggregate), "--out-dir", str(tables)]) == 0
    summary = ["summary", *common, "--tables-dir", tables, "--config", results / "config.yaml"]
    assert cli.main([*map(str, summary), "--out", str(results / "summary.md")]) == 0
    problems = " ".join(divergence_problems(results))
    for source in ("levels.csv", "convergence.csv", "summary.md"):
        assert source in problems, problems


# ------------------------------------------------------------------------------ simulation

N = 120
FAIL_FIRST = [2, 5, 11]  # trajectories the integrator cannot resolve on the first pass


def failing_integrator(monkeypatch):
    """The real integrator, except: FAIL_FIRST hit the step cap on the first pass, and the first
    trajectory of every retry is non-finite (so one of them is never resolved)."""
    real = simulate_module._integrate
    calls = []

    def integrate(state0, controls, params, settings, options):
        result = real(state0, controls, params, settings, options)
        calls.append(len(state0))
        if len(calls) == 1:
            result.status[FAIL_FIRST] = integ.MAX_STEPS
        else:
            result.status[0] = integ.NON_FINITE
        return result

    monkeypatch.setattr(simulate_module, "_integrate", integrate)
    return calls


# The retry rounds (simulate.MAX_RETRIES = 3): 3 replaced (max_steps), then the first retried
# trajectory fails in each of 3 rounds: 2 more replacements (non_finite) and 1 dropped.
EXPECTED = {
    "replaced": {"max_steps": 3, "non_finite": 2},
    "n_replaced": 5,
    "dropped": {"non_finite": 1},
    "n_dropped": 1,
    "rows": N - 1,
    "rows_requested": N,
}


class _ForgetfulCounter(Counter):
    def update(self, *args, **kwargs):  # counts nothing
        pass


@pytest.mark.parametrize("broken", [False, True])
def test_unresolvable_trajectories_are_replaced_dropped_and_counted(
    tmp_path, monkeypatch, caplog, broken
):
    calls = failing_integrator(monkeypatch)
    if broken:  # a simulator that replaces trajectories without counting them
        monkeypatch.setattr(simulate_module, "Counter", _ForgetfulCounter)
    out = tmp_path / "shard0.parquet"
    args = ["simulate", "--n", str(N), "--seed", "3", "--out", str(out)]
    with caplog.at_level("INFO"):
        assert cli.main(args) == 0
    assert calls == [N, 3, 1, 1]
    meta = json.loads(Path(f"{out}.meta.json").read_text())
    reported = {key: meta[key] for key in EXPECTED}
    assert (reported == EXPECTED) != broken, reported
    table = pd.read_parquet(out)
    assert len(table) == N - 1 and np.isfinite(table[SIMULATION_COLUMNS].to_numpy()).all()
    logged = re.search(r"(\d+) replaced .*, (\d+) dropped", caplog.text)
    assert logged and (logged.groups() == ("5", "1")) != broken, caplog.text
