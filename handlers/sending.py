"""Every Bot API request the bot makes passes here (PTB's rate-limiter hook): it takes a slot
from the bot's one :class:`SendBudget` and handles Telegram's answers that concern sending
itself, so no other layer retries on top.

- Interactive replies (handlers) take a ``REPLY`` slot, ahead of the outbox. A 429 pauses
  the whole budget for ``retry_after`` and the reply is sent once more after it; a short
  outage (HTTP 5xx, a timeout, the network) is retried with back-off for a few seconds, so
  the person still gets the answer.
- The outbox already took its ``BULK`` slot and has its own retry policy: its requests are
  marked ``rate_limit_args={"bulk": True}``; a 429 pauses the budget once and goes straight
  back to the outbox, which re-queues the message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.services.budget import Priority, SendBudget

log = logging.getLogger(__name__)

BULK: dict[str, Any] = {"bulk": True}
# Requests that are not messages to a chat: they never take a slot.
_FREE = frozenset({
    "getMe", "getUpdates", "getFile", "getWebhookInfo", "setWebhook", "deleteWebhook",
    "setMyCommands", "deleteMyCommands", "getMyCommands", "setChatMenuButton", "logOut",
    "close", "answerCallbackQuery",
})  # fmt: skip
REPLY_BACKOFF = (0.5, 1.0, 2.0)  # seconds between tries of a reply during an outage


def seconds(retry_after: object) -> float:
    """``RetryAfter.retry_after`` is an int or a timedelta depending on PTB's settings."""
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if callable(total) else float(retry_after)  # type: ignore[arg-type]


class BudgetRateLimiter(BaseRateLimiter[dict[str, Any]]):
    def __init__(self, budget: SendBudget, backoff: tuple[float, ...] = REPLY_BACKOFF) -> None:
        self.budget = budget
        self._backoff = backoff

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if rate_limit_args and rate_limit_args.get("bulk"):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.budget.pause(seconds(exc.retry_after))
                raise
        counted = endpoint not in _FREE
        chat = data.get("chat_id") if endpoint.startswith(("send", "copy", "forward")) else None
        chat_id = chat if isinstance(chat, int) else None
        flood_waited = False
        outage = 0
        while True:
            if counted:
                await self.budget.acquire(chat_id, Priority.REPLY)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.budget.pause(seconds(exc.retry_after))
                if flood_waited:
                    raise
                flood_waited = True  # the next acquire waits out the pause
            except BadRequest:
                raise  # the request itself is wrong: another try cannot help
            except NetworkError as exc:  # 5xx, timeouts, connection errors
                if outage >= len(self._backoff):
                    raise
                log.info("%s failed (%s), trying again", endpoint, type(exc).__name__)
                await asyncio.sleep(self._backoff[outage])
                outage += 1
