"""How fast /status, /progress and `status --json` are on a large history.

Target: the pace for every commitment from 100 000 activities and 2 000 planned events in
under 50 ms (median), and the safety pulse's summary from 5 000 answers as fast, so /status
and /progress answer at once on a phone; the page's pulse section with its efforts (built
hourly) under 500 ms. Run: python benchmarks/status.py
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
from bot.domain.pulse import quarter_of
from bot.services import Services
from bot.services.wiring import build_features
from bot.settings import Settings
from storage.activities import NewActivity
from storage.db import Database
from storage.events import NewEvent

ACTIVITIES = 100_000
EVENTS = 2_000
POLLS = 5_000  # answers to the safety question
RUNS = 30
TARGET_MS = 50.0
PAGE_TARGET_MS = 500.0


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

            def measure(label: str, samples: list[float], target: float = TARGET_MS) -> None:
                med = statistics.median(samples)
                p95 = sorted(samples)[int(len(samples) * 0.95) - 1]
                verdict = "OK" if med < target else "SLOW"
                print(f"{label:<28} median {med:7.2f} ms   p95 {p95:7.2f} ms   {verdict}")

            features = build_features(services)  # as build_application wires them
            pace, progress = features.pace, features.progress
            # The safety pulse: a poll per answer, over every area and quarter of the window.
            pulse = features.pulse
            areas = [a.id for a in promise.areas]
            quarters = sorted({quarter_of(start + timedelta(days=d)) for d in range(span)})
            for i in range(POLLS):
                poll_id = f"bench-{i}"
                await pulse.repo.add_poll(poll_id, areas[i % len(areas)], rng.choice(quarters))
                await pulse.repo.record(poll_id, [0, 0, 1, 0, 0] if i % 3 else [0, 1, 0, 0, 0])
            for label, call, target in (
                ("pace (status, status --json)", pace.current, TARGET_MS),
                ("progress (residents)", progress.progress, TARGET_MS),
                ("safety pulse (progress)", pulse.summary, TARGET_MS),
                # The page is built hourly or on /publicera, not while someone waits in chat.
                ("pulse + efforts (page)", lambda: pulse.summary(efforts=True), PAGE_TARGET_MS),
            ):
                samples = []
                for _ in range(RUNS):
                    t0 = time.perf_counter()
                    await call()
                    samples.append((time.perf_counter() - t0) * 1000)
                measure(label, samples, target)
    print(
        f"data: {ACTIVITIES} activities (inserted in {load_s:.2f} s), {EVENTS} planned events, "
        f"{POLLS} safety answers; "
        f"{RUNS} runs each; target median < {TARGET_MS:.0f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
