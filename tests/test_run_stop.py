"""``trygghetsbot run`` stops within its bound and loses no update: SIGTERM with 500 questions
queued, a restart on the same database, and every question answered exactly once in total.

The bot runs as its own process against the loopback emulator in this process, which
forgets an update only when a ``getUpdates`` offset confirms it, as Telegram does."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.runner import STOP_BOUND
from bot.sandbox.emulator import Emulator

# Each test starts `trygghetsbot run` as a process and runs for several seconds.
pytestmark = pytest.mark.slow

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"  # well-formed, only the emulator knows it
CHATS = range(400_000, 400_250)
PER_CHAT = 2  # 500 updates
QUESTION = {"sv": "när är nästa tematräff?", "en": "when is the next theme meeting?"}


def _env(emu: Emulator, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "TELEGRAM_API_FILE_URL": emu.base_file_url,
        "TRYGGHETSBOT_DB": str(tmp_path / "bot.sqlite3"),
        "TRYGGHETSBOT_NOW": "2024-03-12T10:00:00",
    }


async def _start(emu: Emulator, tmp_path: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=_env(emu, tmp_path),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def _answers(emu: Emulator) -> int:
    return sum(len(emu.sent_to(chat)) for chat in CHATS)


async def _until(check: Any, timeout: float) -> None:  # noqa: ASYNC109 - a plain deadline
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.05)


def _clean(log: str) -> None:
    assert " ERROR " not in log and "Traceback" not in log and " CRITICAL " not in log, log[-3000:]


async def test_sigterm_with_500_queued_stops_in_time_and_every_update_is_answered_once(
    tmp_path: Path,
) -> None:
    async with Emulator() as emu:
        asked: dict[int, list[int]] = {}
        # Each chat asks twice in a row: its second question waits for its first while other
        # chats run ahead, so the stop finds handled updates above unhandled ones.
        for chat in CHATS:
            lang = "en" if chat % 2 else "sv"
            for _ in range(PER_CHAT):
                update = await emu.user_sends(chat, QUESTION[lang], language_code=lang)
                asked.setdefault(chat, []).append(update["message"]["message_id"])
        assert len(emu.pending_updates) == len(CHATS) * PER_CHAT

        # Stopped once a tenth of the questions are answered.
        first = await _start(emu, tmp_path)
        try:
            await _until(lambda: _answers(emu) >= len(CHATS) * PER_CHAT // 10, timeout=30)
        finally:
            first.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        _out, err = await asyncio.wait_for(first.communicate(), timeout=STOP_BOUND + 10)
        exit_time = time.monotonic() - signalled
        first_log = err.decode("utf-8", "replace")
        before = _answers(emu)
        assert first.returncode == 0, first_log[-3000:]
        _clean(first_log)
        left = len(emu.pending_updates)

        # Telegram forgets an update only when a getUpdates offset confirms it, and the bot
        # confirms only what it has handled: once nothing is pending, every update has been
        # handled, so any duplicate answer has been sent (no waiting "for one to show").
        second = await _start(emu, tmp_path)
        try:
            await _until(
                lambda: _answers(emu) >= len(CHATS) * PER_CHAT and not emu.pending_updates,
                timeout=40,
            )
        finally:
            second.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(second.communicate(), timeout=STOP_BOUND + 10)
        second_log = err.decode("utf-8", "replace")
        assert second.returncode == 0, second_log[-3000:]
        assert emu.pending_updates == []
        _clean(second_log)

        # One answer (one message) per question, and no reply quotes its question: a chat's
        # count is its questions' count.
        per_chat = Counter({chat: len(emu.sent_to(chat)) for chat in CHATS})
        after = _answers(emu) - before
        duplicates = sum(max(n - len(asked[chat]), 0) for chat, n in per_chat.items())
        print(
            f"\nexit after SIGTERM: {exit_time:.1f} s; answered before the stop: {before}; "
            f"left unconfirmed: {left}; answered after the restart: {after}; "
            f"duplicates: {duplicates}"
        )
        print([line for line in first_log.splitlines() if "stopped in" in line])
        assert exit_time < STOP_BOUND + 2
        assert 0 < before < len(CHATS) * PER_CHAT  # the stop really came with updates queued
        assert duplicates == 0, per_chat.most_common(3)
        assert all(per_chat[chat] == len(asked[chat]) for chat in CHATS), per_chat.most_common()[
            -3:
        ]
        assert emu.pending_updates == [] or all("message" not in u for u in emu.pending_updates)
