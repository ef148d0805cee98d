"""Markdown section of summary.md: our ensembles next to the published one, per level, from
the comparison table (`published_compare`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sparsemotifs.report.published_compare import COMPARED_MOTIFS, PUBLISHED

STRUCTURE_CUT = 0.93  # the published ensemble's modal selected level


def _fmt(value, spec: str = ".3g") -> str:
    return "-" if value is None or not np.isfinite(value) else format(value, spec)


def _lookup(df: pd.DataFrame, column: str = "value", **where) -> float:
    sub = df
    for key, val in where.items():
        sub = sub[np.isclose(sub[key], val)] if isinstance(val, float) else sub[sub[key] == val]
    return float(sub[column].iloc[0]) if len(sub) else np.nan


def _per_level(table: pd.DataFrame, ensembles: list[str]) -> list[str]:
    share = table[table["quantity"] == "share_under"]
    rules = share[["ensemble", "split", "threshold"]].drop_duplicates().to_records(index=False)
    head = ["cut"] + [f"{e} median train loss" for e in ensembles]
    head += [f"{e}: {s} <= {t:g}" for e, s, t in rules] + [f"{e} selected" for e in ensembles]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    loss = table[(table["quantity"] == "loss") & (table["split"] == "train")]
    sel = table[table["quantity"] == "selected_share"]
    for cut in sorted(table["cut_fraction"].dropna().unique()):
        row = [f"{cut:.2f}"]
        row += [_fmt(_lookup(loss, "median", ensemble=e, cut_fraction=cut)) for e in ensembles]
        row += [_fmt(_lookup(share, ensemble=e, split=s, threshold=float(t), cut_fraction=cut), ".2f")
                for e, s, t in rules]  # fmt: skip
        row += [_fmt(_lookup(sel, ensemble=e, cut_fraction=cut), ".2f") for e in ensembles]
        lines.append("| " + " | ".join(row) + " |")
    return lines + [""]


def _modal_cuts(table: pd.DataFrame, ensembles: list[str]) -> list[float]:
    """STRUCTURE_CUT, then each ensemble's most often selected cut (first seen order)."""
    sel = table[table["quantity"] == "selected_share"]
    cuts = [STRUCTURE_CUT]
    for e in ensembles:
        g = sel[sel["ensemble"] == e]
        if len(g):
            cuts.append(float(g.loc[g["value"].idxmax(), "cut_fraction"]))
    return list(dict.fromkeys(round(c, 6) for c in cuts))


def _structure(table: pd.DataFrame, ensembles: list[str]) -> list[str]:
    lines = ["Live structure at the published modal level and at each ensemble's modal selected "
             "level (medians over networks; nodes with a live output, the bias row included where "
             "it has a live edge):", "",
             "| cut | ensemble | networks | live nodes per layer | live edges | live bias edges |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for cut in _modal_cuts(table, ensembles):
        at = table[np.isclose(table["cut_fraction"], cut)]
        nodes, edges = at[at["quantity"] == "live_nodes"], at[at["quantity"] == "edges"]
        bias = at[at["quantity"] == "bias_edges"]
        for e in ensembles:
            g = nodes[nodes["ensemble"] == e].sort_values("layer")
            if g.empty:
                continue
            per_layer = "[" + ", ".join(f"{v:g}" for v in g["median"]) + "]"
            b = bias[bias["ensemble"] == e]["median"].sum()
            lines.append(f"| {cut:.2f} | {e} | {int(g['n'].max())} | {per_layer} | "
                         f"{_fmt(_lookup(edges, 'median', ensemble=e), '.0f')} | {b:g} |")  # fmt: skip
    return lines + [""]


def _z_table(z: pd.DataFrame, ensembles: list[str], title: str) -> list[str]:
    cols = [(e, n) for e in ensembles for n in dict.fromkeys(z[z["ensemble"] == e]["null"])]
    if not cols:
        return []
    head = ["motif"] + [f"{e} ({n})" for e, n in cols]
    lines = [title, "", "| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for motif in COMPARED_MOTIFS:
        cells = []
        for e, n in cols:
            mean = _lookup(z, "mean", ensemble=e, null=n, motif=motif)
            sd = _lookup(z, "sd", ensemble=e, null=n, motif=motif)
            k = _lookup(z, "n", ensemble=e, null=n, motif=motif)
            cells.append(
                f"{_fmt(mean, '.1f')} ± {_fmt(sd, '.1f')} ({k:.0f})" if np.isfinite(mean) else "-"
            )
        if any(c != "-" for c in cells):
            lines.append(f"| {motif} | " + " | ".join(cells) + " |")
    return lines + [""]


def _z_selected(table: pd.DataFrame, ensembles: list[str]) -> list[str]:
    """z at each network's selected level, and at the published modal level."""
    lines = _z_table(
        table[table["quantity"] == "z_selected"], ensembles,
        "z at each network's selected level (mean ± sd (networks); the published ensemble under "
        "its own generator, `reference`, with its counting conventions):",
    )  # fmt: skip
    at = table[(table["quantity"] == "z") & np.isclose(table["cut_fraction"], STRUCTURE_CUT)]
    return lines + _z_table(
        at, ensembles, f"z at cut {STRUCTURE_CUT:.2f} (every network analysed there):"
    )


def summary_section(table: pd.DataFrame, note: str | None = None) -> list[str]:
    """The section's markdown lines (with `note` alone where the published data are absent)."""
    lines = ["## Our ensembles next to the published ensemble", ""]
    if note:
        lines += [f"Note: {note}", ""]
    if table.empty:
        return lines
    ensembles = [e for e in dict.fromkeys(table["ensemble"]) if e != PUBLISHED]
    if PUBLISHED in set(table["ensemble"]):
        ensembles.append(PUBLISHED)
    lines += ["Per level: median train loss, share of networks under each selection threshold "
              "(the published rule is train <= 0.001), share selected at the level "
              "(`tables/published_comparison.csv` holds every quantity; figures "
              "published_losses, published_live, published_z).", ""]  # fmt: skip
    lines += _per_level(table, ensembles)
    lines += _structure(table, ensembles)
    lines += _z_selected(table, ensembles)
    return lines
