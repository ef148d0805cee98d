"""summary.md with variants: a verdict per variant (its own widths in the caveats, the criterion
once) and the side-by-side table of the variants' answers, from constructed tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sparsemotifs import registry
from sparsemotifs.convergence.verdict import VERDICT_COLUMNS
from sparsemotifs.report.variants_summary import variant_lines, variants_section
from sparsemotifs.report.verdict_summary import verdict_section

CONFIG = {
    "network": {"widths": [10, 48, 7]},
    "variants": {"w48": {}, "w96": {"network": {"widths": [10, 96, 7]}}},
}


@pytest.fixture(autouse=True)
def variants_registry():
    registry.use_variants(["w48", "w96"])
    yield
    registry.configure({})


def _rows(name, delta, verdict):
    base = dict.fromkeys(VERDICT_COLUMNS, np.nan)
    lvl = {**base, "null": "degree", "level": "3", "n_seeds": 10, "similarity_trained": 0.5,
           "similarity_null_samples": 0.5 - delta, "delta": delta, "delta_ci_low": delta - 0.05,
           "delta_ci_high": delta + 0.05, "q25_seed_delta": delta, "q25_ci_low": delta - 0.05,
           "verdict": verdict, "min_seeds": 8, "margin": 0.05}  # fmt: skip
    overall = {**lvl, "level": "all", "reason": "same verdict at all 1 level(s)"}
    return pd.DataFrame([lvl, overall]).assign(ensemble=name)


def _verdict():
    return pd.concat(
        [_rows("w48", 0.2, "converges"), _rows("w96", 0.01, "does not converge")],
        ignore_index=True,
    )


def test_verdict_section_has_one_subsection_per_variant_with_its_own_width():
    text = "\n".join(verdict_section(_verdict(), CONFIG))
    w48, w96 = text.split("### w48")[1].split("### w96")
    assert "**null = degree: converges.**" in w48 and "gain 0.200" in w48
    assert "**null = degree: does not converge.**" in w96 and "gain 0.010" in w96
    assert "[10, 48, 7]" in w48 and "[10, 96, 7]" in w96  # each variant's own widths
    assert text.count("Criterion:") == 1 and "Criterion:" in w96


def test_without_variants_the_verdict_section_is_unchanged():
    one = _verdict()
    one = one[one["ensemble"] == "w48"]
    assert verdict_section(one, CONFIG) == verdict_section(one.drop(columns="ensemble"), CONFIG)
    assert "###" not in "\n".join(verdict_section(one, CONFIG))


def test_variants_section_puts_each_variants_answer_side_by_side():
    levels = pd.DataFrame(
        [
            {"ensemble": e, "seed": s, "level": k, "cut_fraction": 0.3 * k,
             "selected": k == (1 if e == "w48" else 2)}
            for e in ("w48", "w96") for s in range(4) for k in range(3)
        ]
    )  # fmt: skip
    prof = pd.DataFrame(
        {"ensemble": ["w48", "w96"], "null": "degree", "level": "selected", "mean_r": [0.8, 0.3]}
    )
    text = "\n".join(variants_section(levels, {"verdict": _verdict(), "profile_similarity": prof}))
    assert "| `w48` | 4 | 4 | 0.30 | converges (gain 0.200 at level 3, 0.800) |" in text
    assert "| `w96` | 4 | 4 | 0.60 | does not converge (gain 0.010 at level 3, 0.300) |" in text
    # a study without variants has no such section
    registry.configure({})
    assert variants_section(levels.assign(ensemble="trained"), {"verdict": _verdict()}) == []


def test_variant_lines_name_the_subject_and_the_overrides():
    text = "\n".join(variant_lines(CONFIG["variants"]))
    assert "`w48` is the subject" in text
    assert '- `w96`: overrides {"network": {"widths": [10, 96, 7]}}' in text
    assert "- `w48`: overrides none" in text
