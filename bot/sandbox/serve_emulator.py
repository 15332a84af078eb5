"""Run the Bot API emulator on its own, in a separate process: ``python -m
bot.sandbox.serve_emulator [--rate 30] [--per-chat 1]``. It prints ``PORT <n>`` once
listening and stops on end of input; on stop it prints ``SENT <n> REJECTED429 <n>``.

Benchmarks use it so the bot and the fake Telegram do not share one CPU core."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.sandbox.emulator import Emulator


async def serve(rate: float | None, per_chat: float | None) -> None:
    emu = Emulator()
    await emu.start()
    emu.set_rate_limits(rate, per_chat)
    print(f"PORT {emu.port}", flush=True)
    try:
        await asyncio.to_thread(sys.stdin.read)
    finally:
        print(f"SENT {emu.sent_count} REJECTED429 {emu.rejected_429}", flush=True)
        await emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, help="global sends per second before 429")
    parser.add_argument("--per-chat", type=float, help="sends per second per chat before 429")
    args = parser.parse_args()
    asyncio.run(serve(args.rate, args.per_chat))


if __name__ == "__main__":
    main()
