"""Telegram side of the outbox sender: turns Bot API errors into the delivery service's
small exception family, runs the sender as a repeating job, and stops chats that block us
(including a ``my_chat_member`` update saying the bot was kicked)."""

from __future__ import annotations

from typing import Any

from telegram import ChatMemberUpdated, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ChatMemberHandler, ExtBot

from bot.services.delivery import (
    ChatGone,
    ChatMoved,
    DeliveryService,
    FloodWait,
    Rejected,
    Send,
    Temporary,
)
from bot.services.tips_service import TipService
from handlers.common import BotContext, every, keyboard
from handlers.sending import BULK, seconds
from storage.deliveries import OutgoingMessage

JOB_NAME = "outbox:sender"
PURGE_JOB = "outbox:purge"
INTERVAL_SECONDS = 1.0


def telegram_send(bot: ExtBot[Any]) -> Send:
    # The outbox took its slot from the budget itself: the bot's limiter only passes a 429
    # on (after pausing everyone), it does not wait or retry again.
    limits = BULK if bot.rate_limiter is not None else None

    async def send(chat_id: int, message: OutgoingMessage) -> None:
        markup = keyboard(message.buttons) if message.buttons else None
        try:
            await bot.send_message(
                chat_id, message.text, reply_markup=markup, rate_limit_args=limits
            )
        except RetryAfter as exc:
            raise FloodWait(seconds(exc.retry_after)) from None
        except ChatMigrated as exc:
            raise ChatMoved(exc.new_chat_id) from None
        except Forbidden as exc:
            raise ChatGone(f"forbidden: {exc.message[:80]}") from None
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                raise ChatGone("chat not found") from None
            raise Rejected(f"bad request: {exc.message[:80]}") from None
        except (TimedOut, NetworkError) as exc:
            raise Temporary(f"{type(exc).__name__}: {str(exc)[:80]}") from None

    return send


def delivery_service(context_or_app: Any) -> DeliveryService:
    data = context_or_app.bot_data
    service = data.features.get(DeliveryService)
    if service is None:
        tips = TipService(data.services)
        service = DeliveryService(data.services, on_chat_gone=tips.chat_gone)
        data.features[DeliveryService] = service
    assert isinstance(service, DeliveryService)
    return service


async def run_sender(context: BotContext) -> None:
    service = delivery_service(context)
    if service.busy:
        return  # a long round (a tip round at the send budget) is still going
    await service.run_once(telegram_send(context.bot))


async def run_purge(context: BotContext) -> None:
    await delivery_service(context).purge()


async def start_sender(app: Any) -> None:
    """Re-queue what a crash left in flight, then send due messages every second."""
    service = delivery_service(app)
    await service.recover()
    every(app, JOB_NAME, run_sender, INTERVAL_SECONDS, first=1, overlap=2)
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
