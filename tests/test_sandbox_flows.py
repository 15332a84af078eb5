"""Whole stories through the sandbox (real HTTP, real long polling, the real job queue):
invite → staff → one-line report → counted in /status; and plan → ask → remind → move."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from bot.clock import STOCKHOLM, FrozenClock
from bot.sandbox.demo import PERSONAS
from bot.sandbox.emulator import Emulator, SentMessage
from bot.sandbox.terminal import running_sandbox
from bot.settings import Settings

ADMIN = PERSONAS["admin"].user_id
STAFF = PERSONAS["staff"].user_id
RESIDENT = PERSONAS["resident"].user_id
NEWCOMER = 200_001
# How long a reply may take before the test fails: a deadline only, not a margin any passing
# run comes near (a reply returns as soon as the bot has gone quiet), and wide enough for a
# chart drawn while other suites load the two cores (5 s once timed out under load ≈ 8).
DEADLINE = 30.0


async def say(emu: Emulator, user_id: int, text: str) -> list[SentMessage]:
    before = len(emu.sent_to(user_id))
    await emu.user_sends(user_id, text, language_code="sv")
    return await emu.wait_for_reply(user_id, before, timeout=DEADLINE)


async def press(
    emu: Emulator, user_id: int, message: SentMessage, data: str, strict: bool = True
) -> list[SentMessage]:
    changed = await emu.press_and_wait(user_id, message.message_id, data, strict=strict)
    # An edit in place changes the pressed message itself; keep returning it either way.
    return changed or [m for m in emu.sent_to(user_id) if m.message_id == message.message_id]


def with_button(messages: list[SentMessage], prefix: str) -> tuple[SentMessage, str]:
    for message in messages:
        for data in message.callback_data:
            if data.startswith(prefix):
                return message, data
    raise AssertionError(f"no button {prefix!r} in {[m.shown for m in messages]}")


@pytest.mark.slow
async def test_invite_staff_report_counted_in_status(settings: Settings) -> None:
    clock = FrozenClock(datetime(2024, 3, 12, 10, 0, tzinfo=STOCKHOLM))
    async with running_sandbox(settings, clock) as (emu, _app):
        message, data = with_button(await say(emu, ADMIN, "/bjudin"), "invite:new:municipality")
        replies = await press(emu, ADMIN, message, data)
        link = next(m.shown for m in replies if "start=inv_" in m.shown)
        code = re.search(r"start=(inv_[\w-]+)", link)
        assert code is not None
        welcome = await say(emu, NEWCOMER, f"/start {code.group(1)}")
        assert any("personal" in m.shown for m in welcome)

        # The same words from a resident are a question: nothing is saved.
        await say(emu, RESIDENT, "tematräff igår 23 pers")
        status_before = (await say(emu, NEWCOMER, "/lage"))[-1].shown
        assert "Tematräffar · VT 2024: 1+1 av 2" in status_before

        card, save = with_button(await say(emu, NEWCOMER, "tematräff igår 23 pers"), "rep:save")
        assert "23" in card.shown and "11 mars" in card.shown
        await press(emu, NEWCOMER, card, save)
        # A stale second press (an old copy of the card) saves nothing more.
        await press(emu, NEWCOMER, card, save, strict=False)
        status_after = (await say(emu, NEWCOMER, "/lage"))[-1].shown
        assert "Tematräffar · VT 2024: 2+1 av 2" in status_after


@pytest.mark.slow
async def test_plan_ask_remind_move_and_be_told(settings: Settings) -> None:
    clock = FrozenClock(datetime(2024, 3, 12, 10, 0, tzinfo=STOCKHOLM))
    async with running_sandbox(settings, clock) as (emu, _app):
        message, data = with_button(await say(emu, STAFF, "/planera"), "plan:kind:theme_meeting")
        await press(emu, STAFF, message, data)
        await say(emu, STAFF, "Tematräff: grannsamverkan")
        await say(emu, STAFF, "imorgon 18-20")
        await say(emu, STAFF, "Trygghetscenter, Bro")
        choice = await say(emu, STAFF, "Om grannsamverkan i Bro.")
        message, data = with_button(choice, "plan:vis:public")
        preview = await press(emu, STAFF, message, data)
        message, data = with_button(preview, "plan:save")
        await press(emu, STAFF, message, data)

        answer = await say(emu, RESIDENT, "när är nästa tematräff")
        message, remind = with_button(answer, "ev:rem:")
        assert "grannsamverkan" in message.shown and "13 mars" in message.shown
        await press(emu, RESIDENT, message, remind)

        # The day before at 18:00 the reminder goes out (the sender runs every second).
        before = len(emu.sent_to(RESIDENT))
        clock.set(datetime(2024, 3, 12, 18, 0, 5, tzinfo=STOCKHOLM))
        reminder = await emu.wait_for_reply(RESIDENT, before, timeout=DEADLINE)
        assert any("Påminnelse" in m.shown and "grannsamverkan" in m.shown for m in reminder)

        mine = await say(emu, STAFF, "/minaevenemang")
        message, move = with_button(mine, "my:move:")
        await press(emu, STAFF, message, move)
        before = len(emu.sent_to(RESIDENT))
        await say(emu, STAFF, "20/3 18-20")
        told = await emu.wait_for_reply(RESIDENT, before, timeout=DEADLINE)
        assert any("Ny tid" in m.shown and "20 mars" in m.shown for m in told)
        clock.advance(timedelta(minutes=1))


async def run_job(app: object, name: str) -> None:
    """Run a scheduled job now, as the JobQueue would at its next tick (no sleeping)."""
    (job,) = app.job_queue.get_jobs_by_name(name)  # type: ignore[attr-defined]
    await job.run(app)


@pytest.mark.slow
async def test_senior_tip_and_follower_news_at_the_simulated_time(settings: Settings) -> None:
    clock = FrozenClock(datetime(2024, 3, 19, 8, 0, tzinfo=STOCKHOLM))  # a Tuesday
    senior = PERSONAS["senior"].user_id
    async with running_sandbox(settings, clock) as (emu, app):
        await say(emu, senior, "/tips")
        await say(emu, senior, "Varje vecka")
        await say(emu, senior, "Tisdag")
        done = await say(emu, senior, "Förmiddag (9.00)")
        assert any("tisdag 19 mars" in m.shown for m in done)

        message, follow = with_button(await say(emu, RESIDENT, "/folj"), "fol:on:theme_meeting")
        await press(emu, RESIDENT, message, follow)
        card, save = with_button(await say(emu, STAFF, "tematräff idag 31 pers"), "rep:save")
        await press(emu, STAFF, card, save)

        before = len(emu.sent_to(senior))
        clock.set(datetime(2024, 3, 19, 9, 0, 30, tzinfo=STOCKHOLM))
        await run_job(app, "tips:tick")
        tip = (await emu.wait_for_reply(senior, before, timeout=DEADLINE))[-1]
        assert tip.shown.strip().endswith("BankID.") and "tips:stop" in tip.callback_data
        stopped = await press(emu, senior, tip, "tips:stop")
        assert any("inga fler tips" in m.shown for m in stopped)

        before = len(emu.sent_to(RESIDENT))
        clock.set(datetime(2024, 3, 19, 17, 0, 30, tzinfo=STOCKHOLM))
        await run_job(app, "progress:follow-news")
        news = await emu.wait_for_reply(RESIDENT, before, timeout=DEADLINE)
        assert any("Tematräffar" in m.shown for m in news)

        progress = await say(emu, RESIDENT, "hur går det med löftet?")
        chart = next(m for m in progress if m.method == "sendPhoto")
        assert chart.data is not None and chart.data.startswith(b"\x89PNG")
        assert any("Tematräffar" in m.shown and "2 av 2" in m.shown for m in progress)


@pytest.mark.slow  # waits real seconds
async def test_digest_moves_off_easter_monday_in_the_sandbox(settings: Settings) -> None:
    from bot.domain.records import Org

    clock = FrozenClock(datetime(2024, 4, 1, 8, 30, 5, tzinfo=STOCKHOLM))  # Easter Monday
    async with running_sandbox(settings, clock, seed=False) as (emu, app):
        services = app.bot_data.services
        await services.staff.upsert(STAFF, Org.MUNICIPALITY, "Sam", clock.now(), None)
        await run_job(app, "pace:reminders")
        await run_job(app, "outbox:sender")
        assert emu.sent_to(STAFF) == []  # a public holiday: nothing today
        clock.set(datetime(2024, 4, 2, 8, 30, 5, tzinfo=STOCKHOLM))
        await run_job(app, "pace:reminders")
        digest = await emu.wait_for_reply(STAFF, 0, timeout=DEADLINE)
        assert any("Tematräffar" in m.shown for m in digest)
        assert any("rep:new:theme_meeting" in m.callback_data for m in digest)
        await run_job(app, "pace:reminders")  # never twice in the same week
        await run_job(app, "outbox:sender")  # sends whatever the second run queued, now
        assert len(emu.sent_to(STAFF)) == len(digest)


@pytest.mark.logs_errors
async def test_sandbox_survives_a_crashing_handler(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom with secret internals")

    monkeypatch.setattr("bot.services.answers.AnswerService.respond", broken)
    clock = FrozenClock(datetime(2024, 3, 12, 10, 0, tzinfo=STOCKHOLM))
    async with running_sandbox(settings, clock) as (emu, _app):
        replies = await say(emu, RESIDENT, "när är nästa tematräff")
        assert any("något gick fel" in m.shown.lower() for m in replies)
        assert not any("boom" in m.shown or "RuntimeError" in m.shown for m in replies)
        # The bot is still alive and answers the next message.
        assert any("Hej" in m.shown for m in await say(emu, RESIDENT, "/start"))
