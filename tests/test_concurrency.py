"""One database, many tasks: the scheduled jobs and the handlers run against each other on
the shared connection, with real timing, and nothing is lost, doubled or refused."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from bot.clock import STOCKHOLM
from bot.domain.records import Org
from bot.domain.views import Draft
from bot.services.reporting import ReportingService
from bot.services.tips_service import TipService
from handlers.common import every
from handlers.delivery import JOB_NAME, delivery_service, run_sender, telegram_send
from handlers.tips import TICK_JOB, run_tips_tick
from storage.db import Database
from storage.deliveries import NewDelivery, OutgoingMessage
from tests.conftest import Harness
from tests.test_tips import subscribe

SENIORS = (7001, 7002)
STAFF = 7100


async def until(condition: Callable[[], bool], changed: asyncio.Event) -> None:
    """Wait until ``condition`` holds, checking it each time a job has run (or fail)."""
    async with asyncio.timeout(20):
        while not condition():
            changed.clear()
            await changed.wait()


async def test_tip_arrives_while_the_sender_and_the_tips_job_run_together(
    harness: Harness,
) -> None:
    """The reported bug: two seniors subscribed, the outbox sender and the tips job both
    running on the job queue; every tick used to fail with "cannot start a transaction
    within a transaction" and the tip never came."""
    h = harness
    for chat in SENIORS:
        await subscribe(h, chat)
    sub = await TipService(h.services).get(SENIORS[0])
    assert sub is not None and sub.next_at is not None
    h.clock.set(sub.next_at)
    h.tg.clear()
    running = [0]
    ran = asyncio.Event()

    def tracked(job: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
        async def run(context: Any) -> None:
            running[0] += 1
            try:
                await job(context)
            finally:
                running[0] -= 1
                ran.set()

        return run

    # The real jobs, at intervals short enough that they overlap all the time.
    every(h.app, JOB_NAME, tracked(run_sender), 0.01, first=0)
    every(h.app, TICK_JOB, tracked(run_tips_tick), 0.013, first=0)
    queue = h.app.job_queue
    assert queue is not None
    await queue.start()
    try:
        # Residents keep asking while the jobs run.
        for n in range(10):
            await h.say(7200 + n, "när är nästa tematräff")
        await until(lambda: all(h.tg.sent(chat) for chat in SENIORS), ran)
    finally:
        for job in queue.jobs():
            job.schedule_removal()
        await until(lambda: running[0] == 0, ran)
        await queue.stop(wait=True)
    for chat in SENIORS:
        tips = [c for c in h.tg.sent(chat) if ("Stoppa tipsen", "tips:stop") in c.buttons]
        assert len(tips) == 1


async def test_a_statement_is_never_rolled_back_with_another_tasks_transaction(
    harness: Harness,
) -> None:
    db: Database = harness.services.db
    inside = asyncio.Event()
    release = asyncio.Event()

    async def failing_transaction() -> None:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO job_runs (job, run_key, done_at) VALUES ('t','a','x')"
                )
                inside.set()
                await release.wait()
                raise RuntimeError("undone")

    async def audit() -> None:
        await inside.wait()
        await harness.services.audit.record(harness.clock.now(), 1, "probe", None)

    task = asyncio.create_task(failing_transaction())
    writer = asyncio.create_task(audit())
    await inside.wait()
    await asyncio.sleep(0)
    assert not writer.done()  # waits for the transaction instead of joining it
    release.set()
    await asyncio.gather(task, writer)
    assert await db.fetchone("SELECT 1 FROM job_runs WHERE job = 't'") is None
    assert await db.fetchone("SELECT 1 FROM audit_log WHERE action = 'probe'") is not None


async def test_nested_transaction_is_a_savepoint_in_the_same_task(harness: Harness) -> None:
    db: Database = harness.services.db
    async with db.transaction():
        await db.execute("INSERT INTO job_runs (job, run_key, done_at) VALUES ('n', 'outer', 'x')")
        with pytest.raises(ValueError):
            async with db.transaction():
                await db.execute(
                    "INSERT INTO job_runs (job, run_key, done_at) VALUES ('n','in','x')"
                )
                raise ValueError
    rows = await db.fetchall("SELECT run_key FROM job_runs WHERE job = 'n'")
    assert [r[0] for r in rows] == ["outer"]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_mix_of_jobs_and_handlers_on_one_database(harness: Harness, seed: int) -> None:
    """Reports, deliveries, tip rounds, delete-my-data and the sender in a random order,
    all at once: afterwards every acknowledged write is there exactly once."""
    h = harness
    rng = random.Random(seed)
    await h.services.staff.upsert(STAFF, Org.POLICE, "Kim", h.clock.now(), None)
    staff = await h.app.bot_data.people.actor(STAFF, STAFF, "sv")
    reporting = ReportingService(h.services)
    tips = TipService(h.services)
    sender = delivery_service(h.app)
    send = telegram_send(h.app.bot)
    for chat in range(8000, 8010):
        await tips.subscribe(chat, "sv", "weekly", h.clock.today().weekday(), "morning")
    now = h.clock.now()
    saved: list[int] = []
    queued: set[int] = set()
    forgotten: set[int] = set()

    async def report(n: int) -> None:
        draft = Draft("theme_meeting", date(2024, 3, 1) + timedelta(days=n % 10), count=n + 1)
        saved.append((await reporting.save(staff, draft)).id)

    async def enqueue(n: int) -> None:
        chat = 8100 + n
        new = NewDelivery(chat, "probe", OutgoingMessage(f"m{n}"), now, dedupe_key=f"p:{n}")
        assert await h.services.deliveries.enqueue(new, now)
        queued.add(chat)

    async def forget(n: int) -> None:
        chat = 8000 + n % 10
        await h.services.users.forget(chat)
        forgotten.add(chat)

    async def ask(n: int) -> None:
        await h.say(8300 + n, "när är nästa tematräff")

    async def tick(_: int) -> None:
        await tips.tick()

    async def send_round(_: int) -> None:
        await sender.run_once(send)

    kinds: list[Callable[[int], Awaitable[None]]] = [
        report, enqueue, forget, ask, tick, send_round,
    ]  # fmt: skip
    h.clock.set(datetime(2024, 3, 19, 9, 0, tzinfo=STOCKHOLM))
    ops = [rng.choice(kinds)(n) for n in range(120)]
    results = await asyncio.gather(*ops, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not [e for e in errors if isinstance(e, sqlite3.OperationalError)]
    assert not errors
    await sender.drain(send)

    rows = await h.services.db.fetchall(
        "SELECT a.id FROM activities a JOIN audit_log l ON l.target = 'activity:' || a.id "
        "WHERE a.source = 'chat' AND l.action = 'activity.create'"
    )
    assert sorted(r[0] for r in rows) == sorted(saved)  # no lost or phantom report
    for chat in queued:  # every acknowledged message went out exactly once
        assert len(h.tg.sent(chat)) == 1
    stuck = await h.services.db.fetchone(
        "SELECT COUNT(*) FROM deliveries WHERE status IN ('sending', 'queued')"
    )
    assert stuck is not None and stuck[0] == 0
    for chat in range(8000, 8010):  # a tip goes out at most once per subscriber
        assert len(h.tg.sent(chat)) <= 1
