# Shared settings and input functions (no rules here).
import json
import hashlib
from pathlib import Path

from sparsemotifs.config import validate_config
from sparsemotifs.workflow_cli import as_json, code_fingerprint

# The package's own validation adds checks JSON Schema cannot express (increasing cut
# fractions, split fractions summing to 1, ...); it raises before any job is scheduled.
CFG = validate_config(config)

RESULTS = f"results/{CFG['study']}"
SEEDS = list(range(CFG["first_seed"], CFG["first_seed"] + CFG["seeds"]))
CHUNK_SIZE = CFG["training"]["chunk_size"]
CHUNKS = {
    i: SEEDS[start : start + CHUNK_SIZE]
    for i, start in enumerate(range(0, len(SEEDS), CHUNK_SIZE))
}
SHARDS = list(range(CFG["simulation"]["shards"]))
NULLS = CFG["motifs"]["nulls"]
TRAINED_ENSEMBLES = ["trained"] + (
    ["control_task"] if CFG["controls"]["control_task"]["enabled"] else []
)
MOTIF_ENSEMBLES = (
    ["trained"]
    + (["random_pruned"] if CFG["controls"]["random_pruned"] else [])
    + (["control_task"] if CFG["controls"]["control_task"]["enabled"] else [])
)


wildcard_constraints:
    shard=r"\d+",
    chunk=r"\d+",
    ensemble="|".join(["trained", "random_pruned", "control_task"]),
    null="|".join(["fixed_count", "fixed_count_min1", "degree"]),


def settings(*sections):
    """The named config sections as canonical JSON: a rule reruns when (only) these change."""
    return as_json({name: CFG[name] for name in sections})


def section(name):
    return as_json(CFG[name])


def data_file(ensemble):
    name = "flight" if ensemble == "trained" else "control_task"
    return f"{RESULTS}/data/{name}.npz"


def networks_dir(ensemble):
    """trained networks live in networks/ (the documented contract), controls beside it."""
    if ensemble in ("trained", "random_pruned"):
        return f"{RESULTS}/networks"
    return f"{RESULTS}/{ensemble}/networks"


def trained_source(ensemble):
    """random_pruned re-analyses the trained networks' edge counts with random masks."""
    return "trained" if ensemble == "random_pruned" else ensemble


def chunk_metrics(ensemble):
    return [f"{RESULTS}/train/{ensemble}/chunk{c}.csv" for c in CHUNKS]


def levels_table(ensemble):
    if ensemble == "trained":
        return f"{RESULTS}/tables/levels.csv"
    return f"{RESULTS}/tables/{ensemble}_levels.csv"


def checkpoint_dir(wildcards):
    """Checkpoints are keyed by the chunk's settings so a changed config never resumes stale state."""
    key = hashlib.sha256(
        (train_settings() + " ".join(map(str, CHUNKS[int(wildcards.chunk)]))).encode()
    ).hexdigest()[:12]
    return (
        f"{RESULTS}/train/{wildcards.ensemble}/checkpoints/chunk{wildcards.chunk}-{key}"
    )


def train_settings():
    return settings("network", "training", "pruning")


def motif_tables(kind):
    return [
        f"{RESULTS}/motifs/{ensemble}/{null}/chunk{c}.{kind}.parquet"
        for ensemble in MOTIF_ENSEMBLES
        for null in NULLS
        for c in CHUNKS
    ]


FIGURES = [
    "loss_vs_sparsity",
    "selected_sparsity",
    "z_selected",
    "z_vs_sparsity",
    "profile_heatmap",
    "published_comparison",
]
TABLES = [
    "convergence",
    "profile_similarity",
    "permutation_tests",
    "dispersion_trend",
    "convergence_per_layer",
]


def final_outputs():
    return (
        [
            f"{RESULTS}/config.yaml",
            f"{RESULTS}/tables/levels.csv",
            f"{RESULTS}/tables/motifs.csv",
            f"{RESULTS}/summary.md",
        ]
        + [f"{RESULTS}/tables/{t}.csv" for t in TABLES]
        + [f"{RESULTS}/figures/{f}.png" for f in FIGURES]
    )
