"""summary.md's ΔZ section, from tables/delta_z_summary.csv (issue 11: trained vs init-pruned).

Why a section of its own: ΔZ answers a different question from the verdict (what training adds
to a motif's z beyond magnitude pruning of the weights it started from), and its sign must be
read in words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs.contracts.names import MOTIFS, NULLS, ordered
from sparsemotifs.convergence.delta_z import MIN_SEEDS

MEANING = (
    "ΔZ = z(trained network at level k) − z(the same seed's initial weights, regenerated exactly "
    "as its training starts from them, pruned by magnitude to the trained network's live "
    "per-block edge counts at level k; ensemble magnitude_init). ΔZ > 0: training makes the "
    "motif more over-represented (or less under-represented) than pruning the untrained weights "
    "does; ΔZ < 0: less; ΔZ ≈ 0: magnitude pruning of the initial weights already explains the "
    "motif's z. For i.i.d. initialisations (paper, Xavier, Kaiming) the init-pruned masks equal "
    "random masks with the same per-block counts in distribution (orthogonal: every cell equally "
    "likely, not exactly a uniform subset), so ΔZ also measures training against random wiring "
    "of the same size. Biases start at exactly 0 for every initialisation: their magnitude ranks "
    "nothing, so the init-pruned networks keep a random subset of the trained network's live "
    "bias count."
)


def _f(v, fmt: str) -> str:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return "–"
    return format(v, fmt) if np.isfinite(v) else "–"


def _reference_level(summary: pd.DataFrame, levels: pd.DataFrame | None, ensemble: str) -> str:
    """The level whose cut fraction is nearest the median selected one of `ensemble`."""
    rows = summary[summary["ensemble"] == ensemble]
    cuts = rows.groupby(rows["level"].astype(str))["cut_fraction"].mean()
    if levels is not None and "selected" in levels.columns:
        sel = levels[(levels["ensemble"] == ensemble) & levels["selected"].astype(bool)]
        if len(sel) and len(cuts):
            return str((cuts - float(sel["cut_fraction"].median())).abs().idxmin())
    return str(cuts.index[len(cuts) // 2]) if len(cuts) else ""


def delta_z_section(summary: pd.DataFrame, levels: pd.DataFrame | None = None) -> list[str]:
    """## ΔZ: lines for summary.md (an explanation when magnitude_init is off)."""
    lines = ["## ΔZ: trained networks against their own initial weights, pruned by magnitude", ""]
    lines += [MEANING, ""]
    if summary.empty:
        return lines + [
            "No ΔZ rows: the magnitude_init control is off (controls.magnitude_init).",
            "",
        ]
    ci_low = pd.to_numeric(summary["ci_low"], errors="coerce")
    ci_high = pd.to_numeric(summary["ci_high"], errors="coerce")
    for ensemble in ordered(summary["ensemble"], []):
        for null in ordered(summary.loc[summary["ensemble"] == ensemble, "null"], NULLS):
            sel = (summary["ensemble"] == ensemble) & (summary["null"] == null)
            n_levels = summary.loc[sel, "level"].nunique()
            up, down = int((ci_low[sel] > 0).sum()), int((ci_high[sel] < 0).sum())
            with_ci = int((sel & ci_low.notna()).sum())
            lines.append(
                f"- {ensemble}, {null}: of {int(sel.sum())} (level, motif) rows over {n_levels} "
                f"levels, {with_ci} have enough seeds for a CI (>= {MIN_SEEDS}); the "
                f"seed-bootstrap CI of mean ΔZ lies above 0 in {up} and below 0 in {down}."
            )
    lines.append("")
    for ensemble in ordered(summary["ensemble"], []):
        level = _reference_level(summary, levels, ensemble)
        rows = summary[(summary["ensemble"] == ensemble) & (summary["level"].astype(str) == level)]
        if rows.empty:
            continue
        cut = _f(rows["cut_fraction"].mean(), ".2f")
        lines += [
            f"{ensemble} at level {level} (cut fraction {cut}, nearest the median selected one):",
            "",
            "| null | motif | seeds | mean z trained | mean z init | mean ΔZ (95 % CI) | p (Holm) |",
            "|---|---|---|---|---|---|---|",
        ]
        rows = rows.assign(
            _n=rows["null"].map(lambda v: NULLS.index(v) if v in NULLS else 99),
            _m=rows["motif"].map(lambda v: MOTIFS.index(v) if v in MOTIFS else 99),
        ).sort_values(["_n", "_m"])
        for r in rows.itertuples():
            lines.append(
                f"| {r.null} | {r.motif} | {int(r.n_seeds)} | {_f(r.mean_z_trained, '.2f')} | "
                f"{_f(r.mean_z_init, '.2f')} | {_f(r.mean_delta_z, '.2f')} "
                f"[{_f(r.ci_low, '.2f')}, {_f(r.ci_high, '.2f')}] | {_f(r.p_holm, '.2g')} |"
            )
        lines.append("")
    return lines
