"""``trygghetsbot invite`` as an admin runs it: the link names the bot by its own username,
asked from Telegram with the token (here the loopback emulator), or given with
``--bot-username``; without either it says what to give, in one line, and makes no code."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.sandbox.emulator import Emulator

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"  # well-formed, only the emulator knows it
LINK = re.compile(r"https://t\.me/(\w+)\?start=inv_([\w-]+)")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "TRYGGHETSBOT_PROMISE_FILE"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("TRYGGHETSBOT_DB", str(db))
    return db


async def test_invite_asks_telegram_for_the_bot_username(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with Emulator() as emu:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        # The command runs its own event loop, as from a shell; the emulator answers from ours.
        code = await asyncio.to_thread(main, ["invite", "--org", "police"])
        assert code == 0
        assert "getMe" in [method for method, _params in emu.calls]
    out = capsys.readouterr().out
    found = LINK.search(out)
    assert found is not None, out
    assert found.group(1) == "trygghetsbot_sandbox_bot"
    assert TOKEN not in out


async def test_a_rejected_token_is_one_line(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with Emulator() as emu:
        emu.revoked_tokens.add(TOKEN)
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        code = await asyncio.to_thread(main, ["invite", "--org", "municipality"])
    captured = capsys.readouterr()
    assert code == 4
    assert "rejected the bot token" in captured.err and TOKEN not in captured.err
    assert "t.me" not in captured.out


def test_without_a_token_the_flag_names_the_bot(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "--org", "other", "--bot-username", "@BroTryggBot"]) == 0
    found = LINK.search(capsys.readouterr().out)
    assert found is not None and found.group(1) == "BroTryggBot"


def test_without_a_token_or_flag_it_says_what_to_give(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "--org", "police"]) == 2
    err = capsys.readouterr().err
    assert "--bot-username" in err and "TELEGRAM_BOT_TOKEN" in err
    assert len(err.strip().splitlines()) == 1
    assert not env.exists()  # no invite code was made


async def test_user_ids_lists_who_wrote_and_leaves_their_messages_for_the_bot(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """How the guide finds TRYGGHETSBOT_ADMIN_IDS: the coordinator sends /start, the operator
    runs ``trygghetsbot user-ids``; the bot still answers that /start when it starts."""
    async with Emulator() as emu:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        assert await asyncio.to_thread(main, ["user-ids"]) == 0
        assert "Nobody has written to @trygghetsbot_sandbox_bot" in capsys.readouterr().out
        await emu.user_sends(424242, "/start", first_name="Samordnare Sara")
        await emu.user_sends(515151, "hej", first_name="Invånare")
        await emu.user_sends(424242, "/start", first_name="Samordnare Sara")
        assert await asyncio.to_thread(main, ["user-ids"]) == 0
        assert len(emu.pending_updates) == 3  # nothing confirmed
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:3] == ["424242\tSamordnare Sara\t-", "515151\tInvånare\t-"]
    assert "TRYGGHETSBOT_ADMIN_IDS" in lines[-1] and TOKEN not in "\n".join(lines)
