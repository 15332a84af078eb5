"""What the data subcommands share: open the configured database as ``Services``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, time

from bot.clock import Clock, FrozenClock, make_clock
from bot.domain.promise import load_promise
from bot.services import Services
from bot.settings import Settings
from storage.db import Database

# Exit codes for start-up failures (operators' scripts and systemd may tell them apart).
EXIT_CONFIG = 2  # settings, promise file, flags
EXIT_DATABASE = 3  # database unusable or written by a newer version
EXIT_TELEGRAM = 4  # Telegram rejected the token, or the API base path is wrong
EXIT_NETWORK = 5  # the Bot API cannot be reached
EXIT_UNEXPECTED = 1


@asynccontextmanager
async def open_services(settings: Settings, today: date | None = None) -> AsyncIterator[Services]:
    """Services on the configured database; ``today`` pins the clock (noon that day)."""
    promise = load_promise(settings.promise_file)
    clock: Clock = (
        FrozenClock(datetime.combine(today, time(12, 0), tzinfo=settings.tz), settings.tz)
        if today is not None
        else make_clock(settings.now, settings.tz)
    )
    async with Database(settings.db_path) as db:
        yield Services(settings, clock, promise, db)
