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

By default everything runs in one process (the emulator needs the user side in-process), so
the emulator takes its share of the CPU in every round, for both bots alike; that share is the
same for both and pulls the ratio towards 1. With ``--separate`` the emulator and the simulated
residents run in a child process of their own (``--serve-residents``, driven over a pipe) and
only the bot under test runs here, so the CPU time this process spends per answered update is
the bot's own: the fairest comparison of the two bots' work, and the one the capacity figures
in docs/performance.md use. Each capacity round prints updates/s and CPU per update for both bots.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
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
from typing import cast

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot.app import SANDBOX_TOKEN
from bot.clock import ShiftedClock
from bot.sandbox.emulator import Emulator, SentMessage
from bot.sandbox.terminal import DEFAULT_NOW, running_sandbox
from bot.settings import Settings
from handlers.common import BotData
from storage.subscriptions import NewSubscription, SubscriptionRepo

QUESTION = "när är nästa tematräff"
# --varied: every question a text the bot has not seen (a wording plus a number), so the
# matcher's memo of known texts never helps and each update pays for matching in full.
WORDINGS = (
    "när är nästa tematräff",
    "när blir det tematräff igen",
    "nästa träff på trygghetscenter?",
    "when is the next theme meeting",
    "finns det nån tematräff snart",
    "vilken dag är tematräffen",
)


def question(varied: bool, user: int, n: int) -> str:
    return f"{WORDINGS[n % len(WORDINGS)]} {user % 1000}{n}" if varied else QUESTION


RESIDENT_BASE = 300_000
SUBSCRIBER_BASE = 700_000
TELEGRAM_RATE = 30.0
REPLY_TIMEOUT = 15.0
UNLIMITED = {"send_rate": 1e6, "chat_send_rate": 1e6}
_HERE = Path(__file__).resolve()


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
    emu: Emulator,
    users: int,
    per_user: int,
    think: float = 0.0,
    base: int = RESIDENT_BASE,
    varied: bool = False,
) -> Round:
    inbox = Inbox()
    emu.add_listener(inbox)
    result = Round()

    async def one(user: int) -> None:
        for n in range(per_user):
            seen = inbox.count.get(user, 0)
            started = time.perf_counter()
            text = question(varied, user, n)
            await emu.user_sends(user, text, first_name="Bench", language_code="sv")
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
async def trygghetsbot(emu: Emulator, tmp: Path, name: str, limits: bool) -> AsyncIterator[BotData]:
    settings = Settings(_env_file=None, db_path=tmp / f"{name}.sqlite3")  # type: ignore[call-arg]
    if not limits:
        settings = settings.model_copy(update=UNLIMITED)
    async with running_sandbox(
        settings, ShiftedClock(DEFAULT_NOW), emulator=emu, rate_limit=True
    ) as (_, app):
        yield app.bot_data  # the services exactly as build_application wired them


class RemoteResidents:
    """The emulator and the residents in a child process (``--serve-residents``): the bots
    here only see its loopback address, exactly as they see an in-process emulator's."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self._process = process
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.base_file_url = f"http://127.0.0.1:{port}/file/bot"

    @classmethod
    @asynccontextmanager
    async def started(cls) -> AsyncIterator[RemoteResidents]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(_HERE),
            "--serve-residents",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(_HERE.parents[1])},
        )
        assert process.stdout is not None and process.stdin is not None
        line = (await process.stdout.readline()).decode()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the residents' process did not start: {line!r}")
        try:
            yield cls(process, int(line.split()[1]))
        finally:
            process.stdin.close()
            await process.wait()

    async def run(
        self, users: int, per_user: int, base: int, varied: bool = False
    ) -> tuple[Round, float]:
        """One round of closed-loop residents; also the child's CPU seconds for it."""
        assert self._process.stdin is not None and self._process.stdout is not None
        order = {"users": users, "per_user": per_user, "base": base, "varied": varied}
        self._process.stdin.write((json.dumps(order) + "\n").encode())
        await self._process.stdin.drain()
        answer = json.loads(await self._process.stdout.readline())
        result = Round(answer["latencies"], answer["answered_at"], answer["failures"])
        result.wall = answer["wall"]
        return result, float(answer["cpu"])


async def serve_residents() -> int:
    """The child side of ``--separate``: an emulator without send limits, and residents on
    order (one JSON line in, one JSON line out), until stdin closes."""
    emu = Emulator()
    await emu.start()
    emu.set_rate_limits(None, None)
    print(f"PORT {emu.port}", flush=True)
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            order = json.loads(line)
            cpu = time.process_time()
            result = await residents(
                emu,
                order["users"],
                order["per_user"],
                base=order["base"],
                varied=order.get("varied", False),
            )
            answer = {
                "latencies": result.latencies,
                "answered_at": result.answered_at,
                "failures": result.failures,
                "wall": result.wall,
                "cpu": time.process_time() - cpu,
            }
            print(json.dumps(answer), flush=True)
    finally:
        await emu.stop()
    return 0


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ms(values: Sequence[float], q: float) -> str:
    return f"{percentile(values, q) * 1000:.0f} ms" if values else "-"


async def processing(
    emu: Emulator,
    tmp: Path,
    rounds: int,
    users: int,
    per_user: int,
    separate: bool,
    only: str | None = None,
    varied: bool = False,
) -> None:
    emu.set_rate_limits(None, None)
    echo: list[float] = []
    ours: list[float] = []
    echo_cpu: list[float] = []
    ours_cpu: list[float] = []
    async with contextlib.AsyncExitStack() as stack:
        remote = await stack.enter_async_context(RemoteResidents.started()) if separate else None
        # The bots talk to whichever emulator by its address only.
        target = emu if remote is None else cast(Emulator, remote)

        async def measured(base: int) -> tuple[Round, float]:
            """A round and the CPU seconds this process spent per answered update."""
            cpu = time.process_time()
            if remote is None:
                result = await residents(emu, users, per_user, base=base, varied=varied)
            else:
                result, _child = await remote.run(users, per_user, base, varied)
            spent = time.process_time() - cpu
            return result, spent / max(1, len(result.latencies))

        for n in range(rounds):
            result, cpu = Round(wall=1.0), 1.0
            if only != "trygghetsbot":
                async with echo_bot(target):
                    result, cpu = await measured(RESIDENT_BASE + 10_000 * n)
            echo.append(result.rate)
            echo_cpu.append(cpu)
            mine, my_cpu = Round(wall=1.0), 1.0
            if only != "echo":
                async with trygghetsbot(target, tmp, f"capacity{n}", limits=False):
                    mine, my_cpu = await measured(RESIDENT_BASE + 10_000 * n + 5000)
            ours.append(mine.rate)
            ours_cpu.append(my_cpu)
            print(
                f"  round {n + 1}: echo {result.rate:6.1f}/s {cpu * 1000:4.2f} ms   "
                f"trygghetsbot {mine.rate:6.1f}/s {my_cpu * 1000:4.2f} ms   "
                f"ratio {ratio(mine.rate, result.rate):.2f}, CPU {ratio(cpu, my_cpu):.2f}   "
                f"(failures {result.failures}/{mine.failures})"
            )
    ratios = [ratio(o, e) for o, e in zip(ours, echo, strict=True)]
    cpu_ratios = [ratio(e, o) for e, o in zip(echo_cpu, ours_cpu, strict=True)]
    where = "the bot's process only" if separate else "whole process, emulator included"
    print(
        f"processing capacity, {users} users: echo {statistics.median(echo):.1f} updates/s, "
        f"trygghetsbot {statistics.median(ours):.1f} updates/s, "
        f"ratio {statistics.median(ratios):.2f} (range {min(ratios):.2f}–{max(ratios):.2f}; "
        f"median of {rounds} paired rounds; target ≥ 0.8)\n"
        f"CPU per update ({where}): echo {statistics.median(echo_cpu) * 1000:.2f} ms, "
        f"trygghetsbot {statistics.median(ours_cpu) * 1000:.2f} ms, echo/trygghetsbot "
        f"{statistics.median(cpu_ratios):.2f} (range {min(cpu_ratios):.2f}–"
        f"{max(cpu_ratios):.2f})"
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
    async with trygghetsbot(emu, tmp, "tipround", limits=True) as data:
        services = data.services
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
        queued = await data.features.tips.tick()
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
                await processing(
                    emu,
                    tmp,
                    args.rounds,
                    args.users,
                    args.per_user,
                    args.separate,
                    args.only,
                    args.varied,
                )
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
    parser.add_argument(
        "--separate",
        action="store_true",
        help="capacity: the emulator and the residents in a process of their own",
    )
    parser.add_argument(
        "--varied",
        action="store_true",
        help="capacity: every question a wording the bot has not seen (no memo hits)",
    )
    parser.add_argument(
        "--only",
        choices=("echo", "trygghetsbot"),
        help="capacity: run one of the two bots (for a profiler); no ratio then",
    )
    parser.add_argument("--serve-residents", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        if args.serve_residents:
            return asyncio.run(serve_residents())
        return asyncio.run(benchmark(args))


if __name__ == "__main__":
    sys.exit(main())
