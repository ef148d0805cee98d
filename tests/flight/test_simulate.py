"""Sampling, determinism, sharding and replacement of unresolved trajectories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sparsemotifs.contracts.tables import SIMULATION_COLUMNS
from sparsemotifs.flight import integrate as integ
from sparsemotifs.flight import sampling
from sparsemotifs.flight.params import FlightParams
from sparsemotifs.flight.simulate import MAX_RETRIES, simulate

FAST = {"rtol": 1e-6}  # these tests check bookkeeping, not accuracy


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(sampling, "BLOCK", 16)


def test_columns_ranges_and_zero_start_position():
    table, meta = simulate(50, 3, settings=FAST)
    assert list(table.columns) == SIMULATION_COLUMNS
    assert len(table) == 50 and meta["rows"] == 50 and meta["n_dropped"] == 0
    assert (table[["x_0", "y_0"]].to_numpy() == 0).all()
    for name, (low, high) in sampling.DEFAULT_RANGES.items():
        col = table["F" if name == "F" else name if name in ("alpha", "tau") else f"{name}_0"]
        assert low <= col.min() and col.max() <= high, name
    assert np.isfinite(table.to_numpy()).all()


def test_custom_ranges_are_respected():
    settings = dict(FAST, ranges={"F": [100.0, 200.0], "tau": [0.0, 0.0]})
    table, _ = simulate(30, 0, settings=settings)
    assert table["F"].between(100, 200).all() and (table["tau"] == 0).all()


def test_same_seed_same_table_different_seed_different(small_blocks):
    a, _ = simulate(40, 11, settings=FAST)
    b, _ = simulate(40, 11, settings=FAST)
    c, _ = simulate(40, 12, settings=FAST)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not np.array_equal(a.to_numpy(), c.to_numpy())


@pytest.mark.parametrize("shards", [2, 3, 7])
def test_shards_concatenate_to_the_unsharded_table(small_blocks, shards):
    n = 5 * 16 - 3  # five blocks, the last truncated
    whole, meta = simulate(n, 5, settings=FAST)
    assert meta["blocks"] == [0, 5]
    parts = [simulate(n, 5, shard=i, shards=shards, settings=FAST)[0] for i in range(shards)]
    joined = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole, check_exact=True)


def test_block_streams_do_not_depend_on_run_length(small_blocks):
    a, _ = simulate(20, 9, settings=FAST)  # blocks 0 (16 rows) and 1 (4 rows)
    b, _ = simulate(32, 9, settings=FAST)
    pd.testing.assert_frame_equal(a.iloc[:20], b.iloc[:20].reset_index(drop=True), check_exact=True)


def test_unresolved_trajectories_are_replaced_deterministically_and_counted():
    probe, _ = simulate(60, 4, settings=FAST)
    state0 = probe[SIMULATION_COLUMNS[:8]].to_numpy()
    controls = probe[["F", "alpha", "tau"]].to_numpy()
    used = integ.integrate(state0, controls, rtol=1e-6)
    attempts = used.steps + used.rejected
    cap = int(np.quantile(attempts, 0.6))  # about 40 % of the draws will hit the cap
    opts = {"max_steps": cap}
    table, meta = simulate(60, 4, settings=FAST, integrator_options=opts)
    again, meta2 = simulate(60, 4, settings=FAST, integrator_options=opts)
    pd.testing.assert_frame_equal(table, again, check_exact=True)
    assert meta["n_replaced"] > 0 and set(meta["replaced"]) == {"max_steps"}
    assert meta["rows"] + meta["n_dropped"] == 60 == meta["rows_requested"]
    assert meta["n_replaced"] == meta2["n_replaced"] and meta["max_retries"] == MAX_RETRIES
    assert meta["max_steps_used"] <= cap
    # every kept row is a genuinely resolved trajectory: re-integrating it uncapped agrees bitwise
    s0 = table[SIMULATION_COLUMNS[:8]].to_numpy()
    c0 = table[["F", "alpha", "tau"]].to_numpy()
    check = integ.integrate(s0, c0, FlightParams(), rtol=1e-6)
    assert check.ok.all()
    np.testing.assert_array_equal(check.state, table[SIMULATION_COLUMNS[11:]].to_numpy())
    # the replaced rows differ from the first draws
    assert not np.array_equal(table.to_numpy()[: len(probe)], probe.to_numpy()[: len(table)])


def test_everything_unresolvable_is_dropped_and_counted():
    table, meta = simulate(10, 1, settings=FAST, integrator_options={"max_steps": 3})
    assert len(table) == 0 and list(table.columns) == SIMULATION_COLUMNS
    assert meta["n_dropped"] == 10 and meta["dropped"] == {"max_steps": 10}
    assert meta["n_replaced"] == 10 * MAX_RETRIES


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="n must be"):
        simulate(0, 1)
    with pytest.raises(ValueError, match="shard"):
        simulate(10, 1, shard=2, shards=2)


def test_numpy_kernel_setting_gives_the_same_table_to_tolerance(small_blocks):
    fast, meta = simulate(40, 2, settings=dict(FAST, kernel="numba"))  # default: rodas (issue 13)
    slow, meta_np = simulate(40, 2, settings=dict(FAST, kernel="numpy"))
    assert "numba" in meta["method"] and "numpy" in meta_np["method"]
    assert meta["settings"]["kernel"] == "numba"
    pd.testing.assert_frame_equal(fast.iloc[:, :11], slow.iloc[:, :11], check_exact=True)
    np.testing.assert_allclose(fast.to_numpy(), slow.to_numpy(), rtol=1e-4, atol=1e-4)
    with pytest.raises(Exception, match="kernel"):
        simulate(5, 1, settings={"kernel": "fortran"})
