"""The reference study's published data (shared/reference/data), loaded for the report.

Three sources: per-network losses at every level (400 networks), per-network motif tables up to
each network's selected level (370 networks; counts with the study's own conventions and z
against its own generator), and one of its pruned networks (zahn2022_network/cut{f}.npz). The
data are never copied into the repository: they are read from a configurable directory,
default ``../shared/reference/data`` (relative to the working directory, then to the repository
root); the environment variable SPARSEMOTIFS_REFERENCE_DATA overrides the default. Where they
are absent every loader returns None and `missing_note` says which setting to change: the
comparison is skipped, never an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_DIR = "../shared/reference/data"
ENV_VAR = "SPARSEMOTIFS_REFERENCE_DATA"
SETTING = "report.reference_data"
LOSSES_FILE = "published_losses.csv.gz"
ZSCORES_FILE = "published_motif_zscores.csv.gz"
NETWORK_DIR = "zahn2022_network"
SPLITS = ("train", "val", "test")
# src/sparsemotifs/report/<this file> -> the repository root
_REPO_ROOT = Path(__file__).resolve().parents[3]


def reference_data_dir(path: str | Path | None = None) -> Path:
    """The data directory: `path` if given, else $SPARSEMOTIFS_REFERENCE_DATA, else the default
    (relative to the working directory if it exists there, else to the repository root)."""
    if path is not None:
        return Path(path)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    here = Path(DEFAULT_DIR)
    return here if here.is_dir() else _REPO_ROOT / DEFAULT_DIR


def missing_note(path: str | Path | None = None, what: str = LOSSES_FILE) -> str | None:
    """None if `what` exists in the data directory, else a sentence naming the setting."""
    root = reference_data_dir(path)
    if (root / what).exists():
        return None
    return (
        f"published reference data not found ({root / what}); the comparison with the "
        f"reference study is skipped. Set `{SETTING}` in the config (or ${ENV_VAR}) to the "
        f"directory holding {LOSSES_FILE}, {ZSCORES_FILE} and {NETWORK_DIR}/."
    )


def load_losses(path: str | Path | None = None) -> pd.DataFrame | None:
    """network, level, cut_fraction, loss_train, loss_val, loss_test; None when absent."""
    if missing_note(path, LOSSES_FILE):
        return None
    df = pd.read_csv(reference_data_dir(path) / LOSSES_FILE)
    return df.sort_values(["network", "level"], kind="stable").reset_index(drop=True)


def load_motif_zscores(path: str | Path | None = None) -> pd.DataFrame | None:
    """The per-network motif table, list columns parsed (None when absent).

    live_nodes_with_output/with_input: lists per layer; edges_per_layer is split into
    weight_edges and bias_edges (lists per block).
    """
    if missing_note(path, ZSCORES_FILE):
        return None
    df = pd.read_csv(reference_data_dir(path) / ZSCORES_FILE)
    for col in ("live_nodes_with_output", "live_nodes_with_input", "edges_per_layer"):
        df[col] = df[col].map(json.loads)
    df["weight_edges"] = df["edges_per_layer"].map(lambda v: [int(p[0]) for p in v])
    df["bias_edges"] = df["edges_per_layer"].map(lambda v: [int(p[1]) for p in v])
    return df


def network_path(cut_fraction: float, path: str | Path | None = None) -> Path | None:
    """The shared 2022 network at a cut fraction (0.0 = dense), or None when absent."""
    f = reference_data_dir(path) / NETWORK_DIR / f"cut{cut_fraction:.2f}.npz"
    return f if f.exists() else None


def network_levels(path: str | Path | None = None) -> list[float]:
    """Cut fractions of the shared network's files, ascending ([] when absent)."""
    root = reference_data_dir(path) / NETWORK_DIR
    if not root.is_dir():
        return []
    return sorted(float(p.stem[3:]) for p in root.glob("cut*.npz"))


def loss_distribution(losses: pd.DataFrame, split: str = "train") -> pd.DataFrame:
    """Per level: n, median, quartiles, min and max of the split's loss over networks."""
    col = _loss_column(split)
    g = losses.groupby(["level", "cut_fraction"])[col]
    out = pd.DataFrame(
        {
            "n": g.count(),
            "median": g.median(),
            "q25": g.quantile(0.25),
            "q75": g.quantile(0.75),
            "min": g.min(),
            "max": g.max(),
        }
    )
    return out.reset_index()


def share_under_threshold(
    losses: pd.DataFrame, threshold: float = 1e-3, split: str = "train"
) -> pd.DataFrame:
    """Per level: share of the networks whose loss is <= threshold (the loss cliff)."""
    col = _loss_column(split)
    passed = (losses[col] <= threshold).rename("share")
    out = passed.groupby([losses["level"], losses["cut_fraction"]]).mean()
    return out.reset_index()


def selected_levels(
    losses: pd.DataFrame, threshold: float = 1e-3, split: str = "train", rule: str = "last_pass"
) -> pd.DataFrame:
    """Per network: the selected level (-1 where none passes) and its cut fraction.

    last_pass (the reference): the most pruned passing level, even after an earlier failure;
    first_failure: the last level before the first failing one.
    """
    col = _loss_column(split)
    rows = []
    for net, g in losses.sort_values("level").groupby("network"):
        ok = (g[col] <= threshold).to_numpy()
        levels, cuts = g["level"].to_numpy(), g["cut_fraction"].to_numpy()
        if rule == "last_pass":
            idx = np.nonzero(ok)[0]
            pick = int(idx[-1]) if idx.size else -1
        elif rule == "first_failure":
            fail = np.nonzero(~ok)[0]
            pick = (int(fail[0]) - 1) if fail.size else len(ok) - 1
        else:
            raise ValueError(f"unknown selection rule {rule!r}")
        rows.append(
            {
                "network": int(net),
                "level": int(levels[pick]) if pick >= 0 else -1,
                "cut_fraction": float(cuts[pick]) if pick >= 0 else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=["network", "level", "cut_fraction"])


def selected_level_histogram(selected: pd.DataFrame) -> pd.DataFrame:
    """cut_fraction, networks, share (of all networks, those with no passing level included)."""
    total = len(selected)
    kept = selected[selected["level"] >= 0]
    counts = kept.groupby("cut_fraction").size().rename("networks").reset_index()
    counts["share"] = counts["networks"] / total if total else np.nan
    return counts


def live_structure(zscores: pd.DataFrame) -> pd.DataFrame:
    """One row per network and level: live nodes per layer (the study's count with outputs,
    bias rows included where live), weight and bias edges per block, total live edges."""
    first = zscores.drop_duplicates(["network", "level"])
    cols = ["network", "level", "cut_fraction", "edges", "live_nodes_with_output"]
    out = first[cols + ["weight_edges", "bias_edges"]].rename(
        columns={"live_nodes_with_output": "live_nodes"}
    )
    return out.reset_index(drop=True)


def live_structure_by_level(zscores: pd.DataFrame) -> pd.DataFrame:
    """Per level: networks, median live nodes per layer and median weight/bias edges per block."""
    live = live_structure(zscores)
    rows = []
    for (level, cut), g in live.groupby(["level", "cut_fraction"]):
        rows.append(
            {
                "level": int(level),
                "cut_fraction": float(cut),
                "networks": len(g),
                "median_edges": float(g["edges"].median()),
                "median_live_nodes": _median_lists(g["live_nodes"]),
                "median_weight_edges": _median_lists(g["weight_edges"]),
                "median_bias_edges": _median_lists(g["bias_edges"]),
            }
        )
    return pd.DataFrame(rows)


def z_distribution(zscores: pd.DataFrame) -> pd.DataFrame:
    """Per level and motif: networks with a finite z, mean, sample sd, median and quartiles."""
    z = zscores[np.isfinite(zscores["z"])]
    g = z.groupby(["level", "cut_fraction", "motif"])["z"]
    out = pd.DataFrame(
        {
            "n": g.count(),
            "mean": g.mean(),
            "sd": g.std(ddof=1),
            "median": g.median(),
            "q25": g.quantile(0.25),
            "q75": g.quantile(0.75),
        }
    )
    return out.reset_index()


def _median_lists(values: pd.Series) -> list[float]:
    arr = np.array(values.tolist(), dtype=float)
    return [float(v) for v in np.median(arr, axis=0)]


def _loss_column(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    return f"loss_{split}"
