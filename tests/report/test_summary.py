"""summary.md: verdict per the documented criterion, numbers consistent with the tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sparsemotifs import convergence as stats
from sparsemotifs.report import summary


@pytest.fixture
def tables_and_levels(synthetic):
    levels, motifs = synthetic(n_seeds=10)
    levels, motifs = stats.validate_levels(levels), stats.validate_motifs(motifs)
    return stats.aggregate(levels, motifs, n_boot=200, n_perm=199, seed=0), levels


def test_summary_verdict_and_numbers_match_tables(tables_and_levels, tmp_path):
    tables, levels = tables_and_levels
    out = tmp_path / "summary.md"
    text = summary.write_summary(levels, tables, out)
    assert out.read_text() == text
    assert "## Verdict" in text and "Criterion:" in text
    prof = tables["profile_similarity"].set_index(["ensemble", "level", "null"])
    perm = tables["permutation_tests"]
    for null in ("fixed_count", "degree"):
        match = re.search(
            rf"null = {null}: ([a-z ]+)\.\*\* Trained r̄ = ([-\d.]+) "
            rf"\(95 % CI ([-\d.]+) to ([-\d.]+)",
            text,
        )
        assert match, null
        verdict, r, lo, hi = match.group(1), *map(float, match.groups()[1:])
        row = prof.loc[("trained", "selected", null)]
        assert r == pytest.approx(row.mean_r, abs=5e-4)
        assert (lo, hi) == pytest.approx((row.ci_low, row.ci_high), abs=5e-4)
        p = perm[
            (perm.level == "selected")
            & (perm.null == null)
            & (perm.test == "dispersion")
            & (perm.control == "random_pruned")
        ].p_one_sided.iloc[0]
        assert re.search(rf"null = {null}:.*one-sided permutation p = {p:.3g}", text)
        # synthetic trained profiles are near identical, random_pruned ones are noise
        assert verdict == "converges"
    counts = stats.network_counts(levels)
    assert re.search(
        rf"\| trained \| {counts['networks']} \| {counts['diverged_networks']} \| "
        rf"{counts['diverged_levels']} \| {counts['never_passing']} \|",
        text,
    )
    conv = tables["convergence"]
    bi_fan = conv[
        (conv.ensemble == "trained")
        & (conv.level == "selected")
        & (conv.null == "degree")
        & (conv.motif == "bi_fan")
    ].iloc[0]
    degree_part = text[text.index("### null = degree") :]
    row = re.search(r"\| bi_fan \| ([-\d.]+) \| ([-\d.]+) \|", degree_part)
    assert float(row.group(1)) == pytest.approx(bi_fan["mean"], abs=0.005)
    assert float(row.group(2)) == pytest.approx(bi_fan["sd"], abs=0.005)
    assert "19.7 ± 3.9" in degree_part  # the paper's bi-fan next to ours


def _tables(mean_r, p, with_control=True):
    prof = pd.DataFrame(
        {
            "ensemble": ["trained"],
            "level": ["selected"],
            "null": ["degree"],
            "n_networks": [20],
            "mean_r": [mean_r],
            "ci_low": [mean_r - 0.01],
            "ci_high": [mean_r + 0.01],
        }
    )
    perm = pd.DataFrame(
        {
            "level": ["selected"],
            "null": ["degree"],
            "control": ["random_pruned" if with_control else "control_task"],
            "test": ["dispersion"],
            "value_trained": [0.1],
            "value_control": [0.5],
            "p_one_sided": [p],
            "p_two_sided": [p],
        }
    )
    return {"profile_similarity": prof, "permutation_tests": perm}


@pytest.mark.parametrize(
    ("mean_r", "p", "with_control", "expected"),
    [
        (0.95, 0.001, True, "converges"),
        (0.95, 0.2, True, "not distinguishable from the control"),
        (0.89, 0.001, True, "does not converge"),
        (0.95, 0.001, False, "undetermined"),
        (np.nan, 0.001, True, "undetermined"),
    ],
)
def test_verdict_criterion(mean_r, p, with_control, expected):
    verdict = summary.null_verdict(_tables(mean_r, p, with_control), "degree")
    assert verdict["verdict"] == expected


def test_connected_pairs_shown_next_to_paper_chain(synthetic, tmp_path):
    levels, motifs = synthetic(n_seeds=4)
    pairs = motifs[motifs.motif == "chain_2"].assign(motif="connected_pairs_2")
    motifs = pd.concat([motifs, pairs], ignore_index=True)
    levels, motifs = stats.validate_levels(levels), stats.validate_motifs(motifs)
    tables = stats.aggregate(levels, motifs, n_boot=20, n_perm=9)
    text = summary.render_summary(levels, tables)
    assert re.search(
        r"\| connected_pairs_2 \(the paper's chain_2 statistic\) \| .* \| -15.6 ± 4.5 \|", text
    )


def test_summary_without_controls_or_selection(synthetic, tmp_path):
    levels, motifs = synthetic(n_seeds=3)
    motifs = motifs[motifs.ensemble == "trained"]
    levels = stats.validate_levels(levels.assign(selected=False))
    tables = stats.aggregate(levels, stats.validate_motifs(motifs), n_boot=20, n_perm=9)
    text = summary.write_summary(levels, tables, tmp_path / "s.md")
    assert "undetermined" in text
    assert "does not meet the former convergence criterion" in text


def test_share_under_threshold_and_loss_medians(synthetic):
    levels, _ = synthetic(n_seeds=6)
    levels = stats.validate_levels(levels)
    share = summary.share_under_threshold(levels, 1e-3, "val")
    trained = levels[levels.ensemble == "trained"]
    for cut, value in share.items():
        at = trained[trained.cut_fraction.round(4) == cut]
        passing = sum(
            1
            for r in at.itertuples()
            if r.status == "ok" and np.isfinite(r.loss_val) and r.loss_val <= 1e-3
        )
        assert value == pytest.approx(passing / 6)
    text = "\n".join(summary._loss_section(levels, 1e-3, "val"))
    median_sel = trained[trained.selected].loss_train.median()
    assert f"| selected level | {trained.selected.sum()} | {median_sel:.2e} | 7.70e-04 |" in text
