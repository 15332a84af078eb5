"""The sandbox end to end: the real bot polling the emulator over loopback HTTP.

Assertions lean on data (demo titles, counts, [DEMO]) rather than wording where the Swedish
catalogue may still change; English is used where the wording itself is the point."""

from __future__ import annotations

import argparse
import io
import re
import sqlite3
from datetime import date
from pathlib import Path

import icalendar
import pytest

from bot.clock import FrozenClock
from bot.sandbox.demo import DEMO, PERSONAS
from bot.sandbox.emulator import Emulator, SentMessage
from bot.sandbox.terminal import (
    TerminalChat,
    Transcript,
    render,
    running_sandbox,
    sandbox_command,
)
from bot.settings import Settings

THEME_MEETING = "[DEMO] Tematräff: trygg i Bro centrum"
RESIDENT = PERSONAS["resident"].user_id


def _args(db: Path | None, lang: str = "en", persona: str = "resident") -> argparse.Namespace:
    return argparse.Namespace(db=db, now=None, persona=persona, lang=lang)


def _activities(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute("SELECT count(*) FROM activities").fetchone()
    conn.close()
    return int(count)


def _run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    settings: Settings,
    args: argparse.Namespace,
    script: str,
) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    code = sandbox_command(args, settings)
    return code, capsys.readouterr().out


def _after(transcript: str, line: str) -> str:
    """What the sandbox printed after the echoed input ``line`` (until the next input)."""
    _, found, rest = transcript.partition(f"> {line}\n")
    assert found, f"{line!r} was not echoed in:\n{transcript}"
    return re.split(r"\n(?:resident|staff|admin|senior)> ", rest)[0]


@pytest.mark.slow  # waits real seconds
def test_scripted_terminal_chat(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    db = settings.db_path.with_name("sandbox.sqlite3")
    report = "tematräff på trygghetscenter igår, 23 deltagare"
    script = "\n".join(
        ["/start", "/events", ":as staff", "/status", report, ":press 1", ":press 99", ":quit"]
    )
    code, out = _run(monkeypatch, capsys, settings, _args(db), script + "\n")

    assert code == 0
    assert "Sandbox stopped." in out
    # The resident's welcome and the demo events, with one numbered button per event.
    assert "Hi!" in _after(out, "/start")
    events = _after(out, "/events")
    assert events.count(DEMO) >= 4
    assert THEME_MEETING in events
    assert "[1] " in events and "[4] " in events
    # Staff see where each commitment stands, with a button per commitment.
    status = _after(out, "/status")
    assert "Theme meetings" in status and "of 2" in status
    assert "[1] " in status
    # A one-line report becomes a confirmation card; button 1 saves it.
    card = _after(out, report)
    assert "23" in card and "Trygghetscenter" in card
    assert "[1] Save" in card and "[7] Cancel" in card
    saved = _after(out, ":press 1")
    assert "Saved" in saved
    assert "No button '99'" in _after(out, ":press 99")
    # Five seeded activities plus the one just saved, in the database we asked to keep.
    assert _activities(db) == 6


def test_eof_ends_cleanly_with_a_temporary_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    code, out = _run(
        monkeypatch,
        capsys,
        settings,
        _args(None, lang="sv", persona="senior"),
        ":help\n:as nobody\n/next\n:as admin\n/staff\n",
    )
    assert code == 0
    assert "You are senior" in out
    assert "No persona 'nobody'" in out
    # The next event of each kind, whatever the wording: places and times are demo data.
    upcoming = _after(out, "/next")
    assert "Kungsängens torg" in upcoming and "18:00" in upcoming
    assert "[1] " in upcoming
    # The admin persona is an admin without any configuration: it sees the staff list.
    assert "Sam Samordnare" in _after(out, "/staff")
    assert "a temporary file (removed at exit)" in out
    assert not settings.db_path.exists()  # the configured database was left alone


async def test_question_and_calendar_file_over_http(settings: Settings, clock: FrozenClock) -> None:
    async with running_sandbox(settings, clock) as (emu, _app):
        await emu.user_sends(RESIDENT, "när är nästa tematräff", language_code="sv")
        replies = await emu.wait_for_reply(RESIDENT, 0, timeout=5)
        answer = next(m for m in replies if THEME_MEETING in m.shown)
        assert "15" in answer.shown  # Friday 15 March, three days after the clock's "now"

        ics = next(data for data in answer.callback_data if data.startswith("ev:ics:"))
        before = len(emu.sent_to(RESIDENT))
        await emu.user_presses(RESIDENT, answer.message_id, ics)
        files = [m for m in await emu.wait_for_reply(RESIDENT, before, timeout=5) if m.data]
        assert len(files) == 1
        assert files[0].data is not None
        assert files[0].data.startswith(b"BEGIN:VCALENDAR")
        assert (files[0].filename or "").endswith(".ics")
        # Parsed, not grepped: iCalendar folds long lines.
        (event,) = icalendar.Calendar.from_ical(files[0].data).walk("VEVENT")
        assert str(event["SUMMARY"]) == THEME_MEETING
        starts = event.decoded("DTSTART")
        assert (starts.date(), starts.hour) == (date(2024, 3, 15), 18)


def test_render_numbers_buttons_across_messages() -> None:
    first = SentMessage(
        chat_id=1,
        message_id=5,
        method="sendMessage",
        date=0,
        text="Välj",
        reply_markup={
            "inline_keyboard": [
                [{"text": "Ja", "callback_data": "y"}, {"text": "Nej", "callback_data": "n"}]
            ]
        },
    )
    second = SentMessage(
        chat_id=1,
        message_id=6,
        method="sendMessage",
        date=0,
        text="Läs mer",
        reply_markup={"inline_keyboard": [[{"text": "Polisen", "url": "https://polisen.se"}]]},
    )
    text, buttons = render([first, second])
    assert text == "Välj\n[1] Ja  [2] Nej\n\nLäs mer\n[3] Polisen <https://polisen.se>"
    assert [(b.message_id, b.data, b.kind) for b in buttons] == [
        (5, "y", "callback"),
        (5, "n", "callback"),
        (6, "https://polisen.se", "url"),
    ]


async def test_transcript_shows_an_edited_message_once() -> None:
    transcript = Transcript()
    message = SentMessage(chat_id=1, message_id=3, method="sendMessage", date=0, text="Sparad?")
    transcript("sent", message)
    message.text = "Sparad ✔"
    transcript("edited", message)
    shown = await transcript.settle(1, patience=1)
    assert [m.shown for m in shown] == ["Sparad ✔"]
    assert await transcript.settle(1, patience=0.05) == []


async def test_unread_messages_in_other_chats_are_announced_once() -> None:
    staff = PERSONAS["staff"].user_id
    out = io.StringIO()
    chat = TerminalChat(Emulator(), PERSONAS["resident"], "sv", out)
    try:
        chat.transcript("sent", SentMessage(staff, 1, "sendMessage", 0, text="Nytt larm"))
        chat.transcript("sent", SentMessage(RESIDENT, 2, "sendMessage", 0, text="Tack!"))
        await chat.answer()
        chat.transcript("sent", SentMessage(RESIDENT, 3, "sendMessage", 0, text="Hej igen"))
        await chat.answer()
        assert out.getvalue().count("1 unread message(s) for staff") == 1
        chat.switch("staff")
        assert out.getvalue().endswith("Nytt larm\n\n")
    finally:
        chat.close()


@pytest.mark.slow  # waits real seconds
def test_lang_switches_the_language_telegram_reports(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    from bot.i18n import translator

    ar, fi = translator("ar"), translator("fi")
    script = [":lang ar", "/start", ":as senior", ":lang fi", "/tips", ":press 1", ":lang xx"]
    code, out = _run(monkeypatch, capsys, settings, _args(None), "\n".join(script) + "\n:quit\n")
    assert code == 0
    assert "Telegram now reports your language as ar." in _after(out, ":lang ar")
    start = _after(out, "/start")
    assert start.startswith("مرحبًا!")
    assert ar.gettext("Upcoming events") in start and "112" in start
    assert fi.gettext("How often do you want a tip?") in _after(out, "/tips")
    assert fi.gettext("Which day?") in _after(out, ":press 1")
    assert "No language 'xx'" in _after(out, ":lang xx")
