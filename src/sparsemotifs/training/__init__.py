"""Batched training, iterative magnitude pruning and level selection of seeded MLP ensembles.

Modules: ensemble (flat batched parameters, forward/backward, init), adam (per-network Adam),
pruning (masks that only shrink), trainer (levels, early stopping, divergence, checkpoints),
storage (level{k}.npz in the motif file format), selection (optimally sparse level), cli.

    sparsemotifs train --data data.npz --seeds 0 1 2 3 --out-dir nets --metrics chunk0.parquet \
        --params '{"network": {...}, "training": {...}, "pruning": {...}}' --threads 1 \
        --checkpoint-dir ckpt/chunk0
    sparsemotifs select chunk*.parquet --out levels.csv --networks-dir nets \
        --params '{"selection": {"threshold": 0.001, "split": "val", "rule": "first_failure"}}'
"""

import importlib

# Public names and their modules; imported on first use so that `sparsemotifs --help` and the
# non-training subcommands do not pay for importing torch.
_EXPORTS = {
    "flag_dead_outputs": "selection",
    "read_metrics": "selection",
    "select_levels": "selection",
    "dead_output_nodes": "storage",
    "level_path": "storage",
    "load_masks": "storage",
    "save_level": "storage",
    "EnsembleTrainer": "trainer",
    "TrainingError": "trainer",
    "configure_threads": "trainer",
    "resolve_device": "trainer",
    "train_ensemble": "trainer",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EnsembleTrainer",
    "TrainingError",
    "configure_threads",
    "dead_output_nodes",
    "flag_dead_outputs",
    "level_path",
    "load_masks",
    "read_metrics",
    "resolve_device",
    "save_level",
    "select_levels",
    "train_ensemble",
]
