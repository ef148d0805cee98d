"""Read a network level file (masks, weights, biases) and validate it, naming the file on error.

The masks are validated by the network contract (contracts.network); the weights and biases
must match their masks' shapes and be finite. Masked entries are zeroed on load, so every
consumer sees pruned weights as absent whatever the file stored there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sparsemotifs.contracts.network import parse_seed_level, validate_arrays
from sparsemotifs.io import InputError, load_npz

__all__ = ["Network", "load_network", "network_from_arrays", "parse_seed_level"]


@dataclass(frozen=True)
class Network:
    """Masked float64 weights (n_l x n_{l+1}, source rows) and biases of one network."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    masks: tuple[np.ndarray, ...]
    bias_masks: tuple[np.ndarray, ...]

    @property
    def widths(self) -> list[int]:
        return [self.weights[0].shape[0]] + [w.shape[1] for w in self.weights]

    @property
    def n_blocks(self) -> int:
        return len(self.weights)


def network_from_arrays(arrays: dict[str, np.ndarray], path: str | Path = "<arrays>") -> Network:
    """Validate masks (the network contract), weights and biases; zero what is masked."""
    checked = validate_arrays(arrays, path)
    weights, biases, bias_masks = [], [], []
    for li, mask in enumerate(checked.masks):
        for key, shape in ((f"weight_{li}", mask.shape), (f"bias_{li}", (mask.shape[1],))):
            if key not in arrays:
                raise InputError(f"{path}: {key} is missing (a network file needs weights)")
            if np.shape(arrays[key]) != shape:
                raise InputError(
                    f"{path}: {key} must have shape {shape}, got {np.shape(arrays[key])}"
                )
            if not np.isfinite(np.asarray(arrays[key], dtype=np.float64)).all():
                raise InputError(f"{path}: {key} contains NaN or infinite values")
        bm = checked.bias_masks[li]
        bm = np.ones(mask.shape[1], dtype=bool) if bm is None else np.asarray(bm, dtype=bool)
        weights.append(np.where(mask, np.asarray(arrays[f"weight_{li}"], np.float64), 0.0))
        biases.append(np.where(bm, np.asarray(arrays[f"bias_{li}"], np.float64), 0.0))
        bias_masks.append(bm)
    return Network(tuple(weights), tuple(biases), tuple(checked.masks), tuple(bias_masks))


def load_network(path: str | Path) -> Network:
    """Read and validate a level file; any problem raises InputError naming the file."""
    return network_from_arrays(load_npz(path), path)
