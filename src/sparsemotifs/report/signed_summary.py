"""The summary's signed-motif section: coloured motifs at each seed's selected level.

Reads tables/signed_motifs.csv (`sparsemotifs motifs signed-table`, degree_signed null) and the
levels table; per ensemble, the informative coloured motifs ranked by their median z across
seeds, with the share of seeds where the motif is over-represented (z > 2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs.report.verdict import _fmt, _table

Z_OVER = 2.0
TOP = 8


def signed_section(signed: pd.DataFrame, levels: pd.DataFrame) -> list[str]:
    """Markdown lines; the median over seeds at each seed's own selected level."""
    schemes = (
        set(signed["edge_classes"].dropna().astype(str)) if "edge_classes" in signed else set()
    )
    zambra = schemes == {"zambra"}
    name = "Zambra's classes" if zambra else "sign classes"
    lines = [f"## Signed motifs (degree_signed null, {name})", ""]
    chosen = levels.loc[levels["selected"], ["ensemble", "seed", "level"]]
    at = signed.merge(chosen, on=["ensemble", "seed", "level"])
    at = at[at["colour"].fillna("").astype(str) != ""]
    if at.empty:
        return lines + ["(no signed-motif rows at the selected levels)", ""]
    if zambra:
        what = (
            "Counts of each motif by how many of its edges are strong negative, mild and strong "
            "positive (`sneg=a,mild=b,spos=c`; Zambra et al.'s classes from one Gaussian fit per "
            "ensemble, the band around its mean deleted), against randomisations keeping every "
            "node's in- and out-degree per class"
        )
    else:
        what = (
            "Counts of each motif by its number of positive edges (`pos=k`) and of balanced "
            "4-cycles (even number of negative edges), against randomisations keeping every "
            "node's in- and out-degree per sign"
        )
    lines += [
        f"{what}; median z over seeds at the selected level, share of seeds with "
        f"z > {Z_OVER:g}, top {TOP} per ensemble"
        + ("" if zambra else " and the balanced cycles")
        + ":",
        "",
    ]
    rows = []
    for ensemble, grp in at.groupby("ensemble", sort=False):
        finite = grp[np.isfinite(grp["z"].astype(float))]
        stats = finite.groupby("key").agg(
            median_z=("z", "median"), over=("z", lambda z: float((z > Z_OVER).mean())),
            seeds=("seed", "nunique"), median_sp=("sp", "median"),
        )  # fmt: skip
        top = stats.sort_values("median_z", ascending=False).head(TOP)
        balanced = stats[stats.index.str.endswith("|balanced")]
        for key, r in pd.concat([top, balanced[~balanced.index.isin(top.index)]]).iterrows():
            rows.append(
                [ensemble, "`" + key.replace("|", "\\|") + "`", int(r.seeds), _fmt(r.median_z, ".1f"), _fmt(r.median_sp, ".2f"),
                 f"{100 * r.over:.0f} %"]
            )  # fmt: skip
    lines += _table(["ensemble", "motif", "seeds", "median z", "median SP", "z > 2"], rows)
    return lines + [""]
