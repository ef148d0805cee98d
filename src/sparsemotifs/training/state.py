"""The chunk's state between levels (what a checkpoint holds) and the compacted working set.

`EnsembleState` survives a level boundary; `Working` gathers the networks still training at a
level into their own batched buffers and scatters them back when the level ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from sparsemotifs.training.ensemble import Layout

CHECKPOINT_FORMAT = 1


def minibatch_rows(table: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """(K, B, n) minibatches: row idx[k, b] of `table` for network k (faster than table[idx])."""
    return table.index_select(0, idx.reshape(-1)).view(*idx.shape, table.shape[1])


@dataclass
class EnsembleState:
    """Everything about the chunk that survives a level boundary (and goes into checkpoints)."""

    params: torch.Tensor
    masks: torch.Tensor
    exp_avg: torch.Tensor
    exp_avg_sq: torch.Tensor
    adam_steps: list[int]
    alive: list[bool]
    completed_level: int = -1
    rows: list[dict] = field(default_factory=list)

    def to_payload(self, fingerprint: str) -> dict:
        return {
            "format": CHECKPOINT_FORMAT,
            "fingerprint": fingerprint,
            "completed_level": self.completed_level,
            "params": self.params.cpu(),
            "masks": self.masks.cpu(),
            "exp_avg": self.exp_avg.cpu(),
            "exp_avg_sq": self.exp_avg_sq.cpu(),
            "adam_steps": list(self.adam_steps),
            "alive": list(self.alive),
            "rows": [dict(r) for r in self.rows],
        }

    @classmethod
    def from_payload(cls, payload: dict, device: torch.device) -> EnsembleState:
        return cls(
            params=payload["params"].to(device),
            masks=payload["masks"].to(device),
            exp_avg=payload["exp_avg"].to(device),
            exp_avg_sq=payload["exp_avg_sq"].to(device),
            adam_steps=list(payload["adam_steps"]),
            alive=list(payload["alive"]),
            completed_level=int(payload["completed_level"]),
            rows=[dict(r) for r in payload["rows"]],
        )


def gather(layout: Layout, flat: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """Flat buffer of the networks `idx` (positions in `layout`), same block order."""
    sub = layout.subset(len(idx))
    out = torch.empty(sub.size, dtype=flat.dtype, device=flat.device)
    for kind, layer, *_ in layout.blocks:
        sub.view(out, kind, layer).copy_(layout.view(flat, kind, layer).index_select(0, idx))
    return out


def scatter(layout: Layout, flat: torch.Tensor, idx: torch.Tensor, sub_flat: torch.Tensor) -> None:
    """Write the networks `idx` of a compacted buffer back into the full one."""
    sub = layout.subset(len(idx))
    for kind, layer, *_ in layout.blocks:
        layout.view(flat, kind, layer).index_copy_(0, idx, sub.view(sub_flat, kind, layer))


class Working:
    """The networks still training at this level, compacted into their own batched buffers."""

    BUFFERS = ("params", "masks", "exp_avg", "exp_avg_sq")

    def __init__(self, layout: Layout, state: EnsembleState, members: list[int]):
        self.full_layout = layout
        self.members = members
        self.idx = torch.tensor(members, dtype=torch.long, device=state.params.device)
        self.layout = layout.subset(len(members))
        for name in self.BUFFERS:
            setattr(self, name, gather(layout, getattr(state, name), self.idx))
        self.grad = torch.zeros_like(self.params)
        self.scratch = (torch.empty_like(self.params), torch.empty_like(self.params))

    def write_back(self, state: EnsembleState) -> None:
        for name in self.BUFFERS:
            scatter(self.full_layout, getattr(state, name), self.idx, getattr(self, name))
