"""`sparsemotifs aggregate | figures | summary` end to end on synthetic CSVs."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from sparsemotifs import cli
from sparsemotifs.report import plots


@pytest.fixture
def main(monkeypatch):
    """The real entry point, with only this module's commands (other stages may be absent)."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ["sparsemotifs.report.cli"])
    return cli.main


@pytest.fixture
def inputs(synthetic, tmp_path):
    levels, motifs = synthetic(n_seeds=5)
    paths = {
        "levels": tmp_path / "levels.csv",
        "control": tmp_path / "control_levels.csv",
        "motifs": tmp_path / "motifs.csv",
        "per_layer": tmp_path / "per_layer.csv",
    }
    levels[levels.ensemble == "trained"].drop(columns="ensemble").to_csv(
        paths["levels"], index=False
    )
    levels[levels.ensemble == "control_task"].drop(columns="ensemble").to_csv(
        paths["control"], index=False
    )
    motifs.to_csv(paths["motifs"], index=False)
    pd.concat([motifs.assign(layer=k) for k in range(2)]).to_csv(paths["per_layer"], index=False)
    return paths


def test_aggregate_figures_summary(main, inputs, tmp_path):
    tables = tmp_path / "tables"
    common = [
        "--levels",
        str(inputs["levels"]),
        "--control-levels",
        str(inputs["control"]),
        "--motifs",
        str(inputs["motifs"]),
    ]
    rc = main(
        [
            "aggregate",
            *common,
            "--per-layer",
            str(inputs["per_layer"]),
            "--out-dir",
            str(tables),
            "--seed",
            "3",
            "--permutations",
            "49",
            "--bootstrap",
            "100",
        ]
    )
    assert rc == 0
    names = {
        "convergence",
        "profile_similarity",
        "permutation_tests",
        "dispersion_trend",
        "convergence_per_layer",
        "verdict",
        "calibration",
        "delta_z",
        "delta_z_summary",
        "variant_effects",
    }
    assert {p.stem for p in tables.glob("*.csv")} == names
    conv = pd.read_csv(tables / "convergence.csv")
    assert set(conv.ensemble) == {"trained", "random_pruned", "control_task"}
    assert "selected" in set(conv.level.astype(str))

    figs = tmp_path / "figs"
    assert (
        main(
            [
                "figures",
                *common,
                "--tables-dir",
                str(tables),
                "--out-dir",
                str(figs),
                "--threshold",
                "1e-3",
            ]
        )
        == 0
    )
    assert {p.name for p in figs.iterdir()} == {
        f"{n}.{e}" for n in plots.FIGURE_NAMES for e in ("png", "pdf")
    }

    config = tmp_path / "resolved.yaml"
    study = {
        "study": "demo",
        "seeds": 5,
        "selection": {"threshold": 0.001, "split": "val", "rule": "first_failure"},
    }
    # the workflow passes the provenance document: the config nested under `config`
    config.write_text(yaml.safe_dump({"git_commit": "abc123", "config": study}))
    out = tmp_path / "summary.md"
    assert (
        main(
            [
                "summary",
                *common,
                "--tables-dir",
                str(tables),
                "--out",
                str(out),
                "--config",
                str(config),
            ]
        )
        == 0
    )
    text = out.read_text()
    assert "git commit `abc123`" in text
    assert "Share of trained networks with val loss ≤ 0.001" in text
    assert "Study `demo`: 5 seeds" in text and "## Verdict" in text


def test_missing_column_exits_2_naming_file_and_column(main, inputs, tmp_path, capsys):
    bad = tmp_path / "bad_motifs.csv"
    pd.read_csv(inputs["motifs"]).drop(columns="null_sd").to_csv(bad, index=False)
    out_dir = tmp_path / "tables"
    rc = main(
        [
            "aggregate",
            "--levels",
            str(inputs["levels"]),
            "--motifs",
            str(bad),
            "--out-dir",
            str(out_dir),
        ]
    )
    assert rc == 2
    err = capsys.readouterr().err
    assert "sparsemotifs aggregate: error:" in err and "bad_motifs.csv" in err
    assert "'null_sd'" in err
    assert not out_dir.exists()  # no partial output


def test_missing_layer_column_and_missing_tables(main, inputs, tmp_path, capsys):
    rc = main(
        [
            "aggregate",
            "--levels",
            str(inputs["levels"]),
            "--motifs",
            str(inputs["motifs"]),
            "--per-layer",
            str(inputs["motifs"]),
            "--out-dir",
            str(tmp_path / "t"),
        ]
    )
    assert rc == 2 and "'layer'" in capsys.readouterr().err
    rc = main(
        [
            "summary",
            "--levels",
            str(inputs["levels"]),
            "--motifs",
            str(inputs["motifs"]),
            "--tables-dir",
            str(tmp_path / "nowhere"),
            "--out",
            str(tmp_path / "s.md"),
        ]
    )
    assert rc == 2 and "convergence.csv: file not found" in capsys.readouterr().err
    assert not (tmp_path / "s.md").exists()
