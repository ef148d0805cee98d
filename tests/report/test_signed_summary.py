"""The summary's signed-motif section: medians at each seed's selected level, hand-made table."""

from __future__ import annotations

import math

import pandas as pd

from sparsemotifs.report.signed_summary import signed_section


def test_signed_section_ranks_keys_at_the_selected_levels():
    levels = pd.DataFrame(
        {"ensemble": ["trained"] * 4, "seed": [0, 0, 1, 1], "level": [1, 2, 1, 2],
         "selected": [False, True, True, False]}
    )  # fmt: skip
    rows = []
    for seed, level, z_bf, z_bal in [(0, 2, 5.0, 3.0), (1, 1, 3.0, 1.0), (0, 1, -9.0, -9.0)]:
        for key, colour, z in [
            ("bi_fan", "", math.nan),
            ("bi_fan|pos=2", "pos=2", z_bf),
            ("bi_fan|pos=1", "pos=1", -z_bf),
            ("bi_fan|balanced", "balanced", z_bal),
            ("edges|pos=1", "pos=1", math.nan),
        ]:
            rows.append({"ensemble": "trained", "seed": seed, "level": level, "key": key,
                         "colour": colour, "z": z, "sp": z / 10})  # fmt: skip
    text = "\n".join(signed_section(pd.DataFrame(rows), levels))
    lines = [ln for ln in text.splitlines() if ln.startswith("| trained")]
    assert lines[0].startswith(
        "| trained | `bi_fan\\|pos=2` | 2 | 4.0 | 0.40 | 100 %"
    )  # level 1 of seed 0 unused
    assert any("`bi_fan\\|balanced` | 2 | 2.0 | 0.20 | 50 %" in ln for ln in lines)
    assert not any("edges\\|pos=1" in ln or "`bi_fan` " in ln for ln in lines)  # fixed / plain
