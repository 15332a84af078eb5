"""The safety pulse through ``trygghetsbot run`` in its own process, against the loopback
emulator, with the jobs in real time (issue 24's "Done when"): residents who had a reminder
for a theme meeting get the invitation after it ends, tap their area and answer the anonymous
poll; 25 answers for Bro are published as a share with its interval and count, 10 for
Kungsängen–Tibble are not; an imported survey figure shows with its source; the JSON under
``safety`` matches the page; no table holds who answered what."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import build_parser, resolve
from bot.sandbox.emulator import Emulator
from bot.settings import Settings
from tests.test_run_process import _assert_clean_exit, _start_bot, _stop

pytestmark = pytest.mark.slow

BRO = list(range(310_001, 310_026))  # 25
KUNGSANGEN = list(range(310_101, 310_111))  # 10
EVENTS = (
    "commitment,starts_at,ends_at,place,title,visibility\n"
    "theme_meeting,2024-03-14T12:00:00+01:00,2024-03-14T14:00:00+01:00,"
    "Trygghetscenter Bro,Tematräff: trygg i Bro,public\n"
)
SURVEY = (
    "area,period_start,period_end,source,respondents,unsafe_share\n"
    "Upplands-Bro kommun,2023-01-01,2023-12-31,Polisens trygghetsmätning,850,31 %\n"
)


def _cli(settings: Settings, *argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return int(resolve(args.command)(args, settings))


async def _wait_for(check: object, seconds: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("the bot did not get there in time")
        await asyncio.sleep(0.1)


async def test_run_process_safety_pulse(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    settings = Settings(_env_file=None, db_path=db)  # type: ignore[call-arg]
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    assert (
        await asyncio.to_thread(_cli, settings, "import-events", str(tmp_path / "events.csv")) == 0
    )
    # The residents asked for a reminder of the meeting before it (chat ids only).
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO event_reminders (event_id, chat_id, created_at) VALUES (1, ?, ?)",
            [(chat, "2024-03-10T10:00:00+00:00") for chat in [*BRO, *KUNGSANGEN]],
        )
    conn.close()

    async with Emulator() as emu:
        proc = await _start_bot(emu, tmp_path, TRYGGHETSBOT_NOW="2024-03-14T15:00:00")
        try:
            everyone = [*BRO, *KUNGSANGEN]
            # The job (every minute, first after 20 s) invites each of them, once.
            await _wait_for(lambda: all(emu.sent_to(c) for c in everyone), 90)
            invitation = emu.sent_to(BRO[0])[-1]
            assert "Var bor du?" in invitation.shown, invitation.shown
            for chat in everyone:
                message = emu.sent_to(chat)[-1]
                area = 0 if chat in BRO else 1  # Bro, Kungsängen–Tibble
                data = message.callback_data[area]
                await emu.press_and_wait(chat, message.message_id, data, timeout=30)
            await _wait_for(lambda: all(m.poll for c in everyone for m in emu.sent_to(c)[-1:]))
            for i, chat in enumerate(BRO):
                poll = emu.sent_to(chat)[-1]
                await emu.user_votes(chat, poll.message_id, 2 if i < 8 else 1)
            for chat in KUNGSANGEN:
                await emu.user_votes(chat, emu.sent_to(chat)[-1].message_id, 3)

            def counted() -> bool:
                with sqlite3.connect(db) as conn:
                    rows = conn.execute("SELECT counts FROM pulse_polls").fetchall()
                conn.close()
                return sum(sum(json.loads(r[0]) or [0]) for r in rows) == len(everyone)

            await _wait_for(counted, 30)
        finally:
            log = await _stop(proc)
        _assert_clean_exit(proc, log)
        poll = emu.sent_to(BRO[0])[-1].poll
        assert poll is not None and poll["is_anonymous"] is True
        assert poll["question"].startswith("Hur trygg eller otrygg"), poll["question"]

    (tmp_path / "survey.csv").write_text(SURVEY, encoding="utf-8")
    assert (
        await asyncio.to_thread(_cli, settings, "import-safety", str(tmp_path / "survey.csv")) == 0
    )
    site = tmp_path / "site"
    assert (
        await asyncio.to_thread(
            _cli, settings, "report", "--site", str(site), "--today", "2024-03-15"
        )
        == 0
    )
    page = (site / "index.html").read_text("utf-8").replace("\xa0", " ")
    assert "Hur trygga känner sig invånarna?" in page
    assert "32 % (17 %–52 %)" in page and '<td class="num">25</td>' in page
    assert "Kungsängen–Tibble" in page and "färre än 20" in page
    assert "Polisens trygghetsmätning" in page and "<svg" in page
    data = json.loads((site / "uppfoljning.json").read_text("utf-8"))["safety"]
    areas = {a["id"]: a for a in data["areas"]}
    assert areas["bro"]["pulse"][0]["answers"] == 25
    assert areas["bro"]["pulse"][0]["unsafe_share"] == 0.32
    assert areas["kungsangen_tibble"]["pulse"] == [{"quarter": "2024Q1", "shown": False}]
    assert areas[None]["official"][0]["source"] == "Polisens trygghetsmätning"

    # Who answered what is nowhere: no table with a chat id has an answer or an area.
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            if columns & {"chat_id", "user_id"}:
                assert not columns & {"poll_id", "area", "counts", "answer"}, table
    conn.close()
