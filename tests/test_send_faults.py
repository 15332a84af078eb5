"""Replies through the production limiter and the fake transport when Telegram pushes back:
a 429 storm holds only the chats it came for, and an outage of HTML 502 pages is logged
once when it starts and once when it ends, with every reply arriving afterwards."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram.error import Conflict, NetworkError

from bot.app import SANDBOX_TOKEN, BotApp, build_application, serving
from bot.clock import FrozenClock
from bot.settings import Settings
from bot.transport.outage import OutageWatch, polling_error
from handlers.delivery import telegram_send
from handlers.sending import BudgetRateLimiter
from tests.fakes import FakeTelegram, message_update, to_update, user

Limited = tuple[BotApp, FakeTelegram]


@pytest.fixture
async def limited(
    settings: Settings, clock: FrozenClock
) -> AsyncIterator[tuple[BotApp, FakeTelegram]]:
    """The app as in production (the send budget and its limiter on), over the fake."""
    tg = FakeTelegram()
    app = build_application(
        settings.model_copy(update={"send_rate": 1000.0}),
        clock=clock,
        request=tg.request(),
        updates_request=tg.request(),
        rate_limit=True,
        token=SANDBOX_TOKEN,
    )
    async with serving(app):
        tg.clear()
        yield app, tg


@pytest.mark.slow  # waits real seconds
async def test_a_429_storm_holds_only_its_chats_and_loses_nothing(
    limited: Limited, caplog: pytest.LogCaptureFixture
) -> None:
    app, tg = limited
    chats = list(range(6001, 6061))
    stormy = chats[::3]  # a third of the chats: their first send is answered 429
    for chat in stormy:
        tg.fail_next(chat, 429, "Too Many Requests: retry after 1", retry_after=1)
    tg.fail_next(stormy[0], 429, "Too Many Requests: retry after 1", retry_after=1)  # twice
    loop = asyncio.get_running_loop()
    start = loop.time()
    done: dict[int, float] = {}

    async def reply(chat: int) -> None:
        await app.bot.send_message(chat, f"svar {chat}")
        done[chat] = loop.time() - start

    caplog.set_level(logging.INFO)
    await asyncio.gather(*(reply(chat) for chat in chats))
    calm = [chat for chat in chats if chat not in stormy]
    # Nobody waits for another chat's retry_after: every calm chat had its answer before
    # the first held one went out again (under "a 429 pauses everything" none could).
    assert max(done[c] for c in calm) < min(done[c] for c in stormy)
    assert min(done[c] for c in stormy) >= 1.0  # Telegram's retry_after was honoured
    assert done[stormy[0]] >= 2.0  # and again for the chat that met two
    assert all(len(tg.sent(chat)) == 1 for chat in chats)  # nothing lost, nothing twice
    assert app.bot_data.services.budget.paused is False
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.slow  # waits real seconds
async def test_a_429_that_says_the_bot_is_limited_pauses_everyone(
    limited: Limited, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, tg = limited
    budget = app.bot_data.services.budget
    paused: list[int | None] = []
    pause, pause_chat = budget.pause, budget.pause_chat

    def whole(seconds: float) -> None:
        paused.append(None)
        pause(seconds)

    def one(chat_id: int, seconds: float) -> None:
        paused.append(chat_id)
        pause_chat(chat_id, seconds)

    monkeypatch.setattr(budget, "pause", whole)
    monkeypatch.setattr(budget, "pause_chat", one)
    tg.fail_next(6101, 429, "Too Many Requests: the bot is limited, retry after 1", 1)
    tg.fail_next(6102, 429, "Too Many Requests: retry after 1", 1)
    await app.bot.send_message(6101, "a")
    await app.bot.send_message(6102, "b")
    assert paused == [None, 6102]  # the whole bot, then only the chat (the usual words)
    assert len(tg.sent(6101)) == len(tg.sent(6102)) == 1


async def test_an_outage_of_html_502s_is_one_warning_and_one_info(
    limited: Limited, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    app, tg = limited
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, BudgetRateLimiter)
    limiter.backoff = (0.01, 0.02, 0.04)  # the production back-off, shortened
    residents = [7001, 7002, 7003]
    caplog.set_level(logging.DEBUG)
    tg.outage = 3  # three requests in a row meet the proxy's page
    await asyncio.gather(
        *(
            app.process_update(to_update(message_update(user(r, "sv"), "/start"), app.bot))
            for r in residents
        )
    )
    assert tg.outage == 0
    # The answers Telegram could not take wait in the outbox; its reply job (run by hand,
    # on the bot's clock) sends them once Telegram answers again.
    send = telegram_send(app.bot)
    for _ in range(20):
        if all(tg.sent(r) for r in residents):
            break
        await app.bot_data.features.delivery.run_replies(send)
        clock.advance(timedelta(seconds=5))
    assert all(len(tg.sent(r)) == 1 and "Hej" in tg.sent(r)[0].text for r in residents)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    ended = [r for r in caplog.records if "answers again after" in r.getMessage()]
    assert [(r.name, r.levelname) for r in warnings] == [("trygghetsbot.outage", "WARNING")]
    assert "cannot be reached (HTTP 502)" in warnings[0].getMessage()
    assert [r.levelname for r in ended] == ["INFO"]
    assert "3 request(s) failed" in ended[0].getMessage()
    assert not any(r.exc_info or r.exc_text for r in caplog.records)  # no traceback
    assert "Traceback" not in caplog.text


async def test_a_request_in_flight_when_the_outage_ended_does_not_start_another() -> None:
    now = [0.0]
    watch = OutageWatch(lambda: now[0])
    watch.failure(0.0, "HTTP 502")
    now[0] = 60.0
    watch.success()
    watch.failure(30.0, "timed out")  # sent during the outage, its timeout came late
    assert not watch.down and watch.outages == 1 and watch.failed == 2
    watch.failure(61.0, "HTTP 502")
    assert watch.down and watch.outages == 2


def test_an_outage_ends_when_every_method_that_failed_is_answered_again() -> None:
    watch = OutageWatch(lambda: 0.0)
    watch.failure(0.0, "HTTP 502", "sendMessage")
    watch.failure(0.0, "HTTP 502", "getUpdates")
    watch.success("getUpdates")  # polling gets through, sending does not yet
    assert watch.down
    watch.success("sendMessage")
    assert not watch.down and watch.outages == 1


def test_polling_errors_need_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    polling_error(NetworkError("Bad Gateway (502). Parsing the server response failed"))
    assert all(r.levelno == logging.DEBUG for r in caplog.records)


@pytest.mark.logs_errors
def test_another_instance_polling_is_an_error_in_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    polling_error(Conflict("terminated by other getUpdates request"))
    (record,) = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info is None
    assert "Conflict" in record.getMessage()
