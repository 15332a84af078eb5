"""Throughput side by side: ``python benchmarks/throughput.py``.

A bare python-telegram-bot echo bot (same PTB version, default settings) and Trygghetsbot
(built by ``build_application``, exactly as ``trygghetsbot sandbox`` runs it) long-poll the
same loopback Bot API emulator, in alternating rounds of the same run. Simulated residents are
closed loops: send "när är nästa tematräff" (Trygghetsbot reads the database to answer), wait
for the reply, send the next. Three figures:

1. **processing capacity** — every send limit off (the emulator's and the bot's): updates/s
   for both bots and the ratio (target ≥ 0.8× the echo bot);
2. **as shipped** — the emulator enforces Telegram's flood limits (30/s, 1/s per chat) and the
   bot runs with its send budget: the share of the budget it sustains (target ≥ 0.95), p50/p95
   latency at 50 concurrent users, and the number of 429s (target 0);
3. **replies during a tip round** — 10 000 subscribers' tips are being sent by the outbox
   while residents ask (each at most one question per ~1.5 s, as people do): reply latency
   p50/p95 (target p95 < 1 s) and the tips sent meanwhile.

Everything runs in one process (the emulator needs the user side in-process), so the emulator
takes its share of the CPU in every round, for both bots alike.
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
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot.app import SANDBOX_TOKEN
from bot.clock import ShiftedClock
from bot.sandbox.emulator import Emulator, SentMessage
from bot.sandbox.terminal import DEFAULT_NOW, running_sandbox
from bot.services import Services
from bot.services.tips_service import TipService
from bot.settings import Settings
from storage.subscriptions import NewSubscription, SubscriptionRepo

QUESTION = "när är nästa tematräff"
RESIDENT_BASE = 300_000
SUBSCRIBER_BASE = 700_000
TELEGRAM_RATE = 30.0
REPLY_TIMEOUT = 15.0
UNLIMITED = {"send_rate": 1e6, "chat_send_rate": 1e6}


class Inbox:
    """When the bot's messages arrive, per chat, fed by the emulator's listener."""

    def __init__(self) -> None:
        self.count: dict[int, int] = {}
        self._changed: dict[int, asyncio.Event] = {}

    def __call__(self, event: str, message: SentMessage) -> None:
        if event != "sent":
            return
        chat = message.chat_id
        self.count[chat] = self.count.get(chat, 0) + 1
        waiting = self._changed.get(chat)
        if waiting is not None:
            waiting.set()

    async def after(self, chat: int, seen: int) -> None:
        waiting = self._changed.setdefault(chat, asyncio.Event())
        async with asyncio.timeout(REPLY_TIMEOUT):
            while self.count.get(chat, 0) <= seen:
                waiting.clear()
                await waiting.wait()


@dataclass
class Round:
    latencies: list[float] = field(default_factory=list)
    answered_at: list[float] = field(default_factory=list)
    failures: int = 0
    wall: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    @property
    def sustained(self) -> float:
        """Replies per second between the 10th and the 90th percentile of answer times: the
        steady state, without the start (users still arriving) and the tail (leaving)."""
        times = sorted(self.answered_at)
        first, last = round(0.1 * (len(times) - 1)), round(0.9 * (len(times) - 1))
        span = times[last] - times[first]
        return (last - first) / span if span > 0 else 0.0


async def residents(
    emu: Emulator, users: int, per_user: int, think: float = 0.0, base: int = RESIDENT_BASE
) -> Round:
    inbox = Inbox()
    emu.add_listener(inbox)
    result = Round()

    async def one(user: int) -> None:
        for _ in range(per_user):
            seen = inbox.count.get(user, 0)
            started = time.perf_counter()
            await emu.user_sends(user, QUESTION, first_name="Bench", language_code="sv")
            try:
                await inbox.after(user, seen)
            except TimeoutError:
                result.failures += 1
                continue
            answered = time.perf_counter()
            result.latencies.append(answered - started)
            result.answered_at.append(answered)
            if think:
                await asyncio.sleep(think)

    started = time.perf_counter()
    await asyncio.gather(*(one(base + n) for n in range(users)))
    result.wall = time.perf_counter() - started
    emu.remove_listener(inbox)
    return result


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


@asynccontextmanager
async def echo_bot(emu: Emulator) -> AsyncIterator[None]:
    """The yardstick: PTB with its default settings, one handler that echoes the text."""
    app = (
        ApplicationBuilder()
        .token(SANDBOX_TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    async with app:
        assert app.updater is not None
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield
        finally:
            await app.updater.stop()
            await app.stop()


@asynccontextmanager
async def trygghetsbot(
    emu: Emulator, tmp: Path, name: str, limits: bool
) -> AsyncIterator[Services]:
    settings = Settings(_env_file=None, db_path=tmp / f"{name}.sqlite3")  # type: ignore[call-arg]
    if not limits:
        settings = settings.model_copy(update=UNLIMITED)
    async with running_sandbox(
        settings, ShiftedClock(DEFAULT_NOW), emulator=emu, rate_limit=True
    ) as (_, app):
        yield app.bot_data.services


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ms(values: Sequence[float], q: float) -> str:
    return f"{percentile(values, q) * 1000:.0f} ms" if values else "-"


async def processing(emu: Emulator, tmp: Path, rounds: int, users: int, per_user: int) -> None:
    emu.set_rate_limits(None, None)
    echo: list[float] = []
    ours: list[float] = []
    for n in range(rounds):
        async with echo_bot(emu):
            result = await residents(emu, users, per_user, base=RESIDENT_BASE + 10_000 * n)
        echo.append(result.rate)
        async with trygghetsbot(emu, tmp, f"capacity{n}", limits=False):
            mine = await residents(emu, users, per_user, base=RESIDENT_BASE + 10_000 * n + 5000)
        ours.append(mine.rate)
        print(
            f"  round {n + 1}: echo {result.rate:6.1f}/s   trygghetsbot {mine.rate:6.1f}/s   "
            f"ratio {mine.rate / result.rate:.2f}   (failures {result.failures}/{mine.failures})"
        )
    ratios = [o / e for o, e in zip(ours, echo, strict=True)]
    print(
        f"processing capacity, {users} users: echo {statistics.median(echo):.1f} updates/s, "
        f"trygghetsbot {statistics.median(ours):.1f} updates/s, "
        f"ratio {statistics.median(ratios):.2f} (median of {rounds} paired rounds; "
        "target ≥ 0.8)"
    )


async def as_shipped(emu: Emulator, tmp: Path, users: int, per_user: int) -> None:
    emu.set_rate_limits(TELEGRAM_RATE, 1)
    before = emu.rejected_429
    async with trygghetsbot(emu, tmp, "shipped", limits=True):
        result = await residents(emu, users, per_user, base=RESIDENT_BASE + 90_000)
    rejected = emu.rejected_429 - before
    print(
        f"as shipped, {users} users: {result.sustained:.1f} replies/s sustained = "
        f"{result.sustained / TELEGRAM_RATE:.2f} of the {TELEGRAM_RATE:.0f}/s budget "
        f"(target ≥ 0.95), p50 {ms(result.latencies, 0.5)}, p95 {ms(result.latencies, 0.95)}, "
        f"{rejected} × 429 (target 0), failures {result.failures}"
    )


async def during_tip_round(emu: Emulator, tmp: Path, subscribers: int, users: int) -> None:
    emu.set_rate_limits(TELEGRAM_RATE, 1)
    before_429 = emu.rejected_429
    async with trygghetsbot(emu, tmp, "tipround", limits=True) as services:
        now = services.clock.now()
        await SubscriptionRepo(services.db).upsert_many(
            [
                NewSubscription(
                    chat, "sv", "weekly", now.weekday(), "morning", now - timedelta(seconds=1)
                )
                for chat in range(SUBSCRIBER_BASE, SUBSCRIBER_BASE + subscribers)
            ],
            now,
        )
        queued = await TipService(services).tick()
        await asyncio.sleep(2)  # the sender is under way
        started = time.perf_counter()
        result = await residents(emu, users, 8, think=1.5, base=RESIDENT_BASE + 95_000)
        wall = time.perf_counter() - started
        row = await services.db.fetchone(
            "SELECT COUNT(*) FROM deliveries WHERE kind = 'tip' AND status = 'sent'"
        )
    tips = int(row[0]) if row else 0
    print(
        f"replies while a {queued}-subscriber tip round sends ({users} residents, "
        f"{len(result.latencies)} questions in {wall:.0f} s): p50 {ms(result.latencies, 0.5)}, "
        f"p95 {ms(result.latencies, 0.95)} (target < 1 s); {tips} tips sent meanwhile "
        f"(the outbox uses what replies leave); {emu.rejected_429 - before_429} × 429; "
        f"failures {result.failures}"
    )


async def benchmark(args: argparse.Namespace) -> int:
    emu = Emulator()
    await emu.start()
    try:
        with tempfile.TemporaryDirectory(prefix="trygghetsbot-bench-") as name:
            tmp = Path(name)
            print("Trygghetsbot vs a bare PTB echo bot, same emulator over loopback HTTP")
            if "capacity" in args.modes:
                await processing(emu, tmp, args.rounds, args.users, args.per_user)
            if "shipped" in args.modes:
                await as_shipped(emu, tmp, 50, args.shipped_per_user)
            if "tipround" in args.modes:
                await during_tip_round(emu, tmp, args.subscribers, args.tip_users)
    finally:
        await emu.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/throughput.py")
    parser.add_argument("--modes", default="capacity,shipped,tipround")
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds (capacity)")
    parser.add_argument("--users", type=int, default=32, help="concurrent users (capacity)")
    parser.add_argument("--per-user", type=int, default=20, help="questions per user")
    parser.add_argument("--shipped-per-user", type=int, default=8)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--tip-users", type=int, default=10)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        return asyncio.run(benchmark(args))


if __name__ == "__main__":
    sys.exit(main())
