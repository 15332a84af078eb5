"""Every Bot API request the bot makes passes here (PTB's rate-limiter hook): it takes a slot
from the bot's one :class:`SendBudget` and handles Telegram's answers that concern sending
itself, so no other layer retries on top.

- A 429 pauses what it concerns: the chat of the request (its ``chat_id``), so replies to
  every other chat keep flowing within the budget, or the whole budget when the request has
  no chat or Telegram's description says the bot as a whole is limited (``bot.transport.outage``
  hands the description over: PTB's ``RetryAfter`` does not carry it).
- Replies to a person (``handlers.replies``) take their slot themselves, an answer carrying
  112 ahead of any other, and pass here marked like the outbox: when Telegram cannot take
  one, it is kept in the outbox, not retried here.
- Other requests of a handler (an edit, a chart, a file, answering a button) take a
  ``REPLY`` slot here; one that gets a 429 is sent again after ``retry_after`` for its chat,
  up to ``FLOOD_RETRIES`` times, and a short outage (HTTP 5xx, a timeout, the network) is
  retried with back-off for a few seconds. What still fails reaches the error handler, which
  logs it at WARNING with the reason.
- The outbox already took its ``BULK`` (or reply) slot and has its own retry policy: its
  requests are marked ``rate_limit_args={"bulk": True}``; a 429 pauses its chat (or the
  budget) and goes straight back to the outbox, which re-queues the message.

Retries are logged at DEBUG: an outage is reported once by ``bot.transport.outage``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.services.budget import Priority, SendBudget
from bot.transport.outage import FLOOD_DESCRIPTION, limits_the_whole_bot

log = logging.getLogger(__name__)

BULK: dict[str, Any] = {"bulk": True}
# Requests that are not messages to a chat: they never take a slot.
_FREE = frozenset({
    "getMe", "getUpdates", "getFile", "getWebhookInfo", "setWebhook", "deleteWebhook",
    "setMyCommands", "deleteMyCommands", "getMyCommands", "setChatMenuButton", "logOut",
    "close", "answerCallbackQuery",
})  # fmt: skip
REPLY_BACKOFF = (0.5, 1.0, 2.0)  # seconds between tries of a reply during an outage
# A reply is sent again after up to this many 429s in a row (Telegram's flood control
# answers a burst with several): at 30 % of sends answered 429, one in 1300 replies would
# still meet six in a row.
FLOOD_RETRIES = 5


def seconds(retry_after: object) -> float:
    """``RetryAfter.retry_after`` is an int or a timedelta depending on PTB's settings."""
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if callable(total) else float(retry_after)  # type: ignore[arg-type]


class BudgetRateLimiter(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self,
        budget: SendBudget,
        backoff: tuple[float, ...] = REPLY_BACKOFF,
        flood_retries: int = FLOOD_RETRIES,
    ) -> None:
        self.budget = budget
        self.backoff = backoff
        self._flood_retries = flood_retries

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
        chat = data.get("chat_id")
        chat_id = chat if isinstance(chat, int) else None  # the chat a 429 concerns
        # Messages take the chat's turn (one a second); edits and the like only a slot.
        spaced = chat_id if endpoint.startswith(("send", "copy", "forward")) else None
        if rate_limit_args and rate_limit_args.get("bulk"):
            FLOOD_DESCRIPTION.set("")
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self._flood(endpoint, chat_id, exc)
                raise
        counted = endpoint not in _FREE
        floods = 0
        outage = 0
        while True:
            if counted:
                await self.budget.acquire(spaced, Priority.REPLY)
            FLOOD_DESCRIPTION.set("")
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                whole = self._flood(endpoint, chat_id, exc)
                if floods >= self._flood_retries:
                    raise
                floods += 1
                if not counted or (spaced != chat_id and not whole):
                    # acquire() does not wait this pause out: the request waits it here.
                    await asyncio.sleep(seconds(exc.retry_after))
            except BadRequest:
                raise  # the request itself is wrong: another try cannot help
            except NetworkError as exc:  # 5xx, timeouts, connection errors
                if outage >= len(self.backoff):
                    raise
                log.debug("%s failed (%s), trying again", endpoint, type(exc).__name__)
                await asyncio.sleep(self.backoff[outage])
                outage += 1

    def _flood(self, endpoint: str, chat_id: int | None, exc: RetryAfter) -> bool:
        """Pause what the 429 concerns; True when that is the whole bot."""
        wait = seconds(exc.retry_after)
        whole = chat_id is None or limits_the_whole_bot(FLOOD_DESCRIPTION.get())
        if chat_id is None or whole:
            self.budget.pause(wait)
        else:
            self.budget.pause_chat(chat_id, wait)
        log.debug("%s: 429, %s waits %.0f s", endpoint, "the bot" if whole else "a chat", wait)
        return whole
