"""The last line of defence: log what failed (type and update id only) and apologise."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from handlers.common import BotContext

log = logging.getLogger("trygghetsbot.errors")


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    # Never log the update or the message text: it may hold personal data. The exception
    # type is enough to find the bug; the traceback goes through the token mask.
    log.error(
        "handler failed: %s (update %s)",
        type(error).__name__,
        update_id,
        exc_info=error if not isinstance(error, NetworkError | Forbidden) else None,
    )
    if not isinstance(update, Update) or isinstance(error, Forbidden | RetryAfter | TimedOut):
        return
    chat = update.effective_chat
    if chat is None:
        return
    tr = context.actor.tr if context.has_actor else context.services.translator()
    try:
        await chat.send_message(
            tr.gettext("Sorry, something went wrong on my side. Please try again in a while.")
        )
    except Exception as exc:  # the chat may be gone; there is nothing more to do
        log.warning("could not tell the user about the error: %s", type(exc).__name__)
