"""The data presenters show, built by services and returned by storage: a staff member's
report draft, a resident's progress view, a commitment needing attention, a person's own data.
Plain values, no behaviour that needs a lower layer's machinery."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from datetime import date as _Day  # the field ``date`` hides the type inside Draft
from enum import StrEnum
from typing import Any

from bot.domain.conditions import Status, decode
from bot.domain.pace import PaceRow
from bot.domain.promise import Commitment
from bot.domain.records import Activity
from bot.i18n import N_

COUNT_MAX = 10_000  # more people than this at one activity is a typo


class Problem(StrEnum):
    """Why a draft cannot be saved as it is; shown on the card before Save."""

    NO_KIND = "no_kind"
    WHICH_DAY = "which_day"  # the text named a range ("förra veckan"): which of its days
    FUTURE = "future"
    OUTSIDE_WINDOW = "outside_window"
    COUNT = "count"
    PLACE_TOO_LONG = "place_too_long"
    PERSONAL_DATA = "personal_data"


@dataclass(frozen=True)
class Draft:
    commitment: str | None
    date: date
    count: int | None = None
    place: str | None = None
    note: str = ""
    activity_id: int | None = None  # set when editing a saved report
    # The text named a range ("förra veckan", "i helgen"): the days it may have been; the
    # card asks which, and ``date`` is only a placeholder until then.
    date_choices: tuple[_Day, ...] = ()
    # The promise's conditions for this report (bot.domain.conditions), as (id, status):
    # from the text, the reporter's organisation and taps on the card. Left out: unknown.
    conditions: tuple[tuple[str, Status], ...] = ()
    # The conditions the card asks about as taps: those the text did not settle.
    asked: tuple[str, ...] = ()
    # The promise it counts for (several promises, bot.domain.promise_set): chosen from the
    # place and the date; ``other_promises`` are those it could also count for (the card
    # offers a switch). "": the deployment's only promise.
    promise_id: str = ""
    other_promises: tuple[str, ...] = ()

    @property
    def answers(self) -> dict[str, Status]:
        return dict(self.conditions)

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        data["date_choices"] = [day.isoformat() for day in self.date_choices]
        data["conditions"] = {key: status.value for key, status in self.conditions}
        data["asked"] = list(self.asked)
        data["other_promises"] = list(self.other_promises)
        return data

    @classmethod
    def from_data(cls, data: object) -> Draft | None:
        """Scratch data from the conversation; anything odd means "no draft"."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                commitment=data.get("commitment"),
                date=date.fromisoformat(str(data["date"])),
                count=data.get("count"),
                place=data.get("place"),
                note=str(data.get("note") or ""),
                activity_id=data.get("activity_id"),
                date_choices=tuple(
                    date.fromisoformat(str(day)) for day in data.get("date_choices") or ()
                ),
                conditions=tuple(decode(json.dumps(data.get("conditions") or {})).items()),
                asked=tuple(str(key) for key in data.get("asked") or ()),
                promise_id=str(data.get("promise_id") or ""),
                other_promises=tuple(str(p) for p in data.get("other_promises") or ()),
            )
        except (KeyError, ValueError, TypeError, AttributeError):
            return None

    @property
    def free_text(self) -> str:
        """What a person typed that a saved field keeps: the personal-data check reads it."""
        return f"{self.place or ''}\n{self.note}"


KIND_LABEL = {
    "personnummer": N_("personal identity number"),
    "phone": N_("phone number"),
    "email": N_("e-mail address"),
}


@dataclass(frozen=True)
class CommitmentProgress:
    commitment: Commitment
    current: PaceRow
    history: list[PaceRow]
    done_total: int
    promised_total: int | None


@dataclass(frozen=True)
class Progress:
    today: date
    items: list[CommitmentProgress]
    activities: list[Activity]  # resident-visible recent activities, newest first


@dataclass(frozen=True)
class Attention:
    commitment: Commitment
    row: PaceRow
    reason: str  # "behind" or "ending"


@dataclass(frozen=True)
class PrivacyReport:
    locale: str | None
    subscribed: bool
    reminders: int
    follows: int
    is_staff: bool
    reports: int = 0
    cards: int = 0  # report cards not saved yet
    # True: chosen with /language; False: taken from the Telegram app; None: not known.
    locale_chosen: bool | None = None
    # Suggestions she asked to hear about (her chat id is kept with them until answered + 30 d).
    suggestions: int = 0
    # The safety pulse: whether she wants it once a quarter (True), said no (False), neither
    # (None); and the quarter she was last sent it ("2025Q1"), never her answer.
    pulse_quarterly: bool | None = None
    pulse_sent: str | None = None
