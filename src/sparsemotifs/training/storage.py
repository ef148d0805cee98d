"""Network files of the training stage and mask-derived statistics.

The file format (`level_path`, `save_level`, `load_masks`) is a shared contract defined in
`sparsemotifs.contracts.network`; it is re-exported here for the trainer and selection.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sparsemotifs.contracts.network import level_path, load_masks, save_level

__all__ = ["dead_output_nodes", "level_path", "load_masks", "save_level"]


def dead_output_nodes(masks: Sequence[np.ndarray]) -> np.ndarray:
    """Bool per output node: no path from any input reaches it, so it predicts a constant.

    Biases are constants, so a node fed only by a bias carries no input signal either.
    """
    live = np.ones(masks[0].shape[0], dtype=bool)
    for m in masks:
        live = (live.astype(np.int64) @ (np.asarray(m) != 0).astype(np.int64)) > 0
    return ~live
