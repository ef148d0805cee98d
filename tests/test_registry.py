"""The registry of ensembles: its rules, and that the workflow and package read it."""

from __future__ import annotations

import pytest

from sparsemotifs import registry
from sparsemotifs.config import load_config
from sparsemotifs.contracts import outputs
from tests.conftest import REPO


def test_shipped_entries():
    assert registry.names() == [
        "trained", "random_pruned", "null_degree", "null_min1", "magnitude_init", "control_task",
    ]  # fmt: skip
    assert registry.controls() == [
        "random_pruned", "null_degree", "null_min1", "magnitude_init", "control_task",
    ]  # fmt: skip
    assert registry.levels_owner("random_pruned") == "trained"
    assert registry.levels_owner("null_degree") == "trained"
    assert registry.derived_from("trained") == [
        "random_pruned", "null_degree", "null_min1", "magnitude_init",
    ]  # fmt: skip
    assert registry.networks_dir("random_pruned") == registry.networks_dir("trained") == "networks"
    assert registry.networks_dir("control_task") == "control_task/networks"
    assert registry.levels_table("trained") == "tables/levels.csv"
    assert registry.levels_table("control_task") == "tables/control_task_levels.csv"
    assert set(registry.DATASETS) == {e.data for e in registry.ENSEMBLES if e.kind == "trained"}


def test_active_follows_the_config_switches():
    cfg = load_config(REPO / "config" / "test.yaml")
    assert [e.name for e in registry.active(cfg)] == registry.names()
    cfg["controls"]["random_pruned"] = False
    cfg["controls"]["control_task"]["enabled"] = False
    cfg["controls"]["magnitude_init"] = False
    assert [e.name for e in registry.active(cfg)] == ["trained", "null_degree", "null_min1"]
    cfg["controls"]["null_samples"] = 0
    assert [e.name for e in registry.active(cfg)] == ["trained"]


def test_imported_networks_get_no_magnitude_init():
    cfg = load_config(REPO / "config" / "test.yaml")
    assert "magnitude_init" in [e.name for e in registry.active(cfg)]
    cfg["import_networks"] = "somewhere"
    assert "magnitude_init" not in [e.name for e in registry.active(cfg)]


def test_draws_per_network_come_from_the_config():
    cfg = load_config(REPO / "config" / "test.yaml")
    cfg["controls"]["null_samples"] = 3
    assert registry.draws(cfg, "null_degree") == registry.draws(cfg, "null_min1") == 3
    assert registry.draws(cfg, "random_pruned") == registry.draws(cfg, "magnitude_init") == 1
    assert registry.draws(cfg, "trained") == 1


def test_entry_rules_are_checked():
    with pytest.raises(ValueError, match="names its data"):
        registry.Ensemble("x", kind="trained", role="control")
    with pytest.raises(ValueError, match="names its source"):
        registry.Ensemble("x", kind="derived", role="control", producer="random_masks")
    with pytest.raises(KeyError, match="registered"):
        registry.get("nope")


def test_variant_overrides_replace_keys_of_sections():
    cfg = load_config(REPO / "config" / "test.yaml")
    wide = registry.Ensemble(
        "wide", kind="trained", role="control", data="flight",
        overrides={"network": {"widths": [10, 24, 7]}},
    )  # fmt: skip
    registry.ENSEMBLES += (wide,)
    try:
        out = registry.ensemble_config(cfg, "wide")
    finally:
        registry.ENSEMBLES = registry.ENSEMBLES[:-1]
    assert out["network"]["widths"] == [10, 24, 7]
    assert out["network"]["activation"] == cfg["network"]["activation"]
    assert cfg["network"]["widths"] != [10, 24, 7]  # the study config is not modified


def test_every_derived_producer_exists():
    from sparsemotifs.motifs.derive import names

    for e in registry.ENSEMBLES:
        if e.kind == "derived":
            assert e.producer in names(), e.name


def test_tables_and_figures_have_captions():
    for name in [*outputs.TABLES, *outputs.FIGURES, *outputs.PUBLISHED_FIGURES]:
        assert (REPO / "workflow" / "report" / f"{name}.rst").is_file(), name
    for name in outputs.PUBLISHED_TABLES:  # a figure may share the name: tables get _table
        stem = f"{name}_table" if name in outputs.FIGURES else name
        assert (REPO / "workflow" / "report" / f"{stem}.rst").is_file(), name


def test_magnitude_init_per_variant_uses_each_variants_init():
    """ΔZ per initialisation scheme: every variant gets its own init-pruned copy."""
    from sparsemotifs.convergence.delta_z import pairs

    cfg = load_config(REPO / "config" / "test.yaml")
    cfg["variants"] = {"paper": {}, "xavier": {"network": {"init": "xavier_normal"}}}
    try:
        entries = {e.name: e for e in registry.configure(cfg)}
        assert entries["paper_magnitude_init"].source == "paper"
        assert entries["xavier_magnitude_init"].source == "xavier"
        inits = {
            name: registry.ensemble_config(cfg, e.source)["network"]["init"]
            for name, e in entries.items()
            if e.producer == "magnitude_init"
        }
        assert inits == {"paper_magnitude_init": "paper", "xavier_magnitude_init": "xavier_normal"}
        assert pairs() == [("paper", "paper_magnitude_init"), ("xavier", "xavier_magnitude_init")]
    finally:
        registry.configure({})
