"""Presenters for events: the residents' /events and /next, an event's card, reminders and
change notices; the staff's /plan steps, /myevents and the "did it happen?" question.

Each takes a translator (which carries the time zone) and plain data and returns text or a
:class:`Screen`; handlers send it, services queue it in the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import TypeVar

import icalendar

from bot.domain.promise import Commitment, Promise, Visibility
from bot.domain.records import Event
from bot.i18n import N_, Translator
from bot.language.pii import redact
from bot.render import Button, Screen
from bot.render.callbacks import (
    EventAction,
    EventPress,
    MyEvent,
    MyEventAction,
    PlanAction,
    PlanPress,
)

# One page of /events: every event on it has its own button, and the text stays well under
# Telegram's 4,096 characters whatever the titles and places are.
PAGE_EVENTS = 8
PAGE_CHARS = 3500
LINE_CHARS = 400
LABEL_CHARS = 60  # a button label that still fits on a phone

_T = TypeVar("_T")

# Reminders queued for a resident who asked for one.
EVE_REMINDER = N_("Reminder: tomorrow {when}: {title}. Place: {place}.")
HOUR_REMINDER = N_("Reminder: in one hour, {when}: {title}. Place: {place}.")
# Change notices to the same residents.
MOVED_NOTICE = N_("Changed time: {title} is now {when}.")
CANCELLED_NOTICE = N_("Cancelled: {title} ({when}).")


def event_pages(events: Sequence[_T], line: Callable[[_T], str]) -> list[list[tuple[_T, str]]]:
    """Split ``events`` into pages of (event, its list line), at most PAGE_EVENTS each and
    PAGE_CHARS of lines (week headings included)."""
    pages: list[list[tuple[_T, str]]] = [[]]
    size = 0
    for event in events:
        text = line(event)
        if len(text) > LINE_CHARS:
            text = text[: LINE_CHARS - 1] + "…"
        cost = len(text) + 16  # the line plus room for a week heading
        if pages[-1] and (len(pages[-1]) >= PAGE_EVENTS or size + cost > PAGE_CHARS):
            pages.append([])
            size = 0
        pages[-1].append((event, text))
        size += cost
    return pages


def list_line(tr: Translator, promise: Promise, event: Event) -> str:
    """``• tis 12 mars 18:00 – Tematräffar: title, place`` for lists on a phone."""
    commitment = promise.commitment(event.commitment)
    start = tr.local(event.starts_at)
    # Events saved before the personal-data check (or by hand) are redacted on the way out.
    place = tr.comma + redact(event.place) if event.place else ""
    return (
        f"• {tr.short_datetime(start)} – {commitment.short.get(tr.locale)}: "
        f"{redact(event.title)}{place}"
    )


def describe(tr: Translator, promise: Promise, event: Event) -> str:
    commitment = promise.commitment(event.commitment)
    start = tr.local(event.starts_at)
    end = tr.local(event.ends_at)
    lines = [
        f"{commitment.short.get(tr.locale)}: {redact(event.title)}",
        tr.gettext("When: {when}–{end}").format(when=tr.datetime(start), end=tr.time(end)),
    ]
    if event.place:
        lines.append(tr.gettext("Where: {place}").format(place=redact(event.place)))
    lines.append(redact(event.description) or commitment.description.get(tr.locale))
    return "\n".join(lines)


def next_one(tr: Translator, promise: Promise, event: Event) -> str:
    """The answer to "when is the next theme meeting?"."""
    return tr.gettext("The next one:") + "\n" + describe(tr, promise, event)


def coming_up(tr: Translator, promise: Promise, events: Sequence[Event]) -> str:
    """A short list in answer to a question (the full one is /events)."""
    if not events:
        return tr.gettext("Nothing is planned for the next 60 days yet. Ask again later.")
    lines = [tr.gettext("Coming up:")]
    lines += [list_line(tr, promise, event) for event in events]
    lines.append(tr.gettext("More with /events."))
    return "\n".join(lines)


def event_list(tr: Translator, promise: Promise, events: Sequence[Event], page: int) -> Screen:
    """One page of /events: the lines under week headings, a button per event, and
    earlier/later when there is more than one page."""
    _ = tr.gettext
    if not events:
        return Screen(_("Nothing is planned for the next 60 days yet. Ask again later."))
    pages = event_pages(events, lambda event: list_line(tr, promise, event))
    page = min(max(page, 0), len(pages) - 1)
    lines = [_("Coming up in the next 60 days:")]
    if len(pages) > 1:
        lines[0] += " " + _("(page {page} of {pages})").format(page=page + 1, pages=len(pages))
    rows: list[list[Button]] = []
    week = None
    for event, text in pages[page]:
        start = tr.local(event.starts_at)
        if start.isocalendar().week != week:
            week = start.isocalendar().week
            lines += ["", _("Week {week}").format(week=week)]
        lines.append(text)
        label = f"{tr.short_datetime(start)} {redact(event.title)}"[:LABEL_CHARS]
        rows.append([Button(label, EventPress(EventAction.SHOW, event.id))])
    nav = []
    if page > 0:
        nav.append(Button(_("‹ Earlier"), EventPress(EventAction.PAGE, page - 1)))
    if page < len(pages) - 1:
        nav.append(Button(_("Later ›"), EventPress(EventAction.PAGE, page + 1)))
    if nav:
        rows.append(nav)
    return Screen("\n".join(lines), rows)


def next_events(tr: Translator, promise: Promise, first: dict[str, Event]) -> Screen:
    """/next: the next event of each kind residents can come to, soonest first."""
    _ = tr.gettext
    lines = [_("The next event of each kind:")]
    rows = []
    kinds = [c for c in promise.public_commitments() if c.resident_events]
    # Soonest first; kinds with nothing planned last.
    kinds.sort(key=lambda c: (c.id not in first, first[c.id].starts_at if c.id in first else 0))
    for commitment in kinds:
        event = first.get(commitment.id)
        name = commitment.short.get(tr.locale)
        if event is None:
            lines.append(_("• {name}: nothing planned yet").format(name=name))
            continue
        start = tr.local(event.starts_at)
        where = redact(event.place or event.title)
        lines.append(f"• {name}: {tr.short_datetime(start)}{tr.comma}{where}")
        rows.append([Button(name, EventPress(EventAction.SHOW, event.id))])
    return Screen("\n".join(lines), rows)


def event_card(tr: Translator, promise: Promise, event: Event, heading: str = "") -> Screen:
    """One event for residents, with "remind me" and "add to calendar"."""
    text = describe(tr, promise, event)
    return Screen(
        f"{heading}\n{text}" if heading else text,
        [
            [
                Button(tr.gettext("Remind me"), EventPress(EventAction.REMIND, event.id)),
                Button(tr.gettext("Add to calendar"), EventPress(EventAction.CALENDAR, event.id)),
            ]
        ],
    )


def reminder_set(tr: Translator, event_id: int) -> Screen:
    return Screen(
        tr.gettext("I will remind you the evening before at 18:00 and one hour before it starts."),
        [[Button(tr.gettext("Stop this reminder"), EventPress(EventAction.UNREMIND, event_id))]],
    )


def reminder_stopped(tr: Translator) -> str:
    return tr.gettext("OK, no reminder for that event.")


def calendar_caption(tr: Translator, event: Event) -> str:
    """The caption of an event's calendar file."""
    return tr.gettext("Open the file to add {title} to your calendar.").format(
        title=redact(event.title)
    )


def reminder(tr: Translator, event: Event, msgid: str) -> Screen:
    """A queued reminder (``EVE_REMINDER`` or ``HOUR_REMINDER``) with a way to stop it."""
    text = tr.gettext(msgid).format(
        when=tr.time(tr.local(event.starts_at)),
        title=redact(event.title),
        place=redact(event.place) or "—",
    )
    stop = Button(tr.gettext("Stop this reminder"), EventPress(EventAction.UNREMIND, event.id))
    return Screen(text, [[stop]])


def change_notice(tr: Translator, event: Event, msgid: str) -> Screen:
    """``MOVED_NOTICE`` or ``CANCELLED_NOTICE`` to a resident who asked for a reminder."""
    when = tr.datetime(tr.local(event.starts_at))
    return Screen(tr.gettext(msgid).format(title=redact(event.title), when=when))


def followup_question(tr: Translator, event: Event) -> Screen:
    """To the organiser once the event has ended: did it happen?"""
    text = tr.gettext("Did it happen? {title}, {when}. How many came?").format(
        title=event.title, when=tr.datetime(tr.local(event.starts_at))
    )
    _ = tr.gettext
    return Screen(
        text,
        [
            [Button(_("Yes, it happened"), EventPress(EventAction.DONE, event.id))],
            [
                Button(_("Cancelled"), EventPress(EventAction.CANCELLED, event.id)),
                Button(_("Moved"), EventPress(EventAction.MOVED, event.id)),
            ],
        ],
    )


def not_counted(tr: Translator, moved: bool) -> str:
    """The organiser's answer to "did it happen?" was "Moved" or "Cancelled"."""
    _ = tr.gettext
    if moved:
        return _("OK, not counted. Plan the new date with /plan.")
    return _("OK, noted as cancelled. It is not counted.")


def calendar(tr: Translator, promise: Promise, events: Sequence[Event]) -> bytes:
    """An iCalendar file; times carry the Stockholm zone so phones show them right, and the
    file describes that zone itself (a ``VTIMEZONE`` for every ``TZID``, as RFC 5545 asks;
    Outlook shows wrong times without it), covering the years its events fall in."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Trygghetsbot//medborgarlofte//SV")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", promise.name.get(tr.locale))
    for event in events:
        commitment = promise.commitment(event.commitment)
        item = icalendar.Event()
        item.add("uid", f"event-{event.id}@trygghetsbot.{promise.id}")
        item.add("summary", redact(event.title))
        item.add("dtstart", tr.local(event.starts_at))
        item.add("dtend", tr.local(event.ends_at))
        item.add("dtstamp", event.updated_at)
        if event.place:
            item.add("location", redact(event.place))
        item.add(
            "description",
            redact(event.description) or commitment.description.get(tr.locale),
        )
        cal.add_component(item)
    if events:
        first = min(tr.local(e.starts_at) for e in events).date()
        last = max(tr.local(e.ends_at) for e in events).date()
        cal.add_missing_timezones(
            first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 2, 1, 1)
        )
    data: bytes = cal.to_ical()
    return data


# --- staff: /plan -----------------------------------------------------------------------------


def _plan(label: str, action: PlanAction, arg: object = 0) -> Button:
    return Button(label, PlanPress(action, str(arg)))


def plan_kinds(tr: Translator, commitments: Iterable[Commitment]) -> Screen:
    rows = [[_plan(c.short.get(tr.locale), PlanAction.KIND, c.id)] for c in commitments]
    rows.append([_plan(tr.gettext("Cancel"), PlanAction.STOP)])
    return Screen(tr.gettext("What kind of event?"), rows)


def quick_times(tr: Translator, starts: Sequence[tuple[int, datetime, datetime]]) -> Screen:
    """The "When?" question with one button per (choice, start, end)."""
    rows = [
        [_plan(f"{tr.short_datetime(start)}–{tr.time(end)}", PlanAction.WHEN, choice)]
        for choice, start, end in starts
    ]
    text = tr.gettext(
        'When? Tap a choice, or write for example "20/3 18-20", '
        '"tomorrow 18:00" or "2024-03-20 18:00".'
    )
    return Screen(text, rows)


def visibility_names(tr: Translator) -> dict[Visibility, str]:
    _ = tr.gettext
    return {
        Visibility.PUBLIC: _("Public: residents see it in advance"),
        Visibility.AFTER: _("Shown only after it happened"),
        Visibility.COUNT_ONLY: _("Internal: only counted"),
    }


def visibility_choice(tr: Translator, options: Iterable[Visibility]) -> Screen:
    names = visibility_names(tr)
    rows = [[_plan(names[v], PlanAction.VISIBILITY, v.value)] for v in options]
    rows.append([_plan(tr.gettext("Cancel"), PlanAction.STOP)])
    return Screen(tr.gettext("Who may see it?"), rows)


def plan_preview(
    tr: Translator,
    commitment: Commitment,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    description: str,
    visibility: Visibility,
) -> Screen:
    _ = tr.gettext
    lines = [
        _("Check and save:"),
        f"{commitment.short.get(tr.locale)}: {title}",
        _("When: {when}–{end}").format(
            when=tr.datetime(tr.local(starts_at)), end=tr.time(tr.local(ends_at))
        ),
        _("Where: {place}").format(place=place),
    ]
    if description:
        lines.append(description)
    lines.append(visibility_names(tr)[visibility])
    rows = [[_plan(_("Save ✔"), PlanAction.SAVE), _plan(_("Cancel"), PlanAction.STOP)]]
    return Screen("\n".join(lines), rows)


def ask_title(tr: Translator, name: str) -> str:
    """/plan after the kind (``name``) was tapped."""
    return tr.gettext(
        '{name}. Write a short title, for example "Theme meeting: safe at night".'
    ).format(name=name)


def ask_title_for_day(tr: Translator, day: date, name: str) -> str:
    """/plan started from a report card with a future date: the day and kind are known."""
    return tr.gettext(
        "Plan it for {date}. {name}: write a short title, for example "
        '"Theme meeting: safe at night".'
    ).format(date=tr.weekday_date(day), name=name)


def choose_kind_first(tr: Translator) -> str:
    return tr.gettext("Tap a kind of event first, or /cancel.")


def title_too_long(tr: Translator) -> str:
    return tr.gettext("Please write a title of at most 120 characters.")


def ask_place(tr: Translator) -> str:
    return tr.gettext('Where? Write the place, for example "Bro centrum".')


def time_not_understood(tr: Translator) -> str:
    return tr.gettext('I did not understand the time. Try "20/3 18-20" or "tomorrow 18:00".')


def place_too_long(tr: Translator) -> str:
    return tr.gettext("Please write the place in at most 120 characters.")


def ask_description(tr: Translator) -> str:
    return tr.gettext('A short description for residents? Write it, or "-" to skip.')


def planned(tr: Translator, promise: Promise, event: Event) -> str:
    """/plan saved: the event as residents will read it."""
    return tr.gettext("Planned:") + "\n" + describe(tr, promise, event)


# --- staff: /myevents -------------------------------------------------------------------------


def my_events(tr: Translator, events: Sequence[Event]) -> Screen:
    if not events:
        return Screen(tr.gettext("You have no planned events. Plan one with /plan."))
    lines = [tr.gettext("Your planned events:")]
    rows = []
    for event in events:
        start = tr.local(event.starts_at)
        lines.append(f"• {tr.short_datetime(start)} {event.title}")
        label = tr.gettext("Move: {title}").format(title=event.title)[:LABEL_CHARS]
        rows.append(
            [
                Button(label, MyEvent(MyEventAction.MOVE, event.id)),
                Button(tr.gettext("Cancel it"), MyEvent(MyEventAction.CANCEL, event.id)),
            ]
        )
    return Screen("\n".join(lines), rows)


def confirm_cancel(tr: Translator, event: Event) -> Screen:
    _ = tr.gettext
    question = _("Cancel {title}? Anyone who asked for a reminder will be told.")
    return Screen(
        question.format(title=event.title),
        [
            [
                Button(_("Yes, cancel it"), MyEvent(MyEventAction.CONFIRM_CANCEL, event.id)),
                Button(_("No, keep it"), MyEvent(MyEventAction.KEEP, event.id)),
            ]
        ],
    )


def event_cancelled(tr: Translator, title: str) -> str:
    return tr.gettext("Cancelled: {title}. Anyone who asked for a reminder is told.").format(
        title=title
    )


def event_kept(tr: Translator) -> str:
    return tr.gettext("OK, it stays planned. Nothing was changed.")


def ask_new_time(tr: Translator) -> str:
    return tr.gettext('New time? For example "20/3 18-20" or "tomorrow 18:00".')


def moved(tr: Translator, promise: Promise, event: Event) -> str:
    """/myevents moved an event: its new card."""
    return tr.gettext("Moved:") + "\n" + describe(tr, promise, event)
