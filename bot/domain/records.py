"""Typed records the repositories return; handlers and services never see database rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from bot.domain.conditions import Status


class Org(StrEnum):
    POLICE = "police"
    MUNICIPALITY = "municipality"
    OTHER = "other"


def to_db(moment: datetime) -> str:
    """Aware datetime → UTC ISO text that sorts correctly."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text)


def opt_from_db(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    org: Org
    name: str
    joined_at: datetime
    revoked_at: datetime | None
    reminders_paused_until: date | None
    # The kommun a municipal staff member works for (several promises); None: the whole
    # police area, every kommun.
    municipality: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Invite:
    id: int
    org: Org
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None
    revoked_at: datetime | None
    municipality: str | None = None  # the kommun the joiner works for; None: all of them


@dataclass(frozen=True)
class Activity:
    id: int
    commitment: str
    date: date
    place: str | None
    count: int | None
    description: str
    source: str
    event_id: int | None
    reported_by: int | None
    created_at: datetime
    updated_at: datetime
    retracted_at: datetime | None
    # Condition id → met / not met (bot.domain.conditions); a condition not here is unknown.
    conditions: dict[str, Status] = field(default_factory=dict, hash=False)
    promise_id: str = ""  # the promise it counts for (bot.domain.promise_set)


@dataclass(frozen=True)
class Milestone:
    commitment: str
    reached_on: date
    confirmed_by: int
    confirmed_at: datetime
    note: str


@dataclass(frozen=True)
class Event:
    id: int
    commitment: str
    title: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    visibility: str
    organiser_id: int | None
    status: str
    followup_sent_at: datetime | None
    created_at: datetime
    updated_at: datetime
    promise_id: str = ""  # the promise it belongs to (bot.domain.promise_set)


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    locale: str
    cadence: str
    weekday: int
    slot: str
    anchor: date
    cursor: int
    next_at: datetime | None
    active: bool
    created_at: datetime
    stopped_at: datetime | None
    stop_reason: str | None


@dataclass(frozen=True)
class Delivery:
    id: int
    chat_id: int
    kind: str
    batch: str | None
    dedupe_key: str | None
    payload: str
    not_before: datetime
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    priority: int = 2  # storage.deliveries.URGENT / REPLY / BULK: lower goes first
    deadline: datetime | None = None  # a reply is given up after it


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int | None
    action: str
    target: str | None
    detail: str


@dataclass(frozen=True)
class DraftRow:
    """A report card not saved yet, as stored: ``data`` is the card's own JSON (see
    ``bot.services.reporting.ReportScratch``); storage does not read it."""

    id: int
    user_id: int
    data: str
    created_at: datetime
    touched_at: datetime
    warned_at: datetime | None


class SuggestionKind(StrEnum):
    THEME = "theme"  # a theme wanted at a theme meeting
    WISH = "wish"  # a wish or idea for the police and the kommun
    UNSAFE_PLACE = "unsafe_place"  # a place that feels unsafe


class GroupStatus(StrEnum):
    NEW = "new"
    PLANNED = "planned"  # linked to a planned event
    DONE = "done"
    DECLINED = "declined"  # "not now", with a reason


@dataclass(frozen=True)
class Suggestion:
    """A resident's suggestion as stored: no chat id; ``text`` has passed the personal-data
    check and is read by coordinators only."""

    id: int
    kind: SuggestionKind
    group: str
    theme: str | None
    area: str | None
    place: str | None
    time_of_day: str | None
    reasons: tuple[str, ...]
    text: str
    locale: str
    event_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class SuggestionGroup:
    """What came in about one theme or area, and what staff decided about it."""

    key: str
    status: GroupStatus
    reason: str
    event_id: int | None
    count: int
    newest: datetime
    updated_at: datetime | None


@dataclass(frozen=True)
class Follower:
    """A resident who asked to be told what happens to her suggestion."""

    suggestion_id: int
    chat_id: int
    locale: str
