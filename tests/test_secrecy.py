"""Secrecy, everywhere a resident can reach: every resident command, a question for every
intent, every event button for every event id, the calendar feed and the public follow-up.
Internal plans (count_only commitments, events marked internal) never show their title,
place or time; residents only ever see counts for count_only commitments."""

from __future__ import annotations

from datetime import datetime

from bot.clock import STOCKHOLM
from bot.domain.followup_view import PeriodFilter
from bot.domain.roles import Role
from bot.services.events import EventService
from bot.services.followup import render_report
from handlers.menus import ALL_COMMANDS
from storage.activities import NewActivity
from storage.events import NewEvent
from tests.conftest import Harness

RESIDENT = 4242
SECRETS = ("HEMLIG-INSATS", "HEMLIGPLATS", "INTERN-TRAFF", "Skyddad adress 7")
QUESTIONS = (
    "när är nästa narkotikainsats",
    "när är nästa tematräff",
    "vad har ni lovat",
    "hur går det",
    "hur kontaktar jag polisen",
    "det brinner",
    "jag har blivit lurad",
    "jag vill ha tips",
    "var ligger trygghetscenter",
    "vad händer",
    "hej",
    "tack",
    "gvi",
    "when is the next drug raid",
    "razzia i bro när",
    "asdf",
)


def at(day: int, hour: int) -> datetime:
    return datetime(2024, 3, day, hour, 0, tzinfo=STOCKHOLM)


async def seed(h: Harness) -> list[int]:
    now = h.clock.now()
    events = [
        NewEvent(
            "narcotics_operation",
            "HEMLIG-INSATS",
            at(14, 20),
            at(14, 23),
            "count_only",
            place="HEMLIGPLATS",
        ),
        NewEvent(
            "theme_meeting",
            "INTERN-TRAFF",
            at(15, 18),
            at(15, 20),
            "count_only",
            place="Skyddad adress 7",
        ),
        NewEvent(
            "theme_meeting",
            "Öppen tematräff",
            at(16, 18),
            at(16, 20),
            "public",
            place="Trygghetscenter",
        ),
    ]
    ids = [(await h.services.events.add(e, now)).id for e in events]
    await h.services.activities.add(
        NewActivity("narcotics_operation", at(10, 20).date(), "HEMLIGPLATS", 3, "HEMLIG-INSATS"),
        now,
    )
    return ids


def leaked(texts: list[str]) -> list[str]:
    return [s for s in SECRETS for t in texts if s.lower() in t.lower()]


async def test_nothing_internal_reaches_a_resident(harness: Harness) -> None:
    h = harness
    ids = await seed(h)
    resident_commands = [c for c in ALL_COMMANDS if c.audience is Role.RESIDENT]
    for lang in ("sv", "en"):
        for command in resident_commands:
            for name in command.names:
                await h.say(RESIDENT, f"/{name}", lang=lang)
        for question in QUESTIONS:
            await h.say(RESIDENT, question, lang=lang)
        for event_id in [*ids, 999]:
            for verb in ("show", "unrem", "rem", "ics"):
                await h.press(RESIDENT, f"ev:{verb}:{event_id}", lang=lang)
        for commitment in ("narcotics_operation", "gvi"):
            await h.press(RESIDENT, f"fol:on:{commitment}", lang=lang)
            await h.press(RESIDENT, f"st:show:{commitment}", lang=lang)
    texts = [c.text for c in h.tg.sent(RESIDENT)]
    documents = [
        c.params["document"].decode("utf-8", "replace")
        for c in h.tg.calls
        if c.method == "sendDocument" and isinstance(c.params.get("document"), bytes)
    ]
    assert texts and documents  # the public event's calendar file was sent
    assert leaked(texts + documents) == []
    # Reminders were only accepted for the public event.
    rows = await h.services.db.fetchall("SELECT DISTINCT event_id FROM event_reminders")
    assert [r[0] for r in rows] == [ids[2]]

    feed = EventService(h.services).ics(await h.services.events.all_public(), "sv").decode()
    assert "Öppen tematräff" in feed and leaked([feed]) == []
    for fmt in ("html", "md", "csv"):
        report = await render_report(h.services, fmt, "sv", PeriodFilter.parse("all"))
        assert leaked([report]) == [], fmt
    internal = await render_report(h.services, "md", "sv", PeriodFilter.parse("all"), True)
    assert "HEMLIGPLATS" in internal  # admins with --internal do see it
