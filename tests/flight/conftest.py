"""Shared fixtures of the flight tests."""

from __future__ import annotations

import pytest

from sparsemotifs.flight.reference import radau_end_states


@pytest.fixture(scope="session")
def radau_reference():
    """Tight Radau reference (rtol = atol = 1e-10): radau_reference(state0, controls, params=None)."""
    return radau_end_states
