"""The figures docs/languages.md reports, held at what was measured (see tests/scores.py).

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
    ("safety", "heldout", "urgent_112_first"): 230 / 230,
    ("safety", "heldout", "right_extra_line"): 60 / 61,
    ("safety", "heldout", "past_crime"): 22 / 22,
    ("safety", "heldout", "scam"): 25 / 25,
    # 39/40 with the rules alone; the classifier reads one more ordinary text as danger (and
    # every fresh batch far better: docs/languages.md).
    ("safety", "heldout", "ordinary_ok"): 38 / 40,
    ("questions", "dev", "intent"): 1.0,
    ("questions", "heldout", "intent"): 68 / 70,
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


# The whole understanding (rules, classifier, graded answers) on the held-out part of batch
# 2026-12, per language, as measured: (112 first, recognised, no alarm, worry, scam, stop,
# question). Every danger message gets 112 on its first line, in every language.
WHOLE_FLOORS: dict[str, tuple[str, ...]] = {
    "sv": ("23/23", "21/23", "30/34", "12/16", "10/10", "6/6", "31/41"),
    "en": ("23/23", "21/23", "31/34", "13/16", "10/10", "6/6", "29/41"),
    "fi": ("30/30", "25/30", "34/34", "14/15", "11/11", "5/5", "40/54"),
    "ar": ("31/31", "28/31", "34/34", "14/15", "10/11", "5/5", "41/55"),
    "fa": ("31/31", "26/31", "34/34", "11/15", "11/11", "5/5", "42/54"),
    "so": ("30/30", "29/30", "29/34", "13/15", "8/11", "5/5", "42/54"),
    "pl": ("30/30", "27/30", "33/34", "14/15", "10/11", "5/5", "43/54"),
}
WHOLE_FIGURES = ("112 first", "recognised", "no alarm", "worry", "scam", "stop", "question")


def test_the_whole_understanding_holds_per_language_on_the_held_out_part() -> None:
    from tests import understanding_scores as whole

    table = whole.measure(whole.cases("heldout"))
    for lang, floors in WHOLE_FLOORS.items():
        figures = table[(lang, "heldout")]
        for name, floor in zip(WHOLE_FIGURES, floors, strict=True):
            right, total = (int(n) for n in floor.split("/"))
            got = figures[name]
            assert got.total == total, (lang, name, "the held-out part changed")
            assert got.right >= right, f"{lang} {name}: {got} < {floor}"
