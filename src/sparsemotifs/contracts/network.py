"""The network file format: one `seed{s}/level{k}.npz` per network and pruning level.

Written by training (and by any producer of networks), read by selection and the motif stage.
For layer l (0 = input layer -> first hidden layer) a file holds:
  mask_l       uint8 0/1, (n_l, n_{l+1}): row = source node, column = target node
               (the transpose of torch.nn.Linear.weight)
  bias_mask_l  uint8 0/1, (n_{l+1},)            optional
  weight_l     float32, same orientation as mask_l, exactly 0 where masked
  bias_l       float32, (n_{l+1},), exactly 0 where masked
  widths       int64, the layer widths (input first)
Readers need only the masks (and bias masks); other arrays are ignored by validation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sparsemotifs.io import InputError, load_npz, save_npz

_MASK_KEY = re.compile(r"^mask_(\d+)$")
_BIAS_KEY = re.compile(r"^bias_mask_(\d+)$")
_PATH_SEED_LEVEL = re.compile(r"seed(\d+)[/\\]level(\d+)\.npz$")


def level_path(out_dir: str | Path, seed: int, level: int) -> Path:
    """Where the network of `seed` at pruning level `level` lives under a networks folder."""
    return Path(out_dir) / f"seed{seed}" / f"level{level}.npz"


def parse_seed_level(path: str | Path) -> tuple[int, int]:
    """(seed, level) from a path ending in seed<seed>/level<k>.npz; InputError otherwise."""
    match = _PATH_SEED_LEVEL.search(str(path))
    if not match:
        raise InputError(f"{path}: path must end in seed<seed>/level<k>.npz to give seed and level")
    return int(match.group(1)), int(match.group(2))


def save_level(
    path: str | Path,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    masks: Sequence[np.ndarray],
    bias_masks: Sequence[np.ndarray],
) -> None:
    """Write one level file atomically (weights in mask orientation: row = source)."""
    arrays: dict[str, np.ndarray] = {}
    widths = [weights[0].shape[0]] + [w.shape[1] for w in weights]
    for li, (w, b, m, bm) in enumerate(zip(weights, biases, masks, bias_masks, strict=True)):
        arrays[f"mask_{li}"] = np.asarray(m != 0, dtype=np.uint8)
        arrays[f"bias_mask_{li}"] = np.asarray(bm != 0, dtype=np.uint8)
        arrays[f"weight_{li}"] = np.asarray(w, dtype=np.float32)
        arrays[f"bias_{li}"] = np.asarray(b, dtype=np.float32)
    arrays["widths"] = np.asarray(widths, dtype=np.int64)
    save_npz(path, **arrays)


@dataclass(frozen=True)
class NetworkMasks:
    """Validated masks of one file: bool blocks (n_l x n_{l+1}) and bias masks (or None)."""

    masks: tuple[np.ndarray, ...]
    bias_masks: tuple[np.ndarray | None, ...]


def _binary(arr: np.ndarray, path: Path, key: str) -> np.ndarray:
    if arr.dtype == bool:
        return arr
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise InputError(f"{path}: array '{key}' has non-numeric dtype {arr.dtype}")
    if arr.size and not np.isin(arr, (0, 1)).all():
        raise InputError(f"{path}: array '{key}' must hold only 0/1 values")
    return arr.astype(bool)


def _validated_masks(arrays: dict[str, np.ndarray], path: Path) -> list[np.ndarray]:
    mask_ids = sorted(int(m.group(1)) for k in arrays if (m := _MASK_KEY.match(k)))
    if not mask_ids:
        raise InputError(f"{path}: no mask_0 ... mask_{{L-1}} arrays found")
    n_blocks = mask_ids[-1] + 1
    missing = sorted(set(range(n_blocks)) - set(mask_ids))
    if missing:
        raise InputError(
            f"{path}: mask_{missing[0]} is missing (masks must be numbered 0..{n_blocks - 1})"
        )
    masks: list[np.ndarray] = []
    for li in range(n_blocks):
        m = np.asarray(arrays[f"mask_{li}"])
        if m.ndim != 2:
            raise InputError(f"{path}: mask_{li} must be 2-D (n_l x n_(l+1)), got shape {m.shape}")
        if li and m.shape[0] != masks[-1].shape[1]:
            raise InputError(
                f"{path}: mask_{li} has {m.shape[0]} rows but mask_{li - 1} has {masks[-1].shape[1]} "
                "columns (layer sizes do not match)"
            )
        masks.append(_binary(m, path, f"mask_{li}"))
    return masks


def validate_arrays(arrays: dict[str, np.ndarray], path: str | Path = "<arrays>") -> NetworkMasks:
    """Check mask_0..mask_{L-1} (0/1, matching layer sizes) and optional bias_mask_l.

    >>> m = validate_arrays({"mask_0": np.ones((2, 3)), "mask_1": np.eye(3, 1)})
    >>> [a.shape for a in m.masks], m.bias_masks
    ([(2, 3), (3, 1)], (None, None))
    """
    path = Path(path)
    masks = _validated_masks(arrays, path)
    bias: list[np.ndarray | None] = [None] * len(masks)
    for key in arrays:
        if not (match := _BIAS_KEY.match(key)):
            continue
        li = int(match.group(1))
        if li >= len(masks):
            raise InputError(f"{path}: {key} has no matching mask_{li}")
        b = np.asarray(arrays[key])
        if b.shape != (masks[li].shape[1],):
            raise InputError(
                f"{path}: {key} must have shape ({masks[li].shape[1]},), got {b.shape}"
            )
        bias[li] = _binary(b, path, key)
    return NetworkMasks(tuple(masks), tuple(bias))


def load_network(path: str | Path) -> NetworkMasks:
    """Read and validate a level file; any problem raises InputError naming the file."""
    return validate_arrays(load_npz(path), path)


def load_masks(path: str | Path) -> list[np.ndarray]:
    """The weight masks mask_0 ... mask_{L-1} of a level file, as validated bool arrays."""
    return list(load_network(path).masks)
