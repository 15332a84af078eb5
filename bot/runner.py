"""``trygghetsbot run``: the real bot, long polling by default or behind a webhook."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from urllib.parse import urlsplit

from telegram import Bot, Update

from bot.app import BotApp, build_application, serving
from bot.logging_setup import configure_logging, quiet_telegram
from bot.settings import Settings, UsageError, webhook_secret_ok
from bot.transport.outage import polling_error
from bot.webhook import WebhookConfig, run_webhook
from handlers.updates import HANDLER_GRACE, ChatOrderedProcessor
from storage.db import Database, SchemaTooNewError
from storage.handled_updates import HandledUpdatesRepo

log = logging.getLogger("trygghetsbot")

# Seconds from SIGTERM/SIGINT to exit. Handlers already running get HANDLER_GRACE of it; the
# rest is for the jobs, the last getUpdates and the database. deploy/trygghetsbot.service sets
# TimeoutStopSec a little above STOP_BOUND, so systemd never kills a stop that keeps to it.
STOP_BOUND = 10.0

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
            run_webhook(app, webhook)  # a stop answers what it did not handle with 503
        else:
            asyncio.run(poll_until_stopped(app))
    except SchemaTooNewError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    return 0


async def preflight(settings: Settings, token: str) -> None:
    """Open the database (migrations run here) and ask Telegram who we are, before PTB does.

    PTB's own start-up logs a failure with a traceback that quotes the token; these plain
    calls raise quietly, and ``bot.cli.main`` turns the error into one line and an exit code."""
    async with Database(settings.db_path):
        pass
    with quiet_telegram():
        async with Bot(token, base_url=settings.api_base_url, base_file_url=settings.api_file_url):
            pass  # entering initialises the bot: getMe, which fails on a bad token or base path


async def poll_until_stopped(app: BotApp) -> None:
    """Long polling until SIGTERM or SIGINT, then a bounded stop that loses no update.

    Instead of PTB's ``run_polling``, whose stop first confirms every fetched update to
    Telegram (the Updater's last ``getUpdates`` with ``offset`` = last id + 1) and then waits
    for all of them to be handled, however many: 122 s for 120 queued updates, and an update
    still queued when systemd kills it was lost.

    While running, the ``getUpdates`` wrapper confirms a batch only once it is handled
    (``bot.transport.update_guard``). At the signal: fetching stops (PTB's Updater is stopped; its
    last
    ``getUpdates`` is answered empty, unsent); no further handler starts, and the updates
    waiting are dropped from PTB's queue unhandled; the handlers already running get
    ``HANDLER_GRACE`` seconds and are then cancelled; PTB's Application stops (its jobs
    finish); one ``getUpdates`` confirms the offset below the first unhandled update, so
    Telegram delivers every unhandled one again to the next run; and the ids handled above
    that offset are saved, for the next run to skip instead of answering twice.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    processor = app.update_processor
    if not isinstance(processor, ChatOrderedProcessor) or app.updater is None:
        raise TypeError("poll_until_stopped needs the app from build_application")
    ledger = processor.ledger
    async with serving(app):
        handled_before = HandledUpdatesRepo(app.bot_data.services.db)
        ledger.skip(await handled_before.load())
        if stop.is_set():  # the signal came during start-up
            return
        await app.updater.start_polling(
            allowed_updates=Update.ALL_TYPES, error_callback=polling_error
        )
        await app.start()
        await stop.wait()
        started = time.monotonic()
        log.info("stopping: no more updates are fetched")
        ledger.stopping = True
        processor.stop_starting()
        await app.updater.stop()
        cancelled = await processor.drain(HANDLER_GRACE - (time.monotonic() - started))
        await app.stop()
        ledger.final = True
        offset = ledger.safe_offset()
        if offset:
            try:
                await app.bot.get_updates(offset=offset, limit=1, timeout=0)
            except Exception as exc:  # Telegram sends more again: those are skipped below
                log.warning("could not confirm the handled updates: %s", type(exc).__name__)
        ahead = ledger.ahead()
        await handled_before.replace(ahead)
        log.info(
            "stopped in %.1f s: %d update(s) left for the next start, %d handler(s) cut off, "
            "%d handled ahead of the offset",
            time.monotonic() - started,
            ledger.unhandled,
            cancelled,
            len(ahead),
        )
