"""How the seniors' tip round and an urgent alert scale: queueing 10 000 subscribers, and the
delivery engine's own overhead per message (sending replaced by a no-op so the figure is the
engine, not the network). At Telegram's real limit (25/s by default) 10 000 messages take
about 400 s by design; the engine must never be the bottleneck and must stay small in memory.
Run: python benchmarks/broadcast.py
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import tracemalloc
from datetime import datetime
from pathlib import Path

from bot.clock import STOCKHOLM, FrozenClock
from bot.promise import load_promise
from bot.services import Services
from bot.services.delivery import DeliveryService
from bot.services.tips_service import TipService
from bot.settings import Settings
from storage.db import Database
from storage.deliveries import OutgoingMessage
from storage.subscriptions import SubscriptionRepo

SUBSCRIBERS = 10_000


async def main() -> None:
    clock = FrozenClock(datetime(2024, 3, 18, 8, 0, tzinfo=STOCKHOLM))  # a Monday
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, db_path=Path(tmp) / "b.sqlite3")  # type: ignore[call-arg]
        async with Database(settings.db_path) as db:
            services = Services(settings, clock, load_promise(), db)
            subs = SubscriptionRepo(db)
            due = datetime(2024, 3, 18, 9, 0, tzinfo=STOCKHOLM)
            for chat in range(1, SUBSCRIBERS + 1):
                await subs.upsert(
                    chat, locale="sv" if chat % 4 else "en", cadence="weekly", weekday=0,
                    slot="morning", next_at=due, now=clock.now(),
                )  # fmt: skip
            clock.set(due)
            tracemalloc.start()
            t0 = time.perf_counter()
            queued = await TipService(services).tick()
            queue_s = time.perf_counter() - t0

            sent = 0

            async def send(chat_id: int, message: OutgoingMessage) -> None:
                nonlocal sent
                sent += 1

            engine = DeliveryService(services, per_second=1_000_000, per_chat_per_second=1000)
            t0 = time.perf_counter()
            await engine.drain(send, limit=500, max_rounds=100)
            drain_s = time.perf_counter() - t0
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    print(f"subscribers:            {SUBSCRIBERS}")
    print(f"tip round queued:       {queued} messages in {queue_s * 1000:.0f} ms")
    print(f"engine (no-op send):    {sent} messages in {drain_s:.2f} s "
          f"= {sent / drain_s:,.0f} msg/s overhead ceiling")  # fmt: skip
    print(f"at 25 msg/s (Telegram): {SUBSCRIBERS / 25 / 60:.1f} min for the whole round")
    print(f"peak Python memory:     {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    asyncio.run(main())
