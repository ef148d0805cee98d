"""Trained ensembles as variants of the study config (config key `variants`).

Registry and config units, the shipped variant configs, the job graph of a 2-variant study
(dry runs), and one tiny 2-variant study end to end with the rerun of one changed variant.
"""

from __future__ import annotations

import json
import re

import numpy as np
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
    # networks this small often have a dead output; kept in the statistics here so that the
    # variants have networks to compare (the default leaves them out, issue 12 item 5)
    "selection": {"threshold": 0.05, "exclude_dead_outputs": False},
    "motifs": {"nulls": ["degree"], "samples": 5},
    "controls": {
        "random_pruned": True,
        "magnitude_init": False,  # on: one per variant (tests/test_registry.py)
        "control_task": {"enabled": False},
    },
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
        ("first_null_degree", "derived", "control"),
        ("second_null_degree", "derived", "control"),
        ("first_null_min1", "derived", "control"),
        ("second_null_min1", "derived", "control"),
    ]
    assert registry.get_base("random_pruned").source == "trained"
    # the null samples are made from every variant (each variant's verdict needs its own),
    # random_pruned (a calibration check of the method) from the subject only
    sources = {e.name: e.source for e in entries if e.kind == "derived"}
    assert sources == {
        "random_pruned": "first",
        "first_null_degree": "first",
        "second_null_degree": "second",
        "first_null_min1": "first",
        "second_null_min1": "second",
    }
    assert {e.base_name for e in entries if e.kind == "derived"} == {
        "random_pruned", "null_degree", "null_min1"
    }  # fmt: skip
    assert {e.data for e in entries if e.kind == "trained"} == {"flight"}  # shared data
    # active() is pure: the process registry is still the base one
    assert registry.SUBJECT == "trained" and "first" not in registry.names()


def test_configure_makes_names_and_layout_follow_the_variants():
    registry.configure(validate_config(tiny()))
    assert registry.SUBJECT == "first"
    nulls = ["first_null_degree", "second_null_degree", "first_null_min1", "second_null_min1"]
    nulls += ["first_magnitude_init", "second_magnitude_init"]  # registered, off in TINY
    assert registry.names() == ["first", "second", "random_pruned", *nulls, "control_task"]
    assert registry.controls() == ["second", "random_pruned", *nulls, "control_task"]
    assert registry.studied() == ["first", "second"]
    assert registry.networks_dir("first") == registry.networks_dir("random_pruned") == "networks"
    assert registry.networks_dir("first_null_degree") == "networks"
    assert registry.networks_dir("second") == "second/networks"
    assert registry.networks_dir("second_null_min1") == "second/networks"
    assert registry.levels_table("first") == "tables/levels.csv"
    assert registry.levels_table("second") == "tables/second_levels.csv"
    assert registry.levels_table("second_null_degree") == "tables/second_levels.csv"
    assert registry.derived_from("first") == [
        "random_pruned",
        "first_null_degree",
        "first_null_min1",
        "first_magnitude_init",
    ]
    assert registry.derived_from("second") == [
        "second_null_degree", "second_null_min1", "second_magnitude_init",
    ]  # fmt: skip
    assert registry.derived_of("second", "null_degree") == "second_null_degree"
    assert registry.derived_of("second", "random_pruned") is None
    assert registry.color("second") != registry.color("first")
    # every ensemble its own colour in the figures (a variant's null samples a paler shade)
    assert len({registry.color(n) for n in registry.names()}) == len(registry.names())
    # the subject is compared with every variant and its own controls; another variant with
    # its own null samples and the control task, never with another variant's null samples
    assert registry.comparisons() == [
        ("first", "second"), ("first", "random_pruned"), ("first", "first_null_degree"),
        ("first", "first_null_min1"), ("first", "first_magnitude_init"),
        ("first", "control_task"), ("second", "second_null_degree"),
        ("second", "second_null_min1"), ("second", "second_magnitude_init"),
        ("second", "control_task"),
    ]  # fmt: skip
    registry.configure({})
    assert registry.SUBJECT == "trained" and registry.ENSEMBLES == registry.BASE_ENSEMBLES


def test_without_variants_the_registry_is_unchanged():
    cfg = validate_config({k: v for k, v in tiny().items() if k != "variants"})
    assert cfg["variants"] == {}
    assert [e.name for e in registry.active(cfg)] == [
        "trained", "random_pruned", "null_degree", "null_min1"
    ]  # fmt: skip
    registry.configure(cfg)
    assert registry.studied() == ["trained"]
    assert registry.derived_of("trained", "null_degree") == "null_degree"
    assert registry.comparisons() == [
        ("trained", e)
        for e in ("random_pruned", "null_degree", "null_min1", "magnitude_init", "control_task")
    ]


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
        ({"a": {}, "a_null_degree": {}}, "clash"),
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
        ("paper_width", ["faithful", "faithful_val_selection"], 12),
        ("paper_width+corrected", ["faithful", "faithful_val_selection", "corrected"], 12),
        ("scaling", ["w48", "w96", "w192"], 12),
        ("init_schemes", ["paper", "xavier", "kaiming", "orthogonal"], 16),
    ],
)
def test_shipped_variant_configs_validate(name, variants, seeds):
    base, _, overlay = name.partition("+")  # +corrected: the overlay paper_width_corrected.yaml
    overlays = [REPO / "config" / f"{base}_{overlay}.yaml"] if overlay else []
    cfg = load_config(REPO / "config" / f"{base}.yaml", overlays)
    assert list(cfg["variants"]) == variants and cfg["seeds"] == seeds
    effective = {v: registry.ensemble_config(cfg, v) for v in variants}
    if base == "paper_width":
        f, v = effective["faithful"], effective["faithful_val_selection"]
        assert f["network"]["widths"] == [10, 400, 400, 400, 16, 7]
        assert f["pruning"]["bias_cutoff"] == "weight"
        assert f["training"]["dense_early_stopping"] is False
        assert (f["selection"]["split"], f["selection"]["rule"]) == ("train", "last_pass")
        # the selection rule switched alone: same networks (training, pruning), other selection
        assert {k: v[k] for k in ("network", "training", "pruning")} == {
            k: f[k] for k in ("network", "training", "pruning")
        }
        assert (v["selection"]["split"], v["selection"]["rule"]) == ("val", "first_failure")
        if overlay:
            c = effective["corrected"]
            assert c["pruning"]["bias_cutoff"] == "own"
            assert c["training"]["dense_early_stopping"] is True
            assert (c["selection"]["split"], c["selection"]["rule"]) == ("val", "first_failure")
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
    # the variants differ only in pruning and selection: one dense level per chunk, shared
    dense = job_wildcards(proc.stdout, "train_dense")
    assert len(dense) == 2 and {d.split(", ")[1] for d in dense} == {"chunk=0", "chunk=1"}
    key = dense[0].split(",")[0].removeprefix("key=")
    for c in (0, 1):
        shells = [
            ln for ln in proc.stdout.splitlines()
            if "sparsemotifs train --data" in ln and f"chunk{c}.csv" in ln
        ]  # fmt: skip
        assert len(shells) == 2
        assert all(
            f"--dense-from results/vtiny/train/dense/{key}/chunk{c}.pt" in ln for ln in shells
        )
    assert proc.stdout.count("rule simulate:") == 1 and proc.stdout.count("rule dataset:") == 1
    motifs = job_wildcards(proc.stdout, "motifs")
    # per chunk and null: each variant, its own null samples, and random_pruned of the subject
    analysed = [
        "first", "second", "random_pruned", "first_null_degree", "second_null_degree",
        "first_null_min1", "second_null_min1",
    ]  # fmt: skip
    assert motifs == sorted(
        f"ensemble={e}, null=degree, chunk={c}" for e in analysed for c in (0, 1)
    )
    # each variant's null samples are drawn from that variant's own networks
    shells = [ln for ln in proc.stdout.splitlines() if "--ensemble second_null_degree" in ln]
    assert len(shells) == 2
    assert all("--dir results/vtiny/second/networks" in ln for ln in shells)
    assert all("--derive null_degree" in ln for ln in shells)
    # the statistics commands learn the variants (first = subject) from the workflow
    assert proc.stdout.count("--variants first second") == 3  # aggregate, figures, summary


@pytest.mark.parametrize("name", ["init_schemes", "paper_width", "scaling"])
def test_shipped_variant_configs_dry_run(tmp_path, name):
    proc = run_snakemake("-n", "--configfile", str(REPO / f"config/{name}.yaml"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    cfg = load_config(REPO / f"config/{name}.yaml")
    chunks = -(-cfg["seeds"] // cfg["training"]["chunk_size"])
    trained = job_wildcards(proc.stdout, "train")
    # a selection-only variant (paper_width's faithful_val_selection) trains nothing
    training = [v for v in cfg["variants"] if v != "faithful_val_selection"]
    assert len(trained) == len(training) * chunks
    assert {t.split(",")[0] for t in trained} == {f"ensemble={v}" for v in training}


@pytest.mark.slow
def test_tiny_two_variant_study_end_to_end_and_rerun_of_one_variant(tmp_path):
    cfg = tiny()
    cfg["training"]["chunk_size"] = 2
    cfg["motifs"]["edge_classes"] = "zambra"  # Zambra's classes as a study setting (issue 11)
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
        "first", "second", "random_pruned", "first_null_degree", "second_null_degree",
        "first_null_min1", "second_null_min1",
    }  # fmt: skip
    perm = pd.read_csv(res / "tables" / "permutation_tests.csv")
    pairs = set(zip(perm["ensemble"], perm["control"], strict=True))
    assert {
        ("first", "second"),
        ("first", "random_pruned"),
        ("second", "second_null_degree"),
    } <= pairs
    assert ("second", "first_null_degree") not in pairs and (
        "first",
        "second_null_degree",
    ) not in pairs
    # one verdict per variant, each against its own null samples
    verdict = pd.read_csv(res / "tables" / "verdict.csv")
    assert list(verdict.columns[:3]) == ["ensemble", "null", "level"]
    assert set(verdict["ensemble"]) == {"first", "second"}
    for name in ("first", "second"):
        overall = verdict[(verdict["ensemble"] == name) & (verdict["level"] == "all")]
        assert list(overall["null"]) == ["degree"]
    calib = pd.read_csv(res / "tables" / "calibration.csv")
    assert set(calib["ensemble"]) <= {"random_pruned", "first_null_min1", "second_null_min1"}
    # the dense level was trained once and shared: identical files, identical level-0 rows
    # (wall time included: the row was written once, by the dense job)
    second = pd.read_csv(res / "tables" / "second_levels.csv")
    dense_jobs = list((res / "benchmarks" / "train" / "dense").glob("*/chunk*.tsv"))
    assert len(dense_jobs) == 1  # chunk_size 2: one chunk
    first_m, second_m = (pd.read_csv(res / "train" / e / "chunk0.csv") for e in ("first", "second"))
    pd.testing.assert_frame_equal(
        first_m[first_m.level == 0].reset_index(drop=True),
        second_m[second_m.level == 0].reset_index(drop=True),
    )
    for seed in (0, 1):
        with (
            np.load(res / "networks" / f"seed{seed}" / "level0.npz") as a,
            np.load(res / "second" / "networks" / f"seed{seed}" / "level0.npz") as b,
        ):
            assert all(np.array_equal(a[k], b[k]) for k in a.files)
    # the variants really differ: global vs layer-wise pruning keeps different per-layer counts
    edges = [c for c in levels.columns if c.startswith("edges_kept_")]
    assert not levels[edges].equals(second[edges])
    summary = (res / "summary.md").read_text()
    # Zambra's classes: one fit per trained variant, keys by class composition, in the summary
    for name in ("first", "second"):
        fit = json.loads((res / "tables" / "zambra_thresholds" / f"{name}.json").read_text())
        assert fit["initial_seeds"] == 2 and fit["n_files"] == 2  # dense files + initial weights
        assert fit["thresholds"]["b0"] < fit["thresholds"]["b1"]
    signed = pd.read_csv(res / "tables" / "signed_motifs.csv")
    assert set(signed["edge_classes"]) == {"zambra"} and set(signed["ensemble"]) == {
        "first", "second"
    }  # fmt: skip
    assert signed["key"].str.contains(r"\|sneg=\d,mild=\d,spos=\d$").any()
    assert "## Signed motifs (degree_signed null, Zambra's classes)" in summary
    # the variant against the subject: two seeds are too few for an answer, and it says so
    effects = pd.read_csv(res / "tables" / "variant_effects.csv")
    assert set(effects["ensemble"]) == {"second"} and set(effects["reference"]) == {"first"}
    assert "profile" in set(effects["motif"]) and set(effects["answer"]) == {"undetermined"}
    assert "## Does the variant change the motif profile?" in summary
    assert "| second |" in summary and "first vs second" in summary
    assert "## Variants compared" in summary and "| `second` |" in summary
    assert "### first" in summary and "### second" in summary  # a verdict per variant
    assert "`first` is the subject" in summary
    assert '- `second`: overrides {"pruning": {"scope": "global"}' in summary

    # changing one variant's setting reruns only that variant's jobs (and the shared report)
    cfg["variants"]["second"]["pruning"]["prune_biases"] = False
    proc = run_snakemake(
        "-n", "--configfile", write_config(tmp_path / "v2.yaml", cfg), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert job_wildcards(proc.stdout, "train") == ["ensemble=second, chunk=0"]
    # (its own null samples are redrawn from its new networks; the subject's are not touched)
    assert job_wildcards(proc.stdout, "motifs") == [
        f"ensemble={e}, null=degree, chunk=0"
        for e in ("second", "second_null_degree", "second_null_min1")
    ]
    assert job_wildcards(proc.stdout, "train_dense") == []  # pruning does not touch level 0
    assert "rule select_subject:" not in proc.stdout and "rule simulate:" not in proc.stdout
    # ... and the subject's selection setting only the subject's selection and what follows
    del cfg["variants"]["second"]["pruning"]["prune_biases"]
    cfg["variants"]["first"] = {"selection": {"threshold": 0.04}}
    proc = run_snakemake(
        "-n", "--configfile", write_config(tmp_path / "v3.yaml", cfg), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert job_wildcards(proc.stdout, "train") == [] and "rule select_subject:" in proc.stdout
    assert job_wildcards(proc.stdout, "select") == []


def test_a_selection_only_variant_trains_and_analyses_nothing_of_its_own(tmp_path):
    """Trained exactly like the subject (only its selection differs): no training, no motif
    analysis; it selects on the subject's metrics and networks and its motif tables (and its
    null samples') are the subject's, relabelled. A pruning-only variant shares the dense level."""
    cfg = tiny(
        first={},
        lastpass={"selection": {"rule": "last_pass"}},
        glob={"pruning": {"scope": "global"}},
    )
    conf = write_config(tmp_path / "v.yaml", cfg)
    proc = run_snakemake("-n", "-p", "--configfile", conf, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert {t.split(",")[0] for t in job_wildcards(proc.stdout, "train")} == {
        "ensemble=first", "ensemble=glob"
    }  # fmt: skip
    assert len(job_wildcards(proc.stdout, "train_dense")) == 2  # first and glob, per chunk
    analysed = {
        m.split(",")[0].removeprefix("ensemble=") for m in job_wildcards(proc.stdout, "motifs")
    }
    assert not analysed & {"lastpass", "lastpass_null_degree", "lastpass_null_min1"}
    relabelled = job_wildcards(proc.stdout, "relabel_motifs")
    assert len(relabelled) == 3 * 2 * 2  # 3 ensembles x 2 chunks x (totals, per_layer)
    lines = proc.stdout.splitlines()
    select = [ln for ln in lines if "--ensemble lastpass " in ln and "sparsemotifs select" in ln]
    assert len(select) == 1 and "train/first/chunk0.csv" in select[0]
    assert "--networks-dir results/vtiny/networks " in select[0] and "last_pass" in select[0]
    assert any(
        "concat results/vtiny/motifs/first_null_degree/degree/chunk0.totals.parquet"
        " --ensemble lastpass_null_degree" in ln
        for ln in lines
    )


def test_concat_relabels_the_ensemble_column(tmp_path):
    from sparsemotifs.cli import main

    pd.DataFrame({"ensemble": ["first"] * 2, "z": [1.0, 2.0]}).to_parquet(tmp_path / "a.parquet")
    out = tmp_path / "b.parquet"
    assert (
        main(["concat", str(tmp_path / "a.parquet"), "--ensemble", "twin", "--out", str(out)]) == 0
    )
    df = pd.read_parquet(out)
    assert list(df["ensemble"]) == ["twin", "twin"] and list(df["z"]) == [1.0, 2.0]
    pd.DataFrame({"z": [1.0]}).to_parquet(tmp_path / "c.parquet")
    assert main(["concat", str(tmp_path / "c.parquet"), "--ensemble", "x", "--out", str(out)]) == 2
