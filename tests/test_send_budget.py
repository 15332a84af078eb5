"""The outbox never leaves a row behind, and one send budget serves replies first."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.clock import STOCKHOLM, FrozenClock
from bot.domain.records import Org
from bot.domain.views import Draft
from bot.sandbox.demo import PERSONAS
from bot.sandbox.terminal import running_sandbox
from bot.services.budget import Priority, SendBudget
from bot.services.delivery import ChatMoved, DeliveryService, Temporary
from bot.services.reporting import ReportingService
from bot.settings import Settings
from handlers.sending import BudgetRateLimiter
from storage.deliveries import NewDelivery, OutgoingMessage
from storage.subscriptions import SubscriptionRepo
from tests.conftest import Harness


async def queue(h: Harness, *chats: int) -> None:
    now = h.clock.now()
    for chat in chats:
        new = NewDelivery(chat, "probe", OutgoingMessage("hej"), now, dedupe_key=f"q:{chat}")
        await h.services.deliveries.enqueue(new, now)


async def statuses(h: Harness) -> dict[int, str]:
    rows = await h.services.db.fetchall("SELECT chat_id, status FROM deliveries")
    return {r[0]: r[1] for r in rows}


async def test_an_unexpected_error_is_retried_then_failed_never_stuck(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await queue(h, 1, 2, 3)
    sent: list[int] = []

    async def send(chat_id: int, message: OutgoingMessage) -> None:
        if chat_id == 2:
            raise ValueError("a bug nobody mapped")
        sent.append(chat_id)

    engine = DeliveryService(h.services, per_second=10_000, per_chat_per_second=1000)
    report = await engine.run_once(send)
    assert sorted(sent) == [1, 3] and report.retried == 1
    assert (await statuses(h))[2] == "queued"
    clock: FrozenClock = h.clock
    for _ in range(10):
        at = await h.services.deliveries.next_due_at()
        if at is None:
            break
        clock.set(at)
        await engine.run_once(send)
    assert await statuses(h) == {1: "sent", 2: "failed", 3: "sent"}
    failed = [r for r in caplog.records if "failed after" in r.getMessage()]
    assert failed and all(r.levelname == "WARNING" for r in failed)
    assert all("hej" not in r.getMessage() for r in caplog.records)


async def test_a_failing_database_in_a_round_puts_claimed_rows_back(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await queue(h, 11, 12, 13, 14)

    async def send(chat_id: int, message: OutgoingMessage) -> None:
        return None

    engine = DeliveryService(h.services, per_second=10_000, per_chat_per_second=1000)

    async def broken(delivery_id: int, now: datetime) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(h.services.deliveries, "mark_sent", broken)
    with pytest.raises(ExceptionGroup):
        await engine.run_once(send)
    monkeypatch.undo()
    assert "sending" not in (await statuses(h)).values()


async def test_a_migrated_chat_moves_its_queue_and_subscription(harness: Harness) -> None:
    h = harness
    from bot.services.tips_service import TipService

    await TipService(h.services).subscribe(-100, "sv", "weekly", 1, "morning")
    await queue(h, -100)
    got: list[int] = []

    async def send(chat_id: int, message: OutgoingMessage) -> None:
        if chat_id == -100:
            raise ChatMoved(-1001234)
        got.append(chat_id)

    engine = DeliveryService(h.services, per_second=10_000, per_chat_per_second=1000)
    await engine.run_once(send)
    await engine.run_once(send)
    assert got == [-1001234]
    assert await SubscriptionRepo(h.services.db).get(-1001234) is not None


async def test_temporary_errors_use_the_same_path(harness: Harness) -> None:
    h = harness
    await queue(h, 21)

    async def send(chat_id: int, message: OutgoingMessage) -> None:
        raise Temporary("502")

    report = await DeliveryService(
        h.services, per_second=10_000, per_chat_per_second=1000
    ).run_once(send)
    assert report.retried == 1 and (await statuses(h))[21] == "queued"


async def test_replies_are_served_before_the_outbox() -> None:
    budget = SendBudget(per_second=1000, per_chat_per_second=None)
    budget.pause(0.02)  # everyone queues up behind a flood pause
    order: list[str] = []

    async def take(name: str, priority: Priority) -> None:
        await budget.acquire(None, priority)
        order.append(name)

    tasks = [asyncio.create_task(take(f"bulk{n}", Priority.BULK)) for n in range(3)]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(take("reply", Priority.REPLY)))
    await asyncio.gather(*tasks)
    assert order[0] == "reply" and order[1:] == ["bulk0", "bulk1", "bulk2"]
    assert budget.flood_waits == 1 and budget.granted == 4


async def test_one_chat_keeps_its_order() -> None:
    budget = SendBudget(per_second=None, per_chat_per_second=1000)
    order: list[int] = []

    async def take(n: int) -> None:
        await budget.acquire(5, Priority.REPLY)
        order.append(n)

    await asyncio.gather(*(take(n) for n in range(5)))
    assert order == [0, 1, 2, 3, 4]


class Calls:
    def __init__(self, *outcomes: BaseException | None) -> None:
        self.outcomes = list(outcomes)
        self.count = 0

    async def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.count += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return {"ok": True}


async def call(limiter: BudgetRateLimiter, calls: Calls, bulk: bool = False) -> Any:
    return await limiter.process_request(
        calls, (), {}, "sendMessage", {"chat_id": 1}, {"bulk": True} if bulk else None
    )


async def test_a_429_pauses_its_chat_and_the_reply_is_sent_after_it() -> None:
    limiter = BudgetRateLimiter(SendBudget(1000, None), backoff=(0, 0))
    calls = Calls(RetryAfter(0), RetryAfter(0))
    assert await call(limiter, calls) == {"ok": True}
    assert calls.count == 3 and limiter.budget.flood_waits == 2
    # After FLOOD_RETRIES 429s in a row the error handler sees it (and logs it).
    limiter = BudgetRateLimiter(SendBudget(1000, None), flood_retries=1)
    with pytest.raises(RetryAfter):
        await call(limiter, Calls(RetryAfter(0), RetryAfter(0)))


async def test_the_outbox_sees_a_429_at_once_and_only_its_chat_pauses() -> None:
    limiter = BudgetRateLimiter(SendBudget(1000, None), backoff=(0, 0))
    calls = Calls(RetryAfter(30))
    with pytest.raises(RetryAfter):
        await call(limiter, calls, bulk=True)
    budget = limiter.budget
    assert calls.count == 1 and budget.chat_paused(1)
    assert not budget.paused and not budget.chat_paused(2)


async def test_a_429_for_a_request_without_a_chat_pauses_the_whole_bot() -> None:
    limiter = BudgetRateLimiter(SendBudget(1000, None))
    with pytest.raises(RetryAfter):
        await limiter.process_request(
            Calls(RetryAfter(30)), (), {}, "setMessageReaction", {}, {"bulk": True}
        )
    assert limiter.budget.paused


async def test_a_chat_paused_while_waiting_for_its_turn_waits_the_pause_out() -> None:
    budget = SendBudget(per_second=None, per_chat_per_second=20)
    loop = asyncio.get_running_loop()
    await budget.acquire(7, Priority.REPLY)  # the next turn for chat 7 is 50 ms away
    waiting = asyncio.create_task(budget.acquire(7, Priority.REPLY))
    await asyncio.sleep(0)
    start = loop.time()
    budget.pause_chat(7, 0.2)
    await budget.acquire(8, Priority.REPLY)  # another chat: at once
    assert loop.time() - start < 0.05 and not waiting.done()
    await waiting
    assert loop.time() - start >= 0.2


async def test_a_reply_survives_a_short_outage() -> None:
    limiter = BudgetRateLimiter(SendBudget(1000, None), backoff=(0, 0, 0))
    calls = Calls(NetworkError("Bad Gateway"), NetworkError("Internal Server Error (500)"))
    assert await call(limiter, calls) == {"ok": True} and calls.count == 3
    with pytest.raises(NetworkError):  # a long outage still ends in the error handler
        await call(limiter, Calls(*[NetworkError("down")] * 4))
    bad = Calls(BadRequest("message is too long"))
    with pytest.raises(BadRequest):
        await call(limiter, bad)
    assert bad.count == 1  # never retried: the request itself is wrong


@pytest.mark.slow  # waits real seconds
async def test_a_reply_arrives_through_a_short_outage_in_the_sandbox(settings: Settings) -> None:
    """Through the emulator, with the production limiter and the running outbox job: the
    first two tries of the answer meet an HTTP 5xx, the resident still gets it, once."""
    clock = FrozenClock(datetime(2024, 3, 12, 10, 0, tzinfo=STOCKHOLM))
    resident = PERSONAS["resident"].user_id
    async with running_sandbox(settings, clock, rate_limit=True) as (emu, _app):
        emu.inject("sendMessage", "5xx", times=2, chat_id=resident)
        await emu.user_sends(resident, "/start", language_code="sv")
        for _ in range(100):  # the outbox's back-off runs on the bot's clock: let it pass
            if emu.sent_to(resident):
                break
            clock.advance(timedelta(seconds=5))
            await asyncio.sleep(0.1)
        answer = await emu.wait_for_reply(resident, 0, timeout=10)
        assert any("Hej" in m.shown for m in answer)
        assert len([m for m in emu.sent_to(resident) if "Hej" in m.shown]) == 1


async def test_a_report_whose_audit_row_fails_is_not_counted(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The full-disk case: the activity and its audit row land together or not at all, so
    "something went wrong" never hides a counted report (and a retry never counts twice)."""
    h = harness
    await h.services.staff.upsert(4300, Org.POLICE, "Kim", h.clock.now(), None)
    staff = await h.app.bot_data.people.actor(4300, 4300, "sv")

    async def full_disk(*_args: object, **_kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(h.services.audit, "record", full_disk)
    with pytest.raises(sqlite3.OperationalError):
        await ReportingService(h.services).save(staff, Draft("theme_meeting", date(2024, 3, 11)))
    monkeypatch.undo()
    assert await h.services.activities.by_reporter(4300) == []
