"""Bad input files: a clear error naming the file and the problem, no output; deleting the bad
file and rerunning regenerates it (identical to an undamaged run)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sparsemotifs import cli, io
from sparsemotifs.config import load_config
from sparsemotifs.dataset import build as dataset
from sparsemotifs.motifs import cli as motifs_cli
from sparsemotifs.motifs import graph
from sparsemotifs.workflow_cli import as_json
from tests.reliability.conftest import MICRO, compare_results, results_dir, run_study

# Every test here reads the reference run (a per-worker session fixture): keep them together.
pytestmark = pytest.mark.xdist_group("reliability")

SHARD = "data/simulation/shard1.parquet"  # the micro study's shard with every trajectory
NETWORK = "networks/seed0/level1.npz"


def cli_problems(capsys, args: list[str], path: Path, problem: str, out: Path) -> list[str]:
    """Run `sparsemotifs ARGS`; what shows it did not refuse the file clearly and cleanly."""
    capsys.readouterr()
    try:
        rc = cli.main([*map(str, args)])
    except Exception as exc:  # noqa: BLE001 - a traceback is not a clear error
        return [f"crashed: {type(exc).__name__}: {exc}"]
    err = capsys.readouterr().err
    problems = []
    if rc != 2:
        problems.append(f"exit status {rc}")
    if str(path) not in err:
        problems.append(f"message does not name {path}: {err!r}")
    if problem not in err:
        problems.append(f"message does not say {problem!r}: {err!r}")
    if out.exists():
        problems.append(f"{out} was written")
    return problems


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(255 - b for b in data[middle : middle + 16])
    path.write_bytes(bytes(data))


def _save_masks(path: Path, change) -> Path:
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    change(arrays)
    np.savez(path, **arrays)
    return path


def _non_binary(arrays):
    arrays["mask_1"] = arrays["mask_1"].astype(np.int64) * 2


def _wrong_shape(arrays):
    arrays["mask_2"] = arrays["mask_2"][:-1]


@pytest.fixture
def copy_of(reference_results, tmp_path):
    def copy(rel: str) -> Path:
        dest = tmp_path / "in" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(reference_results / rel, dest)
        return dest

    return copy


# ------------------------------------------------------------------------- .npz files


@pytest.mark.parametrize("damage", [_truncate, _corrupt])
@pytest.mark.parametrize("broken", [False, True])
def test_damaged_training_data_is_refused(copy_of, tmp_path, capsys, monkeypatch, damage, broken):
    data = copy_of("data/flight.npz")
    damage(data)
    if broken:  # a loader that silently returns what it could read
        monkeypatch.setattr(dataset, "load_npz", lambda path: {})
    out = tmp_path / "out"
    args = ["train", "--data", data, "--seeds", "0", "--out-dir", out, "--metrics", out / "m.csv"]
    problems = cli_problems(capsys, args, data, "not a readable .npz file", out)
    assert (problems != []) == broken, problems


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (_truncate, "not a readable .npz file"),
        (_corrupt, "not a readable .npz file"),
        (lambda p: _save_masks(p, _non_binary), "'mask_1' must hold only 0/1 values"),
        (lambda p: _save_masks(p, _wrong_shape), "layer sizes do not match"),
    ],
    ids=["truncated", "corrupted", "non-binary", "wrong-shape"],
)
@pytest.mark.parametrize("broken", [False, True])
def test_bad_mask_file_is_refused(copy_of, tmp_path, capsys, monkeypatch, damage, problem, broken):
    path = copy_of(NETWORK)
    damage(path)
    if broken:  # a loader that accepts whatever the file holds

        def lenient(p):
            try:
                arrays = io.load_npz(p)
            except io.InputError:
                arrays = {"mask_0": np.ones((2, 2))}
            masks = [arrays[f"mask_{i}"] for i in range(sum(k.startswith("mask_") for k in arrays))]
            return graph.LayeredGraph.from_masks(masks)

        monkeypatch.setattr(motifs_cli, "load_graph", lenient)
    out = tmp_path / "motifs.parquet"
    args = ["motifs", "table", path, "--ensemble", "trained", "--null", "fixed_count"]
    problems = cli_problems(capsys, [*args, "--out", out], path, problem, out)
    assert (problems != []) == broken, problems


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda p: _save_masks(p, _non_binary), "'mask_1' must hold only 0/1 values"),
        (lambda p: _save_masks(p, _wrong_shape), "layer sizes do not match"),
    ],
    ids=["non-binary", "wrong-shape"],
)
def test_bad_selected_network_is_refused_by_select(
    reference_results, tmp_path, capsys, damage, problem
):
    """`select` rereads the selected networks' masks (dead outputs): the same clear errors."""
    levels = pd.read_csv(reference_results / "tables/levels.csv")
    seed, level = levels.loc[levels["selected"], ["seed", "level"]].iloc[0]
    networks = tmp_path / "networks"
    shutil.copytree(reference_results / "networks", networks)
    path = damage(networks / f"seed{seed}/level{level}.npz")
    metrics = reference_results / "train/trained/chunk0.csv"
    out = tmp_path / "levels.csv"
    params = as_json({"selection": load_config(MICRO)["selection"]})
    args = ["select", metrics, "--networks-dir", networks, "--params", params, "--out", out]
    assert cli_problems(capsys, args, path, problem, out) == []


# ------------------------------------------------------------------------ simulation tables


def _drop_column(path: Path) -> None:
    pd.read_parquet(path).drop(columns=["F"]).to_parquet(path)


def _nan_rows(path: Path) -> None:
    df = pd.read_parquet(path)
    df.loc[[3, 7], "xd_f"] = np.nan
    df.to_parquet(path)


def _silent_reader(paths):
    return pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (_drop_column, "missing columns ['F']"),
        (_nan_rows, "2 rows contain NaN or infinite values (first at row 3)"),
        (_truncate, "cannot read table"),
    ],
    ids=["missing-column", "nan-rows", "truncated"],
)
@pytest.mark.parametrize("broken", [False, True])
def test_bad_simulation_table_is_refused(
    copy_of, tmp_path, capsys, monkeypatch, damage, problem, broken
):
    path = copy_of(SHARD)
    damage(path)
    if broken:  # a reader without the checks: the bad table reaches the dataset
        monkeypatch.setattr(dataset, "read_simulation_tables", _silent_reader)
    out = tmp_path / "data.npz"
    problems = cli_problems(capsys, ["dataset", path, "--out", out], path, problem, out)
    assert (problems != []) == broken, problems


# ------------------------------------------------------------- regeneration by the workflow


@pytest.fixture
def damaged_study(reference_study, tmp_path):
    """A copy of the finished reference study (mtimes and Snakemake metadata kept)."""
    work = tmp_path / "work"
    shutil.copytree(reference_study, work, symlinks=True)
    return work


def _run_target(work: Path, target: str, *extra: str):
    # the target goes first: `--forcerun RULE` takes every word after it, a target included
    # (which then ran the whole DAG with every motif job forced)
    return run_study(work, f"results/micro/{target}", *extra, cores=1)


@pytest.mark.slow
def test_workflow_names_bad_files_and_regenerates_them(damaged_study, reference_results):
    work, results = damaged_study, results_dir(damaged_study)
    # 1. a truncated training-data file: training stops naming it; deleting it regenerates it
    _truncate(results / "data/flight.npz")
    proc = _run_target(work, "train/trained/chunk0.csv")
    assert proc.returncode != 0
    assert "data/flight.npz: not a readable .npz file" in proc.stderr, proc.stderr[-3000:]
    (results / "data/flight.npz").unlink()
    assert _run_target(work, "train/trained/chunk0.csv").returncode == 0

    # 2. a simulation shard without a column, then with NaN rows; deleting it regenerates it
    for damage, problem in [(_drop_column, "missing columns"), (_nan_rows, "contain NaN")]:
        shutil.copy2(reference_results / SHARD, results / SHARD)
        damage(results / SHARD)
        proc = _run_target(work, "data/flight.npz")
        assert proc.returncode != 0
        assert f"{SHARD}: " in proc.stderr and problem in proc.stderr, proc.stderr[-3000:]
    (results / SHARD).unlink()
    assert _run_target(work, "data/flight.npz").returncode == 0

    # 3. a network file with a non-binary mask: motif analysis stops naming it; level files are
    # not Snakemake outputs (their number depends on divergence), so the documented repair is
    # to delete the file and its chunk's metrics table, which retrains the chunk
    _save_masks(results / NETWORK, _non_binary)
    target = "motifs/trained/fixed_count/chunk0.totals.parquet"
    proc = _run_target(work, target, "--forcerun", "motifs")
    assert proc.returncode != 0
    assert f"{NETWORK}: array 'mask_1' must hold only 0/1 values" in proc.stderr
    (results / NETWORK).unlink()
    proc = _run_target(work, target)
    assert proc.returncode != 0 and NETWORK in proc.stderr and "chunk0.csv" in proc.stderr
    (results / "train/trained/chunk0.csv").unlink()
    assert _run_target(work, target).returncode == 0

    assert compare_results(reference_results, results) == []
