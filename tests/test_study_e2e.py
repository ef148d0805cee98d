"""config/test.yaml end to end in a temporary directory, then rerun semantics by dry runs.

One real run of the tiny study (module fixture) backs every test here: the output contract of
results/{study}/, its internal consistency, the HTML report, and which jobs a change reruns.
"""

from __future__ import annotations

import math
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import REPO, run_snakemake, snakemake_env
from tests.test_workflow_dryrun import job_counts

pytestmark = [pytest.mark.xdist_group("snakemake"), pytest.mark.slow]

TEST_CONFIG = str(REPO / "config/test.yaml")
MOTIFS = [
    "edges", "diverging_2", "converging_2", "chain_2", "diverging_3", "converging_3",
    "chain_3", "bi_fan", "bi_parallel",
]  # fmt: skip
FIXED_BY_NULL = {
    "fixed_count": {"edges"},
    "fixed_count_min1": {"edges"},
    "degree": {"edges", "diverging_2", "converging_2", "chain_2", "diverging_3", "converging_3"},
}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    work = tmp_path_factory.mktemp("study")
    proc = run_snakemake("--cores", "2", "--configfile", TEST_CONFIG, cwd=work, timeout=900)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return work


@pytest.fixture(scope="module")
def results(study):
    return study / "results" / "test"


@pytest.fixture(scope="module")
def cfg():
    return yaml.safe_load(open(TEST_CONFIG))


def test_every_output_exists(results):
    expected = [
        "config.yaml",
        "tables/levels.csv",
        "tables/motifs.csv",
        "tables/convergence.csv",
        "summary.md",
    ]
    for rel in expected:
        assert (results / rel).is_file(), rel
    figures = list((results / "figures").glob("*.png"))
    assert len(figures) >= 6 and len(list((results / "figures").glob("*.pdf"))) == len(figures)
    provenance = yaml.safe_load((results / "config.yaml").read_text())
    assert provenance["sparsemotifs_version"] and provenance["git_commit"]
    assert provenance["config"]["study"] == "test"


def test_levels_table_consistent(results, cfg):
    levels = pd.read_csv(results / "tables/levels.csv")
    cols = "seed level cut_fraction weights_kept loss_train loss_val loss_test status selected"
    assert set(cols.split()) <= set(levels.columns)
    assert sorted(levels["seed"].unique()) == list(range(cfg["seeds"]))
    threshold = cfg["selection"]["threshold"]
    for seed, g in levels.groupby("seed"):
        g = g.sort_values("level")
        assert list(g["level"]) == list(range(len(g))), f"seed {seed} skips a level"
        assert (np.diff(g["weights_kept"]) <= 0).all(), f"seed {seed}: weights_kept increases"
        for k in g["level"]:
            assert (results / f"networks/seed{seed}/level{k}.npz").is_file()
        selected = g[g["selected"]]
        assert len(selected) <= 1
        if len(selected):
            row = selected.iloc[0]
            assert row["loss_val"] <= threshold and row["status"] == "ok"
            # first_failure: every level up to the selected one passes
            before = g[g["level"] <= row["level"]]
            assert (before["loss_val"] <= threshold).all()


def test_network_files_in_motif_format(results):
    levels = pd.read_csv(results / "tables/levels.csv")
    row = levels.iloc[-1]
    with np.load(results / f"networks/seed{row['seed']}/level{row['level']}.npz") as f:
        widths = [10, 12, 12, 12, 8, 7]
        for layer in range(5):
            mask, weight = f[f"mask_{layer}"], f[f"weight_{layer}"]
            assert mask.shape == (widths[layer], widths[layer + 1])
            assert set(np.unique(mask)) <= {0, 1}
            assert np.all(weight[mask == 0] == 0)
            assert f[f"bias_mask_{layer}"].shape == (widths[layer + 1],)


def test_motif_table_contract(results, cfg):
    motifs = pd.read_csv(results / "tables/motifs.csv")
    assert list(motifs.columns[:10]) == [
        "ensemble", "seed", "level", "null", "motif", "count", "null_mean", "null_sd", "z", "p",
    ]  # fmt: skip
    assert set(motifs["ensemble"]) == {
        "trained", "random_pruned", "null_degree", "null_min1", "magnitude_init", "control_task",
    }  # fmt: skip
    assert set(motifs["draw"]) == {0}  # controls.null_samples: 1
    assert set(motifs["null"]) == set(cfg["motifs"]["nulls"])
    for null, fixed in FIXED_BY_NULL.items():
        sub = motifs[(motifs["null"] == null) & motifs["motif"].isin(MOTIFS)]
        if sub.empty:
            continue
        is_fixed = sub["motif"].isin(fixed)
        assert sub.loc[is_fixed, "z"].isna().all(), f"{null}: a fixed motif has a z-score"
        free = sub[~is_fixed]
        undefined = free["z"].isna()
        # a free motif has NaN z only where its null distribution is degenerate
        assert (free.loc[undefined, "null_sd"].fillna(0) == 0).all()
        assert free["z"].notna().mean() > 0.5

    # random_pruned mirrors every trained network and level (same per-layer edge counts,
    # checked in tests/motifs; live edges differ because random masks leave other dead nodes)
    def keys(ensemble):
        return set(map(tuple, motifs.loc[motifs.ensemble == ensemble, ["seed", "level"]].values))

    assert keys("trained") == keys("random_pruned") == keys("null_degree") == keys("null_min1")
    assert keys("trained") == keys("magnitude_init")
    # a sample of the degree null keeps every live node's degree, so the degree-fixed counts
    # (edges, 2- and 3-stars) equal the trained network's
    wide = motifs[motifs["null"] == "degree"].pivot_table(
        index=["seed", "level", "motif"], columns="ensemble", values="count"
    )
    fixed = wide.loc[wide.index.get_level_values("motif").isin(FIXED_BY_NULL["degree"])]
    assert (fixed["trained"] == fixed["null_degree"]).all()
    assert (wide["trained"] != wide["null_degree"]).any()  # but it is rewired


def test_delta_z_pairs_each_trained_network_with_its_init_pruned_one(results):
    """tables/delta_z.csv: z(trained) - z(magnitude_init) of the same seed, level, null, motif."""
    motifs = pd.read_csv(results / "tables/motifs.csv")
    dz = pd.read_csv(results / "tables/delta_z.csv")
    assert len(dz) and set(dz["ensemble"]) == {"trained"}
    z = motifs.set_index(["ensemble", "seed", "level", "null", "motif"])["z"]
    for r in dz.sample(min(len(dz), 25), random_state=0).itertuples():
        assert z[("trained", r.seed, r.level, r.null, r.motif)] == pytest.approx(r.z_trained)
        assert z[("magnitude_init", r.seed, r.level, r.null, r.motif)] == pytest.approx(r.z_init)
        assert r.delta_z == pytest.approx(r.z_trained - r.z_init)
    # pruned to the trained network's live counts, then stripped: never more live edges
    live = motifs[motifs["motif"] == "edges"].pivot_table(
        index=["seed", "level", "null"], columns="ensemble", values="live_edges"
    )
    assert (live["magnitude_init"] <= live["trained"]).all()
    summary = pd.read_csv(results / "tables/delta_z_summary.csv")
    assert len(summary) == len(dz.groupby(["ensemble", "null", "level", "motif"]))
    text = (results / "summary.md").read_text()
    assert "ΔZ > 0: training makes the motif more over-represented" in text


VERDICTS = {
    "converges",
    "does not converge",
    "not distinguishable from the control",
    "undetermined",
}


def test_verdict_table_contract(results, cfg):
    verdict = pd.read_csv(results / "tables/verdict.csv")
    overall = verdict[verdict["level"].astype(str) == "all"]
    assert sorted(overall["null"]) == sorted(cfg["motifs"]["nulls"])  # one row per null
    assert set(verdict["verdict"]) <= VERDICTS
    numbers = ["n_seeds", "similarity_trained", "similarity_null_samples", "delta"]
    assert set(numbers + ["delta_ci_low", "delta_ci_high", "reason"]) <= set(verdict.columns)
    per_level = verdict[verdict["level"].astype(str) != "all"]
    assert per_level["similarity_null_samples"].notna().any()
    # 4 seeds < the minimum ensemble size: the tiny study cannot decide
    assert (overall["verdict"] == "undetermined").all()
    summary = (results / "summary.md").read_text()
    assert "## Verdict" in summary and "conditional on width" in summary
    for _, row in overall.iterrows():
        assert f"**null = {row['null']}: {row['verdict']}.**" in summary


def test_calibration_table_contract(results, cfg):
    cal = pd.read_csv(results / "tables/calibration.csv")
    assert {"ensemble", "null", "motif", "n", "mean_z", "sd_z", "calibrated"} <= set(cal.columns)
    # random_pruned under fixed_count; null_min1 under fixed_count_min1 where that null runs
    expected = {"random_pruned"} | (
        {"null_min1"} if "fixed_count_min1" in cfg["motifs"]["nulls"] else set()
    )
    assert set(cal["ensemble"]) == expected
    assert set(cal.loc[cal["ensemble"] == "random_pruned", "null"]) == {"fixed_count"}
    assert cal["n"].min() > 0 and cal["sd_z"].notna().all()
    assert "## Calibration of the nulls" in (results / "summary.md").read_text()


def test_summary_states_answer(results):
    text = (results / "summary.md").read_text()
    assert "converge" in text.lower()
    assert any(ch.isdigit() for ch in text)


def test_report_html(study):
    proc = run_snakemake(
        "--configfile", TEST_CONFIG, "--report", "results/test/report.html", cwd=study
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (study / "results/test/report.html").read_text(errors="ignore")
    assert len(html) > 10_000
    # docutils reports problems in the workflow description and the captions inline, as
    # "System Message: WARNING/2 ..." boxes; a rendered report must show none
    assert "System Message" not in html and "system-message" not in html, html[
        max(0, html.find("System Message") - 500) : html.find("System Message") + 500
    ]
    assert "Duplicate explicit target name" not in proc.stderr, proc.stderr[-3000:]


def _dry_run(study, *args, env=None):
    proc = run_snakemake("-n", "--configfile", TEST_CONFIG, *args, cwd=study, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return job_counts(proc.stdout), proc.stdout


def test_finished_study_dry_runs_to_nothing(study):
    counts, out = _dry_run(study)
    assert counts == {}, out[-2000:]


def test_changing_null_samples_reruns_motifs_not_training(study, tmp_path):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("motifs:\n  samples: 25\n")
    counts, _ = _dry_run(study, str(overlay))
    assert counts.get("motifs", 0) > 0 and "aggregate" in counts
    assert not {"train", "simulate", "dataset"} & set(counts)


def test_adding_seeds_trains_only_new_chunks(study, cfg):
    counts, _ = _dry_run(study, "--config", f"seeds={cfg['seeds'] + 2}")
    # chunk_size 2: one new chunk for the trained and one for the control-task ensemble
    assert counts.get("train") == 2
    assert not {"simulate", "dataset"} & set(counts)


def test_editing_stage_code_reruns_that_stage(study, tmp_path):
    copy = tmp_path / "pkg"
    shutil.copytree(REPO / "src" / "sparsemotifs", copy / "sparsemotifs")
    env = snakemake_env(extra_path=copy)
    counts, out = _dry_run(study, env=env)
    assert counts == {}, "an identical copy of the code must not trigger reruns:\n" + out[-2000:]
    target = copy / "sparsemotifs" / "motifs" / "samplers.py"  # imported by the motif stage only
    target.write_text(target.read_text() + "\n# edited\n")
    counts, _ = _dry_run(study, env=env)
    assert counts.get("motifs", 0) > 0
    assert not {"train", "simulate", "dataset", "select", "select_subject"} & set(counts)
    target.write_text(target.read_text().removesuffix("\n# edited\n"))
    assert _dry_run(study, env=env)[0] == {}, "restoring the module must restore the fingerprint"


def test_editing_an_unrelated_module_does_not_rerun_motifs(study, tmp_path):
    copy = tmp_path / "pkg"
    shutil.copytree(REPO / "src" / "sparsemotifs", copy / "sparsemotifs")
    env = snakemake_env(extra_path=copy)
    target = copy / "sparsemotifs" / "report" / "plots.py"  # only the figures command imports it
    target.write_text(target.read_text() + "\n# edited\n")
    counts, out = _dry_run(study, env=env)
    assert counts.get("figures") == 1, out[-2000:]
    assert not {"motifs", "aggregate", "summary", "train", "simulate"} & set(counts)


def test_nan_losses_never_selected(results):
    levels = pd.read_csv(results / "tables/levels.csv")
    sel = levels[levels["selected"]]
    assert all(math.isfinite(v) for v in sel["loss_val"])


def test_published_comparison_beside_ours_or_a_note(results):
    """The published ensemble's rows beside ours when the reference data are reachable, else a
    note naming the setting; the study finishes either way."""
    from sparsemotifs.report import published_data

    table = pd.read_csv(results / "tables/published_comparison.csv")
    assert "trained" in set(table["ensemble"])
    text = (results / "summary.md").read_text()
    assert "## Our ensembles next to the published ensemble" in text
    assert "## The reference pipeline's own network" in text
    assert "## The reference study's choices, one at a time" in text
    choices = pd.read_csv(results / "tables/published_choices.csv")
    assert set(choices["ensemble"]) >= {"trained"} and choices["verdict"].notna().all()
    if published_data.missing_note() is None:
        assert "published" in set(table["ensemble"])
        ref = pd.read_csv(results / "tables/reference_network.csv")
        assert set(ref["null"]) == {"fixed_count", "fixed_count_min1", "degree", "reference"}
    else:
        assert published_data.SETTING in text
