"""Planned events: staff plan, move and cancel them; residents list them, ask to be
reminded and add them to their calendar; organisers are asked afterwards how it went.

Secrecy lives here, once: residents only ever get events whose own visibility is
``public`` and whose commitment is not ``count_only``. Anything else is "not found", the
same answer as for an id that never existed, so nothing can be probed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import icalendar

from bot.errors import NotFound, UserFacingError
from bot.i18n import N_, Translator, staff_locale
from bot.pii import pii_kinds, redact
from bot.promise import Visibility
from bot.roles import Actor
from bot.services import Services
from bot.services.people import PeopleService
from storage.activities import NewActivity
from storage.deliveries import NewDelivery, OutgoingMessage
from storage.events import EventReminderRepo, NewEvent
from storage.records import Event

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


class RowError(ValueError):
    """A bad CSV row; the message names the line and the column."""


class EventService:
    def __init__(self, services: Services) -> None:
        self.s = services
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
        await PeopleService(self.s).require_staff(actor, "plan")
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
        await PeopleService(self.s).require_staff(actor, what)
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
        await PeopleService(self.s).require_staff(actor, "event.list")
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
                await self._notify(
                    moved, chat_id, locale, N_("Changed time: {title} is now {when}.")
                )
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
                await self._notify(cancelled, chat_id, locale, N_("Cancelled: {title} ({when})."))
        return cancelled

    async def _notify(self, event: Event, chat_id: int, locale: str | None, msgid: str) -> None:
        if not self.is_public(event):
            return
        tr = self.s.translator(locale)
        text = tr.gettext(msgid).format(
            title=redact(event.title),
            when=tr.datetime(event.starts_at.astimezone(self.s.clock.tz)),
        )
        now = self.s.clock.now()
        key = f"evchange:{event.id}:{chat_id}:{event.updated_at.isoformat()}:{event.status}"
        await self.s.deliveries.enqueue(
            NewDelivery(chat_id, "event-change", OutgoingMessage(text), now, dedupe_key=key), now
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
        off = [[(tr.gettext("Stop this reminder"), f"ev:unrem:{event.id}")]]
        stamp = int(event.starts_at.timestamp())
        # A dropped reminder keeps its key; a new request (after "stop") needs a new one.
        queued_at = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")
        for name, when, msgid in (
            ("eve", eve, N_("Reminder: tomorrow {when}: {title}. Place: {place}.")),
            ("hour", hour, N_("Reminder: in one hour, {when}: {title}. Place: {place}.")),
        ):
            if when <= now:
                continue
            text = tr.gettext(msgid).format(
                when=tr.time(start), title=redact(event.title), place=redact(event.place) or "—"
            )
            await self.s.deliveries.enqueue(
                NewDelivery(
                    chat_id, "event-reminder", OutgoingMessage(text, off), when,
                    dedupe_key=f"evrem:{event.id}:{chat_id}:{name}:{stamp}:{queued_at}",
                ),
                now,
            )  # fmt: skip

    def list_line(self, event: Event, tr: Translator) -> str:
        """``• tis 12 mars 18:00 – Tematräffar: title, place`` for lists on a phone."""
        commitment = self.s.promise.commitment(event.commitment)
        start = event.starts_at.astimezone(self.s.clock.tz)
        # Events saved before the personal-data check (or by hand) are redacted on the way out.
        place = f", {redact(event.place)}" if event.place else ""
        return (
            f"• {tr.short_datetime(start)} – {commitment.short.get(tr.locale)}: "
            f"{redact(event.title)}{place}"
        )

    def describe(self, event: Event, tr: Translator) -> str:
        commitment = self.s.promise.commitment(event.commitment)
        start = event.starts_at.astimezone(self.s.clock.tz)
        end = event.ends_at.astimezone(self.s.clock.tz)
        lines = [
            f"{commitment.short.get(tr.locale)}: {redact(event.title)}",
            tr.gettext("When: {when}–{end}").format(when=tr.datetime(start), end=tr.time(end)),
        ]
        if event.place:
            lines.append(tr.gettext("Where: {place}").format(place=redact(event.place)))
        lines.append(redact(event.description) or commitment.description.get(tr.locale))
        return "\n".join(lines)

    def ics(self, events: list[Event], locale: str) -> bytes:
        """An iCalendar file; times carry the Stockholm zone so phones show them right."""
        tr = self.s.translator(locale)
        cal = icalendar.Calendar()
        cal.add("prodid", "-//Trygghetsbot//medborgarlofte//SV")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", self.s.promise.name.get(locale))
        for event in events:
            if not self.is_public(event):
                continue
            commitment = self.s.promise.commitment(event.commitment)
            item = icalendar.Event()
            item.add("uid", f"event-{event.id}@trygghetsbot.{self.s.promise.id}")
            item.add("summary", redact(event.title))
            item.add("dtstart", event.starts_at.astimezone(self.s.clock.tz))
            item.add("dtend", event.ends_at.astimezone(self.s.clock.tz))
            item.add("dtstamp", event.updated_at)
            if event.place:
                item.add("location", redact(event.place))
            item.add(
                "description",
                redact(event.description) or commitment.description.get(tr.locale),
            )
            cal.add_component(item)
        data: bytes = cal.to_ical()
        return data

    # --- after the event: did it happen? ---------------------------------------------------

    async def followup_tick(self) -> int:
        """Ask each organiser once, when the event's end has passed, how it went."""
        now = self.s.clock.now()
        queued = 0
        for event in await self.s.events.ended_without_followup(now):
            assert event.organiser_id is not None
            locale = await self.s.users.locale(event.organiser_id)
            tr = self.s.translator(staff_locale(locale))
            text = tr.gettext("Did it happen? {title}, {when}. How many came?").format(
                title=event.title, when=tr.datetime(event.starts_at.astimezone(self.s.clock.tz))
            )
            buttons = [
                [(tr.gettext("Yes, it happened"), f"ev:done:{event.id}")],
                [
                    (tr.gettext("Cancelled"), f"ev:cancelled:{event.id}"),
                    (tr.gettext("Moved"), f"ev:moved:{event.id}"),
                ],
            ]
            if await self.s.deliveries.enqueue(
                NewDelivery(event.organiser_id, "event-followup",
                            OutgoingMessage(text, buttons), now,
                            dedupe_key=f"evfollow:{event.id}"),
                now,
            ):  # fmt: skip
                queued += 1
            await self.s.events.mark_followup_sent(event.id, now)
        return queued

    async def record_outcome(self, actor: Actor, event_id: int, outcome: str) -> int | None:
        """One tap: ``done`` makes the report (returns the activity id); ``cancelled`` and
        ``moved`` close the event without counting it."""
        event = await self._own_event(actor, event_id, "event.outcome")
        now = self.s.clock.now()
        async with self.s.db.transaction():
            if outcome == "done":
                await self.s.events.set_status(event_id, "happened", now)
                activity = await self.s.activities.add(
                    NewActivity(
                        event.commitment,
                        event.starts_at.astimezone(self.s.clock.tz).date(),
                        event.place or None,
                        None,
                        event.title,
                        source="event",
                        event_id=event.id,
                        reported_by=actor.user_id,
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
