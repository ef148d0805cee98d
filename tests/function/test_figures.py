"""The figure functions write their files from small tables (and from empty ones)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.cli import main
from sparsemotifs.function.closed_loop import CLOSED_LOOP_COLUMNS
from sparsemotifs.function.figures import (
    function_vs_loss,
    plot_function_vs_sparsity,
    save_figure,
)
from sparsemotifs.weights.figures import plot_weight_separation, plot_weights_vs_sparsity


def _levels(n_seeds=4, n_levels=5):
    rows = [
        {"seed": s, "level": k, "weights_kept": 0.7**k, "loss_test": 1e-3 * 1.5**k + 1e-5 * s,
         "status": "ok"}
        for s in range(n_seeds) for k in range(n_levels)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def _closed_loop(levels):
    rng = np.random.default_rng(0)
    rows = []
    for _, r in levels.iterrows():
        base = 0.1 * 2.0 ** r["level"]
        row = {"ensemble": "trained", "seed": r["seed"], "level": r["level"], "n_trajectories": 50,
               "n_failed": 0}  # fmt: skip
        for name in ("position", "theta", "phi"):
            unit = "cm" if name == "position" else "rad"
            row[f"{name}_median_{unit}"] = base * rng.uniform(0.8, 1.2)
            row[f"{name}_p90_{unit}"] = 3 * base
        rows.append(row)
    return pd.DataFrame(rows, columns=CLOSED_LOOP_COLUMNS)


def _weights(levels):
    rows = []
    for ens in ("trained", "control_task"):
        for _, r in levels.iterrows():
            for layer in range(3):
                for metric in ("fluctuation", "strength", "strength_abs", "weight"):
                    rows.append({"ensemble": ens, "seed": r["seed"], "level": r["level"],
                                 "layer": layer, "metric": metric, "value": 1.0 + r["level"],
                                 "sd": 0.5})  # fmt: skip
    return pd.DataFrame(rows)


def test_function_figure_files(tmp_path):
    levels = _levels()
    fig = plot_function_vs_sparsity(_closed_loop(levels), levels)
    paths = save_figure(fig, tmp_path, "closed_loop_vs_sparsity")
    assert [p.name for p in paths] == ["closed_loop_vs_sparsity.png", "closed_loop_vs_sparsity.pdf"]
    assert all(p.stat().st_size > 1000 for p in paths)
    empty = plot_function_vs_sparsity(pd.DataFrame(columns=CLOSED_LOOP_COLUMNS), levels)
    assert save_figure(empty, tmp_path, "empty")[0].exists()


def test_function_vs_loss_relative_degradation():
    levels = _levels()
    rel = function_vs_loss(_closed_loop(levels), levels)
    assert rel["loss_test_rel"].iloc[0] == pytest.approx(1.0)
    assert rel["position_median_cm_rel"].iloc[-1] > 8  # 2^4 with +-20 % noise


def test_weight_figures_and_cli(tmp_path):
    levels = _levels()
    table = _weights(levels)
    save_figure(plot_weights_vs_sparsity(table, {"trained": levels}), tmp_path, "w")
    assert (tmp_path / "w.png").stat().st_size > 1000
    compare = pd.DataFrame(
        {"comparison": "loss_bins", "ensemble_a": "trained", "metric": "strength",
         "level": [0, 1], "kl_ratio": [2.0, 3.0]}
    )  # fmt: skip
    save_figure(plot_weight_separation(compare), tmp_path, "s")
    assert (tmp_path / "s.pdf").exists()
    # through the CLI, with the table as the `weights` command writes it
    full = table.reindex(
        columns=["ensemble", "seed", "level", "layer", "metric", "value", "n", "sd", "min",
                 "q05", "q25", "median", "q75", "q95", "max"]
    )  # fmt: skip
    full.to_csv(tmp_path / "weights.csv", index=False)
    levels.to_csv(tmp_path / "levels.csv", index=False)
    compare.to_csv(tmp_path / "cmp.csv", index=False)
    out = tmp_path / "figs"
    args = ["weights-figure", "--table", str(tmp_path / "weights.csv"), "--compare",
            str(tmp_path / "cmp.csv"), "--levels", f"trained={tmp_path / 'levels.csv'}",
            "--out-dir", str(out)]  # fmt: skip
    assert main(args) == 0
    assert (out / "weights_vs_sparsity.png").exists() and (out / "weights_separation.png").exists()
    _closed_loop(levels).to_csv(tmp_path / "cl.csv", index=False)
    assert main(["function", "figure", "--closed-loop", str(tmp_path / "cl.csv"), "--levels",
                 str(tmp_path / "levels.csv"), "--out-dir", str(out)]) == 0  # fmt: skip
    assert (out / "closed_loop_vs_sparsity.png").exists()


def test_function_figure_draws_one_line_per_variant(tmp_path, capsys):
    levels = pd.concat(
        [_levels().assign(ensemble=name) for name in ("first", "second")], ignore_index=True
    )
    cl = pd.concat(
        [
            _closed_loop(_levels()).assign(ensemble="first"),
            _closed_loop(_levels()).assign(ensemble="second"),
        ],
        ignore_index=True,
    )
    fig = plot_function_vs_sparsity(cl, levels)
    labels = [line.get_label() for line in fig.axes[1].get_lines()]
    assert labels == ["first", "second"]
    assert {line.get_label() for line in fig.axes[2].get_lines()} == {
        "first theta", "first phi", "second theta", "second phi"
    }  # fmt: skip
    assert save_figure(fig, tmp_path, "variants")[0].stat().st_size > 1000
    # through the CLI: one levels table per flown variant
    paths = []
    for name in ("first", "second"):
        paths.append(str(tmp_path / f"{name}_levels.csv"))
        levels[levels.ensemble == name].to_csv(paths[-1], index=False)
    cl.to_csv(tmp_path / "cl.csv", index=False)
    out = tmp_path / "figs"
    args = ["function", "figure", "--closed-loop", str(tmp_path / "cl.csv"), "--levels", *paths]
    assert main([*args, "--out-dir", str(out)]) == 0
    assert (out / "closed_loop_vs_sparsity.png").exists()
    # a levels table that does not say whose it is cannot be matched with two variants' rows
    levels.drop(columns="ensemble").to_csv(paths[1], index=False)
    assert main([*args, "--out-dir", str(out)]) == 2
    assert "second_levels.csv: no 'ensemble' column" in capsys.readouterr().err
