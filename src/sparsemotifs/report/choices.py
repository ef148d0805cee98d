"""The reference study's choices switched off one at a time (`tables/published_choices.csv`).

One row per setting, each differing from the row it names (`from`) in one choice, so the
z-scores and the verdict read as "what this choice does":

  published          the published ensemble (its generator `reference`, its conventions)
  reproduction       our subject under the reference null: the published method on our networks
  null model         the subject under each other null (same networks, same selection)
  <variant>          every other trained variant under the reference null; `change` lists the
                     settings in which it differs from the subject (a selection-only variant
                     switches the selection rule alone, on the subject's networks)
  reference network  the reference pipeline's own network (every bias kept, one network) at the
                     published modal cut under the reference null: what the bias defect removed

The chain statistic is switched in the columns: `connected_pairs_2` is the published chain
statistic (connected endpoint pairs), `chain_2` the count of 2-paths (the motif). z columns are
the mean ± sd over networks at each one's selected level (the published modal cut for the
reference network); `verdict` is tables/verdict.csv's at the selected level under the row's null
(the published ensemble and the single reference network have none).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sparsemotifs.contracts.names import SELECTED

PUBLISHED = "published"
REFERENCE_NULL = "reference"
MOTIFS = ["bi_fan", "bi_parallel", "diverging_2", "connected_pairs_2", "chain_2"]
COLUMNS = ["choice", "change", "from", "ensemble", "null", "n", "verdict"] + [
    f"{m}_{s}" for m in MOTIFS for s in ("mean", "sd")
]


def _flat(section: Mapping, prefix: str = "") -> dict:
    out = {}
    for key, value in section.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{name}."))
        else:
            out[name] = value
    return out


def variant_change(variants: Mapping, name: str, subject: str) -> str:
    """The overridden settings in which variant `name` differs from `subject`, in words."""
    a, b = _flat(variants.get(subject, {})), _flat(variants.get(name, {}))
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return ", ".join(f"{k} {a.get(k, 'default')} -> {b.get(k, 'default')}" for k in keys)


def _z_row(z: pd.DataFrame, ensemble: str, null: str) -> dict:
    """mean/sd/n of each motif's z at the selected levels (rows of the comparison table)."""
    sub = z[(z["ensemble"] == ensemble) & (z["null"] == null)].set_index("motif")
    out = {"n": int(sub["n"].max()) if len(sub) else 0}
    for m in MOTIFS:
        out[f"{m}_mean"] = float(sub.at[m, "mean"]) if m in sub.index else np.nan
        out[f"{m}_sd"] = float(sub.at[m, "sd"]) if m in sub.index else np.nan
    return out


def _verdict(verdict: pd.DataFrame | None, ensemble: str, null: str) -> str:
    if verdict is None or verdict.empty:
        return "-"
    hit = verdict[
        (verdict["ensemble"] == ensemble)
        & (verdict["null"] == null)
        & (verdict["level"].astype(str) == SELECTED)
    ]
    return str(hit["verdict"].iloc[0]) if len(hit) else "-"


def choices_table(
    comparison: pd.DataFrame,
    verdict: pd.DataFrame | None,
    variants: Mapping,
    subject: str,
    reference_network: pd.DataFrame | None = None,
    reference_cut: float = 0.93,
) -> pd.DataFrame:
    """The rows described in the module docstring, in that order."""
    z = comparison[comparison["quantity"] == "z_selected"]
    rows = []

    def add(choice, change, base, ensemble, null, **extra):
        stats = extra or _z_row(z, ensemble, null)
        verdict_text = "-" if ensemble == PUBLISHED else _verdict(verdict, ensemble, null)
        rows.append({"choice": choice, "change": change, "from": base, "ensemble": ensemble,
                     "null": null, "verdict": verdict_text, **stats})  # fmt: skip

    if PUBLISHED in set(z["ensemble"]):
        add("published", "", "", PUBLISHED, REFERENCE_NULL)
    nulls = list(dict.fromkeys(z.loc[z["ensemble"] == subject, "null"]))
    if REFERENCE_NULL in nulls:
        add("reproduction", f"our {subject} networks", PUBLISHED, subject, REFERENCE_NULL)
    base = "reproduction" if REFERENCE_NULL in nulls else ""
    for null in nulls:
        if null != REFERENCE_NULL:
            add("null model", f"null {REFERENCE_NULL} -> {null}", base, subject, null)
    ours = [e for e in dict.fromkeys(z["ensemble"]) if e not in (PUBLISHED, subject)]
    for name in ours:
        null = REFERENCE_NULL if REFERENCE_NULL in nulls else (nulls[0] if nulls else "")
        add(name, variant_change(variants, name, subject), base, name, null)
    if reference_network is not None and not reference_network.empty:
        at = reference_network[
            np.isclose(reference_network["cut_fraction"], reference_cut)
            & (reference_network["null"] == REFERENCE_NULL)
        ].set_index("motif")
        if len(at):
            stats = {"n": 1}
            for m in MOTIFS:
                stats[f"{m}_mean"] = float(at.at[m, "z"]) if m in at.index else np.nan
                stats[f"{m}_sd"] = np.nan
            add("reference network", f"every bias kept (cut {reference_cut:.2f}, one network)",
                PUBLISHED, "zahn2022", REFERENCE_NULL, **stats)  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def _cell(row, motif: str) -> str:
    mean, sd = row[f"{motif}_mean"], row[f"{motif}_sd"]
    if not np.isfinite(mean):
        return "n/a"
    return f"{mean:.1f}" if not np.isfinite(sd) else f"{mean:.1f} ± {sd:.1f}"


def summary_section(table: pd.DataFrame, note: str | None = None) -> list[str]:
    """Markdown lines of the table, with what each column means."""
    lines = ["## The reference study's choices, one at a time", ""]
    if note:
        lines += [f"Note: {note}", ""]
    if table.empty:
        return lines + ["No ensemble to compare.", ""]
    lines += [
        "Each row changes one choice of the row it names in `from` (tables/published_choices.csv). "
        "z: mean ± sd over networks at each one's selected level (positive = more than the null "
        "gives; it grows like the square root of the live edges, so compare rows of one width). "
        "connected_pairs_2 is the published chain statistic, chain_2 the motif; the verdict is the "
        "study's (profile similarity of the trained seeds against their own null samples) at the "
        "selected level under the row's null.",
        "",
        "| choice | change | n | " + " | ".join(MOTIFS) + " | verdict |",
        "|---" * (len(MOTIFS) + 4) + "|",
    ]
    for _, row in table.iterrows():
        cells = " | ".join(_cell(row, m) for m in MOTIFS)
        lines.append(f"| {row['choice']} | {row['change']} | {row['n']} | {cells} | "
                     f"{row['verdict']} |")  # fmt: skip
    return lines + [""]
