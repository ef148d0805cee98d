"""The reference pipeline's own network (shared/reference/data/zahn2022_network, one
10-400-400-400-16-7 network of its 2022 Keras version at all 18 levels) under every null.

It shows what the reference study's generator gives on a network whose biases were all kept:
z-scores in the hundreds (bi_fan ~ 230 at 93 %), where the published ensemble, which lost almost
every bias to the bias-mask defect, has ~ 20. Every level is analysed with the bias nodes (its
biases are part of the network) and the published counting conventions; the level the published
ensemble selects most often (`selected_cut`, 0.93) gets `samples` null draws, the others
`samples_other` (their z only shows the trend; cost measured in benchmarks/reference_network.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sparsemotifs.contracts.names import NULLS
from sparsemotifs.motifs.analysis import analyse, null_seed
from sparsemotifs.motifs.graph import load_graph, strip_dead
from sparsemotifs.report import published_data
from sparsemotifs.report.published_compare import COMPARED_MOTIFS, network_live_structure

ENSEMBLE = "zahn2022"
COLUMNS = [
    "ensemble", "level", "cut_fraction", "null", "motif", "count", "null_mean", "null_sd", "z",
    "samples", "live_nodes", "edges",
]  # fmt: skip


def analyse_level(
    path: str | Path,
    level: int,
    cut: float,
    nulls: Sequence[str],
    samples: int,
    seed: int = 0,
) -> list[dict]:
    """Rows of one level's file under each null (bias nodes kept, published conventions added)."""
    graph = load_graph(path)
    live, _ = strip_dead(graph)
    structure = network_live_structure(graph)
    rows = []
    for null in nulls:
        res = analyse(
            live,
            null,
            samples=samples,
            rng=np.random.default_rng(null_seed(seed, 0, level, null)),
            connected_pairs=True,
            output_width=graph.widths[-1],
        )
        for motif in ["edges", *COMPARED_MOTIFS]:
            r = res.total[motif]
            rows.append(
                {"ensemble": ENSEMBLE, "level": level, "cut_fraction": cut, "null": null,
                 "motif": motif, "count": r["count"], "null_mean": r["null_mean"],
                 "null_sd": r["null_sd"], "z": r["z"], "samples": res.samples,
                 "live_nodes": str(structure["live_nodes"]), "edges": structure["edges"]}
            )  # fmt: skip
    return rows


def analyse_reference_network(
    data_dir: str | Path | None = None,
    nulls: Sequence[str] = NULLS,
    samples: int = 100,
    samples_other: int = 5,
    selected_cut: float = 0.93,
    seed: int = 0,
    cuts: Sequence[float] | None = None,
) -> pd.DataFrame | None:
    """The table of every level (or `cuts`) under every null; None when the network is absent."""
    available = published_data.network_levels(data_dir)
    if not available:
        return None
    rows = []
    for level, cut in enumerate(available):
        if cuts is not None and not any(np.isclose(cut, c) for c in cuts):
            continue
        n = samples if np.isclose(cut, selected_cut) else samples_other
        path = published_data.network_path(cut, data_dir)
        rows += analyse_level(path, level, cut, nulls, n, seed)
    return pd.DataFrame(rows, columns=COLUMNS)


def missing_note(data_dir: str | Path | None = None) -> str | None:
    """None if the shared network is there, else a sentence naming the setting."""
    return published_data.missing_note(data_dir, f"{published_data.NETWORK_DIR}/cut0.00.npz")


def summary_section(
    table: pd.DataFrame | None, note: str | None, selected_cut: float = 0.93
) -> list[str]:
    """Markdown lines: z at the selected cut per motif and null, and bi_fan z across levels."""
    lines = ["## The reference pipeline's own network", ""]
    if table is None or table.empty:
        return lines + [note or "the shared network was not analysed.", ""]
    lines += [
        "One 10-400-400-400-16-7 network of the reference pipeline (its 2022 version, every bias "
        "kept; `zahn2022_network/`), analysed with its bias nodes under every null, with the "
        "published counting conventions. Its reference-null z-scores are in the hundreds, the "
        "published ensemble's about 20: the published networks lost almost every bias to the "
        "bias-mask defect, which changes which nodes stay live.",
        "",
    ]
    nulls = list(dict.fromkeys(table["null"]))
    at = table[np.isclose(table["cut_fraction"], selected_cut)]
    if len(at):
        live = at["live_nodes"].iloc[0]
        lines += [f"At cut {selected_cut:.2f} (live nodes {live}, {int(at['edges'].iloc[0])} live "
                  f"edges; {int(at['samples'].max())} null samples):", ""]  # fmt: skip
        lines += ["| motif | " + " | ".join(nulls) + " |", "|---" * (len(nulls) + 1) + "|"]
        for motif in COMPARED_MOTIFS:
            vals = [at[(at["null"] == n) & (at["motif"] == motif)]["z"] for n in nulls]
            lines.append(f"| {motif} | " + " | ".join(_fmt(v) for v in vals) + " |")
        lines.append("")
    bf = table[table["motif"] == "bi_fan"]
    lines += ["bi_fan z by cut fraction:", "", "| cut | " + " | ".join(nulls) + " |",
              "|---" * (len(nulls) + 1) + "|"]  # fmt: skip
    for cut, g in bf.groupby("cut_fraction"):
        lines.append(
            f"| {cut:.2f} | " + " | ".join(_fmt(g[g["null"] == n]["z"]) for n in nulls) + " |"
        )
    return lines + [""]


def _fmt(values: pd.Series) -> str:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return f"{v.iloc[0]:.1f}" if len(v) else "-"
