"""Routing of everything that is not a command or a button.

One place decides who handles free text, so features never compete for it:
- a forwarded message is most likely a suspicious text someone wants checked (scam checker);
- staff text is first offered to reporting (a one-line report); if it does not look like a
  report, it is answered like anyone's question;
- everyone else's text is a question;
- stickers, photos, voice and the like get a calm "I read text" answer.
"""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.language.emergency import assess
from handlers.common import BotContext
from handlers.questions import on_edited, on_non_text, on_resident_text
from handlers.reporting import on_staff_text
from handlers.tips import on_alert_translation, on_forwarded


class _Danger(filters.MessageFilter):
    """Text that describes danger now. A menu step that expects a button (the /tips steps)
    must not swallow it: such text falls through to ``route_text``, which answers 112 first."""

    def filter(self, message: Message) -> bool:
        return bool(message.text) and assess(message.text or "").urgent


DANGER = _Danger(name="danger")


async def route_text(update: Update, context: BotContext) -> None:
    """The one router for typed text, deciding once: forwarded or pasted → the scam check;
    a staff member's report or fix → the report card; anything else → understood and
    answered (``handlers.questions``)."""
    message = update.message
    if message is None:
        return
    if message.forward_origin is not None:
        await on_forwarded(update, context)
        return
    if context.actor.is_staff:
        if await on_alert_translation(update, context):
            return
        if await on_staff_text(update, context):
            return
    await on_resident_text(update, context)


def text_handlers() -> list[BaseHandler[Update, BotContext, Any]]:
    plain = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    other = (
        filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    )
    return [
        MessageHandler(plain, route_text),
        MessageHandler(filters.UpdateType.MESSAGE & filters.FORWARDED, on_forwarded),
        MessageHandler(other, on_non_text),
        MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edited),
    ]
