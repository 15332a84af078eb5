"""Typed answers on the report card: "i förrgår", "ca 25", "Brogård", or a whole new line.

Every step of the card (and of the guided /report) accepts typed text as well as a button.
The text goes through the same parser as a one-liner
(:func:`bot.language.report_parser.parse_report`);
this module only decides which of the parsed fields the answer is meant to change, and adds
the one thing a one-liner never needs: a bare number ("25", "ca 25") as the head count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.promise import Promise
from bot.language.report_parser import parse_report

PLACE_MAX = 120
NOTE_MAX = 500
# The farthest back the card's day buttons go (its callback carries days before today).
DAYS_BACK_MAX = 62


class Field(StrEnum):
    """A part of the draft that a step asks for."""

    KIND = "kind"
    DATE = "date"
    COUNT = "count"
    PLACE = "place"
    NOTE = "note"


@dataclass(frozen=True)
class Fix:
    """What a typed answer changes; None means "not given"."""

    commitment: str | None = None
    date: date | None = None
    count: int | None = None
    place: str | None = None
    note: str | None = None

    @property
    def empty(self) -> bool:
        return all(
            v is None for v in (self.commitment, self.date, self.count, self.place, self.note)
        )


_BARE_COUNT = re.compile(
    r"^(?:(?:det|vi) (?:var|blev)|antal:?|we were|there were)?\s*"
    r"(?:ca\.?|c:a|cirka|typ|ungef(?:är|ar|\.)?|runt|omkring|about|around|approx\.?|~)?\s*"
    r"(\d{1,6})\s*(?:st\.?|pers\.?|personer|people|deltagare|participants)?[.!]?$",
    re.IGNORECASE,
)


# First words that make a line a question, not a report ("när är nästa tematräff").
# Not "var": in a report it is "was" ("var på Brogård igår, 20 pers").
QUESTION_WORDS = frozenset(
    {"när", "vad", "hur", "vem", "vilken", "vilket", "vilka", "varför", "finns", "kan", "ska"}
    | {"when", "where", "what", "how", "who", "which", "why", "is", "are", "can", "does", "do"}
)


def looks_like_question(text: str) -> bool:
    words = text.strip().split(maxsplit=1)
    return text.rstrip().endswith("?") or (
        bool(words) and words[0].casefold().strip(",.!:") in QUESTION_WORDS
    )


def bare_count(text: str) -> int | None:
    """ "25", "ca 25", "typ 15 st" → the number; anything else → None."""
    m = _BARE_COUNT.match(text.strip())
    return int(m[1]) if m else None


def parse_fix(text: str, promise: Promise, today: date, expecting: Field | None) -> Fix:
    """Read a typed answer. ``expecting`` is the field the step asked for (None on the card:
    then whatever the text clearly names is changed)."""
    text = text.strip()[:1000]
    parsed = parse_report(text, promise, today)
    count = bare_count(text)
    if count is None:
        count = parsed.count
    if expecting is Field.NOTE:
        return Fix(note=text[:NOTE_MAX])
    if expecting is Field.PLACE:
        return Fix(place=(parsed.place or text)[:PLACE_MAX] or None)
    if expecting is Field.COUNT:
        return Fix(count=count)
    if expecting is Field.DATE:
        return Fix(date=parsed.date)
    # On the card, or for the kind: a whole new line may fix several things at once.
    return Fix(
        commitment=parsed.commitment,
        date=parsed.date,
        count=count,
        place=parsed.place,
    )
