"""Residents' suggestions as data ("Ni sa – vi gjorde"): what a text was read as, the groups
suggestions are sorted into, and the published counts. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.records import GroupStatus, SuggestionKind

# Published only from this many suggestions in a group (never fewer: a count of one or two
# could point to a person).
PUBLISH_FROM = 3

OTHER_THEME = "other"
UNKNOWN_AREA = "unknown"


class TimeOfDay(StrEnum):
    MORNING = "morning"
    DAY = "day"
    EVENING = "evening"
    NIGHT = "night"


class Why(StrEnum):
    """Why a place feels unsafe, in a few taps."""

    DARK = "dark"
    PEOPLE = "people"
    TRAFFIC = "traffic"
    DRUGS = "drugs"
    OTHER = "other"


class DeclineReason(StrEnum):
    """ "Not now", in plain words every resident language has a sentence for."""

    NOT_IN_PROMISE = "outside"  # not something the police and the kommun can do here
    OTHERS = "others"  # someone else is responsible; passed on
    LATER = "later"  # not this year; kept for the next promise
    ALREADY = "already"  # it is already being done


@dataclass(frozen=True)
class Reading:
    """What a resident's text was read as: a theme for a theme meeting, a wish, or an unsafe
    place (where, when, why)."""

    kind: SuggestionKind
    theme: str | None = None
    area: str | None = None
    place: str | None = None
    time_of_day: TimeOfDay | None = None
    reasons: tuple[Why, ...] = ()

    @property
    def group(self) -> str:
        return group_key(self.kind, self.theme, self.area)


def group_key(kind: SuggestionKind, theme: str | None, area: str | None) -> str:
    """Unsafe places are grouped by area, themes and wishes by theme."""
    if kind is SuggestionKind.UNSAFE_PLACE:
        return f"area.{area or UNKNOWN_AREA}"
    return f"theme.{theme or OTHER_THEME}"


def split_key(key: str) -> tuple[str, str]:
    """("theme" | "area", its id)."""
    by, _sep, name = key.partition(".")
    return by, name


@dataclass(frozen=True)
class VoiceGroup:
    """One group as published: what it is about, how many raised it, what was done."""

    key: str
    count: int
    status: GroupStatus
    reason: str = ""
    event_title: str | None = None
    event_day: str | None = None  # ISO date of the event it became


@dataclass(frozen=True)
class VoiceSummary:
    """The follow-up page's "Ni sa – vi gjorde" and the open data's ``voice``: groups of at
    least ``PUBLISH_FROM`` suggestions, and how many came in in all. Never a text or a
    person."""

    groups: list[VoiceGroup] = field(default_factory=list)
    total: int = 0
    hidden: int = 0  # suggestions in groups too small to show


# A poster's deep link: t.me/<bot>?start=s_<event id>; what comes in through it is tied to
# that event.
POSTER_PREFIX = "s_"
