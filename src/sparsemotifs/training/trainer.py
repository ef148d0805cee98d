"""Train and iteratively prune a chunk of seeded networks together, level by level.

Level 0 trains the dense networks; level k >= 1 cuts schedule[k-1] of every layer's original
weights (pruning.py) and retrains. Each network follows its own seed only: its initial weights,
its minibatch order (reshuffled every pass) and its validation minibatches come from streams
keyed by (seed, purpose, level, pass), so neither the chunk size nor the chunk's other members
change its numbers, and a restart from a level checkpoint needs no generator state beyond
the level number (the checkpoint records it).

Networks stop individually (early stopping on their own validation loss, or divergence); a
stopped network is frozen and dropped from the batched computation while the others go on.
A network whose loss becomes non-finite is marked `diverged` at that level and is neither
pruned nor trained afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from sparsemotifs import SparsemotifsError
from sparsemotifs.contracts.names import SPLITS
from sparsemotifs.dataset import TrainingData
from sparsemotifs.io import atomic_path
from sparsemotifs.training.compact_eval import compact_split_squared_errors
from sparsemotifs.training.ensemble import (
    Layout,
    initial_parameters,
)
from sparsemotifs.training.level import LevelRun
from sparsemotifs.training.pruning import prune
from sparsemotifs.training.state import (
    CHECKPOINT_FORMAT,
    EnsembleState,
    Working,
    gather,
)
from sparsemotifs.training.storage import dead_output_nodes, level_path, save_level

log = logging.getLogger(__name__)

CHECKPOINT_NAME = "train_checkpoint.pt"


class TrainingError(SparsemotifsError):
    """Training cannot run as configured (e.g. the data do not fit the network widths)."""


def resolve_device(name: str) -> torch.device:
    """The torch device of `training.device` (auto = CUDA when available); error if unavailable."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise TrainingError("training.device is 'cuda' but no CUDA device is available")
    return torch.device(name)


def configure_threads(threads: int) -> None:
    """Limit torch to the job's cores so parallel jobs do not oversubscribe the machine."""
    torch.set_num_threads(int(threads))
    try:
        torch.set_num_interop_threads(int(threads))
    except RuntimeError:  # can only be set once per process, before any parallel work
        pass


def _permutation(seed: int, purpose: int, level: int, cycle: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), purpose, level, cycle]))
    return rng.permutation(n)


class EnsembleTrainer:
    """Trains `seeds` together; `run()` goes through all levels, resuming from a checkpoint."""

    def __init__(
        self,
        data: TrainingData,
        seeds: Sequence[int],
        network: Mapping,
        training: Mapping,
        pruning: Mapping,
        *,
        out_dir: str | Path | None = None,
        checkpoint_dir: str | Path | None = None,
        lr_overrides: Mapping[int, float] | None = None,
        on_level_end: Callable[[int], None] | None = None,
        dense_from: str | Path | None = None,
        dense_out: str | Path | None = None,
    ):
        self.seeds = [int(s) for s in seeds]
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise TrainingError(f"seeds must be distinct and non-empty, got {list(seeds)}")
        self.network, self.training, self.pruning = dict(network), dict(training), dict(pruning)
        self.widths = tuple(int(w) for w in self.network["widths"])
        if self.widths[0] != data.n_inputs or self.widths[-1] != data.n_outputs:
            raise TrainingError(
                f"network.widths {list(self.widths)} do not fit the data "
                f"({data.n_inputs} inputs, {data.n_outputs} outputs)"
            )
        self.activation = self.network["activation"]
        self.schedule = [0.0] + [float(f) for f in self.pruning["schedule"]]
        self.device = resolve_device(self.training["device"])
        self.layout = Layout(self.widths, len(self.seeds))
        self.lr_overrides = {int(k): float(v) for k, v in (lr_overrides or {}).items()}
        self.lrs = [self.lr_overrides.get(s, float(self.training["lr"])) for s in self.seeds]
        self.output_names = list(data.output_names)
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir is not None else None
        self.on_level_end = on_level_end
        # shared dense level (shared_dense.py): continue from it, or train only it and save it
        self.dense_from, self.dense_out = dense_from, dense_out
        self.data = data
        self.x = {
            s: torch.as_tensor(data.x[s], dtype=torch.float32).to(self.device) for s in SPLITS
        }
        self.y = {
            s: torch.as_tensor(data.y[s], dtype=torch.float32).to(self.device) for s in SPLITS
        }
        for s in SPLITS:
            if len(self.x[s]) == 0:
                raise TrainingError(f"the {s} split is empty")
        self.n_train = len(self.x["train"])
        self.batch = min(int(self.training["batch_size"]), self.n_train)
        self.steps_per_epoch = self.n_train // self.batch
        self.step_cap = max(
            1,
            min(
                int(self.training["max_steps_per_level"]),
                int(
                    math.floor(float(self.training["max_epochs_per_level"]) * self.steps_per_epoch)
                ),
            ),
        )
        self.stopping = dict(self.training["early_stopping"])
        self._fingerprint: str | None = None

    # ------------------------------------------------------------------ public

    @property
    def n_levels(self) -> int:
        return len(self.schedule)

    def run(self) -> pd.DataFrame:
        """All levels (resuming after the last checkpointed one); returns the metrics table.

        With `dense_from` the levels after the shared dense state; with `dense_out` only level 0,
        whose state is then written there.
        """
        from sparsemotifs.training import shared_dense

        state = self._load_checkpoint()
        if state is None and self.dense_from is not None:
            state = shared_dense.load_dense(self, self.dense_from)
        state = state or self._initial_state()
        last = 1 if self.dense_out is not None else self.n_levels
        for level in range(state.completed_level + 1, last):
            if not any(state.alive):
                break
            self._run_level(state, level)
            state.completed_level = level
            self._save_checkpoint(state)
            if self.on_level_end is not None:
                self.on_level_end(level)
        if self.dense_out is not None:
            shared_dense.save_dense(self, state, self.dense_out)
        return pd.DataFrame(state.rows)

    def checkpoint_path(self) -> Path | None:
        return self.checkpoint_dir / CHECKPOINT_NAME if self.checkpoint_dir is not None else None

    def remove_checkpoint(self) -> None:
        path = self.checkpoint_path()
        if path is not None:
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # only if empty: the directory may be shared
                path.parent.rmdir()

    # ------------------------------------------------------------------ state

    def _initial_state(self) -> EnsembleState:
        params = initial_parameters(
            self.seeds, self.widths, self.network["init"], float(self.network["init_gain"])
        ).to(self.device)
        return EnsembleState(
            params=params,
            masks=torch.ones_like(params),
            exp_avg=torch.zeros_like(params),
            exp_avg_sq=torch.zeros_like(params),
            adam_steps=[0] * len(self.seeds),
            alive=[True] * len(self.seeds),
        )

    def fingerprint(self) -> str:
        """What a checkpoint must match to be resumed: seeds, settings, data (computed once)."""
        if self._fingerprint is None:
            self._fingerprint = self._compute_fingerprint()
        return self._fingerprint

    def _compute_fingerprint(self) -> str:
        training = {
            k: v for k, v in self.training.items() if k not in ("threads", "device", "chunk_size")
        }
        digest = hashlib.blake2b(digest_size=16)
        for s in SPLITS:
            digest.update(np.ascontiguousarray(self.data.x[s]).tobytes())
            digest.update(np.ascontiguousarray(self.data.y[s]).tobytes())
        return json.dumps(
            {
                "seeds": self.seeds,
                "network": self.network,
                "training": training,
                "pruning": self.pruning,
                "lr_overrides": {str(k): v for k, v in sorted(self.lr_overrides.items())},
                "data": digest.hexdigest(),
            },
            sort_keys=True,
        )

    def _save_checkpoint(self, state: EnsembleState) -> None:
        path = self.checkpoint_path()
        if path is None:
            return
        with atomic_path(path, suffix=".pt") as tmp:
            torch.save(state.to_payload(self.fingerprint()), tmp)

    def _load_checkpoint(self) -> EnsembleState | None:
        path = self.checkpoint_path()
        if path is None or not path.exists():
            return None
        try:
            payload = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - a damaged checkpoint only costs a restart
            log.warning("ignoring unreadable checkpoint %s (%s); starting from level 0", path, exc)
            return None
        if (
            payload.get("format") != CHECKPOINT_FORMAT
            or payload.get("fingerprint") != self.fingerprint()
        ):
            log.warning(
                "checkpoint %s belongs to other seeds/settings/data; starting from level 0", path
            )
            return None
        log.info("resuming from %s after level %d", path, payload["completed_level"])
        return EnsembleState.from_payload(payload, self.device)

    # ------------------------------------------------------------------ one level

    def _run_level(self, state: EnsembleState, level: int) -> None:
        t0 = time.perf_counter()
        members = [k for k, a in enumerate(state.alive) if a]
        fraction = self.schedule[level]
        if level > 0:
            work = Working(self.layout, state, members)
            prune(
                work.layout,
                work.params,
                work.masks,
                fraction,
                scope=self.pruning["scope"],
                prune_biases=bool(self.pruning["prune_biases"]),
                bias_cutoff=self.pruning.get("bias_cutoff", "own"),
            )
            work.exp_avg.mul_(work.masks)  # a pruned weight's Adam moments are cleared
            work.exp_avg_sq.mul_(work.masks)
            work.write_back(state)
        outcome = self._train_level(state, level, members, t0)
        losses = self._evaluate(state, members)
        for k in members:
            per_output = losses[k]
            if not all(math.isfinite(v) for vals in per_output.values() for v in vals):
                outcome[k]["status"] = "diverged"
        for k in members:
            row = self._metrics_row(state, k, level, fraction, losses[k], outcome[k])
            state.rows.append(row)
            if self.out_dir is not None:
                self._save_level_file(state, k, level)
            if row["status"] == "diverged":
                state.alive[k] = False
        self._log_level(
            level, [r for r in state.rows if r["level"] == level], time.perf_counter() - t0
        )

    def _train_level(
        self, state: EnsembleState, level: int, members: list[int], t0: float
    ) -> dict[int, dict]:
        """Train the members until each stops; returns per network steps/stop reason/time."""
        return LevelRun(self, state, level, members, t0).run()

    def _orders(
        self, active: list[int], purpose: int, level: int, cycle: int, n: int
    ) -> torch.Tensor:
        """(K_active, n) row orders, each from its own network's seed."""
        rows = [_permutation(self.seeds[k], purpose, level, cycle, n) for k in active]
        return torch.as_tensor(np.stack(rows), device=self.device)

    # ------------------------------------------------------------------ results

    def _evaluate(
        self, state: EnsembleState, members: list[int]
    ) -> dict[int, dict[str, list[float]]]:
        idx = torch.tensor(members, dtype=torch.long, device=self.device)
        params = gather(self.layout, state.params, idx)
        masks = gather(self.layout, state.masks, idx)
        sub = self.layout.subset(len(members))
        out: dict[int, dict[str, list[float]]] = {k: {} for k in members}
        for split in SPLITS:
            # pruned networks on their live units only (float-rounding equal, compact_eval.py)
            sse = compact_split_squared_errors(
                sub,
                params,
                masks,
                self.x[split],
                self.y[split],
                self.activation,
                int(self.training["eval_batch_size"]),
            )
            per_output = (sse / len(self.x[split])).cpu().numpy()
            for i, k in enumerate(members):
                out[k][split] = [float(v) for v in per_output[i]]
        return out

    def network_arrays(self, state: EnsembleState, k: int) -> dict[str, list[np.ndarray]]:
        """Network k's weights, biases and masks in the file orientation (source x target)."""
        arrays: dict[str, list[np.ndarray]] = {
            "weights": [],
            "biases": [],
            "masks": [],
            "bias_masks": [],
        }
        for layer in range(self.layout.n_layers):
            arrays["weights"].append(
                self.layout.view(state.params, "weight", layer)[k].cpu().numpy()
            )
            arrays["biases"].append(self.layout.view(state.params, "bias", layer)[k].cpu().numpy())
            arrays["masks"].append(self.layout.view(state.masks, "weight", layer)[k].cpu().numpy())
            arrays["bias_masks"].append(
                self.layout.view(state.masks, "bias", layer)[k].cpu().numpy()
            )
        return arrays

    def _save_level_file(self, state: EnsembleState, k: int, level: int) -> None:
        a = self.network_arrays(state, k)
        save_level(
            level_path(self.out_dir, self.seeds[k], level),
            a["weights"],
            a["biases"],
            a["masks"],
            a["bias_masks"],
        )

    def _metrics_row(
        self, state: EnsembleState, k: int, level: int, fraction: float, losses: dict, outcome: dict
    ) -> dict:
        arrays = self.network_arrays(state, k)
        edges = [int(m.sum()) for m in arrays["masks"]]
        dense = sum(m.size for m in arrays["masks"])
        row = {
            "seed": self.seeds[k],
            "level": level,
            "cut_fraction": fraction,
            "weights_kept": sum(edges) / dense,
        }
        for layer, e in enumerate(edges):
            row[f"edges_kept_{layer}"] = e
        for layer, bm in enumerate(arrays["bias_masks"]):
            row[f"biases_kept_{layer}"] = int(bm.sum())
        row["dead_outputs"] = int(dead_output_nodes(arrays["masks"]).sum())
        for split in SPLITS:
            row[f"loss_{split}"] = float(np.mean(losses[split]))
        for split in SPLITS:
            for name, v in zip(self.output_names, losses[split], strict=True):
                row[f"loss_{split}_{name}"] = v
        steps = int(outcome["steps"])
        row.update(
            steps=steps,
            epochs=steps / self.steps_per_epoch,
            wall_time_s=float(outcome["wall_time_s"]),
            status=outcome["status"],
            stopped_early=bool(outcome["stopped_early"]),
            lr=self.lrs[k],
        )
        return row

    def _log_level(self, level: int, rows: list[dict], elapsed: float) -> None:
        ok = [r for r in rows if r["status"] == "ok"]

        def med(key: str) -> float:
            return float(np.median([r[key] for r in ok])) if ok else float("nan")

        log.info(
            "level %d (cut %.2f): %d networks, %d diverged; median loss train %.3g val %.3g; "
            "median steps %d; %.1f s",
            level,
            self.schedule[level],
            len(rows),
            len(rows) - len(ok),
            med("loss_train"),
            med("loss_val"),
            int(med("steps")) if ok else 0,
            elapsed,
        )


def train_ensemble(
    data: TrainingData,
    seeds: Sequence[int],
    network: Mapping,
    training: Mapping,
    pruning: Mapping,
    **kwargs,
) -> pd.DataFrame:
    """Train, prune and retrain `seeds` together; the metrics table (one row per seed x level).

    Sections must be validated (defaults filled) as by sparsemotifs.config.validate_section.
    Keyword arguments: out_dir (write level files), checkpoint_dir (resume after a kill),
    lr_overrides {seed: lr}, on_level_end(level) callback.
    """
    return EnsembleTrainer(data, seeds, network, training, pruning, **kwargs).run()
