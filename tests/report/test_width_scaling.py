"""Motif statistics against width (issue 14 item 4): by hand on constructed tables, the
published point against the shared data read independently, the CLI and the DAG."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.cli import main
from sparsemotifs.report import published_data
from sparsemotifs.report.width_scaling import (
    nearest_level,
    ours,
    published,
    width_scaling_table,
)
from tests.conftest import REPO, run_snakemake

CUTS = {0: 0.0, 1: 0.9, 2: 0.93}


def _levels(ensemble, n_seeds=6, failing=(), selected_level=2):
    rows = []
    for seed in range(n_seeds):
        for level, cut in CUTS.items():
            rows.append({"ensemble": ensemble, "seed": seed, "level": level, "cut_fraction": cut,
                         "status": "ok", "selected": level == selected_level,
                         "passes": not (level == 2 and seed in failing)})  # fmt: skip
    return pd.DataFrame(rows)


def _motifs(ensemble, edges, z_of_seed, n_seeds=6):
    rows = []
    for seed in range(n_seeds):
        for level in CUTS:
            for null in ("fixed_count", "degree"):
                z = z_of_seed(seed)
                rows.append({"ensemble": ensemble, "seed": seed, "level": level, "null": null,
                             "motif": "bi_fan", "count": 150.0, "null_mean": 100.0, "null_sd": 5.0,
                             "z": z, "live_edges": edges, "draw": 0})  # fmt: skip
    return pd.DataFrame(rows)


def test_nearest_level_by_hand():
    lv = pd.DataFrame({"level": [0, 1, 2, 3], "cut_fraction": [0.0, 0.92, 0.94, 0.97]})
    assert nearest_level(lv, 0.93) == "2"  # 0.92 and 0.94 tie: the sparser one
    assert nearest_level(lv, 0.5) == "1" and nearest_level(lv, 1.0) == "3"
    assert nearest_level(lv.iloc[:0], 0.93) is None


def test_our_rows_by_hand_with_passing_only_and_lookups():
    levels = pd.concat([_levels("w48", failing=(5,)), _levels("w96")], ignore_index=True)
    motifs = pd.concat(
        [_motifs("w48", 400.0, lambda s: 2.0 + s), _motifs("w96", 1600.0, lambda s: 4.0 + 2 * s)],
        ignore_index=True,
    )
    motifs.loc[(motifs.ensemble == "w48") & (motifs.seed == 5) & (motifs.level == 2), "z"] = 99.0
    verdict = pd.DataFrame([{"ensemble": "w96", "null": "degree", "level": "2",
                             "verdict": "converges"}])  # fmt: skip
    profile = pd.DataFrame([{"ensemble": "w48", "null": "degree", "level": "selected",
                             "mean_r": 0.8}])  # fmt: skip
    t = ours(motifs, levels, {"w48": 48, "w96": 96}, verdict, profile, n_boot=200)
    t = t.set_index(["ensemble", "null", "level"])
    fixed48 = t.loc[("w48", "degree", "2")]
    # seed 5 fails at level 2: z 2..6 (mean 4), its 99 never enters; at `selected` it does
    assert fixed48["n_networks"] == 5 and fixed48["mean_z"] == pytest.approx(4.0)
    assert t.loc[("w48", "degree", "selected"), "mean_z"] == pytest.approx(
        (2 + 3 + 4 + 5 + 6 + 99) / 6
    )
    assert fixed48["mean_z_per_sqrt_edges"] == pytest.approx(4.0 / 20.0)
    assert fixed48["mean_rel_excess"] == pytest.approx(0.5)
    assert fixed48["cut_fraction"] == pytest.approx(0.93) and fixed48["hidden_width"] == 48
    w96 = t.loc[("w96", "degree", "2")]
    assert w96["mean_z"] == pytest.approx(9.0) and w96["mean_z_per_sqrt_edges"] == pytest.approx(
        9 / 40
    )
    assert w96["verdict"] == "converges" and np.isnan(fixed48["mean_r"])
    assert t.loc[("w48", "degree", "selected"), "mean_r"] == pytest.approx(0.8)
    assert fixed48["z_ci_low"] <= 4.0 <= fixed48["z_ci_high"]


def test_published_point_matches_the_shared_data():
    zscores = published_data.load_motif_zscores()
    if zscores is None:
        pytest.skip(f"the reference study's data are absent: {published_data.missing_note()}")
    t = published(zscores, n_boot=200).set_index("motif")
    raw = pd.read_csv(published_data.reference_data_dir() / published_data.ZSCORES_FILE)
    raw = raw[(raw["cut_fraction"].round(2) == 0.93) & (raw["motif"] == "bi_fan")]
    raw = raw[np.isfinite(raw["z"])]
    assert t.loc["bi_fan", "mean_z"] == pytest.approx(raw["z"].mean())
    assert t.loc["bi_fan", "n_networks"] == raw["network"].nunique()
    assert t.loc["bi_fan", "mean_z_per_sqrt_edges"] == pytest.approx(
        (raw["z"] / np.sqrt(raw["edges"])).mean()
    )
    assert t.loc["bi_fan", "hidden_width"] == 400 and t.loc["bi_fan", "null"] == "reference"
    assert 15 < t.loc["bi_fan", "mean_z"] < 25  # the published 20.0 +- 2.9
    assert 0 < t.loc["bi_fan", "mean_r"] <= 1
    assert published(None).empty


def test_cli_writes_the_table_and_figure_and_refuses_bad_widths(tmp_path, capsys):
    levels = {"w48": _levels("w48"), "w96": _levels("w96")}
    args = []
    for name, lv in levels.items():
        lv.drop(columns="ensemble").to_csv(tmp_path / f"{name}.csv", index=False)
        args += ["--levels", f"{name}={tmp_path / f'{name}.csv'}"]
    motifs = pd.concat(
        [_motifs("w48", 400.0, lambda s: 2.0 + s), _motifs("w96", 1600.0, lambda s: 4.0 + s)]
    )
    motifs.to_csv(tmp_path / "motifs.csv", index=False)
    pd.DataFrame(columns=["ensemble", "null", "level", "verdict"]).to_csv(
        tmp_path / "verdict.csv", index=False
    )
    pd.DataFrame(columns=["ensemble", "null", "level", "mean_r"]).to_csv(
        tmp_path / "prof.csv", index=False
    )
    common = [
        "published", "width-scaling", *args, "--motifs", str(tmp_path / "motifs.csv"),
        "--verdict", str(tmp_path / "verdict.csv"), "--profile-similarity",
        str(tmp_path / "prof.csv"), "--bootstrap", "100", "--figures-dir", str(tmp_path / "f"),
    ]  # fmt: skip
    out = tmp_path / "width_scaling.csv"
    assert main([*common, "--width", "w48=48", "--width", "w96=96", "--out", str(out)]) == 0
    t = pd.read_csv(out)
    present = published_data.load_motif_zscores() is not None  # absent: skipped, not an error
    assert list(dict.fromkeys(t["source"])) == ["ours", "published"][: 1 + present]
    assert set(t.loc[t.source == "ours", "hidden_width"]) == {48, 96}
    assert (tmp_path / "f/width_scaling.png").stat().st_size > 0
    capsys.readouterr()
    assert main([*common, "--width", "w48=wide", "--out", str(tmp_path / "x.csv")]) != 0
    assert "the width is not an integer" in capsys.readouterr().err
    assert main([*common, "--width", "w192=192", "--out", str(tmp_path / "x.csv")]) != 0
    assert "without --levels: w192" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_table_orders_ours_by_width_then_published():
    a = pd.DataFrame([{"source": "ours", "ensemble": "w96", "hidden_width": 96, "null": "degree",
                       "level": "2", "motif": "bi_fan"},
                      {"source": "ours", "ensemble": "w48", "hidden_width": 48, "null": "degree",
                       "level": "2", "motif": "bi_fan"}])  # fmt: skip
    b = pd.DataFrame([{"source": "published", "ensemble": "published", "hidden_width": 400,
                       "null": "reference", "level": "12", "motif": "bi_fan"}])  # fmt: skip
    t = width_scaling_table(a, b)
    assert list(t["hidden_width"]) == [48, 96, 400]


@pytest.mark.xdist_group("snakemake")
def test_scaling_config_plans_the_width_scaling_job_and_the_default_does_not(tmp_path):
    proc = run_snakemake("-n", "--configfile", str(REPO / "config/scaling.yaml"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "width_scaling" in proc.stdout
    proc = run_snakemake("-n", "--configfile", str(REPO / "config/config.yaml"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "width_scaling" not in proc.stdout


def test_fixed_level_is_the_sparsest_every_width_still_passes():
    from sparsemotifs.report.width_scaling import common_level

    narrow = _levels("w48", failing=(0, 1))  # 4 of 6 pass at level 2: too few
    levels = pd.concat([narrow, _levels("w96")], ignore_index=True)
    assert common_level(levels, ["w48", "w96"]) == "1"
    assert common_level(levels, ["w96"]) == "2"
    assert common_level(levels, ["w48", "w96"], min_networks=7) is None
    motifs = pd.concat(
        [_motifs("w48", 400.0, lambda s: 2.0 + s), _motifs("w96", 1600.0, lambda s: 4.0 + s)]
    )
    t = ours(motifs, levels, {"w48": 48, "w96": 96}, n_boot=100)
    assert set(t.loc[t["level"] != "selected", "level"]) == {"1"}
    assert set(t.loc[t["level"] != "selected", "cut_fraction"]) == {0.9}
