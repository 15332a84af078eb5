"""The one sender for the outbox: every message the bot sends on its own initiative.

Telegram's limits are honoured here and nowhere else: a global rate (default 25 messages/s)
and one message per second per chat, both with ``aiolimiter``. What a failure means:
- 429 (flood control): wait ``retry_after`` for the whole sender, the message goes back to
  the queue, nothing is lost;
- 403 (blocked, kicked, deactivated) or "chat not found": the chat is stopped for good — its
  subscription ends and its queued messages are dropped;
- 5xx, timeouts, network: retried with growing back-off, then marked ``failed``;
- other 400s: marked ``failed`` at once (retrying cannot help).

The service does not know telegram: the caller passes a ``send`` function that raises the
small exception family below.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiolimiter import AsyncLimiter

from bot.services import Services
from storage.deliveries import OutgoingMessage
from storage.records import Delivery

Send = Callable[[int, OutgoingMessage], Awaitable[None]]

MAX_ATTEMPTS = 5
KEEP_DAYS = 30
_CHAT_LIMITERS = 2048  # per-chat limiters kept; older ones are rebuilt on demand


class SendError(Exception):
    """Base of what ``send`` may raise; the message is short and never contains text."""


class FloodWait(SendError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"flood control, retry after {retry_after}s")
        self.retry_after = retry_after


class ChatGone(SendError):
    """Blocked by the user, kicked, deactivated or chat not found: never retry."""


class Temporary(SendError):
    """5xx, timeouts, network: worth another try later."""


class Rejected(SendError):
    """Telegram refused the message itself (a 400): retrying cannot help."""


@dataclass
class RoundReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    flood_waits: int = 0
    outcomes: dict[int, str] = field(default_factory=dict)


def backoff(attempts: int) -> timedelta:
    """10 s, 40 s, 2.5 min, 10 min ... for the n-th failed attempt."""
    return timedelta(seconds=10 * 4 ** max(0, attempts - 1))


class DeliveryService:
    def __init__(
        self,
        services: Services,
        per_second: float | None = None,
        per_chat_per_second: float = 1.0,
        on_chat_gone: Callable[[int, datetime], Awaitable[None]] | None = None,
    ) -> None:
        self.s = services
        rate = per_second or services.settings.send_rate
        # A bucket of one: messages are spaced 1/rate apart, never bursting above the rate
        # in any one-second window (a bucket of `rate` would allow twice that at start).
        self._global = AsyncLimiter(1, 1 / rate)
        self._per_chat_rate = per_chat_per_second
        self._chats: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._paused_until: datetime | None = None
        self._on_chat_gone = on_chat_gone

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(1, 1 / self._per_chat_rate)
            self._chats[chat_id] = limiter
            if len(self._chats) > _CHAT_LIMITERS:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return limiter

    @property
    def paused_until(self) -> datetime | None:
        return self._paused_until

    async def recover(self) -> int:
        """At start-up: messages a crash left in flight go back to the queue."""
        return await self.s.deliveries.requeue_in_flight()

    async def purge(self) -> int:
        """Delivered and given-up messages are kept 30 days for reports, then deleted."""
        cutoff = self.s.clock.now() - timedelta(days=KEEP_DAYS)
        return await self.s.deliveries.purge_older_than(cutoff)

    async def run_once(self, send: Send, limit: int = 200, concurrency: int = 4) -> RoundReport:
        """Send what is due now, within the rate limits; stop early on flood control.

        Chats are served by a few concurrent workers (the HTTP round trip, not the rate,
        would otherwise be the limit); each chat's messages go one after another, in order."""
        report = RoundReport()
        now = self.s.clock.now()
        if self._paused_until is not None and now < self._paused_until:
            return report
        self._paused_until = None
        due = await self.s.deliveries.claim_due(now, limit)
        by_chat: dict[int, list[Delivery]] = {}
        for delivery in due:
            by_chat.setdefault(delivery.chat_id, []).append(delivery)
        chats = list(by_chat.values())
        chats.reverse()  # pop() from the end keeps the oldest first

        async def worker() -> None:
            while chats:
                for index, delivery in enumerate(queue := chats.pop()):
                    if self._paused_until is not None:
                        # Flood control hit mid-round: the rest goes back untouched.
                        await self.s.deliveries.release(delivery.id, self._paused_until, "paused")
                        report.retried += 1
                        continue
                    await self._deliver(delivery, send, report)
                    if report.outcomes.get(delivery.id) == "blocked":
                        for rest in queue[index + 1 :]:
                            await self.s.deliveries.mark_final(rest.id, "dropped", "chat gone")
                        break

        await asyncio.gather(*(worker() for _ in range(min(concurrency, len(chats)))))
        return report

    async def _deliver(self, delivery: Delivery, send: Send, report: RoundReport) -> None:
        repo = self.s.deliveries
        async with self._global, self._chat_limiter(delivery.chat_id):
            try:
                await send(delivery.chat_id, OutgoingMessage.from_json(delivery.payload))
            except FloodWait as exc:
                now = self.s.clock.now()
                self._paused_until = now + timedelta(seconds=exc.retry_after)
                await repo.release(delivery.id, self._paused_until, str(exc))
                report.flood_waits += 1
                report.retried += 1
                report.outcomes[delivery.id] = "retry"
                return
            except ChatGone as exc:
                await self.chat_gone(delivery.chat_id, str(exc))
                await repo.mark_final(delivery.id, "blocked", str(exc))
                report.blocked += 1
                report.outcomes[delivery.id] = "blocked"
                return
            except Temporary as exc:
                if delivery.attempts >= MAX_ATTEMPTS:
                    await repo.mark_final(delivery.id, "failed", str(exc))
                    report.failed += 1
                    report.outcomes[delivery.id] = "failed"
                else:
                    later = self.s.clock.now() + backoff(delivery.attempts)
                    await repo.retry_later(delivery.id, later, str(exc))
                    report.retried += 1
                    report.outcomes[delivery.id] = "retry"
                return
            except Rejected as exc:
                await repo.mark_final(delivery.id, "failed", str(exc))
                report.failed += 1
                report.outcomes[delivery.id] = "failed"
                return
        await repo.mark_sent(delivery.id, self.s.clock.now())
        report.sent += 1
        report.outcomes[delivery.id] = "sent"

    async def chat_gone(self, chat_id: int, reason: str) -> None:
        """A chat we can no longer write to: drop its queue and tell the features."""
        await self.s.deliveries.drop_queued_for_chat(chat_id, reason)
        if self._on_chat_gone is not None:
            await self._on_chat_gone(chat_id, self.s.clock.now())

    async def drain(self, send: Send, limit: int = 200, max_rounds: int = 1000) -> RoundReport:
        """Send everything due now (tests, the sandbox, benchmarks)."""
        total = RoundReport()
        for _ in range(max_rounds):
            report = await self.run_once(send, limit)
            for name in ("sent", "retried", "failed", "blocked", "flood_waits"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            total.outcomes.update(report.outcomes)
            if not report.outcomes or self._paused_until is not None:
                break
            await asyncio.sleep(0)
        return total
