"""One pruning level's training loop, in named steps: a minibatch step for every network still
training, the paper rule's validation record, the stopping check, and retiring the networks
that stopped (compacting the batch to those that go on).

Kept apart from the trainer so each step reads on its own; the numbers are those of one loop.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import torch

from sparsemotifs.training.adam import adam_step
from sparsemotifs.training.ensemble import (
    loss_and_gradient,
    mse_per_network,
    predict,
    split_squared_errors,
)
from sparsemotifs.training.state import EnsembleState, Working, minibatch_rows

if TYPE_CHECKING:
    from sparsemotifs.training.trainer import EnsembleTrainer

PURPOSE_SHUFFLE = 0x5A0F
PURPOSE_VALIDATION = 0x7A11


class LevelRun:
    """Train `members` at `level` until each stops; `run()` returns per network steps/stop/time."""

    def __init__(
        self,
        trainer: EnsembleTrainer,
        state: EnsembleState,
        level: int,
        members: list[int],
        t0: float,
    ):
        self.tr, self.state, self.level, self.t0 = trainer, state, level, t0
        stopping = trainer.stopping
        self.rule = stopping["rule"]
        if level == 0 and not trainer.training.get("dense_early_stopping", True):
            self.rule = "none"  # the reference's dense pass: only the step/pass caps end it
        self.check_every = int(stopping["check_every"])
        self.window = int(stopping["window"])
        self.n_val = len(trainer.x["val"])
        self.val_rows = min(int(stopping["val_batches"]) * trainer.batch, self.n_val)
        self.val_steps_per_cycle = self.n_val // self.val_rows
        self.outcome: dict[int, dict] = {}
        self.active = list(members)
        self.work = Working(trainer.layout, state, self.active)
        n, device = len(self.active), trainer.device
        self.history = torch.zeros(n, 2 * self.window, dtype=torch.float32, device=device)
        self.best = torch.full((n,), math.inf, dtype=torch.float64, device=device)
        self.stale = torch.zeros(n, dtype=torch.long, device=device)
        self.bad = torch.zeros(n, dtype=torch.bool, device=device)
        self.train_order: torch.Tensor | None = None
        self.val_order: torch.Tensor | None = None
        self.t = 0

    def run(self) -> dict[int, dict]:
        while True:  # every network leaves through a check; the step cap is always checked
            self.train_step()
            if self.rule == "paper":
                self.record_validation()
            self.t += 1
            if self.t % self.check_every != 0 and self.t != self.tr.step_cap:
                continue
            if self.retire(self.stop_flags()):
                return self.outcome

    def train_step(self) -> None:
        """One Adam step on the next minibatch of every active network (masked)."""
        tr, work, t = self.tr, self.work, self.t
        epoch, pos = divmod(t, tr.steps_per_epoch)
        if pos == 0 or self.train_order is None:
            self.train_order = tr._orders(
                self.active, PURPOSE_SHUFFLE, self.level, epoch, tr.n_train
            )
        idx = self.train_order[:, pos * tr.batch : (pos + 1) * tr.batch]
        xb, yb = minibatch_rows(tr.x["train"], idx), minibatch_rows(tr.y["train"], idx)
        loss = loss_and_gradient(work.layout, work.params, work.grad, xb, yb, tr.activation)
        work.grad.mul_(work.masks)
        for k in self.active:
            self.state.adam_steps[k] += 1
        adam_step(
            work.params,
            work.grad,
            work.exp_avg,
            work.exp_avg_sq,
            [self.state.adam_steps[k] for k in self.active],
            [tr.lrs[k] for k in self.active],
            tuple(tr.training["betas"]),
            work.layout.spans,
            work.scratch,
        )
        work.params.mul_(work.masks)
        self.bad |= ~torch.isfinite(loss)

    def record_validation(self) -> None:
        """The paper rule: loss on this step's validation minibatch, into the history ring."""
        tr, t = self.tr, self.t
        cycle, vpos = divmod(t, self.val_steps_per_cycle)
        if vpos == 0 or self.val_order is None:
            self.val_order = tr._orders(
                self.active, PURPOSE_VALIDATION, self.level, cycle, self.n_val
            )
        vidx = self.val_order[:, vpos * self.val_rows : (vpos + 1) * self.val_rows]
        with torch.no_grad():
            val_loss = mse_per_network(
                predict(
                    self.work.layout,
                    self.work.params,
                    minibatch_rows(tr.x["val"], vidx),
                    tr.activation,
                ),
                minibatch_rows(tr.y["val"], vidx),
            )
        self.history[:, t % (2 * self.window)] = val_loss

    def stop_flags(self) -> torch.Tensor:
        """Which active networks the stopping rule stops at this check."""
        tr, t, window = self.tr, self.t, self.window
        stop = torch.zeros_like(self.bad)
        if self.rule == "paper" and t >= max(int(tr.stopping["warmup"]), 2 * window):
            recent = torch.arange(t - window, t, device=tr.device) % (2 * window)
            earlier = torch.arange(t - 2 * window, t - window, device=tr.device) % (2 * window)
            h = self.history
            stop = h[:, earlier].double().mean(1) / h[:, recent].double().mean(1) < float(
                tr.stopping["ratio"]
            )
        elif self.rule == "patience" and int(tr.stopping["warmup"]) <= t:
            sse = split_squared_errors(
                self.work.layout,
                self.work.params,
                tr.x["val"],
                tr.y["val"],
                tr.activation,
                int(tr.training["eval_batch_size"]),
            )
            val_loss = sse.mean(1) / self.n_val
            improved = val_loss < self.best
            self.best = torch.where(improved, val_loss, self.best)
            self.stale = torch.where(improved, torch.zeros_like(self.stale), self.stale + 1)
            stop = self.stale >= int(tr.stopping["patience"])
        return stop

    def retire(self, stop: torch.Tensor) -> bool:
        """Record the outcome of stopped, diverged or capped networks; True when none is left."""
        stopped, diverged = stop.tolist(), self.bad.tolist()
        finished = [a or b for a, b in zip(stopped, diverged, strict=True)]
        at_cap = self.t >= self.tr.step_cap
        if not any(finished) and not at_cap:
            return False
        elapsed = time.perf_counter() - self.t0
        for i, k in enumerate(self.active):
            if finished[i] or at_cap:
                self.outcome[k] = {
                    "steps": self.t,
                    "stopped_early": stopped[i] and not diverged[i] and not at_cap,
                    "status": "diverged" if diverged[i] else "ok",
                    "wall_time_s": elapsed,
                }
        self.work.write_back(self.state)
        keep = [] if at_cap else [i for i, f in enumerate(finished) if not f]
        self.active = [self.active[i] for i in keep]
        if not self.active:
            return True
        self.compact(keep)
        return False

    def compact(self, keep: list[int]) -> None:
        """Go on with the networks at positions `keep` only."""
        keep_t = torch.tensor(keep, dtype=torch.long, device=self.tr.device)
        self.work = Working(self.tr.layout, self.state, self.active)
        self.history, self.best, self.stale, self.bad = (
            v.index_select(0, keep_t) for v in (self.history, self.best, self.stale, self.bad)
        )
        assert self.train_order is not None
        self.train_order = self.train_order.index_select(0, keep_t)
        if self.val_order is not None:
            self.val_order = self.val_order.index_select(0, keep_t)
