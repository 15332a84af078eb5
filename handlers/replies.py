"""A reply is a delivery: an answer Telegram could not take at once (HTTP 5xx, a timeout,
the network, flood control) is kept in the outbox ahead of every bulk send and retried until
it arrives or its deadline passes, instead of the resident being told to try again.

Each reply has a key, the update's id and its index among that update's replies, so keeping
it twice is impossible and a restart sends it once. A send whose request may have reached
Telegram (no answer came back) is not kept unless it carries 112; see
``bot.services.delivery``.

The per-update scope (who is answered, in which language, by which outbox) is opened by the
loader in handler group -1 and read here through a context variable: PTB handles each update
in its own task, so one update never sees another's scope.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram import Message
from telegram.ext import ExtBot

from bot.i18n import Translator
from bot.render.late import carries_112, late_note
from bot.services.budget import Priority, SendBudget
from bot.services.delivery import DeliveryService, FloodWait, Temporary, Unconfirmed
from handlers.outgoing import Markup, as_send_error, stored_keyboard
from handlers.sending import BULK
from storage.deliveries import OutgoingMessage

log = logging.getLogger(__name__)


@dataclass
class ReplyScope:
    update_id: int
    outbox: DeliveryService
    budget: SendBudget
    translator: Callable[[], Translator]  # read late: the answer's language may change
    count: int = 0  # replies sent in this update so far
    held: bool = False  # one was kept: the rest follow it through the outbox, in order

    def next_key(self) -> str:
        key = f"{self.update_id}:{self.count}"
        self.count += 1
        return key


_scope: ContextVar[ReplyScope | None] = ContextVar("reply_scope", default=None)


def open_scope(scope: ReplyScope | None) -> None:
    """``None``: this update's replies are plain sends (before its actor is loaded)."""
    _scope.set(scope)


async def send_reply(
    bot: ExtBot[Any], chat_id: int, text: str, markup: Markup | None, *, urgent: bool | None
) -> Message | None:
    """Send now, or keep it in the outbox when Telegram cannot take it now. Returns the
    sent message, or None when it was kept (or may have arrived without an answer)."""
    scope = _scope.get()
    if scope is None:  # outside an update (a job): the caller owns the failure
        return await bot.send_message(chat_id, text, reply_markup=markup)
    key = scope.next_key()
    if urgent is None:
        urgent = carries_112(text)
    if scope.held:
        await _keep(scope, chat_id, key, text, markup, urgent)
        return None
    limited = bot.rate_limiter is not None
    try:
        if limited:
            # The slot is taken here, first among all sends; the limiter then only watches
            # for a 429 and never retries on its own (the retry is the outbox's).
            await scope.budget.acquire(chat_id, Priority.URGENT if urgent else Priority.REPLY)
        return await bot.send_message(
            chat_id, text, reply_markup=markup, rate_limit_args=BULK if limited else None
        )
    except Exception as exc:
        failure = as_send_error(exc)
        if not isinstance(failure, Temporary | FloodWait):
            raise
        if isinstance(failure, Unconfirmed) and not urgent:
            # Most likely delivered: sending it again would most likely be a duplicate.
            log.info("reply %s unconfirmed (%s), not sent again", key, type(exc).__name__)
            return None
        await _keep(scope, chat_id, key, text, markup, urgent, isinstance(failure, Unconfirmed))
        log.info("reply %s kept in the outbox (%s)", key, type(failure).__name__)
        return None


async def _keep(
    scope: ReplyScope,
    chat_id: int,
    key: str,
    text: str,
    markup: Markup | None,
    urgent: bool,
    unconfirmed: bool = False,
) -> None:
    # Nothing goes in front of 112; an ordinary answer apologises when it arrives late.
    note = None if urgent else late_note(scope.translator())
    message = OutgoingMessage(text, keyboard=stored_keyboard(markup), late_note=note)
    await scope.outbox.enqueue_reply(chat_id, key, message, urgent=urgent, unconfirmed=unconfirmed)
    scope.held = True
