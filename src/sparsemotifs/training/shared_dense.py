"""A dense level trained once and shared by variants that differ only after it.

Why: variants of a study that differ only in `pruning` (or `selection`) settings train the
same dense networks: level 0 does not prune, so its numbers depend on the seeds, the data and
the network and training settings only. The workflow trains it once per chunk
(`sparsemotifs train --dense-out FILE`) and every such variant continues from that state
(`--dense-from FILE`). The state is the trainer's own level checkpoint after level 0, so a
variant continued from it gives exactly the numbers of a variant trained from scratch (the
same resume path as a restart after a kill).

The file carries a fingerprint of what level 0 depends on; a variant whose dense level would
differ (other seeds, data, network or training settings) is refused, never silently fed
another variant's networks.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sparsemotifs.contracts.names import SPLITS
from sparsemotifs.io import atomic_path

if TYPE_CHECKING:  # torch only where states are read or written: the Snakefile needs the key
    from sparsemotifs.training.state import EnsembleState
    from sparsemotifs.training.trainer import EnsembleTrainer

DENSE_KIND = "dense_level"
# training keys that do not change the numbers of a chunk (job layout; device and threads are
# study-wide, so variants never differ in them)
JOB_KEYS = ("threads", "device", "chunk_size")


def dense_settings_key(data_name: str, network: dict, training: dict) -> str:
    """Short key of what a dense level depends on besides seeds and data contents (for file
    names: variants with equal keys share their dense level)."""
    text = json.dumps(
        {
            "data": data_name,
            "network": network,
            "training": {k: v for k, v in training.items() if k not in JOB_KEYS},
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def dense_fingerprint(trainer: EnsembleTrainer) -> str:
    """What level 0 of a chunk depends on: seeds, network, training settings, data (no pruning)."""
    digest = hashlib.blake2b(digest_size=16)
    for s in SPLITS:
        digest.update(np.ascontiguousarray(trainer.data.x[s]).tobytes())
        digest.update(np.ascontiguousarray(trainer.data.y[s]).tobytes())
    return json.dumps(
        {
            "kind": DENSE_KIND,
            "seeds": trainer.seeds,
            "network": trainer.network,
            "training": {k: v for k, v in trainer.training.items() if k not in JOB_KEYS},
            "lr_overrides": {str(k): v for k, v in sorted(trainer.lr_overrides.items())},
            "data": digest.hexdigest(),
        },
        sort_keys=True,
    )


def save_dense(trainer: EnsembleTrainer, state: EnsembleState, path: str | Path) -> None:
    """Write the chunk's state after level 0 (atomically)."""
    import torch

    if state.completed_level != 0:
        raise ValueError(f"a dense state is the state after level 0, not {state.completed_level}")
    with atomic_path(Path(path), suffix=".pt") as tmp:
        torch.save(state.to_payload(dense_fingerprint(trainer)), tmp)


def load_dense(trainer: EnsembleTrainer, path: str | Path) -> EnsembleState:
    """The shared state after level 0; writes this variant's level-0 files from it."""
    import torch

    from sparsemotifs.training.state import CHECKPOINT_FORMAT, EnsembleState
    from sparsemotifs.training.trainer import TrainingError

    path = Path(path)
    if not path.is_file():
        raise TrainingError(f"{path}: shared dense level not found")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same clear error
        raise TrainingError(f"{path}: not a readable dense-level state ({exc})") from None
    if payload.get("format") != CHECKPOINT_FORMAT or payload.get("completed_level") != 0:
        raise TrainingError(f"{path}: not a dense-level state (format or level differs)")
    if payload.get("fingerprint") != dense_fingerprint(trainer):
        raise TrainingError(
            f"{path}: the shared dense level was trained with other seeds, data, network or "
            "training settings than this job's; it cannot be continued here"
        )
    state = EnsembleState.from_payload(payload, trainer.device)
    if trainer.out_dir is not None:
        for k in range(len(trainer.seeds)):
            trainer._save_level_file(state, k, 0)  # noqa: SLF001 - the trainer's own writer
    return state
