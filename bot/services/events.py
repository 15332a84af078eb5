"""Planned events: staff plan, move and cancel them; residents list them, ask to be
reminded and add them to their calendar; organisers are asked afterwards how it went.

Secrecy lives here, once: residents only ever get events whose own visibility is
``public`` and whose commitment is not ``count_only``. Anything else is "not found", the
same answer as for an id that never existed, so nothing can be probed.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.conditions import Status, combine, planned_from_event
from bot.domain.errors import NotFound, UserFacingError
from bot.domain.promise import Visibility
from bot.domain.records import Event
from bot.domain.roles import Actor
from bot.i18n import N_, staff_locale
from bot.language.pii import pii_kinds
from bot.language.report_parser import told_conditions
from bot.render import events as render
from bot.services import Services, outgoing
from bot.services.people import PeopleService
from storage.activities import NewActivity
from storage.deliveries import NewDelivery
from storage.events import EventReminderRepo, NewEvent

log = logging.getLogger(__name__)

UPCOMING_DAYS = 60
EVE_TIME = time(18, 0)  # the reminder the day before
TITLE_MAX = 120
PLACE_MAX = 120
DESCRIPTION_MAX = 600


class EventInvalid(UserFacingError):
    msgid = N_("That event cannot be saved: {why}")
    translated = ("why",)


class NotYourEvent(UserFacingError):
    msgid = N_("Only the organiser or an admin can change this event.")


@dataclass(frozen=True)
class EventDraft:
    commitment: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    description: str = ""
    visibility: str | None = None  # None: the commitment's own


@dataclass
class PlanScratch:
    """The /plan conversation's answers so far (typed ``user_data`` scratch, never the
    record); ``draft`` turns them into what the service validates and saves."""

    commitment: str
    day: date | None = None  # carried over from a report card ("Plan it instead?")
    title: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str = ""
    description: str = ""
    visibility: str | None = None

    def draft(self, visibility: str | None) -> EventDraft | None:
        if self.starts_at is None or self.ends_at is None:
            return None
        return EventDraft(
            commitment=self.commitment,
            title=self.title,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            place=self.place,
            description=self.description,
            visibility=visibility,
        )


class RowError(ValueError):
    """A bad CSV row; the message names the line and the column."""


class EventService:
    def __init__(self, services: Services, people: PeopleService | None = None) -> None:
        self.s = services
        self.people = people or PeopleService(services)
        self.reminders = EventReminderRepo(services.db)

    # --- staff ------------------------------------------------------------------------------

    def validate(self, draft: EventDraft, now: datetime | None) -> NewEvent:
        """Check a draft; ``now`` None skips the "not in the past" rule (imports of history)."""
        commitment = self.s.promise.get(draft.commitment)
        if commitment is None:
            raise EventInvalid(why=N_("unknown commitment"))
        own = commitment.visibility
        try:
            wanted = Visibility(draft.visibility) if draft.visibility else own
        except ValueError:
            raise EventInvalid(why=N_("unknown visibility")) from None
        title = draft.title.strip()
        if not title or len(title) > TITLE_MAX:
            raise EventInvalid(why=N_("the title must be 1 to 120 characters"))
        if len(draft.place) > PLACE_MAX or len(draft.description) > DESCRIPTION_MAX:
            raise EventInvalid(why=N_("the place or description is too long"))
        if pii_kinds(f"{title}\n{draft.place}\n{draft.description}"):
            # Events are shown to residents: no personnummer, phone number or e-mail address.
            raise EventInvalid(
                why=N_(
                    "the title, place or description holds a personal identity number, "
                    "a phone number or an e-mail address"
                )
            )
        if draft.ends_at <= draft.starts_at:
            raise EventInvalid(why=N_("it must end after it starts"))
        if draft.ends_at - draft.starts_at > timedelta(days=2):
            raise EventInvalid(why=N_("an event can last at most two days"))
        if now is not None and draft.starts_at < now:
            raise EventInvalid(why=N_("it starts in the past"))
        return NewEvent(
            commitment=commitment.id,
            title=title,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            # Never more visible than the commitment, whatever the draft asked for.
            visibility=wanted.at_most(own).value,
            place=draft.place.strip(),
            description=draft.description.strip(),
        )

    async def plan(self, actor: Actor, draft: EventDraft) -> Event:
        await self.people.require_staff(actor, "plan")
        now = self.s.clock.now()
        new = self.validate(draft, now)
        async with self.s.db.transaction():
            event = await self.s.events.add(
                NewEvent(**{**new.__dict__, "organiser_id": actor.user_id}), now
            )
            await self.s.audit.record(now, actor.user_id, "event.plan", f"event:{event.id}")
        return event

    async def _own_event(self, actor: Actor, event_id: int, what: str = "event.change") -> Event:
        """A planned event the actor may change: its organiser's, or any for an admin."""
        await self.people.require_staff(actor, what)
        event = await self.s.events.get(event_id)
        if event is None or event.status != "planned":
            raise NotFound()
        if not actor.is_admin and event.organiser_id != actor.user_id:
            raise NotYourEvent()
        return event

    async def mine_one(self, actor: Actor, event_id: int) -> Event:
        """One of the actor's planned events (checked like a change), e.g. to confirm one."""
        return await self._own_event(actor, event_id)

    async def mine(self, actor: Actor) -> list[Event]:
        await self.people.require_staff(actor, "event.list")
        return await self.s.events.by_organiser(actor.user_id, self.s.clock.now())

    async def move(self, actor: Actor, event_id: int, starts_at: datetime) -> Event:
        event = await self._own_event(actor, event_id)
        now = self.s.clock.now()
        if starts_at < now:
            raise EventInvalid(why=N_("it starts in the past"))
        ends_at = starts_at + (event.ends_at - event.starts_at)
        async with self.s.db.transaction():
            await self.s.events.move(event_id, starts_at, ends_at, now)
            await self.s.audit.record(now, actor.user_id, "event.move", f"event:{event_id}")
            moved = await self.s.events.get(event_id)
            assert moved is not None
            await self.s.deliveries.drop_queued_by_key_prefix(f"evrem:{event_id}:", "moved")
            for chat_id, locale in await self.reminders.chats(event_id):
                await self._queue_reminders(moved, chat_id, locale)
                await self._notify(moved, chat_id, locale, render.MOVED_NOTICE)
        return moved

    async def cancel(self, actor: Actor, event_id: int) -> Event:
        await self._own_event(actor, event_id)
        now = self.s.clock.now()
        async with self.s.db.transaction():
            await self.s.events.set_status(event_id, "cancelled", now)
            await self.s.audit.record(now, actor.user_id, "event.cancel", f"event:{event_id}")
            await self.s.deliveries.drop_queued_by_key_prefix(f"evrem:{event_id}:", "cancelled")
            # The stored row, not the one read before: the notice's key carries the new status,
            # so it is never taken for an earlier "changed time" notice and swallowed.
            cancelled = await self.s.events.get(event_id)
            assert cancelled is not None
            for chat_id, locale in await self.reminders.chats(event_id):
                await self._notify(cancelled, chat_id, locale, render.CANCELLED_NOTICE)
        return cancelled

    async def _notify(self, event: Event, chat_id: int, locale: str | None, msgid: str) -> None:
        if not self.is_public(event):
            return
        notice = render.change_notice(self.s.translator(locale), event, msgid)
        now = self.s.clock.now()
        key = f"evchange:{event.id}:{chat_id}:{event.updated_at.isoformat()}:{event.status}"
        await self.s.deliveries.enqueue(
            NewDelivery(chat_id, "event-change", outgoing(notice), now, dedupe_key=key), now
        )

    # --- residents --------------------------------------------------------------------------

    def is_public(self, event: Event) -> bool:
        commitment = self.s.promise.get(event.commitment)
        return (
            commitment is not None
            and commitment.visibility is not Visibility.COUNT_ONLY
            and event.visibility == Visibility.PUBLIC.value
        )

    async def upcoming(self, kind: str | None = None, days: int = UPCOMING_DAYS) -> list[Event]:
        now = self.s.clock.now()
        found = await self.s.events.upcoming(
            now, now + timedelta(days=days), commitment=kind, visibilities=("public",)
        )
        return [e for e in found if self.is_public(e)]

    async def next_by_kind(self) -> dict[str, Event]:
        first: dict[str, Event] = {}
        for event in await self.upcoming(days=365):
            first.setdefault(event.commitment, event)
        return first

    async def public_event(self, event_id: int) -> Event:
        event = await self.s.events.get(event_id)
        if event is None or not self.is_public(event) or event.status != "planned":
            raise NotFound()
        return event

    async def remind(self, chat_id: int, locale: str, event_id: int) -> bool:
        event = await self.public_event(event_id)
        now = self.s.clock.now()
        if event.starts_at <= now:
            raise NotFound()
        await self.s.users.set_locale(chat_id, locale, now)
        added = await self.reminders.add(event_id, chat_id, now)
        if added:  # asked before: the reminders are queued already
            await self._queue_reminders(event, chat_id, locale)
        return added

    async def unremind(self, chat_id: int, event_id: int) -> bool:
        removed = await self.reminders.remove(event_id, chat_id)
        await self.s.deliveries.drop_queued_by_key_prefix(f"evrem:{event_id}:{chat_id}:", "off")
        return removed

    async def _queue_reminders(self, event: Event, chat_id: int, locale: str | None) -> None:
        tz = self.s.clock.tz
        start = event.starts_at.astimezone(tz)
        eve = datetime.combine(start.date() - timedelta(days=1), EVE_TIME, tzinfo=tz)
        # One hour of real time, not of wall-clock time: the DST change must not move it.
        hour = (event.starts_at.astimezone(UTC) - timedelta(hours=1)).astimezone(tz)
        now = self.s.clock.now()
        tr = self.s.translator(locale)
        stamp = int(event.starts_at.timestamp())
        # A dropped reminder keeps its key; a new request (after "stop") needs a new one.
        queued_at = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
        for name, when, msgid in (
            ("eve", eve, render.EVE_REMINDER),
            ("hour", hour, render.HOUR_REMINDER),
        ):
            if when <= now:
                continue
            message = outgoing(render.reminder(tr, event, msgid))
            key = f"evrem:{event.id}:{chat_id}:{name}:{stamp}:{queued_at}"
            await self.s.deliveries.enqueue(
                NewDelivery(chat_id, "event-reminder", message, when, dedupe_key=key), now
            )

    def ics(self, events: list[Event], locale: str) -> bytes:
        """An iCalendar file of the public ones among ``events``."""
        public = [event for event in events if self.is_public(event)]
        return render.calendar(self.s.translator(locale), self.s.promise, public)

    # --- after the event: did it happen? ---------------------------------------------------

    async def followup_tick(self) -> int:
        """Ask each organiser once, when the event's end has passed, how it went."""
        now = self.s.clock.now()
        queued = 0
        for event in await self.s.events.ended_without_followup(now):
            assert event.organiser_id is not None
            locale = await self.s.users.locale(event.organiser_id)
            question = render.followup_question(self.s.translator(staff_locale(locale)), event)
            if await self.s.deliveries.enqueue(
                NewDelivery(
                    event.organiser_id,
                    "event-followup",
                    outgoing(question),
                    now,
                    dedupe_key=f"evfollow:{event.id}",
                ),
                now,
            ):
                queued += 1
            await self.s.events.mark_followup_sent(event.id, now)
        if queued:
            log.info("event follow-up: %d organiser question(s) queued", queued)
        return queued

    async def record_outcome(self, actor: Actor, event_id: int, outcome: str) -> int | None:
        """One tap: ``done`` makes the report (returns the activity id); ``cancelled`` and
        ``moved`` close the event without counting it."""
        event = await self._own_event(actor, event_id, "event.outcome")
        now = self.s.clock.now()
        async with self.s.db.transaction():
            if outcome == "done":
                await self.s.events.set_status(event_id, "happened", now)
                tz = self.s.clock.tz
                day = event.starts_at.astimezone(tz).date()
                activity = await self.s.activities.add(
                    NewActivity(
                        event.commitment,
                        day,
                        event.place or None,
                        None,
                        event.title,
                        source="event",
                        event_id=event.id,
                        reported_by=actor.user_id,
                        conditions=self._event_conditions(actor, event, day),
                    ),
                    now,
                )
                await self.s.audit.record(
                    now, actor.user_id, "activity.create", f"activity:{activity.id}", event=event_id
                )
                return activity.id
            if outcome in ("cancelled", "moved"):
                await self.s.events.set_status(event_id, "not_happened", now)
                await self.s.audit.record(
                    now, actor.user_id, f"event.{outcome}", f"event:{event_id}"
                )
                return None
        raise NotFound()

    def _event_conditions(self, actor: Actor, event: Event, day: date) -> dict[str, Status]:
        """An event planned before its day was planned in advance; the organiser's
        organisation took part; its title and place may name more ("med föreningarna")."""
        commitment = self.s.promise.get(event.commitment)
        if commitment is None:
            return {}
        planned_on = event.created_at.astimezone(self.s.clock.tz).date()
        return combine(
            told_conditions(f"{event.title}\n{event.place}", commitment, actor.org),
            planned_from_event(commitment, planned_on, day),
        )

    # --- CSV ----------------------------------------------------------------------------------

    def parse_csv(self, text: str) -> list[NewEvent]:
        """All rows or none: the first bad row raises RowError naming its line."""
        reader = csv.DictReader(io.StringIO(text))
        wanted = ["commitment", "starts_at", "ends_at", "place", "title", "visibility"]
        if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != wanted:
            raise RowError(f"line 1: the header must be {','.join(wanted)}")
        reader.fieldnames = wanted  # "commitment, starts_at" is forgiven: keys are the names
        tz = self.s.clock.tz
        rows = []
        for number, row in enumerate(reader, start=2):
            try:
                starts = _local(row["starts_at"], tz)
                ends = _local(row["ends_at"], tz)
                draft = EventDraft(
                    commitment=(row["commitment"] or "").strip(),
                    title=row["title"] or "",
                    starts_at=starts,
                    ends_at=ends,
                    place=row["place"] or "",
                    visibility=(row["visibility"] or "").strip() or None,
                )
                rows.append(self.validate(draft, None))
            except EventInvalid as exc:
                why = exc.params.get("why", "")
                raise RowError(f"line {number}: {why}") from None
            except (ValueError, TypeError) as exc:
                raise RowError(f"line {number}: {exc}") from None
        return rows


def _local(text: str | None, tz: object) -> datetime:
    value = datetime.fromisoformat((text or "").strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)  # type: ignore[arg-type]
    return value
