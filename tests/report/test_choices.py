"""The choices table: one row per switched choice, the right numbers in the right row."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from sparsemotifs.cli import main
from sparsemotifs.report import choices

VARIANTS = {
    "faithful": {"pruning": {"bias_cutoff": "weight"}, "selection": {"split": "train"}},
    "corrected": {"pruning": {"bias_cutoff": "own"}, "selection": {"split": "val"}},
    "val_only": {"pruning": {"bias_cutoff": "weight"}, "selection": {"split": "val"}},
}


def _comparison() -> pd.DataFrame:
    rows = []
    # z mean = 100 * ensemble index + 10 * null index + motif index: every cell is traceable
    ensembles = ["faithful", "corrected", "val_only", "published"]
    for ei, ens in enumerate(ensembles):
        nulls = ["reference"] if ens == "published" else ["reference", "degree"]
        for ni, null in enumerate(nulls):
            for mi, motif in enumerate(choices.MOTIFS):
                if motif == "connected_pairs_2" and null != "reference":
                    continue  # count only off the reference null
                rows.append({"ensemble": ens, "quantity": "z_selected", "null": null,
                             "motif": motif, "n": 12 - ei, "mean": 100 * ei + 10 * ni + mi,
                             "sd": 1.0})  # fmt: skip
    rows.append({"ensemble": "faithful", "quantity": "z", "null": "reference", "motif": "bi_fan",
                 "n": 3, "mean": -1.0, "sd": 0.0})  # fmt: skip
    return pd.DataFrame(rows)


def _verdict() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"ensemble": "faithful", "null": "degree", "level": "selected", "verdict": "converges"},
            {"ensemble": "faithful", "null": "reference", "level": "selected",
             "verdict": "does not converge"},
            {"ensemble": "faithful", "null": "degree", "level": "9", "verdict": "undetermined"},
        ]
    )  # fmt: skip


def test_rows_switch_one_choice_each_with_their_own_numbers():
    ref_net = pd.DataFrame(
        {"null": ["reference", "reference", "degree"], "motif": ["bi_fan", "chain_2", "bi_fan"],
         "cut_fraction": [0.93, 0.93, 0.93], "z": [209.0, -3.0, 12.0]}
    )  # fmt: skip
    table = choices.choices_table(_comparison(), _verdict(), VARIANTS, "faithful", ref_net)
    assert list(table["choice"]) == [
        "published", "reproduction", "null model", "corrected", "val_only", "reference network",
    ]  # fmt: skip
    by = table.set_index("choice")
    assert by.at["published", "bi_fan_mean"] == 300 and by.at["published", "verdict"] == "-"
    assert by.at["reproduction", "bi_fan_mean"] == 0 and by.at["reproduction", "n"] == 12
    assert by.at["reproduction", "verdict"] == "does not converge"
    assert by.at["null model", "null"] == "degree" and by.at["null model", "bi_fan_mean"] == 10
    assert by.at["null model", "verdict"] == "converges"
    assert np.isnan(by.at["null model", "connected_pairs_2_mean"])  # not scored off the reference
    assert by.at["null model", "chain_2_mean"] == 10 + choices.MOTIFS.index("chain_2")
    assert by.at["corrected", "bi_parallel_mean"] == 101 and by.at["corrected", "verdict"] == "-"
    assert by.at["corrected", "change"] == (
        "pruning.bias_cutoff weight -> own, selection.split train -> val"
    )
    assert by.at["val_only", "change"] == "selection.split train -> val"
    assert by.at["reference network", "bi_fan_mean"] == 209
    assert by.at["reference network", "chain_2_mean"] == -3 and by.at["reference network", "n"] == 1
    text = "\n".join(choices.summary_section(table))
    assert "| reproduction | our faithful networks | 12 | 0.0 ± 1.0 |" in text
    assert "209.0" in text


def test_command_writes_table_and_section_and_notes_a_missing_published_ensemble(tmp_path):
    comp = _comparison()
    comp = comp[comp["ensemble"] != "published"]
    paths = {n: tmp_path / f"{n}.csv" for n in ("comparison", "verdict")}
    comp.to_csv(paths["comparison"], index=False)
    _verdict().to_csv(paths["verdict"], index=False)
    out, md = tmp_path / "choices.csv", tmp_path / "choices.md"
    assert main(["published", "choices", "--comparison", str(paths["comparison"]),
                 "--verdict", str(paths["verdict"]), "--subject", "faithful",
                 "--variants", json.dumps(VARIANTS), "--out", str(out),
                 "--summary-out", str(md)]) == 0  # fmt: skip
    table = pd.read_csv(out)
    assert list(table["choice"]) == ["reproduction", "null model", "corrected", "val_only"]
    assert "report.reference_data" in md.read_text()
    bad = tmp_path / "bad.csv"
    assert main(["published", "choices", "--comparison", str(paths["comparison"]),
                 "--verdict", str(paths["verdict"]), "--subject", "faithful",
                 "--variants", "{not json", "--out", str(bad),
                 "--summary-out", str(md)]) == 2  # fmt: skip
    assert not bad.exists()
