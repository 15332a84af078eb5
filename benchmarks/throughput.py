"""End-to-end throughput of the bot on the sandbox stack: ``python -m benchmarks.throughput``.

The real bot long-polls the loopback Bot API emulator (exactly as ``trygghetsbot sandbox``
runs it); simulated users talk to it concurrently. Residents ask questions, staff send
one-line reports and press "Save" on the confirmation card.

Each user is a closed loop: send, wait for the bot's first message or edit in that chat (the
latency we report), let the chat go quiet (a multi-message answer must not be mistaken for the
next reply), then send the next. With enough users the bot, which handles updates one at a
time, is the bottleneck, so messages per second measure the bot, not the simulation.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from telegram.warnings import PTBUserWarning

from bot.clock import ShiftedClock
from bot.sandbox.emulator import Emulator, SentMessage
from bot.sandbox.terminal import DEFAULT_NOW, running_sandbox
from bot.settings import Settings
from storage.records import Org

QUESTIONS = (
    "när är nästa tematräff",
    "vad gör polisen mot narkotika",
    "hur går det med medborgarlöftet",
    "finns det något möte i Kungsängen",
    "/events",
    "/next",
    "/progress",
    "when is the next theme meeting?",
)
REPORTS = (
    "tematräff på trygghetscenter igår, 23 deltagare",
    "synlighetsinsats i Bro centrum idag",
    "mobil dialog i Tibble igår med 12 personer",
    "föräldraföreläsning på gymnasiet igår, 40 föräldrar",
)
RESIDENT_BASE = 300_000
STAFF_BASE = 310_000
# A chat counts as quiet (its answer complete) after this long without a new message or edit.
QUIET = 0.05
REPLY_TIMEOUT = 10.0


class Inbox:
    """Timestamps of the bot's messages and edits per chat, fed by the emulator's listener."""

    def __init__(self) -> None:
        self.last: dict[int, float] = {}
        self.count: dict[int, int] = {}
        self._changed: dict[int, asyncio.Event] = {}

    def __call__(self, event: str, message: SentMessage) -> None:
        chat = message.chat_id
        self.last[chat] = time.perf_counter()
        self.count[chat] = self.count.get(chat, 0) + 1
        self._event(chat).set()

    def _event(self, chat: int) -> asyncio.Event:
        return self._changed.setdefault(chat, asyncio.Event())

    async def first_after(self, chat: int, seen: int) -> float:
        """When the bot first showed something in ``chat`` beyond the ``seen`` changes."""
        deadline = time.perf_counter() + REPLY_TIMEOUT
        while self.count.get(chat, 0) <= seen:
            event = self._event(chat)
            event.clear()
            await asyncio.wait_for(event.wait(), deadline - time.perf_counter())
        return self.last[chat]

    async def quiet(self, chat: int) -> None:
        while True:
            remaining = QUIET - (time.perf_counter() - self.last.get(chat, 0.0))
            if remaining <= 0:
                return
            event = self._event(chat)
            event.clear()
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: int = 0

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


async def exchange(
    emu: Emulator,
    inbox: Inbox,
    results: Results,
    kind: str,
    user_id: int,
    *,
    text: str | None = None,
    press: tuple[int, str] | None = None,
) -> None:
    """One user action and the time until the bot's first visible reaction to it."""
    seen = inbox.count.get(user_id, 0)
    started = time.perf_counter()
    if text is not None:
        await emu.user_sends(user_id, text, first_name=f"Bench {user_id}", language_code="sv")
    elif press is not None:
        await emu.user_presses(user_id, *press)
    try:
        replied = await inbox.first_after(user_id, seen)
    except TimeoutError:
        results.failures += 1
        return
    results.add(kind, replied - started)
    await inbox.quiet(user_id)


def save_button(emu: Emulator, user_id: int) -> tuple[int, str] | None:
    """The "Save" button of the newest confirmation card in the chat, if there is one."""
    for message in reversed(emu.sent_to(user_id)):
        for data in message.callback_data:
            if data.startswith("rep:save:"):
                return message.message_id, data
    return None


async def resident(
    emu: Emulator, inbox: Inbox, results: Results, user_id: int, count: int, offset: int
) -> None:
    for i in range(count):
        text = QUESTIONS[(offset + i) % len(QUESTIONS)]
        await exchange(emu, inbox, results, "question", user_id, text=text)


async def staff(
    emu: Emulator, inbox: Inbox, results: Results, user_id: int, count: int, offset: int
) -> None:
    for i in range(count):
        text = REPORTS[(offset + i) % len(REPORTS)]
        await exchange(emu, inbox, results, "report card", user_id, text=text)
        button = save_button(emu, user_id)
        if button is None:
            results.failures += 1
            continue
        await exchange(emu, inbox, results, "save press", user_id, press=button)


def split(total: int, parts: int) -> list[int]:
    """``total`` spread over ``parts`` as evenly as possible."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def table(results: Results, wall: float, messages: int, users: int) -> str:
    rows = [f"{'kind':<12} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"]
    everything: list[float] = []
    for kind, values in results.latencies.items():
        everything += values
        rows.append(_row(kind, values))
    rows.append(_row("all", everything))
    handled = sum(len(v) for v in results.latencies.values())
    rows += [
        "",
        f"{messages} messages + {handled - messages} button presses from {users} users "
        f"in {wall:.2f} s",
        f"throughput: {handled / wall:.1f} updates/s handled end to end "
        f"({messages / wall:.1f} messages/s)",
        f"failures (no reply within {REPLY_TIMEOUT:.0f} s): {results.failures}",
    ]
    return "\n".join(rows)


def _row(kind: str, values: Sequence[float]) -> str:
    if not values:
        return f"{kind:<12} {0:>6}"
    ms = [v * 1000 for v in values]
    return (
        f"{kind:<12} {len(ms):>6} {statistics.median(ms):>8.1f} "
        f"{percentile(ms, 0.95):>8.1f} {max(ms):>8.1f}"
    )


async def benchmark(total: int, residents: int, staff_count: int, report_share: float) -> int:
    reports = round(total * report_share)
    questions = total - reports
    results = Results()
    with tempfile.TemporaryDirectory(prefix="trygghetsbot-bench-") as tmp:
        settings = Settings(
            _env_file=None,
            db_path=Path(tmp) / "bench.sqlite3",
        )
        async with running_sandbox(settings, ShiftedClock(DEFAULT_NOW)) as (emu, app):
            services = app.bot_data.services
            now = services.clock.now()
            staff_ids = [STAFF_BASE + i for i in range(staff_count)]
            for user_id in staff_ids:
                await services.staff.upsert(
                    user_id, Org.MUNICIPALITY, f"Bench {user_id}", now, None
                )
            inbox = Inbox()
            emu.add_listener(inbox)
            # Unloaded service time first, one user and one message at a time: the baseline
            # that queueing under load adds to.
            baseline = Results()
            for text in QUESTIONS:
                await exchange(emu, inbox, baseline, text, RESIDENT_BASE - 1, text=text)
            for text in REPORTS:
                await exchange(emu, inbox, baseline, text, staff_ids[0], text=text)
                button = save_button(emu, staff_ids[0])
                if button is not None:
                    await exchange(emu, inbox, baseline, "(save press)", staff_ids[0], press=button)
            tasks = [
                resident(emu, inbox, results, RESIDENT_BASE + i, n, i)
                for i, n in enumerate(split(questions, residents))
            ] + [
                staff(emu, inbox, results, user_id, n, i)
                for i, (user_id, n) in enumerate(
                    zip(staff_ids, split(reports, staff_count), strict=True)
                )
            ]
            started = time.perf_counter()
            await asyncio.gather(*tasks)
            wall = time.perf_counter() - started
            emu.remove_listener(inbox)
    print("Trygghetsbot on the sandbox stack: real bot ↔ Bot API emulator over loopback HTTP")
    print("\nOne user at a time (ms until the first reply; save presses: median):")
    presses = baseline.latencies.pop("(save press)", [])
    for text, values in baseline.latencies.items():
        print(f"  {values[0] * 1000:7.1f}  {text}")
    if presses:
        print(f"  {statistics.median(presses) * 1000:7.1f}  (pressing Save on a report card)")
    print(f"\nUnder load, N={total}:")
    print(table(results, wall, total, residents + staff_count))
    return 1 if results.failures else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.throughput")
    parser.add_argument("-n", "--messages", type=int, default=300, help="messages to send")
    parser.add_argument("--residents", type=int, default=16, help="concurrent residents")
    parser.add_argument("--staff", type=int, default=4, help="concurrent staff members")
    parser.add_argument("--reports", type=float, default=0.3, help="share of staff reports")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        return asyncio.run(benchmark(args.messages, args.residents, args.staff, args.reports))


if __name__ == "__main__":
    sys.exit(main())
