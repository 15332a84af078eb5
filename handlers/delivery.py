"""Telegram side of the outbox sender: turns Bot API errors into the delivery service's
small exception family, runs the sender as a repeating job, and stops chats that block us
(including a ``my_chat_member`` update saying the bot was kicked)."""

from __future__ import annotations

from typing import Any

from telegram import ChatMemberUpdated, Update
from telegram.ext import ChatMemberHandler, ExtBot

from bot.services.delivery import DeliveryService, Send
from handlers.common import BotContext, every
from handlers.outgoing import as_send_error, to_markup
from handlers.sending import BULK
from storage.deliveries import OutgoingMessage

JOB_NAME = "outbox:sender"
REPLY_JOB = "outbox:replies"
PURGE_JOB = "outbox:purge"
INTERVAL_SECONDS = 1.0


def telegram_send(bot: ExtBot[Any]) -> Send:
    # The outbox took its slot from the budget itself: the bot's limiter only passes a 429
    # on (after pausing everyone), it does not wait or retry again.
    limits = BULK if bot.rate_limiter is not None else None

    async def send(chat_id: int, message: OutgoingMessage) -> None:
        try:
            await bot.send_message(
                chat_id, message.text, reply_markup=to_markup(message), rate_limit_args=limits
            )
        except Exception as exc:
            mapped = as_send_error(exc)
            if mapped is None:
                raise
            raise mapped from None

    return send


def delivery_service(context_or_app: Any) -> DeliveryService:
    """The one outbox sender, built with the other services in ``build_application``."""
    sender: DeliveryService = context_or_app.bot_data.features.delivery
    return sender


async def run_sender(context: BotContext) -> None:
    service = delivery_service(context)
    if service.busy:
        return  # a long round (a tip round at the send budget) is still going
    await service.run_once(telegram_send(context.bot))


async def run_replies(context: BotContext) -> None:
    """Replies that could not be sent at once, on their own job: never behind a tip round."""
    service = delivery_service(context)
    if service.replies_busy:
        return
    await service.run_replies(telegram_send(context.bot))


async def run_purge(context: BotContext) -> None:
    await delivery_service(context).purge()
    # Chat ids kept with suggestions: 30 days after the resident was told.
    await context.features.suggestions.purge()


async def start_sender(app: Any) -> None:
    """Re-queue what a crash left in flight, then send due messages every second."""
    service = delivery_service(app)
    await service.recover()
    every(app, JOB_NAME, run_sender, INTERVAL_SECONDS, first=1, overlap=2)
    every(app, REPLY_JOB, run_replies, INTERVAL_SECONDS, first=1, overlap=2)
    every(app, PURGE_JOB, run_purge, 24 * 3600, first=3600)


async def on_member_change(update: Update, context: BotContext) -> None:
    """The user blocked the bot (or unblocked it): stop everything we would send them."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status in ("kicked", "left"):
        await delivery_service(context).chat_gone(change.chat.id, "blocked by the user")


def member_handlers() -> list[ChatMemberHandler[BotContext, None]]:
    return [ChatMemberHandler(on_member_change, ChatMemberHandler.MY_CHAT_MEMBER)]
