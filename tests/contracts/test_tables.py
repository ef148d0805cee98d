"""Table contracts: one definition of each table's columns, shared by writer and reader."""

from __future__ import annotations

import pandas as pd
import pytest

from sparsemotifs.contracts import tables
from sparsemotifs.io import InputError


def test_column_contracts_nest():
    assert tables.LEVELS_COLUMNS[: len(tables.METRICS_COLUMNS)] == tables.METRICS_COLUMNS
    assert tables.MOTIFS_COLUMNS == tables.MOTIF_TABLE_COLUMNS[:10]
    assert set(tables.PER_LAYER_COLUMNS) - set(tables.MOTIF_TABLE_COLUMNS) == {"layer"}


def test_validators_name_the_file_and_column():
    row = dict.fromkeys(tables.LEVELS_COLUMNS, 0) | {"status": "ok", "selected": "maybe"}
    with pytest.raises(InputError, match="levels.csv: column 'selected' must be boolean"):
        tables.validate_levels(pd.DataFrame([row]), "levels.csv")
    with pytest.raises(InputError, match="m.csv: missing column"):
        tables.validate_motifs(pd.DataFrame({"seed": [0]}), "m.csv")
