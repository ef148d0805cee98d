"""Reproducible, shard-independent sampling of initial states and controls (flight_model.md).

Rows are grouped in fixed blocks of BLOCK rows; block b draws from its own generator
np.random.default_rng(SeedSequence([seed, b])). A block's rows therefore depend only on
(seed, b), never on how blocks are assigned to simulation jobs. Each row takes one
row-major draw of len(SAMPLED) uniforms, so a block's first rows do not depend on its length.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

BLOCK = 4096
# Sampled variables, in draw order; x0 = y0 = 0 always.
SAMPLED = ("xd", "yd", "theta", "phi", "thetad", "phid", "F", "alpha", "tau")
DEFAULT_RANGES = {
    "xd": (-1500.0, 1500.0),
    "yd": (-1500.0, 1500.0),
    "theta": (0.0, 2.0 * math.pi),
    "phi": (0.0, 2.0 * math.pi),
    "thetad": (-25.0, 25.0),
    "phid": (-25.0, 25.0),
    "F": (0.0, 44300.0),
    "alpha": (0.0, 2.0 * math.pi),
    "tau": (-100000.0, 100000.0),
}


def block_generator(seed: int, block: int) -> np.random.Generator:
    """The generator of one block of trajectories (its draws depend on seed and block only)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(block)]))


def n_blocks(n: int) -> int:
    """Number of BLOCK-sized blocks covering n trajectories."""
    return -(-int(n) // BLOCK)


def block_rows(n: int, block: int) -> int:
    """Rows of `block` in a run of n trajectories (the last block is truncated)."""
    return max(0, min(BLOCK, int(n) - block * BLOCK))


def shard_blocks(n: int, shard: int, shards: int) -> range:
    """Contiguous blocks of shard `shard` of `shards`; shards 0..k-1 in order cover all blocks."""
    total = n_blocks(n)
    return range(shard * total // shards, (shard + 1) * total // shards)


def draw(rng: np.random.Generator, rows: int, ranges: Mapping | None = None):
    """(state0 (rows, 8) in table order, controls (rows, 3)) from uniform ranges."""
    merged = dict(DEFAULT_RANGES)
    merged.update({k: tuple(v) for k, v in (ranges or {}).items()})
    low = np.array([merged[k][0] for k in SAMPLED], dtype=np.float64)
    high = np.array([merged[k][1] for k in SAMPLED], dtype=np.float64)
    values = low + (high - low) * rng.random((rows, len(SAMPLED)))
    v = dict(zip(SAMPLED, values.T, strict=True))
    zeros = np.zeros(rows)
    state0 = np.column_stack(
        [zeros, v["xd"], zeros, v["yd"], v["theta"], v["thetad"], v["phi"], v["phid"]]
    )
    controls = np.column_stack([v["F"], v["alpha"], v["tau"]])
    return state0, controls
