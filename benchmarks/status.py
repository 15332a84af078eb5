"""How fast /status, /progress and `status --json` are on a large history.

Target: the pace for every commitment from 100 000 activities and 2 000 planned events in
under 50 ms (median), so /status answers at once on a phone. Run: python benchmarks/status.py
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.clock import STOCKHOLM, FrozenClock
from bot.domain.promise import load_promise
from bot.services import Services
from bot.services.wiring import build_features
from bot.settings import Settings
from storage.activities import NewActivity
from storage.db import Database
from storage.events import NewEvent

ACTIVITIES = 100_000
EVENTS = 2_000
RUNS = 30
TARGET_MS = 50.0


async def main() -> None:
    promise = load_promise()
    clock = FrozenClock(datetime(2024, 3, 12, 10, 0, tzinfo=STOCKHOLM))
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, db_path=Path(tmp) / "bench.sqlite3")  # type: ignore[call-arg]
        async with Database(settings.db_path) as db:
            services = Services(settings, clock, promise, db)
            start = promise.window.start
            span = (date(2024, 3, 12) - start).days
            ids = promise.ids
            rows = [
                NewActivity(rng.choice(ids), start + timedelta(days=rng.randrange(span)), "Bro", 10)
                for _ in range(ACTIVITIES)
            ]
            t0 = time.perf_counter()
            await services.activities.add_many(rows, clock.now())
            load_s = time.perf_counter() - t0
            events = []
            for _ in range(EVENTS):
                begin = clock.now() + timedelta(hours=rng.randrange(1, 24 * 200))
                events.append(
                    NewEvent(rng.choice(ids), "Bench", begin, begin + timedelta(hours=2), "public")
                )
            await services.events.add_many(events, clock.now())

            def measure(label: str, samples: list[float]) -> None:
                med = statistics.median(samples)
                p95 = sorted(samples)[int(len(samples) * 0.95) - 1]
                verdict = "OK" if med < TARGET_MS else "SLOW"
                print(f"{label:<28} median {med:7.2f} ms   p95 {p95:7.2f} ms   {verdict}")

            features = build_features(services)  # as build_application wires them
            pace, progress = features.pace, features.progress
            for label, call in (
                ("pace (status, status --json)", pace.current),
                ("progress (residents)", progress.progress),
            ):
                samples = []
                for _ in range(RUNS):
                    t0 = time.perf_counter()
                    await call()
                    samples.append((time.perf_counter() - t0) * 1000)
                measure(label, samples)
    print(
        f"data: {ACTIVITIES} activities (inserted in {load_s:.2f} s), {EVENTS} planned events; "
        f"{RUNS} runs each; target median < {TARGET_MS:.0f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
