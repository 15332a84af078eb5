"""What the data subcommands share: open the configured database as ``Services``."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, time

from bot.clock import FrozenClock, make_clock
from bot.logging_setup import mask_tokens
from bot.promise import PromiseError, load_promise
from bot.services import Services
from bot.settings import Settings
from storage.db import Database, SchemaTooNewError

# Exit codes for start-up failures (operators' scripts and systemd may tell them apart).
EXIT_CONFIG = 2  # settings, promise file, flags
EXIT_DATABASE = 3  # database unusable or written by a newer version
EXIT_TELEGRAM = 4  # Telegram rejected the token, or the API base path is wrong
EXIT_NETWORK = 5  # the Bot API cannot be reached
EXIT_UNEXPECTED = 1


class UsageError(Exception):
    """A command was called without what it needs; the message says what to give."""


@asynccontextmanager
async def open_services(settings: Settings, today: date | None = None) -> AsyncIterator[Services]:
    """Services on the configured database; ``today`` pins the clock (noon that day)."""
    promise = load_promise(settings.promise_file)
    if today is not None:
        clock = FrozenClock(datetime.combine(today, time(12, 0), tzinfo=settings.tz), settings.tz)
    else:
        clock = make_clock(settings.now, settings.tz)  # type: ignore[assignment]
    async with Database(settings.db_path) as db:
        yield Services(settings, clock, promise, db)


def explain_failure(exc: BaseException, settings: Settings | None) -> tuple[str, int]:
    """One line for the operator, and an exit code, for an error that ended a command.

    Never a traceback and never the token: Telegram's own messages quote it, so only our
    words and masked text are printed."""
    from telegram.error import InvalidToken, NetworkError, TelegramError

    api = mask_tokens(settings.api_base_url) if settings is not None else "the Bot API"
    if isinstance(exc, UsageError):
        return str(exc), EXIT_CONFIG
    if isinstance(exc, PromiseError):
        shown = "; ".join(exc.problems[:3])
        more = f" (+{len(exc.problems) - 3} more)" if len(exc.problems) > 3 else ""
        return (
            f"The promise file {exc.source} cannot be used: {shown}{more}. "
            "See every problem with: trygghetsbot check-promise FILE",
            EXIT_CONFIG,
        )
    if isinstance(exc, SchemaTooNewError):
        return str(exc), EXIT_DATABASE
    if isinstance(exc, sqlite3.Error | OSError) and settings is not None:
        reason = mask_tokens(str(exc)) or type(exc).__name__
        return f"The database {settings.db_path} cannot be used: {reason}", EXIT_DATABASE
    if isinstance(exc, InvalidToken):
        return (
            "Telegram rejected the bot token (HTTP 401/404): check TELEGRAM_BOT_TOKEN (revoked? "
            f"ask @BotFather for the current one) and TELEGRAM_API_BASE_URL (now {api}).",
            EXIT_TELEGRAM,
        )
    if isinstance(exc, NetworkError):  # includes TimedOut
        return (
            f"Cannot reach the Telegram Bot API at {api} ({type(exc).__name__}): check the "
            "network, a proxy or firewall, and TELEGRAM_API_BASE_URL.",
            EXIT_NETWORK,
        )
    if isinstance(exc, TelegramError):
        return f"Telegram refused: {mask_tokens(exc.message)[:200]}", EXIT_TELEGRAM
    reason = mask_tokens(str(exc)).splitlines()[0][:200] if str(exc) else ""
    return f"Failed: {type(exc).__name__}: {reason}".rstrip(": "), EXIT_UNEXPECTED
