"""``trygghetsbot run``: the real bot, long polling by default or behind a webhook."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from telegram import Bot, Update

from bot.app import build_application
from bot.logging_setup import configure_logging
from bot.settings import Settings
from storage.db import Database, SchemaTooNewError

log = logging.getLogger("trygghetsbot")

NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set, so the real bot cannot start.\n"
    "Put it in the environment or in a .env file, or try the bot locally first with:\n"
    "    trygghetsbot sandbox"
)


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return 2
    if args.webhook_url and not args.webhook_secret:
        print(
            "Webhook mode needs --webhook-secret (Telegram sends it back in a header).",
            file=sys.stderr,
        )
        return 2
    configure_logging()
    app = build_application(settings)
    asyncio.run(preflight(settings, settings.bot_token.get_secret_value()))
    try:
        if args.webhook_url:
            app.run_webhook(
                listen=args.webhook_listen,
                port=args.webhook_port,
                webhook_url=args.webhook_url,
                secret_token=args.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
    except SchemaTooNewError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    return 0


async def preflight(settings: Settings, token: str) -> None:
    """Open the database (migrations run here) and ask Telegram who we are, before PTB does.

    PTB's own start-up logs a failure with a traceback that quotes the token; these plain
    calls raise quietly, and ``bot.cli`` turns the error into one line and an exit code."""
    async with Database(settings.db_path):
        pass
    # PTB logs an unreadable answer (a proxy's HTML 404 page, say) with a traceback of its own;
    # here the exception itself is all we need.
    quiet = logging.getLogger("telegram")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL + 1)
    try:
        async with Bot(token, base_url=settings.api_base_url, base_file_url=settings.api_file_url):
            pass  # entering initialises the bot: getMe, which fails on a bad token or base path
    finally:
        quiet.setLevel(level)
