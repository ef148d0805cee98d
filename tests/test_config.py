"""Config validation: every invalid value is refused with a message naming the key."""

from __future__ import annotations

import copy

import pytest
import yaml

from sparsemotifs.config import ConfigError, deep_merge, load_config, validate_config
from tests.conftest import REPO, run_cli

BASE = yaml.safe_load((REPO / "config" / "test.yaml").read_text())

# (overlay, key that the message must name)
INVALID = [
    ({"seeds": 0}, "seeds"),
    ({"seeds": "many"}, "seeds"),
    ({"study": "has space"}, "study"),
    ({"simulation": {"n_trajectories": -5}}, "simulation.n_trajectories"),
    ({"simulation": {"shards": 0}}, "simulation.shards"),
    ({"simulation": {"ranges": {"F": [10.0, 0.0]}}}, "simulation.ranges.F"),
    ({"network": {"widths": [10, 0, 7]}}, "network.widths"),
    ({"network": {"widths": [3, 8, 7]}}, "network.widths"),
    ({"network": {"activation": "sigmoid"}}, "network.activation"),
    ({"network": {"init": "he_uniform"}}, "network.init"),
    ({"training": {"lr": "fast"}}, "training.lr"),
    ({"training": {"batch_size": 0}}, "training.batch_size"),
    ({"training": {"learning_rate": 0.1}}, "learning_rate"),
    ({"pruning": {"schedule": [0.5, 0.3]}}, "pruning.schedule"),
    ({"pruning": {"schedule": [0.5, 1.2]}}, "pruning.schedule"),
    ({"pruning": {"schedule": [0.0, 0.5]}}, "pruning.schedule"),
    ({"selection": {"threshold": 0}}, "selection.threshold"),
    ({"selection": {"threshold": -1e-3}}, "selection.threshold"),
    ({"selection": {"rule": "best"}}, "selection.rule"),
    ({"selection": {"split": "holdout"}}, "selection.split"),
    ({"selection": {"threshold_kind": "r2"}}, "selection.threshold_kind"),
    ({"selection": {"min_r2": 1.0}}, "selection.min_r2"),
    ({"selection": {"min_r2": "high"}}, "selection.min_r2"),
    ({"selection": {"exclude_dead_outputs": "yes"}}, "selection.exclude_dead_outputs"),
    ({"controls": {"control_task": {"teacher_gain": 0}}}, "controls.control_task.teacher_gain"),
    ({"motifs": {"nulls": ["erdos_renyi"]}}, "motifs.nulls"),
    ({"dataset": {"train": 0.5, "val": 0.3, "test": 0.3}}, "dataset"),
    ({"colour": "blue"}, "colour"),
]


def test_shipped_configs_are_valid():
    for name in ("config.yaml", "test.yaml", "paper.yaml"):
        cfg = load_config(REPO / "config" / name)
        assert cfg["study"]
        assert cfg["training"]["batch_size"] >= 1  # defaults filled in


def test_paper_config_matches_protocol():
    cfg = load_config(REPO / "config" / "paper.yaml")
    assert cfg["network"]["widths"] == [10, 400, 400, 400, 16, 7]
    assert cfg["seeds"] == 400 and cfg["simulation"]["n_trajectories"] == 10**7
    assert len(cfg["pruning"]["schedule"]) == 17
    protocol = {"threshold": 1e-3, "split": "train", "rule": "last_pass"}
    assert {k: cfg["selection"][k] for k in protocol} == protocol
    assert cfg["selection"]["threshold_kind"] == "mean_mse"  # the reference's mean scaled MSE
    assert cfg["selection"]["exclude_dead_outputs"] is False  # the reference kept them


@pytest.mark.parametrize(("overlay", "key"), INVALID, ids=[k for _, k in INVALID])
def test_invalid_value_names_key(overlay, key):
    with pytest.raises(ConfigError) as err:
        validate_config(deep_merge(BASE, overlay))
    assert key in str(err.value)


def test_missing_required_key():
    cfg = copy.deepcopy(BASE)
    del cfg["study"]
    with pytest.raises(ConfigError, match="'study' is required"):
        validate_config(cfg)
    cfg = copy.deepcopy(BASE)
    del cfg["simulation"]["n_trajectories"]
    with pytest.raises(ConfigError, match="simulation.n_trajectories"):
        validate_config(cfg)


def test_defaults_are_copies_not_shared():
    a = validate_config(BASE)
    a["pruning"]["schedule"].append(0.99)
    b = validate_config(BASE)
    assert 0.99 not in b["pruning"]["schedule"]


def test_cli_validate(tmp_path):
    good = run_cli("config", "validate", REPO / "config" / "test.yaml")
    assert good.returncode == 0, good.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(deep_merge(BASE, {"network": {"activation": "sigmoid"}})))
    proc = run_cli("config", "validate", bad)
    assert proc.returncode == 2
    assert "network.activation" in proc.stderr and "tanh" in proc.stderr


def test_overlay_merges(tmp_path):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("training:\n  lr: 0.01\n")
    cfg = load_config(REPO / "config" / "test.yaml", [overlay])
    assert cfg["training"]["lr"] == 0.01
    assert cfg["training"]["batch_size"] == BASE["training"]["batch_size"]


def _schema_keys(props: dict, prefix: str = ""):
    for key, sub in props.items():
        if sub.get("type") == "object" and "properties" in sub:
            yield from _schema_keys(sub["properties"], f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def test_every_key_documented():
    from sparsemotifs.config import load_schema

    doc = (REPO / "config" / "README.md").read_text()
    missing = [k for k in _schema_keys(load_schema()["properties"]) if f"`{k}`" not in doc]
    assert not missing, f"config/README.md does not document {missing}"


def test_config_readme_key_table_is_generated_from_the_schema():
    """Fails when config/README.md's key table differs from `sparsemotifs config docs`."""
    from sparsemotifs.config_docs import render_readme

    text = (REPO / "config" / "README.md").read_text()
    assert render_readme(text) == text, "config/README.md is stale: run `make docs`"


def test_config_docs_check_and_write(tmp_path):
    from sparsemotifs.cli import main

    readme = tmp_path / "README.md"
    original = (REPO / "config" / "README.md").read_text()
    readme.write_text(
        original.replace("| `motifs.samples` | integer | >= 2", "| `motifs.samples` | x")
    )
    assert main(["config", "docs", "--check", str(readme)]) == 1
    assert main(["config", "docs", "--write", str(readme)]) == 0
    assert readme.read_text() == original
    assert main(["config", "docs", "--check", str(readme)]) == 0
