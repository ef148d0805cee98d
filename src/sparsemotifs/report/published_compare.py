"""Our trained ensembles next to the reference study's published ensemble, per level.

One long table (`tables/published_comparison.csv`), one row per ensemble, quantity and level
(cut fraction), so every comparison is a filter of it:

  quantity            key columns          statistics over networks
  loss                split                n, mean, sd, median, q25, q75 of the split's loss
  share_under         split, threshold     value = share of networks with loss <= threshold
  selected_share      rule                 value = share of networks selected at the cut (n = count)
  live_nodes          layer                live nodes per layer in the published convention:
                                           neurons with a live output plus the layer's bias row
                                           where it has a live edge (inputs 10 + 1 when dense)
  weight_edges        layer (block)        live weight edges of the block
  bias_edges          layer (block)        live bias edges of the block
  edges               -                    live weights + biases of the network
  z                   null, motif          z over networks at that level
  z_selected          null, motif          z over networks at each one's selected level (cut NaN)

The published ensemble (`ensemble` = "published") has its losses at every level (400 networks),
the selection by its own rule (training loss <= 1e-3, last_pass) and its motif table up to each
network's selected level (370 networks), under its own generator (null `reference`) with its
counting conventions. Ours come from the levels tables, the motifs table (every null the study
ran) and the live structure of the network files (`live_structure`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sparsemotifs.contracts.names import MOTIFS, PUBLISHED_CONVENTIONS, SPLITS
from sparsemotifs.motifs.graph import LayeredGraph, strip_dead
from sparsemotifs.report import published_data

PUBLISHED = "published"
PUBLISHED_THRESHOLD = 1e-3
PUBLISHED_SPLIT = "train"
PUBLISHED_RULE = "last_pass"
COLUMNS = [
    "ensemble", "quantity", "cut_fraction", "split", "threshold", "rule", "null", "motif",
    "layer", "n", "value", "mean", "sd", "median", "q25", "q75",
]  # fmt: skip
COMPARED_MOTIFS = [m for m in MOTIFS if m != "edges"] + list(PUBLISHED_CONVENTIONS)


def describe(values) -> dict:
    """n, mean, sample sd (ddof = 1), median and quartiles of the finite values."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return {
            "n": 0,
            "mean": np.nan,
            "sd": np.nan,
            "median": np.nan,
            "q25": np.nan,
            "q75": np.nan,
        }
    return {
        "n": int(v.size),
        "mean": float(v.mean()),
        "sd": float(v.std(ddof=1)) if v.size > 1 else np.nan,
        "median": float(np.median(v)),
        "q25": float(np.quantile(v, 0.25)),
        "q75": float(np.quantile(v, 0.75)),
    }


def network_live_structure(graph: LayeredGraph, bias_only_live: bool = True) -> dict:
    """Live nodes per layer (published convention), weight/bias edges per block, total edges.

    The reference study counted a layer's nodes with an output, its bias row included where the
    row kept a live edge; the output layer counts its live outputs.
    """
    _, report = strip_dead(graph, bias_only_live=bias_only_live)
    bias = [max(int(b), 0) for b in report.bias_edges_live]
    nodes = [
        n + (1 if li < len(bias) and bias[li] > 0 else 0) for li, n in enumerate(report.nodes_live)
    ]
    return {
        "live_nodes": nodes,
        "weight_edges": [int(e) for e in report.edges_live],
        "bias_edges": bias,
        "edges": int(sum(report.edges_live) + sum(bias)),
    }


def live_structure(graphs: Mapping[tuple[str, int, float], LayeredGraph]) -> pd.DataFrame:
    """One row per (ensemble, seed, cut_fraction) network: its `network_live_structure`."""
    rows = [
        {"ensemble": e, "network": s, "cut_fraction": c, **network_live_structure(g)}
        for (e, s, c), g in graphs.items()
    ]
    return pd.DataFrame(rows, columns=["ensemble", "network", "cut_fraction", "live_nodes",
                                       "weight_edges", "bias_edges", "edges"])  # fmt: skip


def _row(**values) -> dict:
    return {c: values.get(c, np.nan if c not in ("split", "rule", "null", "motif") else "")
            for c in COLUMNS}  # fmt: skip


def loss_rows(ensemble: str, losses: pd.DataFrame) -> list[dict]:
    """Loss distribution per cut and split (columns cut_fraction, loss_<split>)."""
    rows = []
    for cut, g in losses.groupby("cut_fraction"):
        for split in SPLITS:
            col = f"loss_{split}"
            if col in g.columns:
                rows.append(_row(ensemble=ensemble, quantity="loss", cut_fraction=cut, split=split,
                                 **describe(g[col])))  # fmt: skip
    return rows


def share_rows(ensemble: str, losses: pd.DataFrame, split: str, threshold: float) -> list[dict]:
    """Share of networks with the split's loss <= threshold, per cut (NaN losses fail)."""
    rows = []
    for cut, g in losses.groupby("cut_fraction"):
        ok = g[f"loss_{split}"].to_numpy(dtype=float) <= threshold
        rows.append(_row(ensemble=ensemble, quantity="share_under", cut_fraction=cut, split=split,
                         threshold=threshold, n=len(g), value=float(ok.mean())))  # fmt: skip
    return rows


def selected_rows(
    ensemble: str, selected_cuts: pd.Series, n_networks: int, rule: str
) -> list[dict]:
    """Share of all networks (those with no selection included) selected at each cut."""
    counts = selected_cuts.dropna().value_counts().sort_index()
    return [
        _row(ensemble=ensemble, quantity="selected_share", cut_fraction=float(c), rule=rule,
             n=int(k), value=k / n_networks if n_networks else np.nan)
        for c, k in counts.items()
    ]  # fmt: skip


def structure_rows(ensemble: str, live: pd.DataFrame) -> list[dict]:
    """Per cut: live nodes per layer, weight and bias edges per block, total edges."""
    rows = []
    for cut, g in live.groupby("cut_fraction"):
        rows.append(
            _row(ensemble=ensemble, quantity="edges", cut_fraction=cut, **describe(g["edges"]))
        )
        for quantity in ("live_nodes", "weight_edges", "bias_edges"):
            arr = np.array(g[quantity].tolist(), dtype=float)
            for layer in range(arr.shape[1] if arr.ndim == 2 else 0):
                rows.append(_row(ensemble=ensemble, quantity=quantity, cut_fraction=cut,
                                 layer=layer, **describe(arr[:, layer])))  # fmt: skip
    return rows


def z_rows(ensemble: str, z: pd.DataFrame, quantity: str = "z") -> list[dict]:
    """z per (cut, null, motif) over networks; columns cut_fraction, null, motif, z."""
    rows = []
    sub = z[z["motif"].isin(COMPARED_MOTIFS)]
    keys = ["null", "motif"] if quantity == "z_selected" else ["cut_fraction", "null", "motif"]
    for key, g in sub.groupby(keys):
        named = dict(zip(keys, key, strict=True))
        rows.append(_row(ensemble=ensemble, quantity=quantity, **named, **describe(g["z"])))
    return rows


def ours_rows(
    ensemble: str, levels: pd.DataFrame, motifs: pd.DataFrame, live: pd.DataFrame | None,
    selection: Mapping,
) -> list[dict]:  # fmt: skip
    """Every quantity of one of our ensembles (levels rows of status ok; its motifs rows)."""
    lv = levels[levels["ensemble"] == ensemble] if "ensemble" in levels.columns else levels
    ok = lv[lv["status"] == "ok"] if "status" in lv.columns else lv
    n_networks = lv["seed"].nunique()
    rows = loss_rows(ensemble, ok)
    split, threshold = selection.get("split", "val"), float(selection.get("threshold", 1e-3))
    rows += share_rows(ensemble, ok, split, threshold)
    if (split, threshold) != (PUBLISHED_SPLIT, PUBLISHED_THRESHOLD):  # like for like, too
        rows += share_rows(ensemble, ok, PUBLISHED_SPLIT, PUBLISHED_THRESHOLD)
    sel = lv[lv["selected"].astype(bool)] if "selected" in lv.columns else lv.iloc[:0]
    rows += selected_rows(ensemble, sel["cut_fraction"], n_networks, selection.get("rule", ""))
    if live is not None and len(live):
        rows += structure_rows(ensemble, live[live["ensemble"] == ensemble])
    m = motifs[motifs["ensemble"] == ensemble]
    if len(m):
        cuts = lv[["seed", "level", "cut_fraction"]].drop_duplicates(["seed", "level"])
        m = m.assign(level=pd.to_numeric(m["level"], errors="coerce")).merge(
            cuts, on=["seed", "level"]
        )
        rows += z_rows(ensemble, m)
        chosen = sel[["seed", "level"]]
        rows += z_rows(ensemble, m.merge(chosen, on=["seed", "level"]), "z_selected")
    return rows


def published_rows(losses: pd.DataFrame | None, zscores: pd.DataFrame | None) -> list[dict]:
    """Every quantity of the published ensemble (None parts are skipped)."""
    rows: list[dict] = []
    if losses is not None:
        rows += loss_rows(PUBLISHED, losses)
        rows += share_rows(PUBLISHED, losses, PUBLISHED_SPLIT, PUBLISHED_THRESHOLD)
        sel = published_data.selected_levels(
            losses, PUBLISHED_THRESHOLD, PUBLISHED_SPLIT, PUBLISHED_RULE
        )
        cuts = sel["cut_fraction"].where(sel["level"] >= 0)
        rows += selected_rows(PUBLISHED, cuts, len(sel), PUBLISHED_RULE)
    if zscores is not None:
        live = published_data.live_structure(zscores).rename(columns={"network": "network"})
        rows += structure_rows(PUBLISHED, live)
        z = zscores.assign(null="reference")[
            ["network", "level", "cut_fraction", "null", "motif", "z"]
        ]
        rows += z_rows(PUBLISHED, z)
        last = z.groupby("network")["level"].transform(
            "max"
        )  # the table stops at the selected level
        rows += z_rows(PUBLISHED, z[z["level"] == last], "z_selected")
    return rows


def comparison_table(
    levels: pd.DataFrame,
    motifs: pd.DataFrame,
    live: pd.DataFrame | None,
    selections: Mapping[str, Mapping],
    losses: pd.DataFrame | None,
    zscores: pd.DataFrame | None,
) -> pd.DataFrame:
    """The long comparison table: each of our ensembles in `selections` ({name: selection
    section}), then the published one (omitted where its data are None)."""
    rows: list[dict] = []
    for ensemble, selection in selections.items():
        rows += ours_rows(ensemble, levels, motifs, live, selection)
    rows += published_rows(losses, zscores)
    return pd.DataFrame(rows, columns=COLUMNS)
