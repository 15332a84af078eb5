"""The figures the README reports, held at what was measured (see tests/scores.py).

Development sets are what the matchers were tuned on and must stay perfect or near it; the
held-out thresholds sit at the measured held-out score, so a change that loses ground there
fails even though nobody tunes on those sets.
"""

from __future__ import annotations

import pytest

from tests import scores

# (set, split, figure) → minimum share, measured when the sets were last scored.
FLOORS: dict[tuple[str, str, str], float] = {
    ("safety", "dev", "urgent_112_first"): 1.0,
    ("safety", "dev", "right_extra_line"): 1.0,
    ("safety", "dev", "past_crime"): 1.0,
    ("safety", "dev", "scam"): 1.0,
    ("safety", "dev", "ordinary_ok"): 1.0,
    ("safety", "heldout", "urgent_112_first"): 224 / 230,
    ("safety", "heldout", "right_extra_line"): 58 / 61,
    ("safety", "heldout", "past_crime"): 20 / 22,
    ("safety", "heldout", "scam"): 22 / 25,
    ("safety", "heldout", "ordinary_ok"): 39 / 40,
    ("questions", "dev", "intent"): 1.0,
    ("questions", "heldout", "intent"): 66 / 70,
    ("reports", "dev", "commitment"): 1.0,
    ("reports", "dev", "date"): 1.0,
    ("reports", "dev", "count"): 1.0,
    ("reports", "dev", "pii"): 1.0,
    ("reports", "heldout", "commitment"): 1.0,
    ("reports", "heldout", "date"): 52 / 53,
    ("reports", "heldout", "count"): 1.0,
    ("reports", "heldout", "pii"): 1.0,
}

SETS = {"safety": scores.safety, "questions": scores.questions, "reports": scores.reports}


@pytest.mark.parametrize(("name", "split"), sorted({(k[0], k[1]) for k in FLOORS}))
def test_figures_hold(name: str, split: str) -> None:
    figures = SETS[name](split)
    for (set_name, set_split, figure), floor in FLOORS.items():
        if (set_name, set_split) != (name, split):
            continue
        got = figures[figure]
        assert got.total > 0, f"{name} {split} {figure}: no cases"
        assert got.share >= floor - 1e-9, f"{name} {split} {figure}: {got} < {floor:.1%}"
