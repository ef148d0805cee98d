"""What selection did to each seed, under its own name (issue 12, item 5).

`first_failure` drops a seed whose dense level fails even when it passes at later levels (a
loss that plateaued right after warm-up); calling such seeds "never under the threshold" is
false. `seed_outcomes` names every seed's fate from the levels table (`passes`, `selected`):

- "selected": a level was selected;
- "failed at the dense level, passes later": no level selected, but some level passes (its
  passing levels are listed);
- "never passes": no level passes.

`analysed_networks` drops networks with a dead output (an output that no input reaches
predicts a constant) from the statistics by default; `exclude_dead_outputs=False` keeps them,
so a summary can give both.
"""

from __future__ import annotations

import pandas as pd

OUTCOMES = ("selected", "failed at the dense level, passes later", "never passes")


def seed_outcomes(levels: pd.DataFrame) -> pd.DataFrame:
    """Per (ensemble, seed): outcome, selected level, passing levels, first failing level."""
    df = levels if "ensemble" in levels.columns else levels.assign(ensemble="trained")
    rows = []
    for (ens, seed), g in df.sort_values("level").groupby(["ensemble", "seed"], sort=True):
        passing = g.loc[g["passes"].astype(bool), "level"].astype(int).tolist()
        failing = g.loc[~g["passes"].astype(bool), "level"].astype(int).tolist()
        chosen = g.loc[g["selected"].astype(bool), "level"].astype(int).tolist()
        if chosen:
            outcome = OUTCOMES[0]
        elif passing:
            outcome = OUTCOMES[1]
        else:
            outcome = OUTCOMES[2]
        rows.append({"ensemble": ens, "seed": int(seed), "outcome": outcome,
                     "selected_level": chosen[0] if chosen else pd.NA,
                     "passing_levels": " ".join(map(str, passing)),
                     "first_failing_level": failing[0] if failing else pd.NA})  # fmt: skip
    cols = ["ensemble", "seed", "outcome", "selected_level", "passing_levels",
            "first_failing_level"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def outcome_counts(levels: pd.DataFrame) -> pd.DataFrame:
    """Seeds per ensemble and outcome (every outcome listed, zeros included)."""
    out = seed_outcomes(levels)
    counts = out.groupby(["ensemble", "outcome"]).size()
    idx = pd.MultiIndex.from_product([out["ensemble"].unique(), OUTCOMES], names=counts.index.names)
    return counts.reindex(idx, fill_value=0).rename("seeds").reset_index()


def analysed_networks(
    levels: pd.DataFrame, motifs: pd.DataFrame, exclude_dead_outputs: bool = True
) -> pd.DataFrame:
    """Motif rows of the networks the statistics use: without dead outputs unless asked.

    `levels` needs `dead_output` (bool per ensemble, seed, level; missing = False).
    """
    if not exclude_dead_outputs or "dead_output" not in levels.columns:
        return motifs
    lv = levels if "ensemble" in levels.columns else levels.assign(ensemble="trained")
    dead = lv.loc[lv["dead_output"].fillna(False).astype(bool), ["ensemble", "seed", "level"]]
    if dead.empty:
        return motifs
    key = ["ensemble", "seed", "level"]
    merged = motifs.merge(dead.assign(_dead=True), on=key, how="left")
    return merged[merged["_dead"].isna()].drop(columns="_dead").reset_index(drop=True)
