"""Is someone in danger? The check that runs before anything else reads a resident's text.

Recall over precision: a missed emergency is far worse than pointing someone with an ordinary
question to 112. The detector reads folded words (no case, no accents: "hjalp" is "hjälp"),
forgives one typo in longer words ("medvetsös", "brinnner"; every word of seven letters or more
that a danger pattern spells out), reads texting and spoken forms as the written word ("e" →
"är", "rn" → "right now"), and knows Swedish and English inflections through word stems
("misshandl…", "knivhugg…"). Harmless senses ("brandövning", "fire drill") are taken out before
reading; a person word followed by a grave state ("mamma … svarar inte") is danger to someone
else.

What it answers, most serious first:

* ``SUICIDE`` — thoughts of suicide or self-harm, the writer's or someone else's;
* ``CLOSE_VIOLENCE`` — violence or threats from a partner, an ex or a family member;
* ``EMERGENCY`` — danger now to anyone: violence, weapons, shooting, explosions, fire, smoke,
  medical emergencies, a break-in or robbery going on, threats, being followed, a missing
  child, a hit-and-run, or a plea for help;
* ``PAST_CRIME`` — a crime that has already happened and is over ("I was robbed last week"):
  114 14 and polisen.se, not 112;
* ``NONE``.

The word lists are data (``locales/<lang>/safety.toml``), written in the phrase syntax of
``bot.language.phrases`` (words, ``stem*``, ``(a|b)``, ``[optional]``, gaps), so a translator can
add
words or a language without touching this module or writing a regular expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from bot.language.language_id import reading_languages
from bot.language.phrases import (
    CompiledPhrase,
    FamilyIndex,
    compile_family,
    compile_unindexed,
    load_phrase_file,
)
from bot.language.textkit import LOCALES_DIR, BoundedMemo, WordIndex, tokens

__all__ = ["Danger", "DangerCheck", "SafetyWords", "assess", "load_safety_words"]


class Danger(StrEnum):
    NONE = "none"
    # Nothing clearly dangerous, but words about people hurt, scared or in a risky place; the
    # question matcher answers 112 first when it understands nothing else in the text.
    POSSIBLE = "possible"
    PAST_CRIME = "past_crime"
    EMERGENCY = "emergency"
    CLOSE_VIOLENCE = "close_violence"
    SUICIDE = "suicide"


@dataclass(frozen=True)
class DangerCheck:
    danger: Danger
    signals: tuple[str, ...] = ()  # the families of words that decided, for tests and tuning
    # Danger read from lone alarming words only ("sköt", "brinner", "kniv"), with no phrase
    # of two or more words, no plea and nobody in a grave state: a sign, not a verdict. The
    # question matcher asks the classifier to confirm it ("min son sköt ett grymt mål").
    weak: bool = False

    @property
    def urgent(self) -> bool:
        """112 first."""
        return self.danger in (Danger.EMERGENCY, Danger.CLOSE_VIOLENCE, Danger.SUICIDE)


# Families of phrases. A family's name says what it means; each phrase (bot.language.phrases) is
# compiled to a regular expression over the folded words joined by single spaces.
_URGENT_FAMILIES = (
    "fire",
    "weapon",
    "violence",
    "threat",
    "followed",
    "medical",
    "break_in",
    "robbery",
    "missing",
    "traffic",
    "danger",
)
# Families that describe a crime which may well be over; with a past marker and no sign that
# it is still going on they are a past crime, not an emergency.
_CRIME_FAMILIES = frozenset({"violence", "threat", "break_in", "robbery", "theft", "crime"})


@dataclass(frozen=True)
class _Tables:
    families: dict[str, tuple[re.Pattern[str], ...]]
    vocabulary: WordIndex
    max_plea_words: int
    # Texting and spoken forms read as the written word ("e" → "ar", "rn" → "right now").
    shorthand: dict[str, str]
    # Someone (a person word) followed within a few words by a grave state ("mamma … svarar
    # inte", "the old man is lying in the road"): danger to someone else, written in the third
    # person.
    third_person: tuple[re.Pattern[str], ...]
    # Which families can match a text at all (by its words' first letters).
    index: FamilyIndex
    # Each family's phrases that the index cannot tell (no known beginning, "*svimm*"): all
    # a family can match where none of its other phrases can (``FamilyIndex.indexed``).
    unindexed: dict[str, tuple[re.Pattern[str], ...]]


def _compile(sources: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """One alternation per family: a message is searched once per family, not per word."""
    return compile_family(sources)


@dataclass(frozen=True)
class SafetyWords:
    """Every ``locales/<lang>/safety.toml`` merged."""

    families: dict[str, list[CompiledPhrase]]
    typo_words: list[str]
    not_typos: list[str]
    shorthand: dict[str, str]


def load_safety_words(
    locales_dir: Path = LOCALES_DIR, languages: frozenset[str] | None = None
) -> SafetyWords:
    """Every ``locales/<lang>/safety.toml`` merged (or only those of ``languages``): family →
    compiled phrases (see ``bot.language.phrases``). Raises ``PhraseError`` naming the file and
    line of
    a wrong phrase."""
    merged = SafetyWords({}, [], [], {})
    for path in sorted(locales_dir.glob("*/safety.toml")):
        if languages is not None and path.parent.name not in languages:
            continue
        loaded = load_phrase_file(path)
        for family, phrases in loaded.families.items():
            merged.families.setdefault(family, []).extend(phrases)
        merged.typo_words.extend(str(w) for w in _list(loaded.data.get("typo_words")))
        merged.not_typos.extend(str(w) for w in _list(loaded.data.get("not_typos")))
        shorthand = loaded.data.get("shorthand", {})
        if isinstance(shorthand, dict):
            merged.shorthand.update({str(k): str(v) for k, v in shorthand.items()})
    return merged


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


@lru_cache(maxsize=16)
def _tables(locales_dir: Path = LOCALES_DIR, languages: frozenset[str] | None = None) -> _Tables:
    """The compiled tables of every language, or of ``languages`` only (a text is read with
    its own language's tables and Swedish and English: ``bot.language.language_id``)."""
    words = load_safety_words(locales_dir, languages)
    families = words.families
    # Typo-tolerant: the listed long words and every whole word of seven letters or more
    # written out in a phrase of danger ("andningen", "förgiftning", "breathing").
    spelled = [
        w
        for family in (*_URGENT_FAMILIES, "suicide", "plea", "state")
        for phrase in families.get(family, [])
        for w in phrase.words
        if _LITERAL_WORD.fullmatch(w)
    ]
    # A word the tables spell out anywhere is itself, never a typo of another ("mening" is not
    # "meaning").
    known = {
        w
        for phrases in families.values()
        for p in phrases
        for w in p.words
        if _ANY_WORD.fullmatch(w)
    }
    vocabulary = WordIndex(
        [*words.typo_words, *spelled], strict=True, not_typos=[*words.not_typos, *known]
    )
    subjects = "|".join(f"(?:{p.source})" for p in families.get("subject", []))
    states = "|".join(f"(?:{p.source})" for p in families.get("state", []))
    third_person = (
        _compile([rf"(?:{subjects})(?: [a-z0-9]+){{0,4}} (?:{states})"])
        if subjects and states
        else ()
    )
    compiled = {name: _compile(p.source for p in phrases) for name, phrases in families.items()}
    unindexed = {
        name: found for name, phrases in families.items() if (found := compile_unindexed(phrases))
    }
    return _Tables(
        compiled,
        vocabulary,
        6,
        dict(words.shorthand),
        third_person,
        FamilyIndex(families),
        unindexed,
    )


# Words of the tables that typos are forgiven against (Latin letters: the typo rule is tuned
# on them) and words that are never read as a typo.
_LITERAL_WORD = re.compile(r"[a-z]{7,}")
_ANY_WORD = re.compile(r"[a-z]{3,}")


def _corrected(words: list[str], vocabulary: WordIndex) -> list[str]:
    """Words with a forgiven typo replaced by the word they were meant to be."""
    memo = _CORRECTED.setdefault(id(vocabulary), (vocabulary, {}))[1]
    out = []
    for w in words:
        found = memo.get(w)
        if found is None:
            found = _corrected_word(w, vocabulary)
            if len(memo) >= _CORRECTED_SIZE:
                memo.clear()
            memo[w] = found
        out.append(found)
    return out


def _corrected_word(w: str, vocabulary: WordIndex) -> str:
    found = vocabulary.lookup(w) if len(w) >= 6 else None
    if found is None and w.isalpha() and _REPEATS.search(w):
        # A key held down too long: "kniiv", "brinnner", "hjäääälp".
        for shorter in (_LONG_REPEATS.sub(r"\1\1", w), _REPEATS.sub(r"\1", w)):
            found = vocabulary.lookup(shorter)
            if found:
                break
        if found is None and _LONG_REPEATS.search(w):
            found = _REPEATS.sub(r"\1", w)
    return found or w


# A word's correction depends on the word and the vocabulary alone: remembered per vocabulary
# (residents reuse words; the typo lookups and repeat checks cost more than the rest of a
# text's reading). The vocabulary is kept beside its memo so its id is never reused.
_CORRECTED: dict[int, tuple[WordIndex, dict[str, str]]] = {}
_CORRECTED_SIZE = 50_000


_REPEATS = re.compile(r"(.)\1+")
_LONG_REPEATS = re.compile(r"(.)\1\1+")


_Families = dict[str, tuple[re.Pattern[str], ...]]


def _hits(text: str, families: _Families, names: Iterable[str]) -> list[str]:
    return [
        name
        for name in names
        if (patterns := families.get(name)) and any(p.search(text) for p in patterns)
    ]


def _hit(text: str, families: _Families, name: str) -> bool:
    return any(p.search(text) for p in families.get(name, ()))


def _phrase_hit(text: str, families: _Families, names: Iterable[str]) -> bool:
    """Whether a pattern of these families matches two or more words of ``text``."""
    return any(
        " " in m.group().strip()
        for name in names
        for p in families.get(name, ())
        for m in p.finditer(text)
    )


# Assessed texts, remembered: every text is assessed by the handlers' danger filter and again
# by the question matcher, and the verdict (immutable) depends on the text alone. Bounded;
# cleared when full.
_ASSESSED: BoundedMemo[str, DangerCheck] = BoundedMemo(4096)
_ASSESSED_LONGEST = 2000


def assess(raw: str) -> DangerCheck:
    """How much danger ``raw`` describes. Never raises."""
    if not isinstance(raw, str):
        return DangerCheck(Danger.NONE)
    found = _ASSESSED.get(raw)
    if found is None:
        found = _assess(raw)
        if len(raw) <= _ASSESSED_LONGEST:
            _ASSESSED.keep(raw, found)
    return found


def forget() -> None:
    """Empty the memo of assessed texts (for benchmarks)."""
    _ASSESSED.clear()


def _assess(raw: str) -> DangerCheck:
    tables = _tables(LOCALES_DIR, reading_languages(raw))
    shorthand = tables.shorthand
    spoken = " ".join(shorthand.get(w, w) for w in tokens(raw[:2000])).split()
    words = _corrected(spoken, tables.vocabulary)
    if not words:
        return DangerCheck(Danger.NONE)
    text = " ".join(words)
    # Only the families that can match these words are searched (most texts touch few), and
    # of a family none of whose indexed phrases can match, only its unindexed phrases; the
    # others are left out of ``families``, so looking one up costs a dictionary miss.
    indexed = tables.index.indexed(words)
    unindexed = tables.unindexed
    families = unindexed | {n: tables.families[n] for n in indexed}
    # "Not urgent" is how people ask for the non-emergency number; "brandövning", "fire drill",
    # "skjuts till mötet" and "thanks for the help" are harmless senses of alarming words.
    for family in ("negation", "harmless"):
        for p in families.get(family, ()):
            text = p.sub(" ", text)
    text = " ".join(text.split())
    # "He said I'm going to die" is a threat, not the writer's wish to die.
    reported = False
    for p in families.get("reported_threat", ()):
        text, n = p.subn(" ", text)
        reported = reported or n > 0
    if reported:  # else the text is as it was, its spaces single already
        text = " ".join(text.split())

    if _hit(text, families, "suicide"):
        weak = not _phrase_hit(text, families, ("suicide",))
        return DangerCheck(Danger.SUICIDE, ("suicide",), weak)

    urgent = _hits(text, families, _URGENT_FAMILIES)
    if reported:
        urgent.append("threat")
    # A person followed by a grave state needs a phrase of both families: else no search.
    if (
        "subject" in families
        and "state" in families
        and any(p.search(text) for p in tables.third_person)
    ):
        urgent.append("third_person")
    plea = _hit(text, families, "plea")
    short_plea = len(words) <= tables.max_plea_words and _hit(text, families, "short_plea")
    if plea or short_plea:
        urgent.append("plea")
    # The rest is read only where the verdict depends on it (each is a pure function of the
    # text, so reading it later or not at all changes nothing).
    if urgent:
        past = _hit(text, families, "past")
        ongoing = _hit(text, families, "ongoing")
        close = _hit(text, families, "close_violence") or (
            bool(set(urgent) & {"violence", "threat", "weapon", "followed", "break_in"})
            and _hit(text, families, "relation")
        )
        only_crime = set(urgent) <= _CRIME_FAMILIES
        if only_crime and past and not ongoing and not close:
            return DangerCheck(Danger.PAST_CRIME, tuple(urgent))
        weak = _weak(text, families, urgent, reported, ongoing)
        if close and not (past and not ongoing and only_crime):
            return DangerCheck(Danger.CLOSE_VIOLENCE, tuple(urgent), weak)
        return DangerCheck(Danger.EMERGENCY, tuple(urgent), weak)
    theft = _hits(text, families, ("theft", "crime"))
    if _hit(text, families, "close_violence"):
        ongoing = bool(theft) and _hit(text, families, "ongoing")
        weak = bool(theft) and _weak(text, families, urgent, reported, ongoing)
        return DangerCheck(Danger.CLOSE_VIOLENCE, ("close_violence",), weak)
    if theft:
        if _hit(text, families, "past"):
            return DangerCheck(Danger.PAST_CRIME, tuple(theft))
        if _hit(text, families, "ongoing"):
            return DangerCheck(
                Danger.EMERGENCY, tuple(theft), _weak(text, families, [], False, True)
            )
    if _hit(text, families, "harm"):
        return DangerCheck(Danger.POSSIBLE, ("harm",))
    if _hit(text, families, "ordinary"):
        # A known everyday topic (noise, litter, street lights, a name): not a cry for help.
        return DangerCheck(Danger.NONE)
    if _hit(text, families, "concern"):
        return DangerCheck(Danger.POSSIBLE, ("concern",))
    if len(words) >= 3 and _hit(text, families, "person"):
        # A sentence about people that the bot may not understand: if it is not understood
        # as anything else, it is answered 112 first (see bot.language.questions).
        return DangerCheck(Danger.POSSIBLE, ("person",))
    return DangerCheck(Danger.NONE)


def _weak(text: str, families: _Families, urgent: list[str], reported: bool, ongoing: bool) -> bool:
    """A sign, not a verdict: lone alarming words only (danger was read: ``urgent`` or a
    theft), no reported threat, nothing going on, nobody in a grave state and no plea."""
    return (
        not reported
        and not ongoing
        and "third_person" not in urgent
        and "plea" not in urgent
        and not _phrase_hit(text, families, (*_URGENT_FAMILIES, "close_violence"))
    )
