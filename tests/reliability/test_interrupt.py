"""Interrupted runs (SIGKILL at four points, then the same command again) and atomic outputs.

A kill is placed deterministically: a fault-injection hook (hooks/sitecustomize.py) stops the
first job of a stage in the middle of writing an output; the whole Snakemake process group is
then SIGKILLed, like a lost node or a power cut. After a SIGKILL Snakemake's lock remains: the
user-facing procedure is `snakemake --unlock` (same arguments) and then the same command
(the profile sets --rerun-incomplete, so jobs cut off are redone from scratch).
"""

from __future__ import annotations

import ast
import contextlib
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sparsemotifs import io
from sparsemotifs.config import load_config
from sparsemotifs.dataset import load_training_data
from sparsemotifs.training import trainer
from tests.conftest import REPO
from tests.reliability.conftest import (
    MICRO,
    compare_results,
    finished_jobs,
    job_stats,
    results_dir,
    run_study,
    run_until_paused,
    started_jobs,
    temporary_leftovers,
    unreadable_outputs,
)

pytestmark = [pytest.mark.xdist_group("reliability"), pytest.mark.slow]

# (hook pause point, paused jobs to wait for, what is cut off): the first write of a simulation
# shard; in a training job the 4th atomic write = the first network file of level 1 (level 0's
# two networks and its checkpoint are done); the first motif table; the first aggregate table.
KILL_POINTS = [
    ("simulate:1", 1, "a simulation shard"),
    ("train:4", 2, "both training jobs in level 1"),
    ("motifs:1", 1, "motif analysis"),
    ("aggregate:1", 1, "aggregation"),
]


def restart_problems(plan: dict[str, int], started: set, done: set, total: dict) -> list[str]:
    """A restart must plan exactly the jobs not finished before, and start none of those."""
    problems = []
    redone = started & done
    if redone:
        problems.append(f"finished jobs ran again: {sorted(redone)[:3]}")
    expected = Counter(total)
    expected.subtract(Counter(rule for rule, _ in done))
    expected = {rule: n for rule, n in expected.items() if n}
    if plan != expected:
        problems.append(f"restart planned {plan}, expected {expected}")
    return problems


def _unlock(work: Path) -> None:
    proc = run_study(work, "--unlock")
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_killed_study_restarts_to_identical_results(reference_results, reference_log, tmp_path):
    total = job_stats(reference_log)
    done: set = set()
    for i, (pause, jobs, what) in enumerate(KILL_POINTS):
        log, paused = run_until_paused(tmp_path, pause, jobs=jobs)
        started = set(started_jobs(log).values())
        if i:  # this run is the restart after the previous kill
            assert not restart_problems(job_stats(log), started, done, total), what
        assert unreadable_outputs(results_dir(tmp_path)) == [], f"partial file after killing {what}"
        finished = finished_jobs(log)
        assert any(rule == pause.split(":")[0] for rule, _ in started - finished), what
        done |= finished
        if i == 0:  # what a user sees after the kill; documented in the module docstring
            proc = run_study(tmp_path)
            assert proc.returncode != 0 and "--unlock" in proc.stderr, proc.stderr[-2000:]
        _unlock(tmp_path)
        if pause.startswith("train"):
            assert all(p.endswith("level1.npz") for p in paused), paused
            train_dir = results_dir(tmp_path) / "train"
            checkpoints = list(train_dir.glob("*/checkpoints/*/train_checkpoint.pt"))
            assert len(checkpoints) == 2, "both training jobs should hold a level-0 checkpoint"

    proc = run_study(tmp_path)
    assert proc.returncode == 0, proc.stderr[-5000:]
    log = proc.stderr + proc.stdout
    assert not restart_problems(job_stats(log), set(started_jobs(log).values()), done, total)
    results = results_dir(tmp_path)
    # the killed training jobs resumed from their checkpoints instead of starting over
    for ensemble in ("trained", "control_task"):
        text = (results / f"logs/train/{ensemble}/chunk0.log").read_text()
        assert "resuming from" in text and "after level 0" in text, text
    assert compare_results(reference_results, results) == []
    assert temporary_leftovers(results) == []  # rewritten outputs clear their killed writes


def test_restart_check_catches_redone_jobs(reference_log):
    """The broken variant of a restart: one that runs everything again (as if Snakemake had
    lost track of finished jobs) must fail the check used above."""
    total = job_stats(reference_log)
    jobs = set(started_jobs(reference_log).values())
    done = {job for job in jobs if job[0] == "simulate"}
    assert len(done) == 2
    assert restart_problems(total, jobs, done, total) != []
    assert restart_problems(total, jobs, set(), total) == []  # a from-scratch run is fine


def test_result_comparison_catches_a_changed_network(reference_results, tmp_path):
    """compare_results ignores timing columns only: a one-ulp change of one weight is caught."""
    copy = tmp_path / "copy"
    shutil.copytree(reference_results, copy)
    levels = pd.read_csv(copy / "tables/levels.csv")
    levels["wall_time_s"] += 1.0
    levels.to_csv(copy / "tables/levels.csv", index=False)
    assert compare_results(reference_results, copy) == []
    path = copy / "networks/seed1/level2.npz"
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["weight_1"].flat[np.flatnonzero(arrays["weight_1"])[0]] *= 1 + 2**-23
    np.savez_compressed(path, **arrays)
    assert compare_results(reference_results, copy) == [
        "networks/seed1/level2.npz: array weight_1 differs"
    ]


class _Killed(Exception):
    pass


def _kill_after_level_0(level: int) -> None:
    if level == 0:
        raise _Killed


def _forget_adam_moments(payload, device):
    state = real_from_payload(payload, device)
    state.exp_avg.zero_()
    state.exp_avg_sq.zero_()
    return state


real_from_payload = trainer.EnsembleState.from_payload


@pytest.mark.parametrize("broken", [False, True])
def test_resumed_training_equals_uninterrupted(reference_results, tmp_path, monkeypatch, broken):
    """In process: a chunk stopped after level 0 and resumed from its checkpoint gives the very
    networks of the reference run; the broken variant (a resume that loses the optimiser's
    state) does not, so the study-level comparison above can see a faulty resume."""
    trainer.configure_threads(1)  # as the workflow's jobs run
    cfg = load_config(MICRO)
    data = load_training_data(reference_results / "data/flight.npz")
    sections = [cfg[name] for name in ("network", "training", "pruning")]
    out, checkpoints = tmp_path / "networks", tmp_path / "checkpoint"
    reference = reference_results / "networks"
    run = dict(out_dir=out, checkpoint_dir=checkpoints)
    with pytest.raises(_Killed):
        trainer.EnsembleTrainer(
            data, [0, 1], *sections, **run, on_level_end=_kill_after_level_0
        ).run()
    if broken:
        monkeypatch.setattr(trainer.EnsembleState, "from_payload", _forget_adam_moments)
    trainer.EnsembleTrainer(data, [0, 1], *sections, **run).run()
    same = all(
        np.array_equal(io.load_npz(out / rel)[key], io.load_npz(reference / rel)[key])
        for rel in (f"seed{s}/level{k}.npz" for s in (0, 1) for k in (1, 2))
        for key in ("weight_0", "mask_2")
    )
    assert same != broken


def test_kill_check_catches_in_place_writes(tmp_path):
    """The broken variant of atomic outputs: with io.atomic_path writing in place, the same
    kill leaves a half-written shard at its final path, which the check above detects."""
    run_until_paused(tmp_path, "simulate:1", broken_atomic=True)
    bad = unreadable_outputs(results_dir(tmp_path))
    assert any(p.startswith("data/simulation/shard") for p in bad), bad


# --------------------------------------------------------------------------- atomic writes

WRITE_METHODS = {"to_csv", "to_parquet", "to_json", "to_pickle", "savefig", "write_text",
                 "write_bytes"}  # fmt: skip
WRITE_FUNCTIONS = {"np": {"save", "savez", "savez_compressed", "savetxt"},
                   "numpy": {"save", "savez", "savez_compressed", "savetxt"},
                   "torch": {"save"}, "json": {"dump"}, "pickle": {"dump"}}  # fmt: skip


def _writes(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in WRITE_METHODS:
        return True
    module = getattr(func.value, "id", None)
    return func.attr in WRITE_FUNCTIONS.get(module, ())


def non_atomic_writes(source: str, filename: str) -> list[str]:
    """Calls that write a file outside a `with atomic_path(...)` block."""
    tree = ast.parse(source)
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and any(
            isinstance(item.context_expr, ast.Call)
            and getattr(item.context_expr.func, "id", getattr(item.context_expr.func, "attr", ""))
            == "atomic_path"
            for item in node.items
        ):
            inside.update(id(n) for n in ast.walk(node))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _writes(node) and id(node) not in inside:
            bad.append(f"{filename}:{node.lineno}: .{node.func.attr}(...)")
    with contextlib.suppress(StopIteration):
        opened = next(
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and getattr(n.func, "id", "") == "open"
            and any(isinstance(a, ast.Constant) and "w" in str(a.value) for a in n.args[1:])
            and id(n) not in inside
        )
        bad.append(f"{filename}:{opened.lineno}: open(..., 'w')")
    return bad


def test_every_output_is_written_through_atomic_path():
    package = REPO / "src" / "sparsemotifs"
    problems = []
    for path in sorted(package.rglob("*.py")):
        problems += non_atomic_writes(path.read_text(), str(path.relative_to(package)))
    assert problems == []
    # the broken variant: a writer that saves straight to its destination is flagged
    assert non_atomic_writes("def f(df, p):\n    df.to_csv(p)\n", "x.py") == [
        "x.py:2: .to_csv(...)"
    ]
    assert non_atomic_writes("with open(p, 'w') as f:\n    f.write('')\n", "y.py") != []
    assert non_atomic_writes("torch.save(state, p)\n", "z.py") == ["z.py:1: .save(...)"]


def _crash_half_way(self, path, **kwargs):
    Path(path).write_bytes(b"PAR1" + b"\0" * 100)  # a partial parquet file
    raise KeyboardInterrupt("crash during the write")


@pytest.mark.parametrize("broken", [False, True])
def test_crash_during_write_leaves_no_file(tmp_path, monkeypatch, broken):
    monkeypatch.setattr(pd.DataFrame, "to_parquet", _crash_half_way)
    if broken:

        @contextlib.contextmanager
        def in_place(path, suffix=None):
            yield Path(path)

        monkeypatch.setattr(io, "atomic_path", in_place)
    out = tmp_path / "table.parquet"
    with pytest.raises(KeyboardInterrupt):
        io.write_table(pd.DataFrame({"a": [1]}), out)
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    if broken:  # the check below fails for a writer that is not atomic
        assert leftovers == ["table.parquet"]
    else:
        assert leftovers == []


def test_rewrite_clears_temporary_file_of_a_killed_write(tmp_path):
    stale = tmp_path / ".shard0.parquet.k1ll3d_x.parquet"  # as tempfile names it
    other = tmp_path / ".shard0.parquet.meta.json.abcdefgh.json"  # another output's temp
    stale.write_bytes(b"PAR1")
    other.write_text("{")
    io.write_table(pd.DataFrame({"a": [1]}), tmp_path / "shard0.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, "shard0.parquet"]
