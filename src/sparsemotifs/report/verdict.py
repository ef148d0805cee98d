"""The convergence verdict of summary.md: one documented criterion, applied per null model at
the selected level, and the markdown helpers the summary's sections share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs import registry
from sparsemotifs.contracts.names import SELECTED

R_MIN = 0.9  # mean pairwise SP correlation the trained ensemble must reach
ALPHA = 0.05  # significance level of the dispersion permutation test
REFERENCE_CONTROL = "random_pruned"

VERDICT_CRITERION = (
    f"For each null model, at the selected level, the trained ensemble **converges** when "
    f"(1) the mean pairwise Pearson correlation r̄ of the significance profiles (SP, Milo 2004) "
    f"of its networks is ≥ {R_MIN}, and (2) the dispersion of its SP vectors (mean Euclidean "
    f"distance to the ensemble centroid) is significantly smaller than that of the "
    f"{REFERENCE_CONTROL} control (masks pruned at random to the same per-layer edge counts): "
    f"one-sided PERMDISP-like permutation test, p < {ALPHA}. If (1) holds but (2) does not, the "
    f"profiles are similar but no more than random masks with the same edge counts make them "
    f"(**not distinguishable from the control**). If (1) fails, the ensemble **does not "
    f"converge**. Without a usable control the verdict is **undetermined**."
)


def _fmt(value, spec: str = ".2f") -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "n/a"
    try:
        return format(float(value), spec)
    except (TypeError, ValueError):
        return str(value)


def _p(value) -> str:
    return _fmt(value, ".3g")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _selected(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["level"].astype(str) == SELECTED]


def null_verdict(tables: dict[str, pd.DataFrame], null: str) -> dict:
    """Apply VERDICT_CRITERION to one null; returns the verdict and the numbers behind it."""
    prof = _selected(tables["profile_similarity"])
    prof = prof[(prof.null == null) & (prof.ensemble == registry.SUBJECT)]
    perm = _selected(tables["permutation_tests"])
    disp = perm[
        (perm.null == null) & (perm.test == "dispersion") & (perm.control == REFERENCE_CONTROL)
    ]
    out = {
        "null": null,
        "mean_r": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "n": 0,
        "disp_trained": np.nan,
        "disp_control": np.nan,
        "p": np.nan,
    }
    if len(prof):
        row = prof.iloc[0]
        out.update(
            mean_r=float(row.mean_r),
            ci_low=float(row.ci_low),
            ci_high=float(row.ci_high),
            n=int(row.n_networks),
        )
    if len(disp):
        row = disp.iloc[0]
        out.update(
            disp_trained=float(row.value_trained),
            disp_control=float(row.value_control),
            p=float(row.p_one_sided),
        )
    similar = np.isfinite(out["mean_r"]) and out["mean_r"] >= R_MIN
    if not np.isfinite(out["mean_r"]):
        out["verdict"] = "undetermined"
    elif not similar:
        out["verdict"] = "does not converge"
    elif not np.isfinite(out["p"]):
        out["verdict"] = "undetermined"
    elif out["p"] < ALPHA:
        out["verdict"] = "converges"
    else:
        out["verdict"] = "not distinguishable from the control"
    return out


def _verdict_sentence(v: dict) -> str:
    return (
        f"- **null = {v['null']}: {v['verdict']}.** Trained r̄ = {_fmt(v['mean_r'], '.3f')} "
        f"(95 % CI {_fmt(v['ci_low'], '.3f')} to {_fmt(v['ci_high'], '.3f')}, "
        f"n = {v['n']} networks; criterion r̄ ≥ {R_MIN}); SP dispersion trained "
        f"{_fmt(v['disp_trained'], '.3f')} vs {REFERENCE_CONTROL} {_fmt(v['disp_control'], '.3f')}"
        f", one-sided permutation p = {_p(v['p'])} (criterion p < {ALPHA})."
    )
