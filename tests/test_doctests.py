"""The runnable examples in the docstrings of the main entry points (counting motifs, z-scores,
significance profiles, the network format, names) pass as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "sparsemotifs.motifs.counts",
    "sparsemotifs.motifs.stats",
    "sparsemotifs.motifs.analysis",
    "sparsemotifs.contracts.names",
    "sparsemotifs.contracts.network",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
