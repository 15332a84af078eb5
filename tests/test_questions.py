"""Resident questions: intents and kinds over a labelled set, safety and secrecy."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.promise import Promise, Visibility, load_promise
from bot.language.questions import MAX_QUESTION_LENGTH, Intent, Match, match_question
from bot.settings import SUPPORTED_LOCALES
from tests.scores import legacy_questions

PROMISE: Promise = load_promise()
INTERNAL_KINDS = frozenset(c.id for c in PROMISE.commitments if not c.is_public)
EVENT_KINDS = frozenset(c.id for c in PROMISE.commitments if c.is_public and c.resident_events)


@dataclass(frozen=True)
class Case:
    text: str
    intent: Intent
    kind: str | None


def _load_cases() -> list[Case]:
    return [Case(q["text"], Intent(q["intent"]), q.get("kind")) for q in legacy_questions()]


CASES = _load_cases()


def _ask(text: str, locale: str = "sv") -> Match:
    return match_question(text, PROMISE, locale)


def test_eval_file_is_big_and_varied_enough() -> None:
    by_intent = Counter(c.intent for c in CASES)
    assert len(CASES) >= 150
    assert by_intent[Intent.EMERGENCY] >= 25
    english_emergencies = [
        c for c in CASES if c.intent is Intent.EMERGENCY and _ask(c.text).locale_guess == "en"
    ]
    assert len(english_emergencies) >= 15
    # Worries and poisoning questions are the classifier's (tests/test_graded_answers.py).
    learned_only = {Intent.WORRY, Intent.POISON_QUESTION}
    # Suggestions are read after the matcher (bot.language.suggestions, tests/test_suggestions).
    read_after = {Intent.SUGGESTION, Intent.UNSAFE_PLACE}
    # The earlier promise has its own batch (tests/data/promise_questions.toml).
    own_batch = {Intent.PREVIOUS_PROMISE}
    expected = set(Intent) - learned_only - read_after - own_batch
    assert set(by_intent) == expected, "every intent is exercised"
    # Labels themselves must respect the secrecy rule.
    assert all(c.kind is None or c.kind in EVENT_KINDS for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.text[:40] or "<empty>" for c in CASES])
def test_eval_question(case: Case) -> None:
    got = _ask(case.text)
    assert (got.intent, got.kind) == (case.intent, case.kind)


def test_accuracy_and_no_missed_emergency() -> None:
    results = [(c, _ask(c.text)) for c in CASES]
    correct = sum(got.intent is c.intent for c, got in results)
    accuracy = correct / len(results)
    missed = [
        c.text for c, got in results if c.intent is Intent.EMERGENCY and got.intent != c.intent
    ]
    assert accuracy >= 0.95, f"intent accuracy {accuracy:.1%}"
    assert missed == []


def test_locale_does_not_change_the_intent() -> None:
    for case in CASES:
        assert _ask(case.text, "en").intent is _ask(case.text, "sv").intent


# Questions about internal work (count_only commitments): any answer may say that the promise
# covers such work, but none may pick the internal commitment as the kind of event.
SECRECY_PROBES = (
    "när är nästa narkotikainsats",
    "nar ar nasta narkotikainsats",
    "narkotikainsats",
    "narkotikainsatser i bro",
    "när gör polisen razzia",
    "nästa knarkinsats?",
    "blir det tillslag mot langare i helgen",
    "härnevimottagningen insats när",
    "ant-insats datum",
    "när är gvi",
    "gvi",
    "GVI möte när",
    "group violence intervention",
    "när har ni avhopparsamtal",
    "kriminalvården och polisen nästa möte",
    "when is the next narcotics operation",
    "next drug operation",
    "when is the next drugs raid in bro",
    "drug operation date",
    "narcotics",
    "when is gvi",
    "gvi meeting",
    "probation service meeting when",
    "kommer polisen med narkotikahund till skolan",
    "när kommer polisen och letar knark",
    "narkotikainsats vid bro centrum i helgen",
    "patrull narkotika nästa vecka",
    "föräldramöte om narkotikainsatsen",
    "when is the police drug raid at the station",
    "narkotikainstas när",
)


@pytest.mark.parametrize("text", SECRECY_PROBES)
def test_internal_work_is_never_a_kind(text: str) -> None:
    for locale in ("sv", "en"):
        got = _ask(text, locale)
        assert got.kind not in INTERNAL_KINDS
        assert got.kind is None or got.kind in EVENT_KINDS


@pytest.mark.parametrize(
    "text",
    ["när är nästa narkotikainsats", "gvi", "when is the next narcotics operation"],
)
def test_direct_questions_about_internal_work_get_no_event(text: str) -> None:
    got = _ask(text)
    assert got.intent in (Intent.UNKNOWN, Intent.ABOUT_PROMISE)
    assert got.kind is None


def test_kinds_follow_the_promise_file() -> None:
    # A promise that makes theme meetings internal must not reveal them either.
    hidden = PROMISE.model_copy(
        update={
            "commitments": tuple(
                c.model_copy(update={"visibility": Visibility.COUNT_ONLY})
                if c.id == "theme_meeting"
                else c
                for c in PROMISE.commitments
            )
        }
    )
    for text in ("när är nästa tematräff", "when is the next theme meeting", "tematräff"):
        assert match_question(text, PROMISE, "sv").kind == "theme_meeting"
        got = match_question(text, hidden, "sv")
        assert got.kind is None
        assert got.intent in (Intent.UNKNOWN, Intent.ABOUT_PROMISE)


def test_emergency_wins_over_everything() -> None:
    for text in (
        "när är nästa tematräff det brinner här",
        "hej tack, han har en kniv",
        "jag vill prenumerera på tips men nu rånar någon mig",
        "var ligger trygghetscenter? someone is stabbed outside",
    ):
        assert _ask(text).intent is Intent.EMERGENCY, text


def test_not_urgent_is_not_an_emergency() -> None:
    assert _ask("non emergency police number").intent is Intent.CONTACT_POLICE
    assert _ask("polisens nummer när det inte är akut").intent is Intent.CONTACT_POLICE


@pytest.mark.parametrize(
    ("text", "locale_guess"),
    [
        ("när är nästa tematräff", "sv"),
        ("nar ar nasta tematraff", "sv"),
        ("when is the next theme meeting", "en"),
        ("asdf", None),
        ("🙂", None),
    ],
)
def test_locale_guess(text: str, locale_guess: str | None) -> None:
    assert _ask(text).locale_guess == locale_guess


def test_limits() -> None:
    assert _ask("").intent is Intent.UNKNOWN
    assert _ask(" \n\t ").intent is Intent.UNKNOWN
    too_long = "när är nästa tematräff " * (MAX_QUESTION_LENGTH // 10)
    assert len(too_long) > MAX_QUESTION_LENGTH
    assert _ask(too_long).intent is Intent.UNKNOWN
    just_fits = "x" * (MAX_QUESTION_LENGTH - 22) + " tematräff"
    assert _ask(just_fits).kind == "theme_meeting"


def test_score_reflects_typos() -> None:
    exact = _ask("när är nästa tematräff")
    typo = _ask("när är nästa temtaräff")
    assert exact.score == 1.0
    assert 0.0 < typo.score < 1.0
    assert _ask("asdf").score == 0.0


def test_match_is_immutable() -> None:
    got = _ask("hej")
    with pytest.raises(AttributeError):
        got.intent = Intent.THANKS  # type: ignore[misc]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=1200))
def test_never_raises_nor_leaks_an_internal_kind(text: str) -> None:
    got = _ask(text)
    assert isinstance(got.intent, Intent)
    assert got.kind is None or got.kind in EVENT_KINDS
    assert 0.0 <= got.score <= 1.0
    assert got.locale_guess in (None, *SUPPORTED_LOCALES, "other")


WORDS = st.sampled_from(
    [
        "när",
        "nästa",
        "narkotikainsats",
        "gvi",
        "razzia",
        "tematräff",
        "polisen",
        "bro",
        "centrum",
        "drug",
        "operation",
        "bussen",
        "kniv",
        "tack",
        "🚓",
        "?",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=12).map(" ".join))
def test_word_salad_never_leaks_an_internal_kind(text: str) -> None:
    got = _ask(text)
    assert got.kind is None or got.kind in EVENT_KINDS
