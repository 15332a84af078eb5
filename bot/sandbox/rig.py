"""A broadcast rig for tests and benchmarks: the emulator, a real ``telegram.ext.ExtBot``
talking to it over loopback HTTP, services on a temporary database and N tip subscribers.

It exercises exactly what runs in production (TipService queues the round, DeliveryService
sends it through ``handlers.delivery.telegram_send``); only Telegram is replaced."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.app import SANDBOX_TOKEN
from bot.clock import Clock
from bot.domain.promise import load_promise
from bot.sandbox.emulator import Emulator
from bot.services import Services
from bot.services.delivery import DeliveryService, Send
from bot.services.tips_service import TipService
from bot.services.wiring import Features, build_features, outbox_sender
from bot.settings import Settings
from handlers.delivery import telegram_send
from handlers.sending import BudgetRateLimiter
from storage.db import Database
from storage.subscriptions import NewSubscription, SubscriptionRepo

FIRST_CHAT = 500_000


@dataclass
class Rig:
    emu: Emulator | None  # None when the emulator runs in another process
    services: Services
    bot: ExtBot[None]
    features: Features  # built by the same factory as the bot's
    subscribers: list[int]

    @property
    def tips(self) -> TipService:
        return self.features.tips

    def send(self) -> Send:
        return telegram_send(self.bot)

    def engine(self, per_second: float | None = None) -> DeliveryService:
        """The production sender (``per_second=None``: the bot's own budget), or a fresh one
        with a budget of its own."""
        if per_second is None:
            return self.features.delivery
        return outbox_sender(self.services, self.tips, per_second)


@asynccontextmanager
async def broadcast_rig(
    subscribers: int,
    clock: Clock,
    read_timeout: float = 5.0,
    pool: int = 4,
    base_url: str | None = None,
) -> AsyncIterator[Rig]:
    """``subscribers`` weekly subscribers whose tip is due now; an in-process emulator
    unless ``base_url`` points at one running elsewhere."""
    emu: Emulator | None = None
    if base_url is None:
        emu = Emulator()
        await emu.start()
        base_url = emu.base_url
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                _env_file=None,
                db_path=Path(tmp) / "rig.sqlite3",
                api_base_url=base_url,
            )
            request = HTTPXRequest(connection_pool_size=pool, read_timeout=read_timeout)
            async with Database(settings.db_path) as db:
                services = Services(settings, clock, load_promise(), db)
                # The production limiter: outbox requests pass it and only 429s stop there.
                bot: ExtBot[None] = ExtBot(
                    SANDBOX_TOKEN, base_url=base_url, request=request,
                    rate_limiter=BudgetRateLimiter(services.budget),  # type: ignore[arg-type]
                )  # fmt: skip
                await bot.initialize()
                subs = SubscriptionRepo(db)
                now = clock.now()
                chats = list(range(FIRST_CHAT, FIRST_CHAT + subscribers))
                due = now - timedelta(seconds=1)
                await subs.upsert_many(
                    [
                        NewSubscription(chat, "sv" if chat % 4 else "en", "weekly",
                                        now.weekday(), "morning", due)
                        for chat in chats
                    ],
                    now,
                )  # fmt: skip
                try:
                    yield Rig(emu, services, bot, build_features(services), chats)
                finally:
                    await bot.shutdown()
    finally:
        if emu is not None:
            await emu.stop()
