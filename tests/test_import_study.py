"""import_networks: DIR analyses a folder of network files without simulation or training."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sparsemotifs import registry
from sparsemotifs.config import ConfigError, validate_config
from sparsemotifs.contracts.network import level_path, save_level
from tests.conftest import REPO, run_cli, run_snakemake
from tests.test_workflow_dryrun import job_counts

WIDTHS = (4, 6, 3)


def _networks(directory, seeds=(0, 1, 2), levels=(0, 1)):
    rng = np.random.default_rng(0)
    for seed in seeds:
        for level in levels:
            masks = [
                rng.random((a, b)) < 0.8 - 0.3 * level
                for a, b in zip(WIDTHS[:-1], WIDTHS[1:], strict=True)
            ]
            bias = [np.ones(b, bool) for b in WIDTHS[1:]]
            save_level(level_path(directory, seed, level), [m * 1.0 for m in masks],
                       [b * 0.0 for b in bias], masks, bias)  # fmt: skip
    return directory


def test_study_and_import_networks_alone_is_a_valid_config():
    cfg = validate_config({"study": "imp", "import_networks": "nets"})
    assert cfg["import_networks"] == "nets"
    assert [e.name for e in registry.active(cfg)] == [
        "trained",
        "random_pruned",
        "null_degree",
        "null_min1",
    ]  # fmt: skip  (no control task: nothing is trained)
    with pytest.raises(ConfigError, match="seeds"):
        validate_config({"study": "imp"})  # a simulating study still needs its seeds


def test_networks_levels_cli(tmp_path):
    nets = _networks(tmp_path / "nets")
    res = run_cli("networks", "levels", nets, "--seeds", "1", "--out", tmp_path / "c.csv")
    assert res.returncode == 0, res.stderr
    table = pd.read_csv(tmp_path / "c.csv")
    assert set(table["seed"]) == {1} and list(table["selected"]) == [False, True]
    assert (table["status"] == "ok").all() and table["loss_val"].isna().all()
    bad = run_cli("networks", "levels", nets, "--seeds", "7", "--out", tmp_path / "d.csv")
    assert bad.returncode == 2 and "seed(s) [7]" in bad.stderr
    assert not (tmp_path / "d.csv").exists()


def test_imported_study_dry_run_trains_nothing(tmp_path):
    _networks(tmp_path / "nets")
    (tmp_path / "imp.yaml").write_text("study: imp\nimport_networks: nets\n")
    proc = run_snakemake("-n", "--configfile", str(tmp_path / "imp.yaml"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    assert counts["import_levels"] == 1 and counts["import_chunk"] == 1
    assert not {"train", "simulate", "dataset", "control_dataset", "select"} & set(counts)
    assert counts["motifs"] == 4 * 2  # trained + 3 derived controls x default nulls
    assert REPO.is_dir()


VERDICTS = {
    "converges",
    "does not converge",
    "not distinguishable from the control",
    "undetermined",
}


@pytest.mark.slow
@pytest.mark.xdist_group("snakemake")
def test_imported_study_end_to_end(tmp_path):
    """A folder of network files runs the whole analysis without simulation or training."""
    _networks(tmp_path / "nets", seeds=(0, 1, 2, 3), levels=(0, 1, 2))
    (tmp_path / "imp.yaml").write_text(
        "study: imp\nimport_networks: nets\nmotifs:\n  samples: 10\n  nulls: [fixed_count]\n"
    )
    proc = run_snakemake("--cores", "2", "--configfile", "imp.yaml", cwd=tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stderr[-5000:]
    out = tmp_path / "results" / "imp"
    assert not (out / "train" / "control_task").exists() and not (out / "data").exists()
    levels = pd.read_csv(out / "tables/levels.csv")
    assert (levels["status"] == "ok").all()
    assert (levels.loc[levels["selected"], "level"] == 2).all() and levels["selected"].sum() == 4
    verdict = pd.read_csv(out / "tables/verdict.csv")
    overall = verdict[verdict["level"].astype(str) == "all"]
    assert list(overall["null"]) == ["fixed_count"]
    assert set(verdict["verdict"]) <= VERDICTS
    assert verdict["similarity_null_samples"].notna().any()
    assert (out / "tables/calibration.csv").is_file()
    assert "## Verdict" in (out / "summary.md").read_text()
