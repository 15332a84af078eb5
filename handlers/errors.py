"""The one place errors reach the user: a domain error (``UserFacingError``, raised by a
service) is shown translated; anything else is logged (type and update id only) and the user
gets an apology."""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.domain.errors import UserFacingError
from bot.i18n import Translator, pick_locale
from bot.render import notices
from handlers.common import BotContext, show_error

log = logging.getLogger("trygghetsbot.errors")


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, UserFacingError):
        # A refusal or a "not found" a service raised on purpose: the user is told what it
        # means, in their language; nothing failed, so nothing is logged as an error.
        if isinstance(update, Update):
            await show_error(update, context, error, await _translator(update, context))
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, RetryAfter | NetworkError):
        # Telegram's flood control or an outage outlasted the retries (handlers.sending):
        # nothing for a person to fix, but a reply is lost, so it is said, with the reason
        # (Telegram's or the network's words, never the person's).
        log.warning(
            "reply not delivered: %s (update %s): %s",
            type(error).__name__, update_id, str(error)[:200],
        )  # fmt: skip
    else:
        _log_failure(error, update_id)
    if not isinstance(update, Update) or isinstance(error, Forbidden | RetryAfter | TimedOut):
        return
    chat = update.effective_chat
    if chat is None:
        return
    tr = await _translator(update, context)
    try:
        await chat.send_message(notices.apology(tr))
    except Exception as exc:  # the chat may be gone; there is nothing more to do
        # After an outage's NetworkError the apology met the same outage: said once above.
        level = logging.DEBUG if isinstance(error, NetworkError) else logging.WARNING
        log.log(level, "could not tell the user about the error: %s", type(exc).__name__)


def _log_failure(error: BaseException | None, update_id: int | None) -> None:
    # Never log the update or the message text: it may hold personal data. The exception
    # type and where it was raised are enough to find the bug; the exception's message is
    # left out, since it may quote what someone wrote.
    where = ""
    if error is not None and not isinstance(error, Forbidden):
        where = "\n" + "".join(traceback.format_tb(error.__traceback__)).rstrip()
    log.error("handler failed: %s (update %s)%s", type(error).__name__, update_id, where)


async def _translator(update: Update, context: BotContext) -> Translator:
    """The user's language: PTB gives the error handler a fresh context without the actor
    loaded in group -1, so it is picked again (saved choice → Telegram's → default)."""
    if context.has_actor:
        return context.actor.tr
    services = context.services
    user = update.effective_user
    saved = None
    if user is not None:
        try:
            saved = await context.people.saved_locale(user.id)
        except Exception:  # the database may be what failed; Telegram's language will do
            saved = None
    code = user.language_code if user is not None else None
    return services.translator(pick_locale(saved, code, services.settings.locale))
