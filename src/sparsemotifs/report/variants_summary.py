"""summary.md's lines about the study's variants (config key `variants`).

Why a module of its own: with variants the summary must say what each variant changed and put
their answers side by side (each variant's verdict is against its own null samples), without
growing the single-ensemble summary.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from sparsemotifs import registry
from sparsemotifs.contracts.names import SELECTED


def variant_lines(variants: dict) -> list[str]:
    """One line per variant: its role and its overrides of the study's settings."""
    if not variants:
        return []
    first = next(iter(variants))
    lines = [
        f"Variants (trained on the same data; `{first}` is the subject, the others are "
        "compared with it; each is judged against samples of its own null):",
        "",
    ]
    for name, over in variants.items():
        shown = json.dumps(over, sort_keys=True) if over else "none"
        lines.append(f"- `{name}`: overrides {shown}")
    return [*lines, ""]


def _f(value, spec: str = ".3f") -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "n/a"
    return format(value, spec) if np.isfinite(value) else "n/a"


def variants_section(levels: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> list[str]:
    """## Variants compared: per variant its selection, and per null its verdict and gain."""
    names = [n for n in registry.studied() if n in set(levels["ensemble"])]
    if len(names) < 2:
        return []
    verdict = tables.get("verdict")
    prof = tables.get("profile_similarity")
    nulls = list(dict.fromkeys(verdict["null"])) if verdict is not None and len(verdict) else []
    header = ["variant", "networks", "selected", "median selected cut"]
    header += [f"{n}: verdict (gain, mean r)" for n in nulls]
    lines = ["## Variants compared", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "---|" * len(header))
    for name in names:
        lv = levels[levels["ensemble"] == name]
        sel = lv[lv["selected"]]
        row = [f"`{name}`", str(lv["seed"].nunique()), str(len(sel))]
        row.append(_f(sel["cut_fraction"].median(), ".2f") if len(sel) else "n/a")
        for null in nulls:
            v = verdict[
                (verdict["ensemble"] == name)
                & (verdict["null"] == null)
                & (verdict["level"].astype(str) == "all")
            ]
            r = pd.DataFrame() if prof is None else prof
            if len(r):
                r = r[
                    (r["ensemble"] == name)
                    & (r["null"] == null)
                    & (r["level"].astype(str) == SELECTED)
                ]
            gain = _gain_at_sparsest(verdict, name, null)
            mean_r = _f(r["mean_r"].iloc[0]) if len(r) else "n/a"
            row.append(f"{v['verdict'].iloc[0] if len(v) else 'n/a'} ({gain}, {mean_r})")
        lines.append("| " + " | ".join(row) + " |")
    return lines + [
        "",
        "gain: the similarity gain over the variant's own degree-matched null samples at its "
        "sparsest level with a defined gain; mean r: mean pairwise SP correlation at the "
        "selected level (descriptive). The per-motif z of every variant is in the tables "
        "per null below; the permutation tests compare the subject with each variant.",
        "",
    ]


def _gain_at_sparsest(verdict: pd.DataFrame, name: str, null: str) -> str:
    rows = verdict[
        (verdict["ensemble"] == name)
        & (verdict["null"] == null)
        & ~verdict["level"].astype(str).isin(["all", SELECTED])
    ]
    rows = rows[np.isfinite(rows["delta"].astype(float))]
    if rows.empty:
        return "gain n/a"
    r = rows.iloc[-1]
    return f"gain {_f(r['delta'])} at level {r['level']}"
