"""Networks from elsewhere: torch checkpoints to the project's level files, and imported levels.

Why (issue 12, item 6): the analysis should run on networks the project did not train. Two
pieces, both free of the workflow:

- `import_checkpoint`: an `nn.Sequential` of `Linear` layers (a state dict, or a pickled
  module if `allow_pickle`), plain or pruned with `torch.nn.utils.prune` (`weight_orig` +
  `weight_mask`), becomes one `seed{seed}/level{level}.npz` in the format of
  `contracts.network.save_level` (mask_l = weight_mask.T: row = source node). A plain layer's
  mask is its non-zero weights; its bias edges are all present if it has a bias (a pruned
  bias uses its `bias_mask`).
- `imported_levels`: the levels table of a directory of such files: no losses, every level
  counts as passing, a seed's selected level is its highest, cut fractions from the masks.

Bad input (missing arrays, mismatched shapes, non-binary masks) raises InputError naming the
file; nothing is written then.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from sparsemotifs.contracts.network import level_path, load_network, save_level
from sparsemotifs.io import InputError

_LEVEL_FILE = re.compile(r"^seed(\d+)$"), re.compile(r"^level(\d+)\.npz$")


def _to_numpy(t) -> np.ndarray:
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


def _binary(arr: np.ndarray, path: Path, key: str) -> np.ndarray:
    if arr.size and not np.isin(arr, (0, 1)).all():
        raise InputError(f"{path}: '{key}' must hold only 0/1 values")
    return arr.astype(bool)


def _pruned(entry: dict, what: str, prefix: str, path: Path):
    """(values, mask) of a `torch.nn.utils.prune`d parameter; mask None if not pruned."""
    if f"{what}_orig" not in entry:
        return entry[what], None
    if f"{what}_mask" not in entry:
        raise InputError(f"{path}: {prefix}.{what}_orig without {prefix}.{what}_mask")
    mask = _binary(entry[f"{what}_mask"], path, f"{prefix}.{what}_mask")
    return entry[f"{what}_orig"] * mask, mask


def layers_from_state_dict(state: dict, path: Path) -> list[dict]:
    """Linear layers in order: dicts of weight (out x in), mask, bias, bias_mask (numpy)."""
    prefixes: dict[str, dict] = {}
    for key, value in state.items():
        prefix, _, name = key.rpartition(".")
        prefixes.setdefault(prefix, {})[name] = _to_numpy(value)
    layers = []

    def order(p: str):
        return [int(x) if x.isdigit() else x for x in p.split(".")]

    for prefix in sorted(prefixes, key=order):
        entry = prefixes[prefix]
        if "weight" not in entry and "weight_orig" not in entry:
            continue  # a module without weights (e.g. an activation's buffers)
        name = f"{prefix}.weight" if prefix else "weight"
        weight, mask = _pruned(entry, "weight", prefix, path)
        if mask is None:
            mask = weight != 0
        if weight.ndim != 2 or mask.shape != weight.shape:
            raise InputError(f"{path}: '{name}' must be 2-D (out x in), got shape {weight.shape}")
        if "bias_orig" in entry:
            bias, bias_mask = _pruned(entry, "bias", prefix, path)
        elif "bias" in entry:
            bias = entry["bias"]
            bias_mask = np.ones(bias.shape, dtype=bool)
        else:
            bias = np.zeros(weight.shape[0], dtype=np.float32)
            bias_mask = np.zeros(weight.shape[0], dtype=bool)
        if bias.shape != (weight.shape[0],):
            raise InputError(
                f"{path}: bias of '{prefix}' has shape {bias.shape}, expected ({weight.shape[0]},)"
            )
        layers.append({"name": prefix, "weight": weight, "mask": mask, "bias": bias,
                       "bias_mask": bias_mask})  # fmt: skip
    if not layers:
        raise InputError(f"{path}: no Linear layer (no '<k>.weight' or '<k>.weight_orig') found")
    for a, b in zip(layers, layers[1:], strict=False):
        if b["weight"].shape[1] != a["weight"].shape[0]:
            raise InputError(
                f"{path}: layer '{b['name']}' takes {b['weight'].shape[1]} inputs but layer "
                f"'{a['name']}' gives {a['weight'].shape[0]} (not a chain of Linear layers)"
            )
    return layers


def load_checkpoint(path: str | Path, allow_pickle: bool = False) -> dict:
    """The state dict of a checkpoint: a saved state dict, or a pickled module if allowed."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=not allow_pickle)
    except Exception as err:  # torch raises many kinds for damaged or pickled files
        hint = (
            "" if allow_pickle else " (a pickled module needs --allow-pickle: trusted files only)"
        )
        raise InputError(f"{path}: cannot read the checkpoint: {err}{hint}") from err
    if hasattr(obj, "state_dict"):
        obj = obj.state_dict()
    if not isinstance(obj, dict):
        raise InputError(f"{path}: expected a state dict or an nn.Module, got {type(obj).__name__}")
    return obj


def import_checkpoint(
    path: str | Path, out_dir: str | Path, seed: int = 0, level: int = 0, allow_pickle=False
) -> Path:
    """Write one level file from a checkpoint; returns its path (atomic: all or nothing)."""
    path = Path(path)
    layers = layers_from_state_dict(load_checkpoint(path, allow_pickle), path)
    target = level_path(out_dir, seed, level)
    save_level(
        target,
        [(lay["weight"] * lay["mask"]).T.astype(np.float32) for lay in layers],
        [(lay["bias"] * lay["bias_mask"]).astype(np.float32) for lay in layers],
        [lay["mask"].T for lay in layers],
        [lay["bias_mask"] for lay in layers],
    )
    load_network(target)  # the written file passes the motif commands' validation
    return target


def imported_levels(directory: str | Path) -> pd.DataFrame:
    """Levels table (tables/levels.csv columns) of a directory `seed{s}/level{k}.npz`.

    Imported levels have no losses (NaN), all count as passing (status ok), each seed's
    selected level is its highest, and the cut fraction is 1 - kept / possible weight edges.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: import_networks must name a directory")
    rows = []
    for seed_dir in sorted(directory.iterdir()):
        ms = _LEVEL_FILE[0].match(seed_dir.name)
        if not (ms and seed_dir.is_dir()):
            continue
        for f in sorted(seed_dir.iterdir()):
            ml = _LEVEL_FILE[1].match(f.name)
            if not ml:
                continue
            masks = load_network(f).masks
            kept = int(sum(m.sum() for m in masks))
            total = sum(m.size for m in masks)
            rows.append({"ensemble": "trained", "seed": int(ms.group(1)),
                         "level": int(ml.group(1)), "cut_fraction": 1.0 - kept / total,
                         "weights_kept": kept, "loss_train": np.nan, "loss_val": np.nan,
                         "loss_test": np.nan, "status": "ok", "selected": False})  # fmt: skip
    if not rows:
        raise InputError(f"{directory}: no network files seed<seed>/level<k>.npz found")
    out = pd.DataFrame(rows).sort_values(["seed", "level"], ignore_index=True)
    highest = out.groupby("seed")["level"].transform("max")
    out["selected"] = out["level"] == highest
    return out
