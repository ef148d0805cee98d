"""Does a variant change the pruned networks' motif profile beyond their matched nulls? (issue 11)

Why: Zambra et al. ask whether the initialisation scheme shapes which motifs emerge. Every z
here is already taken against a null matched to the network (fixed_count: the same live edges
per block; degree: every node's in- and out-degree), so a difference in z between two trained
ensembles at the same pruning level is a difference in wiring that those controls do not
explain. The question is asked of every variant against the subject (with `init_schemes.yaml`:
each initialisation against the paper's).

Per (variant, null, level), with only the networks passing at that level (the verdict's rule;
at `selected` every seed) and the seed as the unit:

- per motif: the mean z of each ensemble, their difference d = variant - subject with a
  percentile bootstrap CI (each ensemble's seeds resampled on their own), Hedges' g (d over the
  pooled seed sd, small-sample corrected; scale-free, whereas z grows like sqrt(edges) with
  width) with its bootstrap CI, Welch's t test and its Holm adjustment over the level's motifs;
- `profile` (motif column): the PERMANOVA-like pseudo-F test of the two ensembles' significance
  profile centroids (unit SP vectors over their common motifs; the permutation tests' own
  statistic), `diff` = the distance between the centroids, Holm over the variants.

`answer`: "differs" when the Holm-adjusted p is under `alpha`; "no detectable difference"
otherwise, which is not "the same": the CI of g says how large a difference the seeds could
have missed; "undetermined" with fewer than `min_seeds` networks in either ensemble.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs import registry
from sparsemotifs.contracts.names import MOTIFS, NULLS, SELECTED, sort_frame
from sparsemotifs.convergence.describe import group_rng
from sparsemotifs.convergence.permutation import _complete_profiles, profile_test
from sparsemotifs.convergence.profiles import significance_profiles
from sparsemotifs.convergence.scale import holm
from sparsemotifs.convergence.study_verdict import passing_only

PROFILE = "profile"
MIN_SEEDS = 5
ALPHA = 0.05
COLUMNS = [
    "ensemble", "reference", "null", "level", "cut_fraction", "motif", "n_reference",
    "n_variant", "mean_z_reference", "mean_z_variant", "diff", "ci_low", "ci_high", "hedges_g",
    "g_ci_low", "g_ci_high", "p", "p_holm", "answer",
]  # fmt: skip


def hedges_g(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(mean b - mean a) / pooled sd, times the small-sample factor J; rows of a and b are
    resamples (last axis: seeds). NaN where the pooled sd is 0."""
    na, nb = a.shape[-1], b.shape[-1]
    pooled = ((na - 1) * a.var(axis=-1, ddof=1) + (nb - 1) * b.var(axis=-1, ddof=1)) / (na + nb - 2)
    j = 1.0 - 3.0 / (4.0 * (na + nb) - 9.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            pooled > 0, j * (b.mean(axis=-1) - a.mean(axis=-1)) / np.sqrt(pooled), np.nan
        )


def compare_z(
    a: np.ndarray, b: np.ndarray, n_boot: int, rng: np.random.Generator
) -> dict[str, float]:
    """Difference of mean z (b - a), Hedges' g, their bootstrap CIs and Welch's p."""
    from scipy import stats as sps

    a, b = np.asarray(a, float), np.asarray(b, float)
    out = {"diff": float(b.mean() - a.mean()), "hedges_g": float(hedges_g(a, b))}
    ra = a[rng.integers(0, a.size, size=(n_boot, a.size))]
    rb = b[rng.integers(0, b.size, size=(n_boot, b.size))]
    d = rb.mean(axis=1) - ra.mean(axis=1)
    g = hedges_g(ra, rb)
    g = g[np.isfinite(g)]
    out["ci_low"], out["ci_high"] = (float(q) for q in np.quantile(d, [0.025, 0.975]))
    out["g_ci_low"], out["g_ci_high"] = (
        (float(q) for q in np.quantile(g, [0.025, 0.975])) if g.size else (np.nan, np.nan)
    )
    spread = np.ptp(a) > 0 or np.ptp(b) > 0
    out["p"] = float(sps.ttest_ind(a, b, equal_var=False).pvalue) if spread else np.nan
    return out


def _answer(p_holm: float, n_a: int, n_b: int, min_seeds: int, alpha: float) -> str:
    if min(n_a, n_b) < min_seeds:
        return "undetermined"
    if np.isfinite(p_holm) and p_holm < alpha:
        return "differs"
    return "no detectable difference"


def variant_effects(
    motifs: pd.DataFrame,
    levels: pd.DataFrame | None,
    *,
    n_boot: int = 2000,
    n_perm: int = 999,
    seed: int = 0,
    min_seeds: int = MIN_SEEDS,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Rows per (variant, null, level, motif | profile); `motifs` is `Prepared.motifs` (draw 0,
    levels as str, with `cut_fraction`). Empty (with its columns) without a second variant."""
    reference = registry.SUBJECT
    variants = [v for v in registry.studied() if v != reference]
    m = passing_only(motifs, levels)
    if "draw" in m.columns:
        m = m[m["draw"] == 0]
    m = m[m["ensemble"].isin([reference, *variants])]
    if not variants or m.empty:
        return pd.DataFrame(columns=COLUMNS)
    sp = significance_profiles(m)
    sp_groups = {k: g for k, g in sp.groupby(level=["ensemble", "level", "null"], sort=False)}
    finite = m[np.isfinite(m["z"]) & m["motif"].isin(MOTIFS)]
    z = {k: g for k, g in finite.groupby(["ensemble", "level", "null"], sort=False)}
    rows = []
    for variant in variants:
        for (name, level, null), ref in z.items():
            if name != reference or (variant, level, null) not in z:
                continue
            var = z[(variant, level, null)]
            base = {"ensemble": variant, "reference": reference, "null": null, "level": level}
            cut = pd.concat([ref["cut_fraction"], var["cut_fraction"]]).mean()
            base["cut_fraction"] = float(cut) if level != SELECTED else np.nan
            motif_rows = []
            var_by_motif = {k: g["z"].to_numpy() for k, g in var.groupby("motif", sort=False)}
            for motif, g in ref.groupby("motif", sort=False):
                a, b = g["z"].to_numpy(), var_by_motif.get(motif, np.empty(0))
                row = {**base, "motif": motif, "n_reference": a.size, "n_variant": b.size}
                row.update(mean_z_reference=float(a.mean()) if a.size else np.nan)
                row.update(mean_z_variant=float(b.mean()) if b.size else np.nan)
                if min(a.size, b.size) >= 2:
                    rng = group_rng(seed, "variant_effects", variant, level, null, motif)
                    row.update(compare_z(a, b, n_boot, rng))
                motif_rows.append(row)
            if motif_rows:
                p = np.array([r.get("p", np.nan) for r in motif_rows], dtype=float)
                for r, ph in zip(motif_rows, holm(p), strict=True):
                    r["p_holm"] = ph
                    r["answer"] = _answer(ph, r["n_reference"], r["n_variant"], min_seeds, alpha)
                rows += motif_rows
            rows.append(_profile_row(base, sp_groups, variant, n_perm, seed))
    out = pd.DataFrame(rows).reindex(columns=COLUMNS)
    prof = out["motif"] == PROFILE
    for _, idx in out[prof].groupby(["null", "level"], sort=False).groups.items():
        ph = holm(out.loc[idx, "p"].to_numpy(dtype=float))
        out.loc[idx, "p_holm"] = ph
        out.loc[idx, "answer"] = [
            _answer(p, int(na), int(nb), min_seeds, alpha)
            for p, na, nb in zip(
                ph, out.loc[idx, "n_reference"], out.loc[idx, "n_variant"], strict=True
            )
        ]
    out = sort_frame(
        out, ["ensemble", "null", "level", "motif"],
        {"ensemble": registry.names(), "null": NULLS, "motif": [*MOTIFS, PROFILE]},
    )  # fmt: skip
    return out.reset_index(drop=True)


def _profile_row(base: dict, sp_groups: dict, variant: str, n_perm: int, seed: int) -> dict:
    key = (base["level"], base["null"])
    sp_a, sp_b = sp_groups.get((base["reference"], *key)), sp_groups.get((variant, *key))
    row = {**base, "motif": PROFILE, "n_reference": 0, "n_variant": 0}
    if sp_a is None or sp_b is None:
        return row
    cols, a, b = _complete_profiles(sp_a, sp_b)
    row.update(n_reference=len(a), n_variant=len(b))
    if len(cols) < 2 or min(len(a), len(b)) < 2:
        return row
    rng = group_rng(seed, "variant_profile", variant, *key)
    test = profile_test(a, b, n_perm, rng)
    row.update(diff=test["value_trained"], p=test["p_one_sided"])
    return row
