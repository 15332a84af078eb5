"""``trygghetsbot run``: the real bot, long polling by default or behind a webhook."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from urllib.parse import urlsplit

from telegram import Bot, Update

from bot.app import build_application
from bot.cli_common import UsageError
from bot.logging_setup import configure_logging, quiet_telegram
from bot.settings import Settings, webhook_secret_ok
from bot.webhook import WebhookConfig, run_webhook
from storage.db import Database, SchemaTooNewError

log = logging.getLogger("trygghetsbot")

NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set, so the real bot cannot start.\n"
    "Put it in the environment or in a .env file, or try the bot locally first with:\n"
    "    trygghetsbot sandbox"
)


def webhook_options(args: argparse.Namespace, settings: Settings) -> WebhookConfig | None:
    """How to serve the webhook (``bot.webhook``), or None for long polling.

    The server listens on the URL's path (``https://host/tg/hook`` → ``tg/hook``), so a
    reverse proxy can pass the path through unchanged; the secret comes from the flag, else
    from TRYGGHETSBOT_WEBHOOK_SECRET."""
    if not args.webhook_url:
        return None
    url = urlsplit(args.webhook_url)
    if url.scheme not in ("https", "http") or not url.hostname:
        raise UsageError(f"--webhook-url must be an https:// URL, not {args.webhook_url!r}")
    secret = args.webhook_secret or (
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    )
    if not secret:
        raise UsageError(
            "webhook mode needs a secret: set TRYGGHETSBOT_WEBHOOK_SECRET (environment or "
            ".env) or give --webhook-secret"
        )
    if not webhook_secret_ok(secret):
        raise UsageError("the webhook secret may only hold A-Z, a-z, 0-9, _ and - (1-256)")
    return WebhookConfig(
        listen=args.webhook_listen,
        port=args.webhook_port,
        url_path=url.path.strip("/"),
        url=args.webhook_url,
        secret=secret,
    )


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return 2
    webhook = webhook_options(args, settings)
    configure_logging()
    app = build_application(settings)
    asyncio.run(preflight(settings, settings.bot_token.get_secret_value()))
    try:
        if webhook is not None:
            run_webhook(app, webhook)
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
    with quiet_telegram():
        async with Bot(token, base_url=settings.api_base_url, base_file_url=settings.api_file_url):
            pass  # entering initialises the bot: getMe, which fails on a bad token or base path
