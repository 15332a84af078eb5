"""Calendar files by the standard (RFC 5545): every ``TZID`` an .ics file names has its
``VTIMEZONE`` in the same file, so a calendar that does not know Europe/Stockholm (Outlook
does not look it up) still shows the right local time, on both sides of a DST change.

Checked three ways: icalendar parses its own file again, the time zone in the file agrees
with Python's zoneinfo at every event, and a second, strict parser (``ical``) reads it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.cli.main import build_parser, resolve
from bot.clock import STOCKHOLM
from bot.settings import Settings
from storage.events import NewEvent
from tests.conftest import Harness

RESIDENT = 7102


def run(argv: list[str], settings: Settings) -> int:
    args = build_parser().parse_args(argv)
    return resolve(args.command)(args, settings)


def check_calendar(data: bytes) -> list[datetime]:
    """Every TZID has a VTIMEZONE whose offsets agree with zoneinfo at each event's start and
    end; returns the starts as read back from the file."""
    text = data.decode("utf-8")
    named = set(re.findall(r";TZID=([^:;]+)[:;]", text))
    assert named, "the events carry a time zone"
    cal = icalendar.Calendar.from_ical(data)
    zones = {str(tz["TZID"]): tz for tz in cal.walk("VTIMEZONE")}
    assert named <= set(zones), f"no VTIMEZONE for {named - set(zones)}"
    assert cal.get_missing_tzids() == set()
    starts = []
    for event in cal.walk("VEVENT"):
        for key in ("DTSTART", "DTEND"):
            prop = event[key]
            moment = prop.dt
            tzid = prop.params["TZID"]
            # The file's own description of the zone, not the library's lookup of its name.
            own = zones[tzid].to_tz()
            naive = moment.replace(tzinfo=None)
            assert (
                naive.replace(tzinfo=own).utcoffset()
                == moment.replace(tzinfo=ZoneInfo(tzid)).utcoffset()
            ), f"{key} {moment}: the VTIMEZONE disagrees with zoneinfo"
            if key == "DTSTART":
                starts.append(moment)
    return starts


def check_with_second_library(data: bytes) -> list[datetime]:
    """The same file through ``ical``, a strict RFC 5545 parser (Home Assistant's)."""
    stream = pytest.importorskip("ical.calendar_stream", reason="dev dependency ical")
    cal = stream.IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    assert [tz.tz_id for tz in cal.timezones] == ["Europe/Stockholm"]
    return [event.dtstart for event in cal.events]


async def test_event_file_from_the_bot_carries_its_time_zone(harness: Harness) -> None:
    h = harness
    start = datetime(2024, 3, 31, 18, 0, tzinfo=STOCKHOLM)  # the day summer time begins
    event = await h.services.events.add(
        NewEvent(
            "theme_meeting",
            "Trygg i Bro",
            start,
            start + timedelta(hours=2),
            "public",
            place="Trygghetscenter",
        ),
        h.clock.now(),
    )
    await h.press(RESIDENT, f"ev:ics:{event.id}", lang="sv")
    [doc] = [c for c in h.tg.calls if c.method == "sendDocument"]
    data = doc.params["document"]
    assert isinstance(data, bytes)
    assert b"BEGIN:VTIMEZONE" in data and b"TZID:Europe/Stockholm" in data
    assert check_calendar(data) == [start]
    [read] = check_with_second_library(data)
    assert read == start and read.utcoffset() == timedelta(hours=2)


def test_exported_feed_carries_its_time_zone_across_years(
    settings: Settings, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "commitment,starts_at,ends_at,place,title,visibility\n"
        "theme_meeting,2024-01-16T18:00,2024-01-16T20:00,Trygghetscenter,Vinterträff,\n"
        "theme_meeting,2024-10-27T18:00,2024-10-27T20:00,Trygghetscenter,Höstträff,\n"
        "mobile_dialogue,2025-06-10T17:00,2025-06-10T19:00,Brogård,Sommardialog,\n",
        encoding="utf-8",
    )
    assert run(["import-events", str(plan)], settings) == 0
    feed = tmp_path / "feed.ics"
    assert run(["export-events", "--ics", "--out", str(feed)], settings) == 0
    data = feed.read_bytes()
    expected = [
        datetime(2024, 1, 16, 18, tzinfo=STOCKHOLM),
        datetime(2024, 10, 27, 18, tzinfo=STOCKHOLM),
        datetime(2025, 6, 10, 17, tzinfo=STOCKHOLM),
    ]
    assert sorted(check_calendar(data)) == expected
    read = sorted(check_with_second_library(data))
    assert read == expected
    assert [d.utcoffset() for d in read] == [timedelta(hours=h) for h in (1, 1, 2)]
