"""Events end to end: residents' /events and /next, secrecy, reminders (also over the DST
change), calendar files; staff's /plan, /myevents move and cancel, CSV import."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
import pytest

from bot.clock import STOCKHOLM
from bot.domain.errors import NotFound
from bot.domain.records import Event, Org
from bot.services.events import EventDraft, EventService, RowError
from storage.events import NewEvent
from tests.conftest import Harness

STAFF = 7001
RESIDENT = 7002
OTHER_RESIDENT = 7003


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=STOCKHOLM)


def datas(buttons: list[tuple[str, str]]) -> list[str]:
    return [data for _label, data in buttons]


async def add(
    h: Harness,
    commitment: str,
    title: str,
    start: datetime,
    visibility: str = "public",
    organiser: int | None = None,
) -> Event:
    event: Event = await h.services.events.add(
        NewEvent(
            commitment,
            title,
            start,
            start + timedelta(hours=2),
            visibility,
            place="Bro centrum",
            organiser_id=organiser,
        ),
        h.clock.now(),
    )
    return event


async def make_staff(h: Harness, user_id: int = STAFF) -> None:
    await h.services.staff.upsert(user_id, Org.POLICE, "Alex", h.clock.now(), None)


async def seed(h: Harness) -> dict[str, Event]:
    events = {
        "meeting": await add(h, "theme_meeting", "Trygg i Bro", at(14, 18)),
        "dialogue": await add(h, "mobile_dialogue", "Bussen på torget", at(20, 15)),
        "secret": await add(h, "narcotics_operation", "Hemlig insats Härnevi", at(15, 20)),
        "after": await add(h, "visibility_effort", "Nattvandring efteråt", at(16, 21), "after"),
        "cancelled": await add(h, "theme_meeting", "Inställd träff", at(18, 18)),
        "past": await add(h, "theme_meeting", "Förra veckan", at(5, 18)),
    }
    await h.services.events.set_status(events["cancelled"].id, "cancelled", h.clock.now())
    return events


async def test_events_lists_only_public_upcoming_grouped_by_week(harness: Harness) -> None:
    h = harness
    await seed(h)
    await h.say(RESIDENT, "/events", lang="en")
    text = h.tg.last(RESIDENT).text
    assert "Trygg i Bro" in text and "Bussen på torget" in text
    for hidden in ("Hemlig", "Härnevi", "Nattvandring", "Inställd", "Förra veckan"):
        assert hidden not in text
    assert "Week 11" in text and "Week 12" in text
    assert text.index("Week 11") < text.index("Trygg i Bro") < text.index("Week 12")
    assert text.index("Week 12") < text.index("Bussen på torget")


async def test_next_shows_one_per_public_kind(harness: Harness) -> None:
    h = harness
    events = await seed(h)
    await h.say(RESIDENT, "/next", lang="en")
    call = h.tg.last(RESIDENT)
    assert "Theme meetings" in call.text and "Mobile dialogues" in call.text
    assert "Narcotics" not in call.text and "Hemlig" not in call.text
    assert f"ev:show:{events['meeting'].id}" in datas(call.buttons)
    assert f"ev:show:{events['secret'].id}" not in datas(call.buttons)


async def test_show_hidden_event_is_the_same_as_missing(harness: Harness) -> None:
    h = harness
    events = await seed(h)
    await h.press(RESIDENT, "ev:show:99999", lang="en")
    missing = h.tg.last(RESIDENT).text
    assert "could not find" in missing
    for key in ("secret", "after", "cancelled"):
        await h.press(RESIDENT, f"ev:show:{events[key].id}", lang="en")
        assert h.tg.last(RESIDENT).text == missing
        await h.press(RESIDENT, f"ev:ics:{events[key].id}", lang="en")
        assert h.tg.last(RESIDENT).text == missing
        await h.press(RESIDENT, f"ev:rem:{events[key].id}", lang="en")
        assert h.tg.last(RESIDENT).text == missing
    assert not [c for c in h.tg.calls if c.method == "sendDocument"]
    await h.press(RESIDENT, f"ev:show:{events['meeting'].id}", lang="en")
    shown = h.tg.last(RESIDENT)
    assert "Trygg i Bro" in shown.text
    assert f"ev:rem:{events['meeting'].id}" in datas(shown.buttons)


async def reminders(h: Harness, event_id: int, chat: int, status: str = "queued") -> list[datetime]:
    rows = await h.services.db.fetchall(
        "SELECT not_before FROM deliveries WHERE kind = 'event-reminder' AND chat_id = ? "
        "AND status = ? AND dedupe_key LIKE ? ORDER BY not_before",
        (chat, status, f"evrem:{event_id}:%"),
    )
    return [datetime.fromisoformat(r[0]).astimezone(STOCKHOLM) for r in rows]


async def test_remind_queues_eve_and_hour_before(harness: Harness) -> None:
    h = harness
    event = await add(h, "theme_meeting", "Trygg i Bro", at(14, 18, 30))
    await h.press(RESIDENT, f"ev:rem:{event.id}", lang="en")
    assert "remind you" in h.tg.last(RESIDENT).text
    assert await reminders(h, event.id, RESIDENT) == [at(13, 18), at(14, 17, 30)]
    # Asking twice does not double them.
    await h.press(RESIDENT, f"ev:rem:{event.id}", lang="en")
    assert len(await reminders(h, event.id, RESIDENT)) == 2

    await h.press(RESIDENT, f"ev:unrem:{event.id}", lang="en")
    assert await reminders(h, event.id, RESIDENT) == []
    # Changing one's mind again brings them back.
    h.clock.advance(timedelta(minutes=1))
    await h.press(RESIDENT, f"ev:rem:{event.id}", lang="en")
    assert await reminders(h, event.id, RESIDENT) == [at(13, 18), at(14, 17, 30)]


@pytest.mark.parametrize(
    ("start", "eve", "hour"),
    [
        # Sunday 31 March 2024: clocks go from 02:00 CET to 03:00 CEST.
        (at(31, 18), at(30, 18), at(31, 17)),
        (at(31, 3, 30), at(30, 18), at(31, 1, 30)),
        (at(1, 18, month=4), at(31, 18), at(1, 17, month=4)),
    ],
)
async def test_reminders_over_the_dst_change(
    harness: Harness, start: datetime, eve: datetime, hour: datetime
) -> None:
    h = harness
    h.clock.set(at(25, 12))
    event = await add(h, "visibility_effort", "Trygghetsvandring", start)
    await h.press(RESIDENT, f"ev:rem:{event.id}", lang="en")
    queued = await reminders(h, event.id, RESIDENT)
    assert queued == [eve, hour]
    # Exactly one hour of real time before the start, even across the change.
    assert start.timestamp() - queued[1].timestamp() == 3600


async def test_ics_has_stockholm_times(harness: Harness) -> None:
    h = harness
    event = await add(h, "theme_meeting", "Trygg i Bro", at(31, 18))
    await h.press(RESIDENT, f"ev:ics:{event.id}", lang="en")
    [doc] = [c for c in h.tg.calls if c.method == "sendDocument"]
    assert "Trygg i Bro" in doc.text
    data = doc.params["document"]
    assert isinstance(data, bytes)
    cal = icalendar.Calendar.from_ical(data)
    [item] = cal.walk("VEVENT")
    assert str(item["SUMMARY"]) == "Trygg i Bro"
    dtstart = item["DTSTART"]
    assert dtstart.params["TZID"] == "Europe/Stockholm"
    assert dtstart.dt == at(31, 18)
    assert dtstart.dt.utcoffset() == timedelta(hours=2)


async def test_plan_flow_creates_event_with_chosen_visibility(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "/plan", lang="en")
    kinds = datas(h.tg.last(STAFF).buttons)
    assert "plan:kind:theme_meeting" in kinds and "plan:kind:gvi" not in kinds
    await h.press(STAFF, "plan:kind:theme_meeting", lang="en")
    await h.say(STAFF, "Trygg i Bro", lang="en")
    await h.say(STAFF, "when it suits", lang="en")
    assert "did not understand the time" in h.tg.last(STAFF).text
    await h.say(STAFF, "20/3 18-20", lang="en")
    await h.say(STAFF, "Trygghetscentret", lang="en")
    await h.say(STAFF, "Om trygghet i centrum", lang="en")
    options = datas(h.tg.last(STAFF).buttons)
    assert {"plan:vis:public", "plan:vis:after", "plan:vis:count_only"} <= set(options)
    await h.press(STAFF, "plan:vis:after", lang="en")
    preview = h.tg.last(STAFF)
    assert "Check and save" in preview.text and "Shown only after" in preview.text
    assert await h.services.events.by_organiser(STAFF, h.clock.now()) == []  # not yet
    await h.press(STAFF, "plan:save:0", lang="en")
    assert "Planned" in h.tg.last(STAFF).text

    [event] = await h.services.events.by_organiser(STAFF, h.clock.now())
    assert (event.commitment, event.title, event.place, event.description) == (
        "theme_meeting",
        "Trygg i Bro",
        "Trygghetscentret",
        "Om trygghet i centrum",
    )
    assert (event.starts_at, event.ends_at) == (at(20, 18), at(20, 20))
    assert event.visibility == "after"
    assert [e.target for e in await h.services.audit.recent(action="event.plan")] == [
        f"event:{event.id}"
    ]
    # "After" events are not announced to residents.
    await h.say(RESIDENT, "/events", lang="en")
    assert "Trygg i Bro" not in h.tg.last(RESIDENT).text


async def test_plan_for_count_only_offers_only_count_only(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "/plan", lang="en")
    await h.press(STAFF, "plan:kind:narcotics_operation", lang="en")
    await h.say(STAFF, "Insats Härnevi", lang="en")
    await h.say(STAFF, "imorgon 20-23", lang="en")
    await h.say(STAFF, "Härnevi", lang="en")
    await h.say(STAFF, "-", lang="en")
    assert datas(h.tg.last(STAFF).buttons)[:-1] == ["plan:vis:count_only"]
    # A forged "public" press is clamped to the commitment's own visibility.
    await h.press(STAFF, "plan:vis:public", lang="en")
    assert "Internal: only counted" in h.tg.last(STAFF).text
    await h.press(STAFF, "plan:save:0", lang="en")
    [event] = await h.services.events.by_organiser(STAFF, h.clock.now())
    assert event.visibility == "count_only"


def test_validate_never_makes_an_event_more_visible(harness: Harness) -> None:
    service = EventService(harness.services)
    now = harness.clock.now()

    def draft(commitment: str, visibility: str | None) -> EventDraft:
        return EventDraft(commitment, "Titel", at(20, 18), at(20, 20), visibility=visibility)

    assert service.validate(draft("narcotics_operation", "public"), now).visibility == "count_only"
    assert service.validate(draft("narcotics_operation", None), now).visibility == "count_only"
    assert service.validate(draft("theme_meeting", "after"), now).visibility == "after"
    assert service.validate(draft("theme_meeting", "count_only"), now).visibility == "count_only"
    assert service.validate(draft("theme_meeting", None), now).visibility == "public"


async def test_move_and_cancel_tell_reminded_residents(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    event = await add(h, "theme_meeting", "Trygg i Bro", at(14, 18), organiser=STAFF)
    for chat, lang in ((RESIDENT, "en"), (OTHER_RESIDENT, "sv")):
        await h.press(chat, f"ev:rem:{event.id}", lang=lang)

    await h.say(STAFF, "/myevents", lang="en")
    rows = datas(h.tg.last(STAFF).buttons)
    assert f"my:move:{event.id}" in rows and f"my:cancel:{event.id}" in rows
    await h.press(STAFF, f"my:move:{event.id}", lang="en")
    await h.say(STAFF, "21/3 18:00", lang="en")
    assert "Moved" in h.tg.last(STAFF).text
    moved = await h.services.events.get(event.id)
    assert moved is not None and moved.starts_at == at(21, 18) and moved.ends_at == at(21, 20)
    for chat in (RESIDENT, OTHER_RESIDENT):
        assert await reminders(h, event.id, chat) == [at(20, 18), at(21, 17)]
        assert len(await reminders(h, event.id, chat, "dropped")) == 2

    # Cancel right after the move: the residents get a second, different notice.
    await h.press(RESIDENT, f"my:cancel:{event.id}", lang="en")
    assert "only for staff" in h.tg.last(RESIDENT).text
    await h.press(STAFF, f"my:cancel:{event.id}", lang="en")
    assert "Anyone who asked for a reminder will be told" in h.tg.last(STAFF).text
    assert len(await reminders(h, event.id, RESIDENT)) == 2  # asked, nothing done yet
    await h.press(STAFF, f"my:really:{event.id}", lang="en")
    assert "Cancelled" in h.tg.last(STAFF).text
    cancelled = await h.services.events.get(event.id)
    assert cancelled is not None and cancelled.status == "cancelled"
    assert await reminders(h, event.id, RESIDENT) == []

    h.tg.clear()
    from handlers.delivery import delivery_service, telegram_send

    await delivery_service(h.app).drain(telegram_send(h.app.bot))
    notices = [c.text for c in h.tg.sent(RESIDENT)]
    assert len(notices) == 2
    assert notices[0].startswith("Changed time: Trygg i Bro")
    assert notices[1].startswith("Cancelled: Trygg i Bro")
    assert len(h.tg.sent(OTHER_RESIDENT)) == 2
    # The resident can no longer see or be reminded of it.
    await h.press(RESIDENT, f"ev:show:{event.id}", lang="en")
    assert "could not find" in h.tg.last(RESIDENT).text


async def test_resident_cannot_cancel_or_move(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    event = await add(h, "theme_meeting", "Trygg i Bro", at(14, 18), organiser=STAFF)
    await h.press(RESIDENT, f"my:cancel:{event.id}", lang="en")
    assert "only for staff" in h.tg.last(RESIDENT).text
    await h.press(RESIDENT, f"my:really:{event.id}", lang="en")
    assert "only for staff" in h.tg.last(RESIDENT).text
    await h.press(RESIDENT, f"my:move:{event.id}", lang="en")
    assert "only for staff" in h.tg.last(RESIDENT).text
    await h.say(RESIDENT, "21/3 18:00", lang="en")
    stored = await h.services.events.get(event.id)
    assert stored is not None and stored.status == "planned" and stored.starts_at == at(14, 18)
    with pytest.raises(NotFound):
        await EventService(h.services).public_event(99999)


HEADER = "commitment,starts_at,ends_at,place,title,visibility\n"


def test_csv_bad_row_names_the_line_and_imports_nothing(harness: Harness) -> None:
    service = EventService(harness.services)
    good = "theme_meeting,2024-04-02T18:00,2024-04-02T20:00,Bro,Träff,public\n"
    rows = service.parse_csv(HEADER + good)
    assert len(rows) == 1 and rows[0].starts_at == datetime(2024, 4, 2, 18, tzinfo=STOCKHOLM)
    bad = "theme_meeting,2024-04-03T18:00,2024-04-03T17:00,Bro,Baklänges,public\n"
    with pytest.raises(RowError, match="line 3"):
        service.parse_csv(HEADER + good + bad)
    with pytest.raises(RowError, match="line 2"):
        service.parse_csv(HEADER + "nonsense,2024-04-02T18:00,2024-04-02T20:00,Bro,X,\n")
    with pytest.raises(RowError, match="line 2"):
        service.parse_csv(HEADER + "theme_meeting,not a date,2024-04-02T20:00,Bro,X,\n")
    with pytest.raises(RowError, match="line 1"):
        service.parse_csv("title,when\nX,Y\n")
    # Spaces after the commas in the header are forgiven, not a crash.
    spaced = HEADER.replace(",", ", ")
    assert len(service.parse_csv(spaced + good)) == 1
    clamped = service.parse_csv(
        HEADER + "narcotics_operation,2024-04-02T18:00,2024-04-02T20:00,X,Y,public\n"
    )
    assert clamped[0].visibility == "count_only"


async def test_plan_with_a_quick_time_button(harness: Harness) -> None:
    h = harness
    await make_staff(h)
    await h.say(STAFF, "/plan", lang="en")
    await h.press(STAFF, "plan:kind:visibility_effort", lang="en")
    await h.say(STAFF, "Lördagsinsats", lang="en")
    choices = datas(h.tg.last(STAFF).buttons)
    assert choices == ["plan:when:0", "plan:when:1", "plan:when:2"]
    await h.press(STAFF, "plan:when:9", lang="en")  # forged: not one of the choices
    assert "no longer valid" in h.tg.last(STAFF).text
    await h.press(STAFF, "plan:when:2", lang="en")  # the coming Saturday, 12-14
    await h.say(STAFF, "Bro centrum", lang="en")
    await h.say(STAFF, "-", lang="en")
    await h.press(STAFF, "plan:vis:public", lang="en")
    await h.press(STAFF, "plan:save:0", lang="en")
    [event] = await h.services.events.by_organiser(STAFF, h.clock.now())
    assert (event.starts_at, event.ends_at) == (at(16, 12), at(16, 14))  # Sat 16 March 2024


@pytest.mark.parametrize(("visibility", "shown_after_days"), [("after", 2), ("count_only", None)])
async def test_activity_from_a_hidden_event_follows_the_event(
    harness: Harness, visibility: str, shown_after_days: int | None
) -> None:
    from bot.services.progress import ProgressService

    h = harness
    await make_staff(h)
    event = await h.services.events.add(
        NewEvent(
            "visibility_effort",
            "Tyst insats",
            at(11, 18),
            at(11, 20),
            visibility,
            place="Hemlig plats",
            organiser_id=STAFF,
        ),
        h.clock.now(),
    )
    from bot.domain.roles import Actor, Role
    from bot.i18n import translator

    actor = Actor(STAFF, STAFF, Role.STAFF, "police", "sv", translator("sv"), "Pia")
    await EventService(h.services).record_outcome(actor, event.id, "done")
    progress = ProgressService(h.services)
    for days in range(4):
        today = h.clock.today() + timedelta(days=days)
        shown = [a.place for a in (await progress.progress(today)).activities]
        expected = shown_after_days is not None and days >= shown_after_days - 1
        assert ("Hemlig plats" in shown) is expected, (days, shown)


async def test_cancel_asks_first_and_a_pending_move_does_not_stale_other_buttons(
    harness: Harness,
) -> None:
    h = harness
    await make_staff(h)
    event = await add(h, "theme_meeting", "Trygg i Bro", at(14, 18), organiser=STAFF)
    other = await add(h, "theme_meeting", "Andra träffen", at(15, 18), organiser=STAFF)
    await h.press(RESIDENT, f"ev:rem:{event.id}", lang="en")
    await h.say(STAFF, "/myevents", lang="en")
    await h.press(STAFF, f"my:move:{event.id}", lang="en")  # the new time is now awaited
    await h.press(STAFF, f"my:cancel:{other.id}", lang="en")
    assert "no longer valid" not in h.tg.last(STAFF).text
    assert "Cancel Andra träffen?" in h.tg.last(STAFF).text
    await h.press(STAFF, f"my:keep:{other.id}", lang="en")
    assert "stays planned" in h.tg.last(STAFF).text
    await h.press(STAFF, f"ev:show:{event.id}", lang="en")
    assert "Trygg i Bro" in h.tg.last(STAFF).text
    kept = await h.services.events.get(other.id)
    assert kept is not None and kept.status == "planned"
    # The move question is over after another choice: typed text is a question again.
    await h.say(STAFF, "21/3 18:00", lang="en")
    moved = await h.services.events.get(event.id)
    assert moved is not None and moved.starts_at == at(14, 18)
