"""The staff check through the sandbox (real HTTP, long polling): invite → a one-liner →
typed fixes → save → a future date refused in Swedish with the /planera offer → a planned
18:00 event shown at 18:00. Presses watch for the reply or the edit instead of timing out."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from bot.clock import STOCKHOLM, FrozenClock
from bot.domain.records import Activity
from bot.sandbox.demo import PERSONAS
from bot.sandbox.emulator import Emulator, SentMessage
from bot.sandbox.terminal import running_sandbox
from bot.settings import Settings

ADMIN = PERSONAS["admin"].user_id
NEWCOMER = 200_013


async def say(emu: Emulator, user_id: int, text: str) -> list[SentMessage]:
    before = len(emu.sent_to(user_id))
    await emu.user_sends(user_id, text, language_code="sv")
    return await emu.wait_for_reply(user_id, before, timeout=5)


async def press(
    emu: Emulator, user_id: int, messages: list[SentMessage], prefix: str
) -> list[SentMessage]:
    for message in reversed(messages):
        for data in message.callback_data:
            if data.startswith(prefix):
                return await emu.press_and_wait(user_id, message.message_id, data)
    raise AssertionError(f"no button {prefix!r} in {[m.shown for m in messages]}")


@pytest.mark.slow
async def test_staff_check_in_the_sandbox(settings: Settings) -> None:
    clock = FrozenClock(datetime(2024, 3, 12, 10, 0, tzinfo=STOCKHOLM))
    async with running_sandbox(settings, clock) as (emu, app):
        replies = await press(emu, ADMIN, await say(emu, ADMIN, "/bjudin"), "invite:new:police")
        code = re.search(r"start=(inv_[\w-]+)", " ".join(m.shown for m in replies))
        assert code is not None
        await say(emu, NEWCOMER, f"/start {code.group(1)}")

        card = await say(emu, NEWCOMER, "synlighetsinsats bro centrum idag 40 pers")
        assert "Personer: 40" in card[-1].shown
        days = await press(emu, NEWCOMER, card, "rep:date")
        card = await say(emu, NEWCOMER, "i förrgår")  # typed instead of tapping a day
        assert "söndag 10 mars" in card[-1].shown
        card = await say(emu, NEWCOMER, "ca 25")
        assert "Personer: 25" in card[-1].shown and days
        saved = await press(emu, NEWCOMER, card, "rep:save")
        assert "Sparad" in saved[-1].shown
        services = app.bot_data.services
        mine: list[Activity] = await services.activities.by_reporter(NEWCOMER)
        assert [(a.date.isoformat(), a.count) for a in mine] == [("2024-03-10", 25)]

        future = await say(emu, NEWCOMER, "tematräff imorgon")
        assert "i framtiden" in future[-1].shown and "rep:save:0" not in future[-1].callback_data
        assert any(label == "Planera det i stället?" for label, _d in future[-1].buttons)
        assert "/planera" in future[-1].shown
        step = await press(emu, NEWCOMER, future, "rep:plan")
        assert "onsdag 13 mars" in step[-1].shown
        when = await say(emu, NEWCOMER, "Tematräff: trygg kväll")
        await press(emu, NEWCOMER, when, "plan:when:3")  # the card's day at 18:00
        await say(emu, NEWCOMER, "Trygghetscentret")
        choice = await say(emu, NEWCOMER, "-")
        preview = await press(emu, NEWCOMER, choice, "plan:vis:public")
        done = await press(emu, NEWCOMER, preview, "plan:save")
        assert "kl. 18:00–20:00" in done[-1].shown

        status = await say(emu, NEWCOMER, "/lage")
        detail = await press(emu, NEWCOMER, status, "st:show:theme_meeting")
        assert "ons 13 mars 18:00 – Tematräff: trygg kväll" in detail[-1].shown
