"""The one sender for the outbox: every message the bot sends on its own initiative.

Telegram's limits come from the bot's one :class:`SendBudget` (about 30 messages/s in all,
one per second per chat), shared with interactive replies, which go first: the outbox
sends with what replies leave. What a failure means:
- 429 (flood control): the message goes back to the queue, nothing is lost; its chat waits
  ``retry_after`` (the rest of the round goes on), or the whole sender does when Telegram
  says the bot as a whole is limited;
- 403 (blocked, kicked, deactivated) or "chat not found": the chat is stopped for good — its
  subscription ends and its queued messages are dropped;
- 5xx, timeouts, network: retried with growing back-off, then marked ``failed``;
- other 400s: marked ``failed`` at once (retrying cannot help);
- the chat became a supergroup (``ChatMoved``): its queue and subscriptions move to the new
  id and the message is sent there;
- anything else (a bug, an error nobody mapped): retried with back-off like a temporary
  error, then ``failed``. A row is never left in ``sending``.
Every permanent failure is logged with its reason, never with the message text.

Interactive replies that could not be sent at once come here too (``enqueue_reply``): they
are claimed before every bulk send (every answer carrying 112 before any other reply),
retried until their deadline (minutes; hours for 112), and open with a short apology when
they arrive late. During an outage one reply a round is tried (the oldest of the first
class); when it goes through, every reply still waiting is due at once, so the answers go
out in their order the moment Telegram is back. A reply whose request may have reached
Telegram although no answer came back (``Unconfirmed``) is not sent again unless it carries
112, and then only once: Telegram has no idempotency key, so the choice is between a
possible duplicate and a possible loss, and only for 112 is one duplicate the better risk.

The service does not know telegram: the caller passes a ``send`` function that raises the
small exception family below.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.domain.records import Delivery
from bot.services import Services
from bot.services.budget import Priority, SendBudget
from storage.deliveries import BULK, REPLY, URGENT, NewDelivery, OutgoingMessage

Send = Callable[[int, OutgoingMessage], Awaitable[None]]

MAX_ATTEMPTS = 5
KEEP_DAYS = 30
REPLY_KIND = "reply"
REPLY_DEADLINE = timedelta(minutes=15)  # an ordinary answer, then it is given up
URGENT_DEADLINE = timedelta(hours=3)  # an answer carrying 112
LATE_AFTER = timedelta(seconds=10)  # a reply sent later than this opens with the apology
UNCONFIRMED = "unconfirmed"  # last_error of a send that may have arrived
REPLY_WORKERS = 4  # chats served at once in a reply round
REPLY_PASSES = 10  # claims in one reply round while answers keep going out

log = logging.getLogger(__name__)
_BUDGET_CLASS = {URGENT: Priority.URGENT, REPLY: Priority.REPLY, BULK: Priority.BULK}


class SendError(Exception):
    """Base of what ``send`` may raise; the message is short and never contains text."""


class FloodWait(SendError):
    """A 429. ``whole``: Telegram limits the bot as a whole, not only this chat."""

    def __init__(self, retry_after: float, *, whole: bool = False) -> None:
        super().__init__(f"flood control, retry after {retry_after}s")
        self.retry_after = retry_after
        self.whole = whole


class ChatGone(SendError):
    """Blocked by the user, kicked, deactivated or chat not found: never retry."""


class Temporary(SendError):
    """5xx, timeouts, network: worth another try later."""


class Unconfirmed(Temporary):
    """The request may have reached Telegram (a read timeout, a connection dropped after it
    was written): it may have been delivered, nobody can tell."""


class Rejected(SendError):
    """Telegram refused the message itself (a 400): retrying cannot help."""


class ChatMoved(SendError):
    """The group became a supergroup with a new chat id."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat moved to {new_chat_id}")
        self.new_chat_id = new_chat_id


@dataclass
class RoundReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    flood_waits: int = 0
    outcomes: dict[int, str] = field(default_factory=dict)
    held: dict[int, datetime] = field(default_factory=dict)  # chat → end of its 429 pause

    def add(self, other: RoundReport) -> None:
        for name in ("sent", "retried", "failed", "blocked", "flood_waits"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.outcomes.update(other.outcomes)
        self.held.update(other.held)


def backoff(attempts: int) -> timedelta:
    """10 s, 40 s, 2.5 min, 10 min ... for the n-th failed attempt."""
    return timedelta(seconds=10 * 4 ** max(0, attempts - 1))


def reply_backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s, 16 s, then every 30 s: someone is waiting for this answer."""
    return timedelta(seconds=min(30, 2 ** max(1, attempts)))


class DeliveryService:
    def __init__(
        self,
        services: Services,
        per_second: float | None = None,
        per_chat_per_second: float = 1.0,
        on_chat_gone: Callable[[int, datetime], Awaitable[None]] | None = None,
    ) -> None:
        """``per_second`` gives this sender a budget of its own (tests, benchmarks); by
        default it shares the bot's, with interactive replies."""
        self.s = services
        self.budget = (
            services.budget if per_second is None else SendBudget(per_second, per_chat_per_second)
        )
        self._paused_until: datetime | None = None
        self._on_chat_gone = on_chat_gone
        self._rounds = 0
        self._reply_rounds = 0

    @property
    def busy(self) -> bool:
        """A round is being sent right now."""
        return self._rounds > 0

    @property
    def replies_busy(self) -> bool:
        return self._reply_rounds > 0

    async def enqueue_reply(
        self,
        chat_id: int,
        key: str,
        message: OutgoingMessage,
        *,
        urgent: bool,
        unconfirmed: bool = False,
    ) -> bool:
        """Keep a reply that could not be sent at once; ``key`` (update id and the reply's
        index in it) makes it one row however often this is called. ``unconfirmed``: the
        first try may have reached Telegram (a 112 answer kept all the same)."""
        now = self.s.clock.now()
        return await self.s.deliveries.enqueue(
            NewDelivery(
                chat_id=chat_id,
                kind=REPLY_KIND,
                message=message,
                not_before=now,
                dedupe_key=f"reply:{key}",
                priority=URGENT if urgent else REPLY,
                deadline=now + (URGENT_DEADLINE if urgent else REPLY_DEADLINE),
                last_error=UNCONFIRMED if unconfirmed else None,
            ),
            now,
        )

    async def run_replies(self, send: Send, limit: int = 50) -> RoundReport:
        """Send the replies that are due, and nothing else: not held up by a long bulk
        round (which also begins with the replies)."""
        self._reply_rounds += 1
        try:
            return await self._replies(send, limit)
        finally:
            self._reply_rounds -= 1

    async def _replies(self, send: Send, limit: int) -> RoundReport:
        """Replies in their order: every 112 answer before any other reply.

        While a 112 answer waits, only 112 answers are claimed. When none of the first
        class is due (all wait out a back-off), the oldest is tried anyway, one per round
        (about one request a second during an outage): the first success shows Telegram
        answers again, and every reply still waiting becomes due at once, so the answers
        go out in their order the moment it is back instead of each at the end of its own
        back-off. A chat paused by a 429 is left alone until its pause ends."""
        total = RoundReport()
        for _ in range(REPLY_PASSES):
            now = self.s.clock.now()
            if self._paused_until is not None and now < self._paused_until:
                break
            waiting = [
                d for d in await self.s.deliveries.waiting_replies()
                if not self.budget.chat_paused(d.chat_id)
            ]  # fmt: skip
            if not waiting:
                break
            first_class = [d for d in waiting if d.priority == waiting[0].priority]
            queued = [d for d in first_class if d.status == "queued"]
            picked = [d for d in queued if d.not_before <= now][:limit]
            if not picked and len(queued) == len(first_class):
                picked = queued[:1]  # the probe; none while one of its class is in flight
            claimed = await self.s.deliveries.claim([d.id for d in picked])
            report = await self._send_claimed(claimed, send, REPLY_WORKERS)
            total.add(report)
            rest = [d.id for d in waiting if d.id not in report.outcomes and d.status == "queued"]
            if not report.sent or not rest:
                break
            await self.s.deliveries.bring_forward(rest, self.s.clock.now())
        return total

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
        self._rounds += 1
        try:
            return await self._run_once(send, limit, concurrency)
        finally:
            self._rounds -= 1

    async def _run_once(self, send: Send, limit: int, concurrency: int) -> RoundReport:
        report = await self._replies(send, limit)  # people waiting for an answer first
        now = self.s.clock.now()
        if self._paused_until is not None and now < self._paused_until:
            return report
        self._paused_until = None
        due = await self.s.deliveries.claim_due(now, limit, min_priority=BULK)
        report.add(await self._send_claimed(due, send, concurrency))
        return report

    async def _send_claimed(self, due: list[Delivery], send: Send, concurrency: int) -> RoundReport:
        report = RoundReport()
        by_chat: dict[int, list[Delivery]] = {}
        for delivery in due:
            by_chat.setdefault(delivery.chat_id, []).append(delivery)
        chats = list(by_chat.values())
        chats.reverse()  # pop() from the end keeps the oldest first

        async def worker() -> None:
            while chats:
                for index, delivery in enumerate(queue := chats.pop()):
                    held = self._paused_until or report.held.get(delivery.chat_id)
                    if held is not None:
                        # Flood control hit mid-round, for everyone or for this chat: the
                        # rest goes back untouched, due when the pause ends.
                        await self.s.deliveries.release(delivery.id, held, "paused")
                        report.retried += 1
                        report.outcomes[delivery.id] = "retry"
                        continue
                    await self._deliver(delivery, send, report)
                    if report.outcomes.get(delivery.id) == "blocked":
                        for rest in queue[index + 1 :]:
                            await self.s.deliveries.mark_final(rest.id, "dropped", "chat gone")
                            report.outcomes[rest.id] = "dropped"
                        break

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(concurrency, len(chats))):
                    group.create_task(worker())
        except BaseException:
            # A worker failed outside a delivery (the database, say) or the round was
            # cancelled: what it claimed and did not finish goes back to the queue now,
            # not at the next restart.
            unfinished = [d.id for d in due if d.id not in report.outcomes]
            await asyncio.shield(self.s.deliveries.requeue(unfinished))
            raise
        return report

    async def _deliver(self, delivery: Delivery, send: Send, report: RoundReport) -> None:
        repo = self.s.deliveries
        is_reply = delivery.priority < BULK
        now = self.s.clock.now()
        if delivery.deadline is not None and now > delivery.deadline:
            await self._give_up(delivery, "deadline passed", report)
            return
        message = OutgoingMessage.from_json(delivery.payload)
        if message.late_note and now - delivery.created_at >= LATE_AFTER:
            message = replace(message, text=message.late_note + "\n\n" + message.text)
        await self.budget.acquire(delivery.chat_id, _BUDGET_CLASS[delivery.priority])
        try:
            await send(delivery.chat_id, message)
        except Unconfirmed as exc:
            once_before = (delivery.last_error or "").startswith(UNCONFIRMED)
            if is_reply and (delivery.priority != URGENT or once_before):
                # Most likely delivered; sending again would most likely be a duplicate. A
                # 112 answer is sent once more, never more: at most one duplicate.
                note = f"{UNCONFIRMED}: {exc}"[:200]
                await repo.mark_sent(delivery.id, self.s.clock.now(), note)
                log.info("delivery %s: unconfirmed, not sent again", delivery.id)
                self._outcome(report, delivery, "sent")
            else:
                reason = f"{UNCONFIRMED}: {exc}" if is_reply else str(exc)
                await self._temporary(delivery, reason, report)
        except FloodWait as exc:
            until = self.s.clock.now() + timedelta(seconds=exc.retry_after)
            if exc.whole:
                self._paused_until = until
                self.budget.pause(exc.retry_after)
            else:  # this chat only: every other chat keeps its turn
                report.held[delivery.chat_id] = until
                if not self.budget.chat_paused(delivery.chat_id):
                    self.budget.pause_chat(delivery.chat_id, exc.retry_after)
            await repo.release(delivery.id, until, str(exc))
            report.flood_waits += 1
            self._outcome(report, delivery, "retry")
        except ChatGone as exc:
            await self.chat_gone(delivery.chat_id, str(exc))
            await repo.mark_final(delivery.id, "blocked", str(exc))
            log.info("delivery %s (%s): chat gone: %s", delivery.id, delivery.kind, exc)
            self._outcome(report, delivery, "blocked")
        except ChatMoved as exc:
            moved = await repo.move_chat(delivery.chat_id, exc.new_chat_id)
            await repo.retry_later(delivery.id, self.s.clock.now(), str(exc))
            log.info("delivery %s: chat moved, %s rows follow it", delivery.id, moved)
            self._outcome(report, delivery, "retry")
        except Rejected as exc:
            await self._give_up(delivery, str(exc), report)
        except Exception as exc:  # one bad delivery never stops the round
            # Temporary by design; anything unmapped is treated the same, so a surprise
            # costs retries, never a row stuck in 'sending'.
            reason = str(exc) if isinstance(exc, Temporary) else f"unexpected {type(exc).__name__}"
            if not isinstance(exc, Temporary):
                log.warning("delivery %s: unexpected %s", delivery.id, type(exc).__name__)
            await self._temporary(delivery, reason, report)
        else:
            await repo.mark_sent(delivery.id, self.s.clock.now())
            self._outcome(report, delivery, "sent")

    async def _temporary(self, delivery: Delivery, reason: str, report: RoundReport) -> None:
        """Another try later: a reply until its deadline, every few seconds; the bulk outbox
        up to ``MAX_ATTEMPTS`` times with a long back-off."""
        now = self.s.clock.now()
        if delivery.deadline is not None:
            later = now + reply_backoff(delivery.attempts)
            if later > delivery.deadline:
                await self._give_up(delivery, reason, report)
                return
        elif delivery.attempts >= MAX_ATTEMPTS:
            await self._give_up(delivery, reason, report)
            return
        else:
            later = now + backoff(delivery.attempts)
        await self.s.deliveries.retry_later(delivery.id, later, reason)
        self._outcome(report, delivery, "retry")

    async def _give_up(self, delivery: Delivery, reason: str, report: RoundReport) -> None:
        await self.s.deliveries.mark_final(delivery.id, "failed", reason)
        log.warning(
            "delivery %s (%s) failed after %s attempts: %s",
            delivery.id, delivery.kind, delivery.attempts, reason[:200],
        )  # fmt: skip
        self._outcome(report, delivery, "failed")

    @staticmethod
    def _outcome(report: RoundReport, delivery: Delivery, outcome: str) -> None:
        report.outcomes[delivery.id] = outcome
        counter = {"sent": "sent", "retry": "retried", "failed": "failed", "blocked": "blocked"}
        name = counter[outcome]
        setattr(report, name, getattr(report, name) + 1)

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
            total.add(report)
            if not report.outcomes or self._paused_until is not None:
                break
            await asyncio.sleep(0)
        return total
