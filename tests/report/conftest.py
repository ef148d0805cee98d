"""The `synthetic` fixture: levels/motifs tables with known structure (tests/convergence/synthetic.py)."""

from __future__ import annotations

import pytest

from tests.convergence.synthetic import make_tables


@pytest.fixture
def synthetic():
    return make_tables
