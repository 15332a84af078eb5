"""Webhook mode: a small tornado server in front of the Application (PTB's custom-webhook
pattern: updates go into ``app.update_queue``, the webhook is set with ``set_webhook``).

PTB's own server (``Updater.start_webhook``) cannot be given a handler or a body limit: it
read any body whole (10 MB of valid JSON stalled the loop for seconds), answered a broken
body with HTTP 500 and an update it could not read with a CRITICAL line quoting it. Here:

- the path and the secret header are checked as PTB does (403 otherwise; the secret in
  constant time), and the content type must be JSON;
- a body over ``MAX_BODY`` is refused by tornado from its Content-Length (or as the chunks
  add up), with 400, before it is read, let alone parsed;
- a body that is not JSON, not UTF-8, empty, or not an update gets 400 and one INFO line
  with its size, never its content;
- an update PTB cannot read is confirmed (200, so Telegram does not send it again) and
  skipped by its id, as ``bot.transport.update_guard`` does for polling;
- an update is answered 200 once it is handled, not when it is queued: at a stop, no new
  handler starts, those running get ``HANDLER_GRACE`` seconds, and every update not handled
  is answered 503, which makes Telegram send it again after the restart.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import signal
from dataclasses import dataclass
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import ExtBot
from tornado.httpserver import HTTPServer
from tornado.web import HTTPError

from bot.app import BotApp, serving
from handlers.updates import HANDLER_GRACE, ChatOrderedProcessor

log = logging.getLogger("trygghetsbot.webhook")

# Telegram's updates are a few kilobytes (a 4096-character text with entities, a poll);
# a megabyte leaves room for any of them and parses in milliseconds.
MAX_BODY = 1 << 20
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram is answered once the update is handled (a few milliseconds, as a rule), so that a
# stop can answer what it did not handle with 503 and Telegram sends it again. An update
# still running after HOLD seconds is confirmed all the same.
HOLD = 20.0


@dataclass(frozen=True)
class WebhookConfig:
    listen: str
    port: int
    url_path: str  # without slashes: "tg/hook" for https://host/tg/hook
    url: str  # what Telegram is told to post to
    secret: str


class UpdateReceiver(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, app: BotApp, secret: str) -> None:
        self.app = app
        self.secret = secret.encode()

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", 'application/json; charset="utf-8"')

    async def post(self) -> None:
        headers = self.request.headers
        if headers.get("Content-Type") != "application/json":
            raise HTTPError(403)
        token = headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(token, self.secret):
            raise HTTPError(403)
        body = self.request.body
        try:
            # From bytes: invalid UTF-8 raises UnicodeDecodeError, a ValueError.
            data: Any = json.loads(body)
        except (ValueError, RecursionError) as exc:
            log.info("webhook: refused a body of %d bytes: not JSON (%s)", len(body), _kind(exc))
            raise HTTPError(400) from None
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log.info("webhook: refused a body of %d bytes: not an update", len(body))
            raise HTTPError(400)
        try:
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:
            # The id only: the rest of the update may hold message texts and names.
            log.warning(
                "skipped update %d: this python-telegram-bot cannot read it (%s)",
                update_id,
                type(exc).__name__,
            )
            return
        if isinstance(self.app.bot, ExtBot):
            self.app.bot.insert_callback_data(update)
        processor = self.app.update_processor
        if not isinstance(processor, ChatOrderedProcessor):
            await self.app.update_queue.put(update)
            return
        if processor.stopping:
            raise HTTPError(503)  # Telegram sends it again, to the next run
        outcome = processor.watch(update.update_id)
        await self.app.update_queue.put(update)
        try:
            handled = await asyncio.wait_for(asyncio.shield(outcome), HOLD)
        except TimeoutError:
            return  # still running: confirmed, it finishes here
        if not handled:
            raise HTTPError(503)  # dropped or cut off by a stop: Telegram sends it again


def _kind(exc: BaseException) -> str:
    return "not UTF-8" if isinstance(exc, UnicodeDecodeError) else type(exc).__name__


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """No access log: a request line is noise, and 4xx answers would be WARNINGs."""


def make_server(app: BotApp, config: WebhookConfig) -> HTTPServer:
    path = "/" + config.url_path.strip("/")
    routes = [
        (rf"{re.escape(path.rstrip('/'))}/?", UpdateReceiver, {"app": app, "secret": config.secret})
    ]
    web = tornado.web.Application(routes, log_function=_quiet)
    return HTTPServer(web, max_body_size=MAX_BODY)


async def serve_webhook(
    app: BotApp,
    config: WebhookConfig,
    stop: asyncio.Event,
    started: asyncio.Event | None = None,
) -> None:
    """Run ``app`` behind the webhook until ``stop`` is set (PTB's ``run_webhook`` order:
    start-up hooks, server, ``set_webhook``, then the update queue); ``started`` is set once
    all of that is done."""
    async with serving(app):
        server = make_server(app, config)
        server.listen(config.port, address=config.listen)
        try:
            await app.bot.set_webhook(
                url=config.url, secret_token=config.secret, allowed_updates=Update.ALL_TYPES
            )
            await app.start()
            if started is not None:
                started.set()
            try:
                await stop.wait()
                await _stop_handling(app, server)
            finally:
                await app.stop()
        finally:
            server.stop()
            await asyncio.sleep(0)  # the receivers answer (503) before the connections close
            await server.close_all_connections()


async def _stop_handling(app: BotApp, server: HTTPServer) -> None:
    """No new connection; no handler starts; those running get ``HANDLER_GRACE``. Every
    update not handled is answered 503 (``UpdateReceiver``) once ``app.stop`` has dropped
    what PTB still queued, so Telegram sends it again."""
    server.stop()
    processor = app.update_processor
    if isinstance(processor, ChatOrderedProcessor):
        processor.stop_starting()
        cancelled = await processor.drain(HANDLER_GRACE)
        log.info("stopping: %d handler(s) cut off, left for Telegram to send again", cancelled)


def run_webhook(app: BotApp, config: WebhookConfig) -> None:
    """``trygghetsbot run --webhook-url …``: serve until SIGINT, SIGTERM or SIGABRT."""

    async def until_signal() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGABRT):
            loop.add_signal_handler(sig, stop.set)
        await serve_webhook(app, config, stop)

    asyncio.run(until_signal())
