"""Per-rule job requests from the study config (sparsemotifs.resources), checked against the
config files' own numbers: CPUs always equal threads, GPU on/off by one setting."""

from __future__ import annotations

import pytest
import yaml

from sparsemotifs.config import load_config, load_schema
from sparsemotifs.resources import (
    RULE_SECTIONS,
    evaluated,
    gpu_request,
    rule_resources,
    rule_threads,
)
from tests.conftest import REPO

CONFIGS = ["config/config.yaml", "config/paper.yaml", "config/test.yaml"]


def _cfg(*files):
    return load_config(REPO / files[0], [REPO / f for f in files[1:]])


@pytest.mark.parametrize("path", CONFIGS)
def test_every_rule_asks_its_configured_sizes_and_cpus_equal_threads(path):
    cfg = _cfg(path)
    raw = yaml.safe_load((REPO / path).read_text())["resources"]
    for rule, section in RULE_SECTIONS.items():
        res = evaluated(rule_resources(cfg, rule))
        assert res["mem_mb"] == raw[section]["mem_mb"], (path, rule)
        assert res["runtime"] == raw[section]["runtime"], (path, rule)
        assert res["cpus_per_task"] == rule_threads(cfg, rule)
    assert rule_threads(cfg, "train") == cfg["training"]["threads"]
    assert all(rule_threads(cfg, r) == 1 for r in RULE_SECTIONS if r != "train")


def test_paper_training_asks_one_gpu_and_eight_cpus():
    res = evaluated(rule_resources(_cfg("config/paper.yaml"), "train"))
    assert res == {"mem_mb": 32000, "runtime": 720, "cpus_per_task": 8, "gpu": 1}


def test_no_gpu_overlay_turns_only_the_gpu_off():
    with_gpu = evaluated(rule_resources(_cfg("config/paper.yaml"), "train"))
    without = evaluated(rule_resources(_cfg("config/paper.yaml", "config/no-gpu.yaml"), "train"))
    assert without == {**with_gpu, "gpu": 0}


def test_cpu_device_requests_no_gpu():
    cfg = _cfg("config/paper.yaml")
    cfg["training"]["device"] = "cpu"
    assert gpu_request(cfg) == 0 and evaluated(rule_resources(cfg, "train"))["gpu"] == 0


def test_a_restarted_job_asks_more_memory_and_time():
    cfg = _cfg("config/test.yaml")
    first, second = (evaluated(rule_resources(cfg, "motifs"), attempt=a) for a in (1, 2))
    assert second["mem_mb"] == 2 * first["mem_mb"] and second["runtime"] == 2 * first["runtime"]
    assert second["cpus_per_task"] == first["cpus_per_task"] == 1


def test_unknown_rule_is_named():
    with pytest.raises(KeyError, match="aggregate"):
        rule_resources(_cfg("config/test.yaml"), "aggregate")


def test_schema_defaults_are_the_default_studys_sizes():
    """A config without a resources section asks what config/config.yaml asks."""
    props = load_schema()["properties"]["resources"]["properties"]
    shipped = yaml.safe_load((REPO / "config/config.yaml").read_text())["resources"]
    for section, values in shipped.items():
        for key, value in values.items():
            assert props[section]["properties"][key]["default"] == value, (section, key)
