"""A fraud-tip round (the same path an urgent alert takes) sent to emulated subscribers over
loopback HTTP, through the real delivery engine and python-telegram-bot. The emulator runs
in its own process so the bot and the fake Telegram do not share one CPU core.

Figures and targets (issue: seniors):
- with the emulator's flood limit on (Telegram's 30/s) and ours at 25/s: messages/s as a
  fraction of our configured rate (target >= 0.95) and 429s received (target 0);
- with every limit lifted: messages/s (target >= 500);
- peak RSS of this process, the bot side (target < 150 MB).

Run: python benchmarks/broadcast.py [--limited N] [--lifted N]
(the default sends 500 at the limit, about 20 s, and 10 000 without it;
``--limited 10000`` runs the full round at 25/s, about 7 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bot.clock import SystemClock
from bot.sandbox.rig import broadcast_rig

RATE = 25.0


@contextmanager
def emulator_process(*flags: str) -> Iterator[tuple[str, list[str]]]:
    """(base url, the emulator's closing line, filled in after the block)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.sandbox.serve_emulator", *flags],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    port = proc.stdout.readline().split()[1]
    closing: list[str] = []
    try:
        yield f"http://127.0.0.1:{port}/bot", closing
    finally:
        proc.stdin.close()
        closing.append(proc.stdout.read().strip())
        proc.wait(timeout=10)


async def round_trip(subscribers: int, base_url: str, rate: float) -> tuple[float, int, int]:
    """(messages/s, messages sent, 429s received) for one tip round."""
    async with broadcast_rig(subscribers, SystemClock(), base_url=base_url) as rig:
        engine = rig.engine(rate)
        batch = f"tips:{rig.services.clock.today().isoformat()}"
        await rig.tips.tick()
        send = rig.send()
        flood_waits = 0
        start = time.perf_counter()
        while True:
            report = await engine.run_once(send, limit=1000)
            flood_waits += report.flood_waits
            counts = await rig.services.deliveries.batch_counts(batch)
            if counts.get("queued", 0) + counts.get("sending", 0) == 0:
                break
            if not report.outcomes:
                await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - start
        return counts.get("sent", 0) / elapsed, counts.get("sent", 0), flood_waits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limited", type=int, default=500)
    parser.add_argument("--lifted", type=int, default=10_000)
    args = parser.parse_args()
    with emulator_process("--rate", "30", "--per-chat", "1") as (url, closing):
        rate, sent, waits = asyncio.run(round_trip(args.limited, url, RATE))
    fraction = rate / RATE
    print(f"limited: {sent} subscribers, ours {RATE:.0f}/s, emulator 30/s: {rate:.1f} msg/s "
          f"= {fraction:.2f} of the configured rate (target >= 0.95) "
          f"{'OK' if fraction >= 0.95 else 'LOW'}; 429s received: {waits} (target 0) "
          f"{'OK' if waits == 0 else 'FAIL'}  [emulator: {closing[0]}]")  # fmt: skip
    with emulator_process() as (url, closing):
        rate, sent, _ = asyncio.run(round_trip(args.lifted, url, 1_000_000))
    print(f"lifted:  {sent} subscribers, no limits: {rate:.0f} msg/s (target >= 500) "
          f"{'OK' if rate >= 500 else 'LOW'}  [emulator: {closing[0]}]")  # fmt: skip
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS (bot side): {peak_mb:.0f} MB (target < 150 MB) "
          f"{'OK' if peak_mb < 150 else 'HIGH'}")  # fmt: skip


if __name__ == "__main__":
    main()
