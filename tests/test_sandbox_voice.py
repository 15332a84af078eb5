"""The "Done when" of residents' suggestions through the sandbox (real HTTP, long polling,
the job queue and the outbox): a poster's link, an Arabic theme grouped with two Swedish
ones, linked to a planned theme meeting, the three told in their languages."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bot.clock import STOCKHOLM, FrozenClock
from bot.domain.followup_view import PeriodFilter
from bot.sandbox.demo import PERSONAS
from bot.sandbox.emulator import Emulator, SentMessage
from bot.sandbox.terminal import running_sandbox
from bot.services.followup import render_report
from bot.settings import Settings
from tests.test_sandbox_flows import press, with_button

ADMIN = PERSONAS["admin"].user_id
ARABIC = 200_101
SWEDES = (200_102, 200_103)


async def say(emu: Emulator, user_id: int, text: str, lang: str) -> list[SentMessage]:
    before = len(emu.sent_to(user_id))
    await emu.user_sends(user_id, text, language_code=lang)
    return await emu.wait_for_reply(user_id, before, timeout=5)


async def send_and_follow(emu: Emulator, user_id: int, text: str, lang: str) -> None:
    card, data = with_button(await say(emu, user_id, text, lang), "voice:follow")
    await press(emu, user_id, card, data)


@pytest.mark.slow
async def test_poster_suggestion_grouped_linked_and_told(settings: Settings) -> None:
    clock = FrozenClock(datetime(2024, 3, 12, 10, 0, tzinfo=STOCKHOLM))
    async with running_sandbox(settings, clock) as (emu, app):
        services = app.bot_data.services
        features = app.bot_data.features
        meeting = (await features.events.upcoming(kind="theme_meeting"))[0]
        prompt = await say(emu, ARABIC, f"/start s_{meeting.id}", "ar")
        assert any(meeting.title in m.shown for m in prompt)
        await send_and_follow(emu, ARABIC, "نريد لقاء عن الدراجات النارية", "ar")
        await send_and_follow(emu, SWEDES[0], "ni borde ha en tematräff om mopedbuskörning", "sv")
        await send_and_follow(emu, SWEDES[1], "kan ni ta upp mopederna på en träff?", "sv")

        listing, show = with_button(await say(emu, ADMIN, "/forslag", "sv"), "vg:show:theme.moped")
        assert "mopedbuskörning: 3" in listing.shown
        group = await press(emu, ADMIN, listing, show)
        events_message, events = with_button(group, "vg:events")
        choices = await press(emu, ADMIN, events_message, events)
        choice, link = with_button(choices, f"vg:link:theme.moped:{meeting.id}")
        before = {u: len(emu.sent_to(u)) for u in (ARABIC, *SWEDES)}
        await press(emu, ADMIN, choice, link)

        told_ar = await emu.wait_for_reply(ARABIC, before[ARABIC], timeout=5)
        assert len(told_ar) == 1 and "اقتراحك" in told_ar[0].shown
        for swede in SWEDES:
            told = await emu.wait_for_reply(swede, before[swede], timeout=5)
            assert len(told) == 1 and told[0].shown.startswith("Ditt förslag om mopedbuskörning")

        data = json.loads(await render_report(services, "json", "sv", PeriodFilter.parse(None)))
        assert [(g["id"], g["count"], g["status"]) for g in data["voice"]["groups"]] == [
            ("moped", 3, "planned")
        ]
        assert "نريد" not in json.dumps(data, ensure_ascii=False)

        confirm, yes = with_button(await say(emu, ARABIC, "/delete_me", "ar"), "me:delete:yes")
        await press(emu, ARABIC, confirm, yes)
        rows = await services.db.fetchall("SELECT chat_id FROM suggestion_followers")
        assert ARABIC not in [r["chat_id"] for r in rows] and len(rows) == 2
