"""Ensemble training and pruning: per-seed independence, masks, early stopping, resume, divergence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from sparsemotifs.io import load_npz
from sparsemotifs.training.ensemble import Layout, initial_parameters
from sparsemotifs.training.pruning import keep_count
from sparsemotifs.training.storage import level_path
from sparsemotifs.training.trainer import CHECKPOINT_NAME, EnsembleTrainer, train_ensemble

from .conftest import sections


def _rows(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    return (
        df[df.seed == seed].drop(columns="wall_time_s").sort_values("level").reset_index(drop=True)
    )


def _assert_same_files(dir_a, dir_b, seed, levels):
    for level in levels:
        a, b = load_npz(level_path(dir_a, seed, level)), load_npz(level_path(dir_b, seed, level))
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(
                a[key], b[key], err_msg=f"seed {seed} level {level} {key}"
            )


def test_masks_shrink_counts_exact_and_pruned_weights_stay_zero(task, tmp_path):
    net, tr, pr = sections(pruning={"schedule": [0.3, 0.6, 0.85]})
    df = train_ensemble(task, [0, 1], net, tr, pr, out_dir=tmp_path, checkpoint_dir=tmp_path / "ck")
    widths = net["widths"]
    for seed in (0, 1):
        prev = None
        for level, fraction in enumerate([0.0, 0.3, 0.6, 0.85]):
            arrays = load_npz(level_path(tmp_path, seed, level))
            row = df[(df.seed == seed) & (df.level == level)].iloc[0]
            for li in range(len(widths) - 1):
                mask, weight = arrays[f"mask_{li}"].astype(bool), arrays[f"weight_{li}"]
                bias_mask, bias = arrays[f"bias_mask_{li}"].astype(bool), arrays[f"bias_{li}"]
                assert mask.shape == (widths[li], widths[li + 1])
                assert mask.sum() == keep_count(mask.size, fraction) == row[f"edges_kept_{li}"]
                assert bias_mask.sum() == keep_count(bias_mask.size, fraction)
                assert np.all(weight[~mask] == 0) and np.all(bias[~bias_mask] == 0)
                assert np.all(weight[mask] != 0)  # survivors were trained, not zeroed
                if prev is not None:
                    assert np.all(mask <= prev[f"mask_{li}"]) and np.all(
                        bias_mask <= prev[f"bias_mask_{li}"]
                    )
            prev = arrays
        assert row["weights_kept"] == pytest.approx(
            sum(keep_count(a * b, 0.85) for a, b in zip(widths[:-1], widths[1:], strict=True))
            / sum(a * b for a, b in zip(widths[:-1], widths[1:], strict=True))
        )
    # the checkpoint holds Adam moments: those of pruned entries were cleared and stay 0
    payload = torch.load(tmp_path / "ck" / CHECKPOINT_NAME, weights_only=True)
    pruned = payload["masks"] == 0
    assert pruned.any()
    assert torch.all(payload["exp_avg"][pruned] == 0) and torch.all(
        payload["exp_avg_sq"][pruned] == 0
    )


def test_network_independent_of_chunk_composition(task, tmp_path):
    """Tolerance: none. On CPU with a fixed thread count the batched matmuls give each network the
    same bits whatever K is (this test would tell if a torch version ever changed that)."""
    net, tr, pr = sections(
        training={
            "early_stopping": {
                "rule": "paper",
                "warmup": 20,
                "window": 8,
                "check_every": 4,
                "ratio": 1.001,
            }
        }
    )
    runs = {}
    for name, seeds in {"alone": [3], "batch": [0, 3, 5], "other": [7, 3]}.items():
        runs[name] = (
            train_ensemble(task, seeds, net, tr, pr, out_dir=tmp_path / name),
            tmp_path / name,
        )
    ref = _rows(runs["alone"][0], 3)
    assert len(ref) == 4
    for name in ("batch", "other"):
        pd.testing.assert_frame_equal(_rows(runs[name][0], 3), ref, check_exact=True)
        _assert_same_files(tmp_path / "alone", runs[name][1], 3, range(4))
    # and the seeds really differ from each other
    assert _rows(runs["batch"][0], 0)["loss_train"].iloc[0] != ref["loss_train"].iloc[0]


def test_early_stopping_is_per_network(task):
    """A network with lr 0 has a flat validation curve: the windowed rule stops it at its first
    check; the learning networks go on to the step cap, unchanged by their stopped neighbour."""
    net, tr, pr = sections(
        training={
            "max_epochs_per_level": 4,
            "early_stopping": {
                "rule": "paper",
                "warmup": 20,
                "window": 8,
                "check_every": 5,
                "ratio": 1.0001,
            },
        },
        pruning={"schedule": [0.5]},
    )
    trainer = EnsembleTrainer(task, [0, 1, 2], net, tr, pr, lr_overrides={1: 0.0})
    cap = trainer.step_cap
    df = trainer.run()
    frozen = df[(df.seed == 1) & (df.level == 0)].iloc[0]
    assert frozen["stopped_early"] and frozen["steps"] == 20  # first check at max(warmup, 2*window)
    for seed in (0, 2):
        row = df[(df.seed == seed) & (df.level == 0)].iloc[0]
        assert not row["stopped_early"] and row["steps"] == cap
    alone = EnsembleTrainer(task, [0, 2], net, tr, pr).run()
    for seed in (0, 2):
        pd.testing.assert_frame_equal(
            _rows(df, seed).drop(columns="lr"), _rows(alone, seed).drop(columns="lr")
        )


def test_patience_rule_stops_after_patience_checks(task, tmp_path):
    net, tr, pr = sections(
        training={
            "max_epochs_per_level": 4,
            "early_stopping": {"rule": "patience", "warmup": 0, "check_every": 3, "patience": 2},
        },
        pruning={"schedule": [0.5]},
    )
    df = train_ensemble(task, [0, 1], net, tr, pr, lr_overrides={1: 0.0}, out_dir=tmp_path)
    frozen = df[(df.seed == 1) & (df.level == 0)].iloc[0]
    # best at check 1, no improvement at checks 2 and 3 -> stops after 3 checks
    assert frozen["stopped_early"] and frozen["steps"] == 9
    # lr 0: the weights are still the initial ones (nothing changed while it was frozen either)
    layout = Layout(tuple(net["widths"]), 1)
    init = initial_parameters([1], net["widths"], "paper", 1.0)
    saved = load_npz(level_path(tmp_path, 1, 0))
    np.testing.assert_array_equal(saved["weight_0"], layout.view(init, "weight", 0)[0].numpy())


class _Interrupt(Exception):
    pass


def test_resume_after_kill_is_bit_identical(task, tmp_path):
    net, tr, pr = sections(
        training={
            "early_stopping": {
                "rule": "paper",
                "warmup": 20,
                "window": 8,
                "check_every": 4,
                "ratio": 1.001,
            }
        }
    )
    seeds = [0, 1, 2]
    full = train_ensemble(task, seeds, net, tr, pr, out_dir=tmp_path / "full")

    def kill_after_level_2(level):
        if level == 2:
            raise _Interrupt

    with pytest.raises(_Interrupt):
        train_ensemble(
            task,
            seeds,
            net,
            tr,
            pr,
            out_dir=tmp_path / "cut",
            checkpoint_dir=tmp_path / "ck",
            on_level_end=kill_after_level_2,
        )
    levels_done = []
    resumed = train_ensemble(
        task,
        seeds,
        net,
        tr,
        pr,
        out_dir=tmp_path / "cut",
        checkpoint_dir=tmp_path / "ck",
        on_level_end=levels_done.append,
    )
    assert levels_done == [3]  # only the last level ran again
    pd.testing.assert_frame_equal(
        resumed.drop(columns="wall_time_s"), full.drop(columns="wall_time_s"), check_exact=True
    )
    for seed in seeds:
        _assert_same_files(tmp_path / "full", tmp_path / "cut", seed, range(4))


def test_stale_checkpoint_is_ignored(task, tmp_path):
    net, tr, pr = sections(pruning={"schedule": [0.5]})
    train_ensemble(task, [0], net, tr, pr, checkpoint_dir=tmp_path)
    net2, tr2, pr2 = sections(training={"lr": 0.02}, pruning={"schedule": [0.5]})
    calls = []
    train_ensemble(task, [0], net2, tr2, pr2, checkpoint_dir=tmp_path, on_level_end=calls.append)
    assert calls == [0, 1]


def test_divergence_marks_one_network_and_spares_the_others(task, tmp_path):
    net, tr, pr = sections(training={"early_stopping": {"rule": "none", "check_every": 4}})
    df = train_ensemble(
        task, [0, 1, 2], net, tr, pr, lr_overrides={1: 1e30}, out_dir=tmp_path / "a"
    )
    bad = df[df.seed == 1]
    assert list(bad["level"]) == [0] and list(bad["status"]) == ["diverged"]
    assert not bad["stopped_early"].iloc[0]
    assert bad["steps"].iloc[0] == 4  # frozen at the first check after its loss became non-finite
    clean = train_ensemble(task, [0, 2], net, tr, pr, out_dir=tmp_path / "b")
    for seed in (0, 2):
        assert set(_rows(df, seed)["status"]) == {"ok"}
        pd.testing.assert_frame_equal(_rows(df, seed), _rows(clean, seed), check_exact=True)
        _assert_same_files(tmp_path / "a", tmp_path / "b", seed, range(4))


def test_training_beats_predicting_the_mean(task):
    net, tr, pr = sections(
        network={"widths": [10, 24, 24, 7]},
        training={"max_epochs_per_level": 12},
        pruning={"schedule": [0.5]},
    )
    df = train_ensemble(task, [0, 1], net, tr, pr)
    baseline = float(np.mean((task.y["test"] - task.y["train"].mean(0)) ** 2))
    assert (df["status"] == "ok").all()
    assert df["loss_test"].max() < 0.25 * baseline
    per_output = df[[c for c in df.columns if c.startswith("loss_test_")]].to_numpy()
    np.testing.assert_allclose(per_output.mean(1), df["loss_test"], rtol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "linear"])
def test_global_scope_without_bias_pruning(task, tmp_path, activation):
    net, tr, pr = sections(
        network={"activation": activation, "init": "kaiming_normal"},
        training={"max_epochs_per_level": 1},
        pruning={"schedule": [0.6], "scope": "global", "prune_biases": False},
    )
    df = train_ensemble(task, [0], net, tr, pr, out_dir=tmp_path)
    widths = net["widths"]
    dense = sum(a * b for a, b in zip(widths[:-1], widths[1:], strict=True))
    arrays = load_npz(level_path(tmp_path, 0, 1))
    kept = [int(arrays[f"mask_{li}"].sum()) for li in range(len(widths) - 1)]
    assert sum(kept) == keep_count(dense, 0.6)
    assert (
        len(
            set(
                np.round(
                    np.array(kept)
                    / np.array([a * b for a, b in zip(widths[:-1], widths[1:], strict=True)]),
                    3,
                )
            )
        )
        > 1
    )
    assert all(arrays[f"bias_mask_{li}"].all() for li in range(len(widths) - 1))
    assert set(df["status"]) == {"ok"}
