"""The delivery engine against the emulator over real HTTP, with faults mixed in: 429s,
5xx, timeouts and blocked users on 20% of the chats, and a crash in the middle of a round.

Promise: every active subscriber gets each tip exactly once, except messages in flight
when a request timed out or the process died (they may arrive twice); blocked chats are
deactivated and never retried."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import datetime, timedelta

import pytest

from bot.clock import STOCKHOLM, FrozenClock
from bot.sandbox.rig import Rig, broadcast_rig
from storage.subscriptions import SubscriptionRepo

SUBSCRIBERS = 120


def received(rig: Rig) -> Counter[int]:
    assert rig.emu is not None
    return Counter(
        {chat: len(rig.emu.sent_to(chat)) for chat in rig.subscribers if rig.emu.sent_to(chat)}
    )


async def finish(rig: Rig, clock: FrozenClock, rounds: int = 40) -> None:
    """Run the sender until the queue is empty, letting simulated time pass between rounds
    so back-offs and flood pauses expire (no real sleeping)."""
    engine = rig.engine(per_second=10_000)
    for _ in range(rounds):
        await engine.run_once(rig.send(), limit=500)
        clock.advance(timedelta(minutes=15))
        if await rig.services.deliveries.next_due_at() is None:
            return
    raise AssertionError("the queue never emptied")


@pytest.mark.slow  # waits real seconds
async def test_mixed_faults_every_active_subscriber_gets_the_tip_once() -> None:
    clock = FrozenClock(datetime(2024, 3, 18, 9, 0, tzinfo=STOCKHOLM))
    async with broadcast_rig(SUBSCRIBERS, clock, read_timeout=0.3) as rig:
        emu = rig.emu
        assert emu is not None
        emu.timeout_seconds = 0.6  # longer than the bot waits: a real client-side timeout
        rng = random.Random(20)
        faulty = rng.sample(rig.subscribers, SUBSCRIBERS // 5)
        kinds = ["429", "5xx", "timeout", "403"]
        by_kind: dict[str, list[int]] = {k: [] for k in kinds}
        for index, chat in enumerate(faulty):
            kind = kinds[index % 4]
            by_kind[kind].append(chat)
            times = 1000 if kind == "403" else 1
            emu.inject("sendMessage", kind, times=times, retry_after=1, chat_id=chat)  # type: ignore[arg-type]
        assert await rig.tips.tick() == SUBSCRIBERS
        await finish(rig, clock)

        got = received(rig)
        blocked = set(by_kind["403"])
        for chat in rig.subscribers:
            if chat in blocked:
                assert got[chat] == 0
            elif chat in by_kind["timeout"]:
                assert 1 <= got[chat] <= 2  # in flight when the bot gave up waiting
            else:
                assert got[chat] == 1, chat
        subs = SubscriptionRepo(rig.services.db)
        for chat in blocked:
            sub = await subs.get(chat)
            assert sub is not None and not sub.active and sub.stop_reason == "blocked"
        assert await subs.count_active() == SUBSCRIBERS - len(blocked)

        # The next week's round goes only to the active ones, still exactly once each.
        clock.set(datetime(2024, 3, 25, 9, 0, 1, tzinfo=STOCKHOLM))
        assert await rig.tips.tick() == SUBSCRIBERS - len(blocked)
        before = received(rig)
        await finish(rig, clock)
        after = received(rig)
        assert all(after[c] - before[c] == 1 for c in rig.subscribers if c not in blocked)


async def test_crash_in_the_middle_of_a_round_then_restart() -> None:
    clock = FrozenClock(datetime(2024, 3, 18, 9, 0, tzinfo=STOCKHOLM))
    async with broadcast_rig(SUBSCRIBERS, clock) as rig:
        emu = rig.emu
        assert emu is not None
        await rig.tips.tick()
        crashing = rig.engine(per_second=200)  # slow enough to be killed mid-round
        task = asyncio.create_task(crashing.run_once(rig.send(), limit=500))
        for _ in range(1000):  # poll the emulator's counter: the crash point is what matters
            if emu.sent_count >= SUBSCRIBERS // 3:
                break
            await asyncio.sleep(0.01)
        task.cancel()  # the round is cut off mid-way
        await asyncio.gather(task, return_exceptions=True)
        sent_before_crash = emu.sent_count
        assert 0 < sent_before_crash < SUBSCRIBERS
        # What it had claimed went back to the queue at once, not at the next restart.
        stuck = await rig.services.db.fetchone(
            "SELECT COUNT(*) FROM deliveries WHERE status = 'sending'"
        )
        assert stuck is not None and stuck[0] == 0
        # A process that dies cannot tidy up: simulate rows it left in 'sending'.
        await rig.services.db.execute(
            "UPDATE deliveries SET status = 'sending' WHERE id IN "
            "(SELECT id FROM deliveries WHERE status = 'queued' LIMIT 4)"
        )

        restarted = rig.engine(per_second=10_000)
        assert await restarted.recover() > 0
        await finish(rig, clock)
        got = received(rig)
        assert set(got) == set(rig.subscribers)  # nobody lost
        twice = [c for c, n in got.items() if n > 1]
        # Only messages in flight at the crash can come twice: at most one per worker.
        assert len(twice) <= 4
