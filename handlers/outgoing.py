"""Bot API errors as the delivery service's small exception family, and a stored message's
keyboard as Telegram markup: shared by the outbox sender and by replies."""

from __future__ import annotations

from typing import Any

import httpx
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.render import fit_label
from bot.services.delivery import (
    ChatGone,
    ChatMoved,
    FloodWait,
    Rejected,
    SendError,
    Temporary,
    Unconfirmed,
)
from bot.transport.outage import FLOOD_DESCRIPTION, limits_the_whole_bot
from handlers.sending import seconds
from storage.deliveries import OutgoingMessage

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove

# httpx errors raised once the request was written: Telegram may have acted on it. A
# connect error or timeout, a pool timeout, a write timeout (the request was not complete)
# and an HTTP 5xx answer all mean it was not sent.
_AFTER_WRITE = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)


def may_have_arrived(exc: BaseException) -> bool:
    return isinstance(exc.__cause__, _AFTER_WRITE)


def as_send_error(exc: Exception) -> SendError | None:
    """What a failed send means for another try; None for an error that is not Telegram's
    (a bug: the caller lets it propagate)."""
    if isinstance(exc, RetryAfter):
        whole = limits_the_whole_bot(FLOOD_DESCRIPTION.get())
        return FloodWait(seconds(exc.retry_after), whole=whole)
    if isinstance(exc, ChatMigrated):
        return ChatMoved(exc.new_chat_id)
    if isinstance(exc, Forbidden):
        return ChatGone(f"forbidden: {exc.message[:80]}")
    if isinstance(exc, BadRequest):
        if "chat not found" in exc.message.lower():
            return ChatGone("chat not found")
        return Rejected(f"bad request: {exc.message[:80]}")
    if isinstance(exc, NetworkError):  # TimedOut is one
        reason = f"{type(exc).__name__}: {str(exc)[:80]}"
        return Unconfirmed(reason) if may_have_arrived(exc) else Temporary(reason)
    return None


def to_markup(message: OutgoingMessage) -> Markup | None:
    if message.buttons:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(fit_label(label), callback_data=data) for label, data in row]
             for row in message.buttons]
        )  # fmt: skip
    kept = message.keyboard
    if not kept:
        return None
    if "inline_keyboard" in kept:
        return InlineKeyboardMarkup.de_json(kept, None)
    if "remove_keyboard" in kept:
        return ReplyKeyboardRemove.de_json(kept, None)
    return ReplyKeyboardMarkup.de_json(kept, None)


def stored_keyboard(markup: Markup | None) -> dict[str, Any] | None:
    """A reply's markup as the outbox keeps it: Telegram's own JSON, whatever the kind."""
    return None if markup is None else markup.to_dict()
