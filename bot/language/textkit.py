"""The text toolkit every language-aware module shares: folding, words and typo-tolerant word
lookup.

Residents and staff type on phones without Swedish letters, with typos and without
punctuation. Everything that reads their text (the question matcher, the emergency detector,
the scam check, the report parser) folds it the same way and forgives typos the same way, so a
rule learnt in one place holds in the others.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Generic, TypeVar

from babel.dates import get_day_names, get_month_names
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

# Every language's data files: locales/ beside bot/ (in the tree and in the installed wheel).
LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"

__all__ = [
    "BoundedMemo",
    "WordIndex",
    "allowed_edits",
    "fold",
    "fold_chars",
    "has_swedish_letters",
    "month_numbers",
    "similar",
    "tokens",
    "weekday_numbers",
]


def fold(text: str) -> str:
    """Case-fold and strip accents, so "Nästa" and "nasta" are the same word."""
    if text.isascii():  # no accents to strip, and ASCII case-folds as it lower-cases
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return decomposed.translate(_NOT_COMBINING)


class _NotCombining(dict[int, int | None]):
    """``str.translate`` table that drops combining characters (accents), each character's
    entry worked out the first time it is seen: faster than a test per character."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_NOT_COMBINING = _NotCombining()


def fold_chars(text: str) -> str:
    """``fold`` one character at a time, so positions in the result are positions in ``text``
    (a parser that finds something in the folded text can cut it out of the original)."""
    out = []
    for ch in text:
        folded = fold(ch)
        out.append(folded if len(folded) == 1 else ch.lower())
    return "".join(out)


def tokens(text: str) -> list[str]:
    """Folded words; apostrophes vanish ("what's" → "whats"), all other non-letters split.
    A new list each call (callers may change it); the words of a text are remembered, since
    the danger check, the language, the tables and the classifier each read the same text."""
    found = _TOKENS.get(text)
    if found is None:
        folded = fold(text.replace("'", "").replace("’", ""))
        # Runs of letters and digits (``str.isalnum``: the regex engine's word characters
        # but "_"), found by the engine rather than a test per character.
        found = tuple(_ALNUM_RUNS.findall(folded))
        if len(text) <= _TOKENS_LONGEST:
            _TOKENS.keep(text, found)
    return list(found)


def forget_tokens() -> None:
    """Empty the memo of texts' words (for benchmarks)."""
    _TOKENS.clear()


def has_swedish_letters(text: str) -> bool:
    return any(ch in "åäöÅÄÖ" for ch in text)


def allowed_edits(length: int, strict: bool = False) -> int:
    """How many typos a word of ``length`` letters may have and still count.

    Strict use (emergencies) forgives one typo in words of six letters or more only: a short
    word one letter off is too often another real word ("bland" is not "brand").
    """
    if strict:
        return 0 if length < 6 else 1
    if length < 5:
        return 0
    if length < 9:
        return 1
    return 2


def similar(a: str, b: str, edits: int) -> float:
    """rapidfuzz's ratio of ``a`` and ``b`` (0–1) when they are at most ``edits`` typos apart.

    Optimal string alignment counts a swapped pair of letters as one typo, as people make them;
    the reported similarity is the ratio so that a closer typo scores higher.
    """
    if edits <= 0:
        return 1.0 if a == b else 0.0
    if OSA.distance(a, b, score_cutoff=edits) > edits:
        return 0.0
    return float(fuzz.ratio(a, b)) / 100.0


class WordIndex:
    """A fixed vocabulary of folded words, looked up exactly or with a typo.

    Words are bucketed by first letter (typos there are rare, and the rule keeps short
    unrelated words apart), so a lookup compares a token with a handful of words through
    rapidfuzz's ``process.extractOne`` instead of scanning every phrase of every table.
    """

    def __init__(
        self, words: Iterable[str], strict: bool = False, not_typos: Iterable[str] = ()
    ) -> None:
        self.words = frozenset(w for w in words if w)
        self.strict = strict
        self.not_typos = frozenset(not_typos)
        buckets: dict[str, list[str]] = {}
        for w in sorted(self.words):
            buckets.setdefault(w[0], []).append(w)
        self._buckets = {k: tuple(v) for k, v in buckets.items()}
        self._cache: dict[str, str | None] = {}

    def lookup(self, token: str) -> str | None:
        """The vocabulary word ``token`` is (exactly or with a forgiven typo), or None."""
        if token in self.words:
            return token
        if token in self._cache:
            return self._cache[token]
        found = self._fuzzy(token)
        if len(self._cache) < 50_000:
            self._cache[token] = found
        return found

    def _fuzzy(self, token: str) -> str | None:
        if not token or token in self.not_typos or token.isdigit():
            return None
        edits = allowed_edits(len(token), self.strict)
        if edits == 0:
            return None
        bucket = self._buckets.get(token[0], ())
        best = process.extractOne(token, bucket, scorer=OSA.distance, score_cutoff=edits)
        if best is None:
            return None
        word = str(best[0])
        # The vocabulary word must be long enough to carry a typo itself.
        if allowed_edits(len(word), self.strict) == 0:
            return None
        return word


# Short forms people write that the CLDR data (through Babel) does not list.
_EXTRA_MONTHS = {"sept": 9}
_EXTRA_WEEKDAYS = {"tues": 1, "weds": 2, "tor": 3, "thur": 3, "thurs": 3}


def _calendar_names(
    getter: Callable[..., Mapping[int, str]], extra: Mapping[str, int], locales: Iterable[str]
) -> dict[str, int]:
    names: dict[str, int] = dict(extra)
    for locale in locales:
        for width in ("wide", "abbreviated"):
            for number, name in getter(width, locale=locale).items():
                names[str(name).lower().rstrip(".")] = int(number)
    return names


@lru_cache(maxsize=8)
def month_numbers(locales: tuple[str, ...] = ("sv", "en")) -> dict[str, int]:
    """Lower-case month names, wide and abbreviated, in ``locales`` → month number (1–12)."""
    return _calendar_names(get_month_names, _EXTRA_MONTHS, locales)


@lru_cache(maxsize=8)
def weekday_numbers(locales: tuple[str, ...] = ("sv", "en")) -> dict[str, int]:
    """Lower-case weekday names, wide and abbreviated → weekday (Monday 0 … Sunday 6)."""
    return _calendar_names(get_day_names, _EXTRA_WEEKDAYS, locales)


K = TypeVar("K")
V = TypeVar("V")


class BoundedMemo(dict[K, V], Generic[K, V]):
    """Results of a pure function of a text, remembered: residents send the same few texts
    again and again. Bounded by emptying itself when full (cheaper than tracking recency, and
    a miss only costs the computation)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def keep(self, key: K, value: V) -> V:
        """Remember ``value`` for ``key`` (emptying the memo first when it is full)."""
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value


_TOKENS: BoundedMemo[str, tuple[str, ...]] = BoundedMemo(4096)
_ALNUM_RUNS = re.compile(r"[^\W_]+")
_TOKENS_LONGEST = 2000
