"""The composition root: the one place that knows settings, storage, domain and Telegram.

``build_application`` is used by ``trygghetsbot run``, by the sandbox and by the tests alike.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot.clock import Clock, make_clock
from bot.domain.promise import Promise
from bot.domain.promise_set import PromiseSet, load_promise_set
from bot.language import classifier, language_id
from bot.services import Services
from bot.services.wiring import build_features
from bot.settings import Settings
from bot.transport.offsets import OffsetLedger
from bot.transport.outage import OutageWatch, WatchedRequest
from bot.transport.update_guard import GuardedApplication, UpdateGuard
from handlers import STARTUP, register
from handlers.common import BotContext, BotData, ChatData, UserData
from handlers.menus import publish_default_menus
from handlers.sending import BudgetRateLimiter
from handlers.updates import ChatOrderedProcessor
from storage.db import Database

log = logging.getLogger(__name__)

BotApp = Application[Any, BotContext, Any, Any, BotData, Any]

# Placeholder token for the sandbox and tests: well-formed, never valid at Telegram.
SANDBOX_TOKEN = "123456:sandbox-token-not-valid-at-telegram"


# Connections to the Bot API for everything but getUpdates. Every request makes httpx's pool
# look over all its connections, at a cost that grows with the square of their number, and
# 32 updates in parallel kept 15-25 open (PTB's default allows 256): about 0.4 ms more CPU
# per update than with 8. Eight carry the send budget (30/s) while Telegram answers within
# a quarter of a second, with the outbox's 4 workers alongside; a request that finds them
# all busy waits for one instead of failing after PTB's default 1 s.
CONNECTIONS = 8
CONNECTION_WAIT = 10.0


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    promise: Promise | None = None,
    promises: PromiseSet | None = None,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
    token: str | None = None,
) -> BotApp:
    clock = clock or make_clock(settings.now, settings.tz)
    if promises is None:
        promises = (
            PromiseSet.single(promise)
            if promise is not None
            else load_promise_set(settings.promises, settings.promise_file, settings.municipality)
        )
    promise = promise or promises.home_promise(clock.now().date())
    secret = token or (settings.bot_token.get_secret_value() if settings.bot_token else None)
    if not secret:
        raise ValueError("no bot token")
    ledger = OffsetLedger()
    context_types = ContextTypes(
        context=BotContext, bot_data=BotData, user_data=UserData, chat_data=ChatData
    )
    builder = (
        ApplicationBuilder()
        # Updates Telegram could not have sent are dropped before any handler sees them.
        .application_class(GuardedApplication)
        .token(secret)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(context_types)
        .defaults(Defaults(tzinfo=settings.tz))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        # Different chats in parallel (32 at once), each chat's updates in order; each
        # handled update is marked in the ledger that long polling confirms from.
        .concurrent_updates(ChatOrderedProcessor(ledger=ledger))
    )
    # Every request, getUpdates too, tells one watch how it went: an outage is logged once
    # when it starts and once when it ends (bot.transport.outage), not per failed request.
    watch = OutageWatch()
    request = request or HTTPXRequest(
        connection_pool_size=CONNECTIONS, pool_timeout=CONNECTION_WAIT
    )
    builder = builder.request(WatchedRequest(request, watch))
    # An update PTB cannot read is skipped by its id instead of stalling all the others, and
    # no getUpdates confirms an update that is not handled (bot.transport.offsets).
    updates_request = updates_request or HTTPXRequest(connection_pool_size=1)
    builder = builder.get_updates_request(
        UpdateGuard(WatchedRequest(updates_request, watch), ledger)
    )
    services = Services(
        settings=settings,
        clock=clock,
        promise=promise,
        db=Database(settings.db_path),
        promise_set=promises,
    )
    if rate_limit:
        # Every request passes the one budget: replies take their slot here, first; the
        # outbox takes its slot in the sender and is only watched for 429s here. Nothing
        # else retries on top (PTB's AIORateLimiter is not used).
        limiter: Any = BudgetRateLimiter(services.budget)
        builder = builder.rate_limiter(limiter)
    app: BotApp = builder.build()
    app.bot_data.services = services
    app.bot_data.features = build_features(services)
    register(app)
    return app


async def _post_init(app: BotApp) -> None:
    services = app.bot_data.services
    # The learned classifier (from its cache, or trained: seconds) and the language detector
    # are built before the first update, in a thread, so no resident waits for them.
    await asyncio.to_thread(warm_understanding)
    await services.db.open()
    adopted = await services.adopt_rows()
    if any(adopted.values()):
        log.info("rows given to their promise: %s", adopted)
    await publish_default_menus(app.bot, services.settings.locale)
    for hook in STARTUP:
        await hook(app)
    log.info("Trygghetsbot started as @%s", app.bot.username)


def warm_understanding() -> None:
    classifier.warm()
    language_id.warm()


async def _post_shutdown(app: BotApp) -> None:
    await app.bot_data.services.db.close()


@asynccontextmanager
async def serving(app: BotApp) -> AsyncIterator[BotApp]:
    """Initialise the app and run our start-up/shut-down hooks around a block.

    ``run_polling`` calls post_init/post_shutdown itself; tests and the sandbox drive the
    app by hand and use this instead, so all three share one start-up path."""
    async with app:
        await _post_init(app)
        try:
            yield app
        finally:
            await _post_shutdown(app)
