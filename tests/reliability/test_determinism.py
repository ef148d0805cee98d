"""Reproducibility: the same configuration gives identical results (whatever the number of
cores), and a different seed gives different networks."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

from sparsemotifs import cli
from sparsemotifs.config import load_config
from sparsemotifs.training import ensemble, trainer
from sparsemotifs.workflow_cli import as_json
from tests.reliability.conftest import MICRO, compare_results, results_dir, run_study

pytestmark = [pytest.mark.xdist_group("reliability"), pytest.mark.slow]


def test_second_run_with_one_core_is_identical(reference_results, tmp_path):
    """Two runs of one configuration, --cores 2 (the reference) and --cores 1: same tables,
    networks, data and summary (timing columns excepted). The summary needs every table, so
    targeting it skips only the figures, which are not compared."""
    proc = run_study(tmp_path, "results/micro/summary.md", cores=1)  # all but the figures
    assert proc.returncode == 0, proc.stderr[-5000:]
    assert compare_results(reference_results, results_dir(tmp_path)) == []


def train_networks(data: Path, seeds: list[int], out: Path) -> Path:
    """`sparsemotifs train` in process, with the micro study's settings (as the rule passes them)."""
    cfg = load_config(MICRO)
    params = as_json({name: cfg[name] for name in ("network", "training", "pruning")})
    args = ["train", "--data", str(data), "--seeds", *map(str, seeds), "--out-dir", str(out)]
    args += ["--metrics", str(out / "metrics.csv"), "--threads", "1", "--params", params]
    assert cli.main(args) == 0
    return out


def level_arrays(networks: Path, seed: int) -> dict[str, np.ndarray]:
    arrays = {}
    for path in sorted((networks / f"seed{seed}").glob("level*.npz")):
        with np.load(path) as f:
            arrays.update({f"{path.stem}/{k}": f[k] for k in f.files})
    return arrays


def identical(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def _unseeded_generator(seed, purpose):
    gen = torch.Generator(device="cpu")
    gen.manual_seed(int.from_bytes(os.urandom(7), "little"))
    return gen


@pytest.mark.parametrize("broken", [False, True])
def test_same_seed_reproduces_the_workflow_networks(
    reference_results, tmp_path, monkeypatch, broken
):
    if broken:  # a seed derivation that does not depend on the seed alone
        monkeypatch.setattr(ensemble, "_network_generator", _unseeded_generator)
    out = train_networks(reference_results / "data/flight.npz", [0, 1], tmp_path)
    same = [
        identical(level_arrays(out, s), level_arrays(reference_results / "networks", s))
        for s in (0, 1)
    ]
    assert same == ([False, False] if broken else [True, True])


@pytest.mark.parametrize("broken", [False, True])
def test_different_seed_gives_different_networks(reference_results, tmp_path, monkeypatch, broken):
    if broken:  # every stream derived from a constant instead of the network's seed
        real_generator, real_permutation = ensemble._network_generator, trainer._permutation
        monkeypatch.setattr(ensemble, "_network_generator", lambda s, p: real_generator(0, p))
        monkeypatch.setattr(trainer, "_permutation", lambda s, *a: real_permutation(0, *a))
    out = train_networks(reference_results / "data/flight.npz", [2, 3], tmp_path)
    reference = reference_results / "networks"
    differs = [
        not identical(level_arrays(out, new), level_arrays(reference, old))
        for new, old in ((2, 0), (3, 0))
    ]
    assert differs == ([False, False] if broken else [True, True])
    # every level of a new seed differs, not just its initial weights
    if not broken:
        a, b = level_arrays(out, 2), level_arrays(reference, 0)
        assert all(not np.array_equal(a[k], b[k]) for k in a if "/weight_" in k)
