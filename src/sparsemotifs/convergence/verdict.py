"""An inferential convergence verdict against degree-matched null samples (issue 12, item 4).

Why: mean pairwise SP similarity grows with width and with degree heterogeneity (z grows like
sqrt(edges), so any common stochastic mechanism aligns SP directions), and random_pruned is
~N(0, 1) by construction, so "r >= 0.9 and tighter than random_pruned" calls a structureless
ensemble "converges" at paper width. Here the reference is each network's own null samples:
networks with the same live nodes and degrees (degree-preserving randomisations of it),
analysed under the same null exactly like the real network. Their similarity is what degrees
alone produce; the trained ensemble converges (under a null) only if it is more similar.

Statistics, per null and level, for one similarity measure and one profile choice:
- S[i, j]: similarity of seeds i, j (for null samples with k draws per seed: the mean over
  draws of the similarity of draw a of seed i with draw b of seed j, i != j only);
- delta = mean_{i != j} (S_trained - S_null)[i, j], with a seed-resampling bootstrap CI
  (paired: a seed's null samples are resampled with it; copies of one seed never pair);
- per-seed d_i = mean_j (S_trained - S_null)[i, j]; its lower quartile `q25_seed_delta`
  says whether a typical seed (>= 75 % of seeds), not only a subgroup, resembles the others
  more than its null samples do. A half-converging mixture has a positive delta but a lower
  quartile near 0;
- optionally the control task at the same level: delta_control = S_trained - S_control, with
  seeds of the two ensembles resampled independently.

Verdict (`decide`): "converges" iff n_seeds >= min_seeds, the CI of delta and of the lower
quartile both lie above 0 and (where a control is given) the CI of delta_control lies above 0
(else "not distinguishable from the control"); "does not converge" iff the CI of delta lies
below `margin` (the smallest similarity gain counted as convergence; it excludes a meaningful
convergence); otherwise "undetermined". Across levels the per-null verdict is "converges" only
if every analysed level converges (an intersection-union test: no multiplicity correction
needed), "does not converge" if every level does not, else "undetermined".
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from sparsemotifs.contracts.names import FIXED_BY_NULL, MOTIFS, NULLS

VERDICTS = (
    "converges",
    "does not converge",
    "not distinguishable from the control",
    "undetermined",
)
MEASURES = ("pearson", "cosine", "angular")
PROFILES = ("full", "reduced", "whitened")
# "reduced": one statistic per degree-heterogeneity mechanism. Under the fixed-count nulls the
# 3-stars repeat the 2-stars (both are moments of the same degree sequence), so they go.
REDUCED_DROP = frozenset({"diverging_3", "converging_3"})
MIN_SEEDS = 8
MARGIN = 0.05
N_BOOT = 2000
VERDICT_COLUMNS = [
    "null", "level", "measure", "profile", "motifs", "n_seeds", "n_null_draws",
    "similarity_trained", "similarity_null_samples", "delta", "delta_ci_low", "delta_ci_high",
    "q25_seed_delta", "q25_ci_low", "q25_ci_high", "n_control", "similarity_control",
    "delta_control", "delta_control_ci_low", "delta_control_ci_high", "min_seeds", "margin",
    "verdict", "reason", "level_mix", "similarity_min1_samples", "delta_min1_samples",
    "delta_min1_ci_low", "delta_min1_ci_high", "control_level", "cut_fraction",
    "control_cut_fraction",
]  # fmt: skip


def _rng(seed: int, *key) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32("|".join(map(str, key)).encode())])


def informative_motifs(null: str, profile: str = "full") -> list[str]:
    """Motifs whose z a null leaves free, minus the redundant ones for the reduced profile."""
    motifs = [m for m in MOTIFS if m not in FIXED_BY_NULL.get(null, {"edges"})]
    if profile == "reduced":
        motifs = [m for m in motifs if m not in REDUCED_DROP]
    return motifs


def profiles(motifs: pd.DataFrame, null: str, profile: str = "full") -> pd.DataFrame:
    """Unit-length profiles (index seed, draw) over the profile's motifs, complete rows only.

    "full"/"reduced": SP = z / |z| over the (reduced) informative motifs; "whitened": the column
    `z_white` (z decorrelated with the null covariance, see `whiten`) over the full set.
    """
    column = "z_white" if profile == "whitened" else "z"
    if column not in motifs.columns:
        raise ValueError(f"profile {profile!r} needs a column {column!r} in the motifs table")
    names = informative_motifs(null, "reduced" if profile == "reduced" else "full")
    m = motifs[(motifs["null"] == null) & motifs["motif"].isin(names)]
    if "draw" not in m.columns:
        m = m.assign(draw=0)
    wide = m.pivot_table(index=["seed", "draw"], columns="motif", values=column, aggfunc="first")
    wide = wide.reindex(columns=[c for c in names if c in wide.columns])
    values = wide.to_numpy(dtype=float)
    values = np.where(np.isfinite(values), values, np.nan)
    keep = np.isfinite(values).all(axis=1) & (np.abs(np.nan_to_num(values)).sum(axis=1) > 0)
    values = values[keep]
    unit = values / np.linalg.norm(values, axis=1, keepdims=True)
    return pd.DataFrame(unit, index=wide.index[keep], columns=wide.columns)


def similarity(x: np.ndarray, y: np.ndarray, measure: str) -> np.ndarray:
    """Pairwise similarity between the rows of x and y (unit-length profiles)."""
    if measure == "pearson":
        xc = x - x.mean(axis=1, keepdims=True)
        yc = y - y.mean(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            xc = xc / np.linalg.norm(xc, axis=1, keepdims=True)
            yc = yc / np.linalg.norm(yc, axis=1, keepdims=True)
        return np.clip(xc @ yc.T, -1.0, 1.0)
    cos = np.clip(x @ y.T, -1.0, 1.0)
    if measure == "cosine":
        return cos
    if measure == "angular":
        return 1.0 - np.arccos(cos) / np.pi
    raise ValueError(f"unknown similarity measure {measure!r}; choose from {', '.join(MEASURES)}")


def seed_similarity(sp: pd.DataFrame, seeds: np.ndarray, measure: str) -> np.ndarray:
    """(n_seeds, n_seeds) mean similarity between the draws of seed i and those of seed j."""
    labels = sp.index.get_level_values("seed").to_numpy()
    full = similarity(sp.to_numpy(), sp.to_numpy(), measure)
    onehot = (labels[:, None] == seeds[None, :]).astype(float)
    finite = np.isfinite(full)
    num = onehot.T @ np.where(finite, full, 0.0) @ onehot
    den = onehot.T @ finite.astype(float) @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _pair_mean(s: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of off-diagonal entries for rows of seed multiplicities (B, n)."""
    finite = np.isfinite(s)
    np.fill_diagonal(finite, False)
    s0, w0 = np.where(finite, s, 0.0), finite.astype(float)
    num = np.einsum("bi,bi->b", weights @ s0, weights)
    den = np.einsum("bi,bi->b", weights @ w0, weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _resample_weights(n: int, n_boot: int, rng) -> np.ndarray:
    w = np.zeros((n_boot + 1, n))
    w[0] = 1.0  # row 0: the sample itself
    draws = rng.integers(0, n, size=(n_boot, n))
    np.add.at(w, (np.arange(1, n_boot + 1)[:, None], draws), 1.0)
    return w


def _ci(boot: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    boot = boot[np.isfinite(boot)]
    if boot.size < 10:
        return np.nan, np.nan
    tail = (1.0 - confidence) / 2
    low, high = np.quantile(boot, [tail, 1 - tail])
    return float(low), float(high)


def compare(
    trained: pd.DataFrame,
    null_samples: pd.DataFrame,
    null: str,
    *,
    control: pd.DataFrame | None = None,
    measure: str = "cosine",
    profile: str = "reduced",
    n_boot: int = N_BOOT,
    seed: int = 0,
    level=None,
) -> dict:
    """Numbers behind the verdict for one null (one level: the tables are already filtered)."""
    sp_t = profiles(trained, null, profile)
    sp_n = profiles(null_samples, null, profile)
    common = sp_t.columns.intersection(sp_n.columns)
    seeds_t = set(sp_t.index.get_level_values("seed"))
    seeds_n = set(sp_n.index.get_level_values("seed"))
    seeds = np.array(sorted(seeds_t & seeds_n))
    sp_t = sp_t.loc[sp_t.index.get_level_values("seed").isin(seeds), common]
    sp_n = sp_n.loc[sp_n.index.get_level_values("seed").isin(seeds), common]
    renorm = lambda d: d.div(np.linalg.norm(d.to_numpy(), axis=1), axis=0)  # noqa: E731
    sp_t, sp_n = renorm(sp_t), renorm(sp_n)
    n = seeds.size
    row = {
        "null": null, "level": level, "measure": measure, "profile": profile,
        "motifs": " ".join(common), "n_seeds": int(n),
        "n_null_draws": int(len(sp_n)),
    }  # fmt: skip
    nan = np.nan
    row.update(dict.fromkeys(VERDICT_COLUMNS[7:20], nan))
    row["n_control"] = 0
    if n < 2 or len(common) < 2:
        return row
    s_t = seed_similarity(sp_t, seeds, measure)
    s_n = seed_similarity(sp_n, seeds, measure)
    w = _resample_weights(n, n_boot, _rng(seed, "verdict", null, level, measure, profile))
    mt, mn = _pair_mean(s_t, w), _pair_mean(s_n, w)
    d = mt - mn
    row["similarity_trained"], row["similarity_null_samples"] = float(mt[0]), float(mn[0])
    row["delta"] = float(d[0])
    row["delta_ci_low"], row["delta_ci_high"] = _ci(d[1:])
    diff = s_t - s_n
    np.fill_diagonal(diff, np.nan)
    per_seed = np.nanmean(diff, axis=1)
    per_seed = per_seed[np.isfinite(per_seed)]
    row["q25_seed_delta"] = float(np.quantile(per_seed, 0.25))
    qrng = _rng(seed, "q25", null, level, measure, profile)
    boots = per_seed[qrng.integers(0, per_seed.size, size=(n_boot, per_seed.size))]
    row["q25_ci_low"], row["q25_ci_high"] = _ci(np.quantile(boots, 0.25, axis=1))
    if control is not None:
        sp_c = profiles(control, null, profile)
        sp_c = sp_c.reindex(columns=common).dropna()
        seeds_c = np.array(sorted(set(sp_c.index.get_level_values("seed"))))
        row["n_control"] = int(seeds_c.size)
        if seeds_c.size >= 2:
            sp_c = renorm(sp_c)
            s_c = seed_similarity(sp_c, seeds_c, measure)
            wc = _resample_weights(seeds_c.size, n_boot, _rng(seed, "control", null, level))
            mc = _pair_mean(s_c, wc)
            dc = mt - mc
            row["similarity_control"], row["delta_control"] = float(mc[0]), float(dc[0])
            row["delta_control_ci_low"], row["delta_control_ci_high"] = _ci(dc[1:])
    return row


def decide(row: dict, min_seeds: int = MIN_SEEDS, margin: float = MARGIN) -> tuple[str, str]:
    """(verdict, reason) from the numbers of `compare` (rule in the module docstring)."""
    if row["n_seeds"] < min_seeds:
        return "undetermined", f"{row['n_seeds']} seeds < minimum {min_seeds}"
    lo, hi = row["delta_ci_low"], row["delta_ci_high"]
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "undetermined", "similarity not defined"
    if hi < margin:
        return "does not converge", (
            f"similarity gain over degree-matched null samples {row['delta']:.3f}, CI upper "
            f"{hi:.3f} < margin {margin}"
        )
    if lo <= 0:
        return "undetermined", f"CI of the gain over null samples [{lo:.3f}, {hi:.3f}] includes 0"
    if not row["q25_ci_low"] > 0:
        return "undetermined", (
            f"gain {row['delta']:.3f} > 0 but not for a typical seed (lower quartile "
            f"{row['q25_seed_delta']:.3f}, CI low {row['q25_ci_low']:.3f}): a subgroup only"
        )
    if row["n_control"] >= 2 and np.isfinite(row["delta_control_ci_low"]):
        if not row["delta_control_ci_low"] > 0:
            return "not distinguishable from the control", (
                f"gain over the control task {row['delta_control']:.3f}, CI "
                f"[{row['delta_control_ci_low']:.3f}, {row['delta_control_ci_high']:.3f}]"
            )
    return "converges", (
        f"gain over null samples {row['delta']:.3f}, CI [{lo:.3f}, {hi:.3f}], lower quartile "
        f"of per-seed gains {row['q25_seed_delta']:.3f} (CI low {row['q25_ci_low']:.3f})"
    )


def _matched_level(trained_level: pd.DataFrame, control: pd.DataFrame, level, match: str):
    """The control task's level compared with a trained level (see `verdict_table`)."""
    if match == "level" or isinstance(level, str):
        return level
    if match != "cut_fraction":
        raise ValueError(f"match must be 'level' or 'cut_fraction', got {match!r}")
    for df, name in ((trained_level, "trained"), (control, "control")):
        if "cut_fraction" not in df.columns:
            raise ValueError(f"match='cut_fraction' needs a cut_fraction column ({name} table)")
    cuts = control[control["level"].map(lambda v: not isinstance(v, str))]
    cuts = cuts.groupby("level")["cut_fraction"].mean()
    if cuts.empty:
        return None
    return (cuts - trained_level["cut_fraction"].mean()).abs().idxmin()


def _levels(df: pd.DataFrame) -> list:
    return sorted(df["level"].unique(), key=lambda v: (isinstance(v, str), str(v).zfill(9)))


def verdict_table(
    trained: pd.DataFrame,
    null_samples: pd.DataFrame,
    *,
    control: pd.DataFrame | None = None,
    nulls=None,
    measure: str = "cosine",
    profile: str = "reduced",
    min_seeds: int = MIN_SEEDS,
    margin: float = MARGIN,
    n_boot: int = N_BOOT,
    seed: int = 0,
    levels: pd.DataFrame | None = None,
    min1_samples: pd.DataFrame | None = None,
    match: str = "level",
    ensemble: str = "trained",
) -> pd.DataFrame:
    """Rows of tables/verdict.csv: per null and level, then per null over levels (level "all").

    Inputs are motifs tables (columns of tables/motifs.csv, optional `draw`; `z_white` for the
    whitened profile) holding only networks that count at each level (passing networks; the
    caller filters). The control task is matched by level index (`match="level"`: the same
    pruning schedule gives the same cut fraction per level) or, with a `cut_fraction` column in
    both tables, by the control level whose mean cut fraction is nearest (`"cut_fraction"`). Per level is primary; a level "selected" (each seed at
    its selected level) is secondary, and with the levels table its `level_mix` is stated.
    `min1_samples` (draws of fixed_count_min1 per network, analysed alike) is descriptive: the
    gain over them is how much similarity the degree sequences give at all; it does not decide.
    `ensemble` names the trained ensemble in `levels` whose level mix is stated.
    """
    nulls = [n for n in NULLS if n in set(trained["null"])] if nulls is None else list(nulls)
    rows = []
    for null in nulls:
        per_level = []
        for level in _levels(trained[trained["null"] == null]):
            t = trained[(trained["level"] == level) & (trained["null"] == null)]
            ns = null_samples[(null_samples["level"] == level) & (null_samples["null"] == null)]
            c, c_level = None, None
            if control is not None:
                c_level = _matched_level(t, control[control["null"] == null], level, match)
                c = control[(control["level"] == c_level) & (control["null"] == null)]
                c = c if len(c) else None
            row = compare(
                t, ns, null, control=c, measure=measure, profile=profile, n_boot=n_boot,
                seed=seed, level=level,
            )  # fmt: skip
            row["control_level"] = c_level if c is not None else np.nan
            if "cut_fraction" in t.columns:
                row["cut_fraction"] = float(t["cut_fraction"].mean())
                if c is not None and "cut_fraction" in c.columns:
                    row["control_cut_fraction"] = float(c["cut_fraction"].mean())
            row["min_seeds"], row["margin"] = min_seeds, margin
            row["verdict"], row["reason"] = decide(row, min_seeds, margin)
            if min1_samples is not None:
                m1 = min1_samples[(min1_samples["level"] == level) & (min1_samples["null"] == null)]
                r1 = compare(
                    t, m1, null, measure=measure, profile=profile, n_boot=n_boot, seed=seed,
                    level=level,
                )  # fmt: skip
                row["similarity_min1_samples"] = r1["similarity_null_samples"]
                row["delta_min1_samples"] = r1["delta"]
                row["delta_min1_ci_low"] = r1["delta_ci_low"]
                row["delta_min1_ci_high"] = r1["delta_ci_high"]
            per_level.append(row)
        rows.extend(per_level)
        counted = [r for r in per_level if r["n_seeds"] >= min_seeds]
        overall = {k: np.nan for k in VERDICT_COLUMNS}
        overall.update(null=null, level="all", measure=measure, profile=profile, motifs="")
        overall.update(min_seeds=min_seeds, margin=margin, n_seeds=len(counted), n_control=0)
        verdicts = {r["verdict"] for r in counted}
        if not counted:
            overall["verdict"], overall["reason"] = "undetermined", "no level has enough seeds"
        elif len(verdicts) == 1:
            overall["verdict"] = verdicts.pop()
            overall["reason"] = f"same verdict at all {len(counted)} level(s)"
        else:
            overall["verdict"] = "undetermined"
            overall["reason"] = "level-dependent: " + "; ".join(
                f"level {r['level']}: {r['verdict']}" for r in counted
            )
        overall["n_seeds"] = int(min(r["n_seeds"] for r in counted)) if counted else 0
        rows.append(overall)
    out = pd.DataFrame(rows).reindex(columns=VERDICT_COLUMNS)
    if levels is not None:  # the secondary "selected" pseudo-level states what it pools
        from sparsemotifs.convergence.scale import level_mix

        mix = level_mix(levels)
        mix = mix.loc[mix["ensemble"] == ensemble, "level_mix"]
        out["level_mix"] = out["level_mix"].astype(object)
        out.loc[out["level"].astype(str) == "selected", "level_mix"] = (
            mix.iloc[0] if len(mix) else ""
        )
    return out


def verdict_variants(trained, null_samples, *, control=None, nulls=None, **kw) -> pd.DataFrame:
    """The verdict table for every measure x profile: how each choice changes the answer."""
    parts = []
    has_white = "z_white" in trained.columns and "z_white" in null_samples.columns
    all_nulls = [n for n in NULLS if n in set(trained["null"])] if nulls is None else list(nulls)
    for profile in PROFILES:
        use = all_nulls
        if profile == "whitened":  # only nulls with whitened z (no closed form for degree)
            if not has_white:
                continue
            finite = trained[np.isfinite(trained["z_white"])]
            use = [n for n in all_nulls if n in set(finite["null"])]
        for measure in MEASURES:
            table = verdict_table(
                trained, null_samples, control=control, nulls=use, measure=measure,
                profile=profile, **kw,
            )  # fmt: skip
            parts.append(table)
    return pd.concat(parts, ignore_index=True)


def calibration_table(
    random_masks: pd.DataFrame, n_boot: int = N_BOOT, seed: int = 0, by_level: bool = False
) -> pd.DataFrame:
    """z of networks that are draws of (or close to) a null should be ~N(0, 1).

    Per null and motif (and level if `by_level`): n, mean and sd of z with percentile bootstrap
    CIs (networks resampled), and `calibrated` = the mean CI contains 0 and the sd CI contains 1.
    Input: the motifs table of a random-mask ensemble (e.g. random masks on the live counts).
    `p_mean_zero`: one-sample t test of mean z = 0; `p_holm`: Holm-adjusted within the table.
    """
    from scipy import stats as sps

    m = random_masks[np.isfinite(random_masks["z"])]
    keys = ["null", "motif"] + (["level"] if by_level else [])
    rows = []
    for key, g in m.groupby(keys, sort=False):
        z = g["z"].to_numpy(dtype=float)
        row = dict(zip(keys, key, strict=True))
        row.update(n=int(z.size), mean_z=float(z.mean()), sd_z=float(z.std(ddof=1)))
        rng = _rng(seed, "calibration", *key)
        boot = z[rng.integers(0, z.size, size=(n_boot, z.size))]
        row["mean_ci_low"], row["mean_ci_high"] = _ci(boot.mean(axis=1))
        row["sd_ci_low"], row["sd_ci_high"] = _ci(boot.std(axis=1, ddof=1))
        row["calibrated"] = bool(
            row["mean_ci_low"] <= 0 <= row["mean_ci_high"]
            and row["sd_ci_low"] <= 1 <= row["sd_ci_high"]
        )
        row["p_mean_zero"] = float(sps.ttest_1samp(z, 0.0).pvalue) if z.size >= 2 else np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    if not out.empty:  # Holm within the table: one test of mean z = 0 per row
        from sparsemotifs.convergence.scale import holm

        out["p_holm"] = holm(out["p_mean_zero"])
    return out
