"""Level selection on constructed loss curves, and the dead-output check against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.io import InputError, write_table
from sparsemotifs.training.selection import flag_dead_outputs, read_metrics, select_levels
from sparsemotifs.training.storage import dead_output_nodes, level_path, save_level

T = 1e-3


def _metrics(
    curves: dict[int, list], split_losses: str = "val", status: dict | None = None
) -> pd.DataFrame:
    rows = []
    for seed, losses in curves.items():
        for level, loss in enumerate(losses):
            other = 0.5 * T  # the other splits always pass: only `split_losses` decides
            row = {
                "seed": seed,
                "level": level,
                "cut_fraction": 0.1 * level,
                "weights_kept": 1 - 0.1 * level,
            }
            for split in ("train", "val", "test"):
                row[f"loss_{split}"] = loss if split == split_losses else other
            row["status"] = (status or {}).get((seed, level), "ok")
            row["dead_outputs"] = 0
            rows.append(row)
    return pd.DataFrame(rows)


CURVES = {
    0: [1e-4, 2e-4, 5e-4, 2e-3],  # clean cliff -> level 2 under both rules
    1: [1e-4, 2e-3, 5e-4, 3e-3],  # dip back under: first_failure 0, last_pass 2
    2: [2e-3, 5e-4, 4e-3],  # dense fails: first_failure none, last_pass 1
    3: [5e-3, 6e-3],  # never passes
    4: [1e-4, 1e-3, 9e-4],  # all pass (threshold inclusive) -> last level
}
EXPECTED = {
    "first_failure": {0: 2, 1: 0, 2: None, 3: None, 4: 2},
    "last_pass": {0: 2, 1: 2, 2: 1, 3: None, 4: 2},
}


def _selected(df):
    out = {}
    for seed, g in df.groupby("seed"):
        assert g["selected"].sum() <= 1
        sel = g[g["selected"]]
        out[seed] = int(sel["level"].iloc[0]) if len(sel) else None
    return out


@pytest.mark.parametrize("rule", ["first_failure", "last_pass"])
@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_rules_on_constructed_curves(rule, split):
    df = select_levels(_metrics(CURVES, split), {"threshold": T, "split": split, "rule": rule})
    assert _selected(df) == EXPECTED[rule]
    per_seed = df.groupby("seed")["selected_level"].first()
    assert {s: (None if pd.isna(v) else int(v)) for s, v in per_seed.items()} == EXPECTED[rule]
    assert set(df["selection_split"]) == {split}
    # the other split passes everywhere: selecting on it picks every seed's last level
    other = "val" if split == "train" else "train"
    df2 = select_levels(_metrics(CURVES, split), {"threshold": T, "split": other, "rule": rule})
    assert _selected(df2) == {s: len(c) - 1 for s, c in CURVES.items()}


def test_diverged_level_fails():
    curves = {0: [1e-4, 2e-4, 3e-4]}
    status = {(0, 1): "diverged"}
    df = select_levels(
        _metrics(curves, status=status).iloc[:2],
        {"threshold": T, "split": "val", "rule": "last_pass"},
    )
    assert _selected(df) == {0: 0}
    df = select_levels(
        _metrics(curves, status=status), {"threshold": T, "split": "val", "rule": "first_failure"}
    )
    assert _selected(df) == {0: 0}


def test_read_metrics_rejects_duplicates_and_gaps(tmp_path):
    df = _metrics(CURVES)
    write_table(df.iloc[:5], tmp_path / "a.csv")
    write_table(df.iloc[5:], tmp_path / "b.parquet")
    assert len(read_metrics([tmp_path / "a.csv", tmp_path / "b.parquet"])) == len(df)
    with pytest.raises(InputError, match="more than one"):
        read_metrics([tmp_path / "a.csv", tmp_path / "a.csv"])
    write_table(df.drop(index=1), tmp_path / "gap.csv")
    with pytest.raises(InputError, match="seed 0: levels"):
        read_metrics([tmp_path / "gap.csv"])
    with pytest.raises(InputError, match="missing.csv"):
        read_metrics([tmp_path / "missing.csv"])


def _brute_force_dead(masks):
    """Output j is dead if no input-to-output path exists (enumerate all node sequences)."""
    widths = [masks[0].shape[0]] + [m.shape[1] for m in masks]
    dead = np.ones(widths[-1], dtype=bool)
    for path in itertools.product(*[range(w) for w in widths]):
        if all(masks[li][path[li], path[li + 1]] for li in range(len(masks))):
            dead[path[-1]] = False
    return dead


def test_dead_outputs_match_path_enumeration():
    rng = np.random.default_rng(0)
    seen_dead = 0
    for _ in range(30):
        widths = [3, 4, 3, 3]
        masks = [rng.random((a, b)) < 0.3 for a, b in zip(widths[:-1], widths[1:], strict=True)]
        expected = _brute_force_dead(masks)
        np.testing.assert_array_equal(dead_output_nodes(masks), expected)
        seen_dead += expected.any() and not expected.all()
    assert seen_dead > 0  # the random cases include partly dead outputs


def test_dead_output_flag_from_files(tmp_path):
    widths = [3, 4, 2]
    df = _metrics({0: [1e-4, 1e-4], 1: [1e-4, 5e-3]})
    for seed, level in [(0, 1), (1, 0)]:
        masks = [np.ones((3, 4)), np.ones((4, 2))]
        if seed == 0:
            masks[1][:, 1] = 0  # output 1 has lost all its inputs
        else:
            masks[0][:, 2] = 0  # hidden node 2 has no input; output still reached via others
        weights = [m * 0.5 for m in masks]
        save_level(
            level_path(tmp_path, seed, level),
            weights,
            [np.zeros(w) for w in widths[1:]],
            masks,
            [np.ones(w) for w in widths[1:]],
        )
    levels = select_levels(df, {"threshold": T, "split": "val", "rule": "first_failure"})
    flagged = flag_dead_outputs(levels, tmp_path)
    sel = flagged[flagged["selected"]].set_index("seed")
    assert bool(sel.loc[0, "dead_output"]) and sel.loc[0, "dead_outputs"] == 1
    assert not bool(sel.loc[1, "dead_output"])


def test_dead_output_flag_from_training_metrics():
    df = _metrics({0: [1e-4, 1e-4], 1: [1e-4, 1e-4]})
    df.loc[(df.seed == 1) & (df.level == 1), "dead_outputs"] = 2
    flagged = flag_dead_outputs(
        select_levels(df, {"threshold": T, "split": "val", "rule": "last_pass"}), None
    )
    sel = flagged[flagged["selected"]].set_index("seed")["dead_output"]
    assert sel.to_dict() == {0: False, 1: True}
    with pytest.raises(InputError, match="networks-dir"):
        flag_dead_outputs(df.drop(columns="dead_outputs").assign(selected=False), None)
