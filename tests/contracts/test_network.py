"""The network file format: path layout, save/load round trip, validation."""

from __future__ import annotations

import numpy as np
import pytest

from sparsemotifs.contracts.network import (
    level_path,
    load_masks,
    load_network,
    parse_seed_level,
    save_level,
    validate_arrays,
)
from sparsemotifs.io import InputError
from sparsemotifs.motifs.graph import load_graph


def _network(rng, widths=(3, 4, 2)):
    masks = [rng.random((a, b)) < 0.6 for a, b in zip(widths[:-1], widths[1:], strict=True)]
    weights = [rng.normal(size=m.shape) * m for m in masks]
    bias_masks = [rng.random(b) < 0.5 for b in widths[1:]]
    biases = [rng.normal(size=bm.shape) * bm for bm in bias_masks]
    return weights, biases, masks, bias_masks


def test_round_trip_and_path_layout(tmp_path):
    rng = np.random.default_rng(0)
    weights, biases, masks, bias_masks = _network(rng)
    path = level_path(tmp_path, 7, 3)
    assert path == tmp_path / "seed7" / "level3.npz"
    assert parse_seed_level(path) == (7, 3)
    save_level(path, weights, biases, masks, bias_masks)
    loaded = load_network(path)
    for a, b in zip(loaded.masks, masks, strict=True):
        assert a.dtype == bool and np.array_equal(a, b)
    for a, b in zip(loaded.bias_masks, bias_masks, strict=True):
        assert np.array_equal(a, b)
    assert [m.shape for m in load_masks(path)] == [(3, 4), (4, 2)]
    with np.load(path) as f:  # the stored arrays, as documented
        assert f["mask_0"].dtype == np.uint8 and f["weight_0"].dtype == np.float32
        assert f["widths"].tolist() == [3, 4, 2]
        assert np.all(f["weight_1"][f["mask_1"] == 0] == 0)
    # the motif stage's graph wraps exactly these arrays
    graph = load_graph(path)
    assert all(np.array_equal(g, m) for g, m in zip(graph.blocks, masks, strict=True))


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({}, "no mask_0"),
        ({"mask_1": np.ones((2, 2))}, "mask_0 is missing"),
        ({"mask_0": np.ones((2, 3)), "mask_1": np.ones((2, 2))}, "layer sizes do not match"),
        ({"mask_0": np.full((2, 2), 2)}, "only 0/1"),
        ({"mask_0": np.ones(3)}, "2-D"),
        ({"mask_0": np.ones((2, 2)), "bias_mask_0": np.ones(3)}, "shape (2,)"),
        ({"mask_0": np.ones((2, 2)), "bias_mask_1": np.ones(2)}, "no matching mask_1"),
    ],
)
def test_validation_names_the_problem(arrays, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_arrays(arrays, "net.npz")


def test_path_without_seed_and_level_is_refused(tmp_path):
    with pytest.raises(InputError, match="seed<seed>/level<k>.npz"):
        parse_seed_level(tmp_path / "net.npz")
