"""What the command line needs from Telegram itself, kept out of the ``cli*`` modules so they
stay free of the Telegram library: the bot's username (for invite links), who has written to
the bot (to find the admins' user ids) and one line plus an exit code for a failure that
ended a command."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.cli.common import (
    EXIT_CONFIG,
    EXIT_DATABASE,
    EXIT_NETWORK,
    EXIT_TELEGRAM,
    EXIT_UNEXPECTED,
)
from bot.domain.promise import PromiseError
from bot.logging_setup import mask_tokens, quiet_telegram
from bot.settings import Settings, UsageError
from storage.db import SchemaTooNewError


async def bot_username(settings: Settings) -> str:
    """Ask Telegram for the bot's @username (getMe, with the configured token and API base)."""
    if settings.bot_token is None:
        raise UsageError(
            "the link needs the bot's username: set TELEGRAM_BOT_TOKEN (the bot's name is then "
            "asked from Telegram), or give it with --bot-username NAME (the name @BotFather "
            "gave the bot, without the @)"
        )
    with quiet_telegram():  # a failure is reported by bot.cli.main in one line
        async with Bot(
            settings.bot_token.get_secret_value(), base_url=settings.api_base_url
        ) as bot:
            return bot.username


@dataclass(frozen=True)
class Sender:
    """Someone who wrote to the bot: what an operator needs to recognise them."""

    user_id: int
    name: str
    username: str | None


async def recent_senders(settings: Settings) -> tuple[str, list[Sender]]:
    """The bot's username and everyone whose message is still waiting at Telegram (it keeps
    them 24 hours until a bot reads them), in the order they wrote. Nothing is confirmed, so
    the bot still gets every message when it starts."""
    if settings.bot_token is None:
        raise UsageError("set TELEGRAM_BOT_TOKEN first: the list comes from Telegram")
    with quiet_telegram():
        async with Bot(
            settings.bot_token.get_secret_value(), base_url=settings.api_base_url
        ) as bot:
            updates = await bot.get_updates(timeout=0)
            username = bot.username
    seen: dict[int, Sender] = {}
    for update in updates:
        person = update.effective_user
        if person is not None and not person.is_bot and person.id not in seen:
            seen[person.id] = Sender(person.id, person.full_name, person.username)
    return username, list(seen.values())


def explain_failure(exc: BaseException, settings: Settings | None) -> tuple[str, int]:
    """One line for the operator, and an exit code, for an error that ended a command.

    Never a traceback and never the token: Telegram's own messages quote it, so only our
    words and masked text are printed."""
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
