"""The fast paths of understanding a text give exactly what the straightforward ones give.

The matcher scores only the phrases whose first word some token matched (``bot.language.questions``'
vocabulary index), the scam check skips texts that one lower-case search finds no sign in, and
assessed texts are remembered. Over every labelled text (and a typo of each), each table's best
phrase and score are compared with scoring every phrase of the table word by word.
"""

from __future__ import annotations

import random
import tomllib
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest

from bot.domain.promise import load_promise
from bot.language import emergency, questions, scamcheck
from bot.language.examples import load_examples
from bot.language.textkit import tokens

DATA = Path(__file__).parent / "data"
PROMISE = load_promise()


def _texts() -> list[str]:
    # The rules' former development sets (now labelled examples) and their held-out sets.
    out = [e.text for e in load_examples() if e.origin is not None]
    for name, key in (
        ("questions_heldout.toml", "q"),
        ("safety_heldout.toml", "m"),
    ):
        path = DATA / name
        if path.exists():
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            out.extend(str(item["text"]) for item in data.get(key, []))
    rng = random.Random(11)
    typos = []
    for text in out:
        chars = list(text)
        if len(chars) > 2:
            i = rng.randrange(len(chars) - 1)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        typos.append("".join(chars))
    return list(dict.fromkeys([*out, *typos]))


TEXTS = _texts()
# The long comparisons run in this many parts, so parallel workers share them.
PARTS = 3


def _every_text() -> list[str]:
    """The texts above and every labelled example, each once."""
    return list(dict.fromkeys([*TEXTS, *(e.text for e in load_examples())]))


@cache
def _sim(token: str, word: str, strict: bool) -> float:
    return questions._word_similarity(token, word, strict)


def _reference_score(words: tuple[str, ...], phrase: questions._Phrase) -> float:
    """Every placement of the phrase, every word compared with every token."""
    pw, strict = phrase.words, phrase.strict

    def rest(after: int, k: int) -> float | None:
        if k == len(pw):
            return 0.0
        best: float | None = None
        for j in range(after + 1, min(len(words), after + 2 + questions._MAX_GAP)):
            s = _sim(words[j], pw[k], strict)
            if s == 0.0:
                continue
            r = rest(j, k + 1)
            if r is not None and (best is None or s + r > best):
                best = s + r
        return best

    best = 0.0
    for i, token in enumerate(words):
        s = _sim(token, pw[0], strict)
        if s > 0.0:
            r = rest(i, 1)
            if r is not None:
                best = max(best, s + r)
    pairs = [a + b for a, b in pairwise(words)]
    if len(pw) == 1 and best < 1.0 and any(_sim(p, pw[0], strict) == 1.0 for p in pairs):
        best = 1.0
    return best * phrase.weight


def _tables() -> list[questions._Table]:
    index = questions._index(PROMISE)
    return [
        *questions._INTENTS.values(),
        questions._WHEN,
        questions._EXPLAIN,
        questions._PLACE,
        *(t for _id, t in index.kinds),
        index.secret,
        index.other_public,
        *(t for _id, t in index.explain),
        index.place,
    ]


@pytest.mark.slow
@pytest.mark.parametrize("share", range(PARTS))
def test_the_index_scores_every_phrase_that_can_score(share: int) -> None:
    tables = _tables()
    # Every third text (≈ 750, typos included): all of them take ~20 s.
    for text in TEXTS[::3][share::PARTS]:
        words = tuple(tokens(text[: questions.MAX_QUESTION_LENGTH]))
        if not words:
            continue
        for part in dict.fromkeys((words, words[: questions._SMALL_TALK_WORDS])):
            t = questions._Text(part)
            for table in tables:
                want_score, want_phrase = 0.0, None
                for p in table.phrases:
                    s = _reference_score(part, p)
                    if s > want_score:
                        want_score, want_phrase = s, p
                got_score, got_phrase = questions._best(t, table)
                assert (got_score, got_phrase) == (want_score, want_phrase), (text, table)
                assert t.contains_any(table) == (want_phrase is not None)


@pytest.mark.slow
@pytest.mark.parametrize("share", range(PARTS))
def test_the_family_index_never_hides_a_match(share: int) -> None:
    """A family the index leaves out of a text's candidates has no match in it: scam signs and
    checks, and the danger families, in every language."""
    scam, danger = scamcheck._tables(), emergency._tables()
    for text in _every_text()[share::PARTS]:
        for variant in (text, text.upper(), text.title()):
            words = scamcheck._words(variant)
            can = scam.index.candidates(words.split())
            for name, pattern in (*scam.signs.items(), *scam.checks.items()):
                if name not in can:
                    assert not pattern.search(words), (name, variant)
            can = danger.index.candidates(words.split())
            for name, patterns in danger.families.items():
                if name not in can:
                    assert not any(p.search(words) for p in patterns), (name, variant)


def test_a_remembered_assessment_is_the_assessment() -> None:
    for text in TEXTS:
        assert emergency.assess(text) == emergency._assess(text)
        assert emergency.assess(text) == emergency._assess(text)


@pytest.mark.slow
@pytest.mark.parametrize("share", range(PARTS))
def test_an_unindexed_family_matches_only_through_its_unindexed_phrases(share: int) -> None:
    """Where no indexed phrase of a family can match a text (``FamilyIndex.indexed``), its
    unindexed phrases match exactly where the whole family does."""
    scam, danger = scamcheck._tables(), emergency._tables()
    for text in _every_text()[share::PARTS]:
        for variant in (text, text.upper()):
            words = scamcheck._words(variant)
            indexed = scam.index.indexed(words.split())
            for name, pattern in (*scam.signs.items(), *scam.checks.items()):
                if name not in indexed:
                    rest = scam.unindexed.get(name)
                    want = [m.span() for m in pattern.finditer(words)]
                    assert want == ([m.span() for m in rest.finditer(words)] if rest else [])
            indexed = danger.index.indexed(words.split())
            for name, patterns in danger.families.items():
                if name not in indexed:
                    rest = danger.unindexed.get(name, ())
                    want = [m.span() for p in patterns for m in p.finditer(words)]
                    assert want == [m.span() for p in rest for m in p.finditer(words)], name
