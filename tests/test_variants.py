"""Trained ensembles as variants of the study config (config key `variants`).

Registry and config units, the shipped variant configs, the job graph of a 2-variant study
(dry runs), and one tiny 2-variant study end to end with the rerun of one changed variant.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml

from sparsemotifs import registry
from sparsemotifs.config import ConfigError, load_config, load_schema, validate_config
from tests.conftest import REPO, run_snakemake

TINY = {
    "study": "vtiny",
    "seeds": 2,
    "simulation": {"n_trajectories": 1500, "shards": 1, "seed": 1},
    "dataset": {"seed": 1},
    "network": {"widths": [10, 8, 8, 7]},
    "training": {
        "lr": 0.01,
        "batch_size": 64,
        "max_steps_per_level": 60,
        "max_epochs_per_level": 2,
        "early_stopping": {"rule": "paper", "check_every": 20, "warmup": 20, "window": 10},
        "chunk_size": 1,
        "device": "cpu",
    },
    "pruning": {"schedule": [0.3, 0.6]},
    "selection": {"threshold": 0.05},
    "motifs": {"nulls": ["degree"], "samples": 5},
    "controls": {"random_pruned": True, "control_task": {"enabled": False}},
    "closed_loop": {"enabled": False},
    "weights": {"enabled": False},
    "variants": {
        "first": {},
        "second": {"pruning": {"scope": "global"}, "selection": {"rule": "last_pass"}},
    },
}


@pytest.fixture(autouse=True)
def base_registry():
    """`configure` changes this process's registry: restore the base one after each test."""
    yield
    registry.configure({})


def tiny(**variants) -> dict:
    cfg = yaml.safe_load(yaml.safe_dump(TINY))
    if variants:
        cfg["variants"] = variants
    return cfg


# ------------------------------------------------------------------------------- registry


def test_variants_replace_the_trained_entry_first_is_subject():
    cfg = validate_config(tiny())
    entries = registry.active(cfg)
    assert [(e.name, e.kind, e.role) for e in entries] == [
        ("first", "trained", "subject"),
        ("second", "trained", "control"),
        ("random_pruned", "derived", "control"),
        ("null_degree", "derived", "control"),
        ("null_min1", "derived", "control"),
    ]
    assert registry.get_base("random_pruned").source == "trained"
    # every control derived from the trained ensemble is derived from the subject variant
    assert {e.source for e in entries if e.kind == "derived"} == {"first"}
    assert {e.data for e in entries if e.kind == "trained"} == {"flight"}  # shared data
    # active() is pure: the process registry is still the base one
    assert registry.SUBJECT == "trained" and "first" not in registry.names()


def test_configure_makes_names_and_layout_follow_the_variants():
    registry.configure(validate_config(tiny()))
    assert registry.SUBJECT == "first"
    assert registry.names() == ["first", "second", "random_pruned", "control_task"]
    assert registry.controls() == ["second", "random_pruned", "control_task"]
    assert registry.networks_dir("first") == registry.networks_dir("random_pruned") == "networks"
    assert registry.networks_dir("second") == "second/networks"
    assert registry.levels_table("first") == "tables/levels.csv"
    assert registry.levels_table("second") == "tables/second_levels.csv"
    assert registry.derived_from("first") == ["random_pruned"]
    assert registry.color("second") != registry.color("first")
    registry.configure({})
    assert registry.SUBJECT == "trained" and registry.ENSEMBLES == registry.BASE_ENSEMBLES


def test_without_variants_the_registry_is_unchanged():
    cfg = validate_config({k: v for k, v in tiny().items() if k != "variants"})
    assert cfg["variants"] == {}
    assert [e.name for e in registry.active(cfg)] == ["trained", "random_pruned"]


def test_ensemble_config_merges_a_variants_overrides_recursively():
    cfg = validate_config(
        tiny(
            a={},
            b={"training": {"early_stopping": {"rule": "none"}}, "network": {"widths": [10, 5, 7]}},
        )
    )
    b = registry.ensemble_config(cfg, "b")
    assert b["training"]["early_stopping"]["rule"] == "none"
    # the study's other stopping settings survive (a whole-key replace would lose them)
    assert b["training"]["early_stopping"]["window"] == 10
    assert b["training"]["lr"] == 0.01
    assert b["network"]["widths"] == [10, 5, 7]  # lists are replaced whole
    a = registry.ensemble_config(cfg, "a")
    assert a["training"] == cfg["training"] and a["network"] == cfg["network"]
    assert cfg["network"]["widths"] == [10, 8, 8, 7]  # the study config is not modified


# --------------------------------------------------------------------------------- config


@pytest.mark.parametrize(
    ("variants", "needle"),
    [
        ({"b": {"pruning": {"scope": "everywhere"}}}, "variants.b"),
        ({"b": {"network": {"widths": [10, 8, 6]}}}, "network.widths"),
        ({"b": {"motifs": {"samples": 3}}}, "motifs"),
        ({"Bad-Name": {}}, "Bad-Name"),
        ({"random_pruned": {}}, "clash"),
        ({"b": {"training": {"chunk_size": 3}}}, "study-wide"),
        ({"b": {"pruning": {"schedule": [0.5, 0.4]}}}, "pruning.schedule"),
    ],
)
def test_bad_variants_are_rejected_naming_the_problem(variants, needle):
    with pytest.raises(ConfigError, match=re.escape(needle)):
        validate_config(tiny(**variants))


def test_schema_documents_variants():
    prop = load_schema()["properties"]["variants"]
    assert "subject" in prop["description"] and "FIRST" in prop["description"]
    assert set(prop["additionalProperties"]["properties"]) == set(registry.VARIANT_SECTIONS)
    assert "`variants`" in (REPO / "config" / "README.md").read_text()


@pytest.mark.parametrize(
    ("name", "variants", "seeds"),
    [
        ("paper_width", ["faithful", "corrected"], 12),
        ("scaling", ["w48", "w96", "w192"], 12),
        ("init_schemes", ["paper", "xavier", "kaiming", "orthogonal"], 24),
    ],
)
def test_shipped_variant_configs_validate(name, variants, seeds):
    cfg = load_config(REPO / "config" / f"{name}.yaml")
    assert list(cfg["variants"]) == variants and cfg["seeds"] == seeds
    effective = {v: registry.ensemble_config(cfg, v) for v in variants}
    if name == "paper_width":
        f, c = effective["faithful"], effective["corrected"]
        assert f["network"]["widths"] == [10, 400, 400, 400, 16, 7]
        assert f["pruning"]["bias_cutoff"] == "weight" and c["pruning"]["bias_cutoff"] == "own"
        assert f["training"]["dense_early_stopping"] is False
        assert c["training"]["dense_early_stopping"] is True
        assert (f["selection"]["split"], f["selection"]["rule"]) == ("train", "last_pass")
        assert cfg["motifs"]["nulls"] == ["reference", "fixed_count_min1", "degree"]
        assert len(cfg["pruning"]["schedule"]) == 17 and cfg["selection"]["threshold"] == 1e-3
        # the per-level budget is the paper's one pass over 6.4 M rows: 50,000 steps of 128
        rows = cfg["simulation"]["n_trajectories"] * cfg["dataset"]["train"]
        per_level = min(
            cfg["training"]["max_steps_per_level"],
            cfg["training"]["max_epochs_per_level"] * rows / cfg["training"]["batch_size"],
        )
        assert per_level == 50_000
    if name == "scaling":
        assert [effective[v]["network"]["widths"][1] for v in variants] == [48, 96, 192]
    if name == "init_schemes":
        assert [effective[v]["network"]["init"] for v in variants] == [
            "paper", "xavier_normal", "kaiming_normal", "orthogonal"
        ]  # fmt: skip
        assert cfg["motifs"]["edge_classes"] == "sign"


# ------------------------------------------------------------------------------ workflow


def job_wildcards(stdout: str, rule: str) -> list[str]:
    """The `wildcards:` lines of every job of `rule` in a dry run's output."""
    out, current = [], None
    for line in stdout.splitlines():
        m = re.match(r"^(?:local)?rule (\w+):", line)
        if m:
            current = m.group(1)
        elif current == rule and line.strip().startswith("wildcards:"):
            out.append(line.split("wildcards:", 1)[1].strip())
    return sorted(out)


def write_config(path, cfg):
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


def test_two_variant_job_graph(tmp_path):
    cfg = tiny()
    conf = write_config(tmp_path / "v.yaml", cfg)
    proc = run_snakemake("-n", "-p", "--configfile", conf, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    # one set of training chunks per variant (2 seeds, chunk_size 1), one simulation and data
    assert job_wildcards(proc.stdout, "train") == [
        f"ensemble={e}, chunk={c}" for e in ("first", "second") for c in (0, 1)
    ]
    assert job_wildcards(proc.stdout, "select") == ["ensemble=second"]
    assert proc.stdout.count("rule simulate:") == 1 and proc.stdout.count("rule dataset:") == 1
    motifs = job_wildcards(proc.stdout, "motifs")
    assert {m.split(",")[0] for m in motifs} == {
        "ensemble=first", "ensemble=second", "ensemble=random_pruned"
    }  # fmt: skip
    # the statistics commands learn the variants (first = subject) from the workflow
    assert proc.stdout.count("--variants first second") == 3  # aggregate, figures, summary


@pytest.mark.parametrize("name", ["init_schemes", "paper_width", "scaling"])
def test_shipped_variant_configs_dry_run(tmp_path, name):
    proc = run_snakemake("-n", "--configfile", str(REPO / f"config/{name}.yaml"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    cfg = load_config(REPO / f"config/{name}.yaml")
    chunks = -(-cfg["seeds"] // cfg["training"]["chunk_size"])
    trained = job_wildcards(proc.stdout, "train")
    assert len(trained) == len(cfg["variants"]) * chunks
    assert {t.split(",")[0] for t in trained} == {f"ensemble={v}" for v in cfg["variants"]}


@pytest.mark.slow
def test_tiny_two_variant_study_end_to_end_and_rerun_of_one_variant(tmp_path):
    cfg = tiny()
    cfg["training"]["chunk_size"] = 2
    conf = write_config(tmp_path / "v.yaml", cfg)
    proc = run_snakemake("--cores", "2", "--configfile", conf, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = tmp_path / "results" / "vtiny"
    assert (res / "networks" / "seed0").is_dir() and (
        res / "second" / "networks" / "seed0"
    ).is_dir()
    levels = pd.read_csv(res / "tables" / "levels.csv")
    assert set(levels["ensemble"]) == {"first"}
    assert set(pd.read_csv(res / "tables" / "second_levels.csv")["ensemble"]) == {"second"}
    for table in ["motifs", "convergence", "profile_similarity", "permutation_tests"]:
        df = pd.read_csv(res / "tables" / f"{table}.csv")
        assert "ensemble" in df.columns, table
    assert set(pd.read_csv(res / "tables" / "motifs.csv")["ensemble"]) == {
        "first", "second", "random_pruned"
    }  # fmt: skip
    perm = pd.read_csv(res / "tables" / "permutation_tests.csv")
    assert set(perm["ensemble"]) == {"first"} and {"second", "random_pruned"} <= set(
        perm["control"]
    )
    # the variants really differ: global vs layer-wise pruning keeps different per-layer counts
    second = pd.read_csv(res / "tables" / "second_levels.csv")
    edges = [c for c in levels.columns if c.startswith("edges_kept_")]
    assert not levels[edges].equals(second[edges])
    summary = (res / "summary.md").read_text()
    assert "| second |" in summary and "first vs second" in summary
    assert "`first` is the subject" in summary
    assert '- `second`: overrides {"pruning": {"scope": "global"}' in summary

    # changing one variant's setting reruns only that variant's jobs (and the shared report)
    cfg["variants"]["second"]["pruning"]["scope"] = "layer"
    proc = run_snakemake(
        "-n", "--configfile", write_config(tmp_path / "v2.yaml", cfg), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert job_wildcards(proc.stdout, "train") == ["ensemble=second, chunk=0"]
    assert job_wildcards(proc.stdout, "motifs") == ["ensemble=second, null=degree, chunk=0"]
    assert "rule select_subject:" not in proc.stdout and "rule simulate:" not in proc.stdout
    # ... and the subject's selection setting only the subject's selection and what follows
    cfg["variants"]["second"]["pruning"]["scope"] = "global"
    cfg["variants"]["first"] = {"selection": {"threshold": 0.04}}
    proc = run_snakemake(
        "-n", "--configfile", write_config(tmp_path / "v3.yaml", cfg), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert job_wildcards(proc.stdout, "train") == [] and "rule select_subject:" in proc.stdout
    assert job_wildcards(proc.stdout, "select") == []
