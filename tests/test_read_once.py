"""Each text read once: a resident's message goes through the danger check, language
identification, the matcher and the classifier once (``match_question`` does all four, and
says which language the text is written in, so nothing after it asks again); a text sent after
"Is this a scam?" is checked once; a button is not read at all."""

from __future__ import annotations

import functools
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from bot.language import classifier, emergency, language_id, questions, scamcheck
from tests.conftest import Harness

RESIDENT = 8501

# (module, function): the stage each one is. ``_assess``, ``_read`` and ``_match`` do the work
# behind their memos (``assess``, ``text_language``, ``match_question``).
STAGES = [
    (emergency, "assess"),
    (emergency, "_assess"),
    (language_id, "text_language"),
    (language_id, "_read"),
    (questions, "match_question"),
    (questions, "_match"),
    (classifier, "probabilities"),
    (scamcheck, "check_message"),
    (scamcheck, "looks_pasted"),
]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Calls per stage, from a cold start; a call from outside ``bot.language`` is counted
    under ``name@caller`` as well (the handlers and services asking for themselves)."""
    for module in (emergency, questions):
        module.forget()
    language_id._SEEN.clear()
    counts: Counter[str] = Counter()
    for module, name in STAGES:
        _count_everywhere(monkeypatch, getattr(module, name), name, counts)
    return counts


def _count_everywhere(
    monkeypatch: pytest.MonkeyPatch, func: Callable[..., Any], name: str, counts: Counter[str]
) -> None:
    @functools.wraps(func)
    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        caller = str(sys._getframe(1).f_globals.get("__name__", ""))
        if not caller.startswith("bot.language"):
            counts[f"{name}@{caller}"] += 1
        return func(*args, **kwargs)

    # Wherever it was imported by name (``from bot.language.x import f``).
    for module in list(sys.modules.values()):
        for attr, value in list(getattr(module, "__dict__", {}).items()):
            if value is func:
                monkeypatch.setattr(module, attr, counted)


def _outside(counts: Counter[str]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if "@" in k}


QUESTIONS = [
    ("när är nästa tematräff på fredag", "sv"),
    ("det brinner hos grannen nu", "sv"),
    ("Hej mamma, detta är mitt nya nummer. Kan du swisha 2000 kr? Det är bråttom", "sv"),
    ("qwerty asdf zxcv blorp", "en"),
    ("jag vill inte ha fler meddelanden", "sv"),
    ("ما هو الوعد", "sv"),
    ("hur går det?", "en"),
]


@pytest.mark.parametrize(("text", "lang"), QUESTIONS)
async def test_a_question_is_read_once(
    harness: Harness, reads: Counter[str], text: str, lang: str
) -> None:
    await harness.say(RESIDENT, text, lang=lang)
    assert harness.tg.sent(RESIDENT)
    assert reads["match_question"] == reads["_match"] == 1
    assert reads["assess"] == reads["_assess"] == 1  # the danger check
    assert reads["_read"] == 1  # the language, identified once (the danger and scam tables
    # choose their languages from it, through language_id's memo)
    assert reads["probabilities"] <= 1  # the classifier (not asked when the rules see danger)
    # The handler and the service only ask the matcher, never a stage of their own.
    assert _outside(reads) == {"match_question@bot.services.answers": 1}


async def test_a_text_to_check_is_checked_once(harness: Harness, reads: Counter[str]) -> None:
    await harness.press(RESIDENT, "ask:scam:0")
    assert not +reads  # a button reads nothing
    await harness.say(RESIDENT, "Ditt paket väntar, betala tullavgift 29 kr på länken")
    assert "bedrägeri" in harness.tg.last(RESIDENT).text
    assert reads["check_message"] == 1 and reads["assess"] == 1 and reads["_read"] == 1
    assert reads["match_question"] == 0 and reads["probabilities"] == 0


@pytest.mark.parametrize(
    "data", ["ask:about:0", "ask:tips:0", "mean:next_event:sv:theme_meeting", "mean:worry:en:0"]
)
async def test_a_button_is_not_read(harness: Harness, reads: Counter[str], data: str) -> None:
    await harness.press(RESIDENT, data)
    assert harness.tg.sent(RESIDENT)
    assert not +reads
