"""Per-network, per-level files in the motif file format, and mask-derived statistics.

`level{k}.npz` holds, for layer li (0 = input layer -> first hidden layer):
  mask_l       uint8 0/1, (n_l, n_{li+1}): row = source node, column = target node
               (the transpose of torch.nn.Linear.weight)
  bias_mask_l  uint8 0/1, (n_{li+1},)
  weight_l     float32, same orientation as mask_l, exactly 0 where masked
  bias_l       float32, (n_{li+1},), exactly 0 where masked
  widths       int64, the layer widths (input first)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sparsemotifs.io import load_npz, save_npz


def level_path(out_dir: str | Path, seed: int, level: int) -> Path:
    return Path(out_dir) / f"seed{seed}" / f"level{level}.npz"


def save_level(
    path: str | Path,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    masks: Sequence[np.ndarray],
    bias_masks: Sequence[np.ndarray],
) -> None:
    arrays: dict[str, np.ndarray] = {}
    widths = [weights[0].shape[0]] + [w.shape[1] for w in weights]
    for li, (w, b, m, bm) in enumerate(zip(weights, biases, masks, bias_masks, strict=True)):
        arrays[f"mask_{li}"] = np.asarray(m != 0, dtype=np.uint8)
        arrays[f"bias_mask_{li}"] = np.asarray(bm != 0, dtype=np.uint8)
        arrays[f"weight_{li}"] = np.asarray(w, dtype=np.float32)
        arrays[f"bias_{li}"] = np.asarray(b, dtype=np.float32)
    arrays["widths"] = np.asarray(widths, dtype=np.int64)
    save_npz(path, **arrays)


def load_masks(path: str | Path) -> list[np.ndarray]:
    """The weight masks mask_0 ... mask_{L-1} of a level file, as bool arrays.

    Validated like the motif commands' input (0/1 values, matching layer sizes), so a damaged
    file is refused with its name and problem instead of being read as something else.
    """
    from sparsemotifs.motifs.graph import graph_from_arrays

    return list(graph_from_arrays(load_npz(path), path).blocks)


def dead_output_nodes(masks: Sequence[np.ndarray]) -> np.ndarray:
    """Bool per output node: no path from any input reaches it, so it predicts a constant.

    Biases are constants, so a node fed only by a bias carries no input signal either.
    """
    live = np.ones(masks[0].shape[0], dtype=bool)
    for m in masks:
        live = (live.astype(np.int64) @ (np.asarray(m) != 0).astype(np.int64)) > 0
    return ~live
