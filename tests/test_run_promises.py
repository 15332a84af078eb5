"""Several promises through ``trygghetsbot run`` in its own process, against the loopback
emulator, with the jobs in real time: an existing one-promise database is started with three
promises (Upplands-Bro 2022–2024, which has ended, and made-up 2025–2027 ones for Upplands-Bro
and Järfälla); a police officer's reports count for the kommun of the place they name; a
resident who asks how the last promise went gets its final result; the published site has an
index and a page per promise, and the old rows are all still there."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import build_parser, resolve
from bot.sandbox.emulator import Emulator
from bot.settings import Settings
from tests.test_promises import ALL, _one_promise_database
from tests.test_run_process import STAFF, _assert_clean_exit, _say, _start_bot, _stop, _tap

pytestmark = pytest.mark.slow

RESIDENT = 300_201
NOW = "2025-03-12T10:00:00"


def _promise_of(db: Path, place: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT promise_id FROM activities WHERE place = ? ORDER BY id", (place,)
        ).fetchall()
    conn.close()
    return [row[0] for row in rows]


async def test_run_process_several_promises(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    await _one_promise_database(db)  # as the bot left it before several promises
    env = {
        "TRYGGHETSBOT_PROMISES": ALL,
        "TRYGGHETSBOT_NOW": NOW,
        "TRYGGHETSBOT_ADMIN_IDS": str(STAFF),
    }
    async with Emulator() as emu:
        proc = await _start_bot(emu, tmp_path, **env)
        try:
            card = await _say(emu, STAFF, "synlighetsinsats Jakobsberg igår")
            assert "Järfälla" in card[-1].shown, card[-1].shown
            await _tap(emu, STAFF, card, "Spara")
            assert "Sparad" in emu.sent_to(STAFF)[-1].shown

            card = await _say(emu, STAFF, "tematräff Bro igår ca 20 pers")
            assert "Upplands-Bro 2025–2027" in card[-1].shown, card[-1].shown
            await _tap(emu, STAFF, card, "Spara")
            assert "Sparad" in emu.sent_to(STAFF)[-1].shown

            answer = await _say(emu, RESIDENT, "hur gick det med förra löftet?")
            shown = answer[-1].shown
            assert "2022–2024" in shown and "Tematräffar" in shown, shown
            answer = await _say(emu, RESIDENT, "how did the last promise go?", "en")
            assert "2022–2024" in answer[-1].shown, answer[-1].shown
        finally:
            log = await _stop(proc)
        _assert_clean_exit(proc, log)

    assert _promise_of(db, "Jakobsberg") == ["jarfalla-2025-2027-demo"]  # the place read too
    with sqlite3.connect(db) as conn:
        owners = conn.execute(
            "SELECT promise_id, commitment, date FROM activities ORDER BY id"
        ).fetchall()
    conn.close()
    # The two rows from before several promises kept, in the promise of their dates.
    assert owners[:2] == [
        ("upplands-bro-2022-2024", "theme_meeting", "2023-02-10"),
        ("upplands-bro-2022-2024", "gvi", "2024-11-01"),
    ]
    assert ("upplands-bro-2025-2027-demo", "theme_meeting", "2025-03-11") in owners

    settings = Settings(_env_file=None, db_path=db, promises=ALL)  # type: ignore[call-arg]
    site = tmp_path / "site"
    args = build_parser().parse_args(["report", "--site", str(site), "--today", "2025-03-12"])
    assert await asyncio.to_thread(resolve(args.command), args, settings) == 0
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("index.html"))
    assert pages == [
        "index.html",
        "jarfalla-2025-2027-demo/index.html",
        "upplands-bro-2022-2024/index.html",
        "upplands-bro-2025-2027-demo/index.html",
    ]
