"""One send budget per bot, shared by interactive replies and the outbox.

Telegram allows a bot about 30 messages a second in all and about one a second per chat.
Everything the bot sends takes a slot here: replies to people who are waiting (``REPLY``)
are served before the outbox (``BULK``), and answers carrying 112 (``URGENT``) before any
other, so a tip round uses only what replies leave and both together never exceed the rate.
A 429 pauses what it concerns: the one chat it came for (:meth:`SendBudget.pause_chat`), so
replies to other chats keep flowing, or the whole budget (:meth:`SendBudget.pause`) when
Telegram limits the bot as a whole.

Real time (the event loop's clock), not the bot's injectable clock: these are Telegram's
limits on what actually goes over the wire.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import OrderedDict
from enum import IntEnum

_CHATS_KEPT = 4096  # per-chat next-free times kept; older ones have long expired
# Requests are spaced for 96 % of each rate: a few milliseconds of network jitter must not
# bunch them into one of Telegram's one-second windows and earn a 429.
HEADROOM = 0.96


class Priority(IntEnum):
    URGENT = 0  # an answer carrying 112
    REPLY = 1  # someone is waiting for this answer
    BULK = 2  # the outbox: tips, alerts, digests, reminders


class SendBudget:
    def __init__(self, per_second: float | None, per_chat_per_second: float | None = 1.0) -> None:
        """``None`` (or 0) switches a limit off (benchmarks of processing capacity)."""
        self.per_second = per_second or None
        self._interval = 1.0 / (per_second * HEADROOM) if per_second else 0.0
        self._chat_interval = 1.0 / (per_chat_per_second * HEADROOM) if per_chat_per_second else 0.0
        self._next = 0.0  # loop time of the next free global slot
        self._paused_until = 0.0
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._dispatcher: asyncio.Task[None] | None = None
        self._chats: OrderedDict[int, float] = OrderedDict()
        self._held: dict[int, float] = {}  # chat id → loop time its 429 pause ends
        self.flood_waits = 0
        self.granted = 0

    def pause(self, seconds: float) -> None:
        """Flood control: nothing is sent by anyone until ``seconds`` from now."""
        until = asyncio.get_running_loop().time() + seconds
        if until > self._paused_until:
            self._paused_until = until
            self.flood_waits += 1

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        """A 429 for one chat: nothing more goes to that chat until ``seconds`` from now;
        every other chat keeps its turn."""
        now = asyncio.get_running_loop().time()
        until = now + seconds
        if until > self._held.get(chat_id, 0.0):
            self._held[chat_id] = until
            self.flood_waits += 1
        if len(self._held) > _CHATS_KEPT:
            self._held = {chat: end for chat, end in self._held.items() if end > now}

    def chat_paused(self, chat_id: int) -> bool:
        return asyncio.get_running_loop().time() < self._held.get(chat_id, 0.0)

    @property
    def paused(self) -> bool:
        return asyncio.get_running_loop().time() < self._paused_until

    async def acquire(self, chat_id: int | None, priority: Priority) -> None:
        """Wait for this chat's turn, then for a global slot."""
        loop = asyncio.get_running_loop()
        while chat_id is not None:
            now = loop.time()
            turn = max(now, self._held.get(chat_id, 0.0))
            if self._chat_interval:
                turn = max(self._chats.pop(chat_id, 0.0), turn)
                self._chats[chat_id] = turn + self._chat_interval  # reserved: order kept
                if len(self._chats) > _CHATS_KEPT:
                    self._chats.popitem(last=False)
            if turn > now:
                await asyncio.sleep(turn - now)
            if self._held.get(chat_id, 0.0) <= loop.time():
                break
            # A 429 paused this chat while the request waited: a new turn after the pause
            # (the requests waiting for this chat keep their order among themselves).
        now = loop.time()
        if not self._waiters and now >= self._next and now >= self._paused_until:
            self._grant(now)
            return
        waiter: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), waiter))
        if (
            self._dispatcher is None
            or self._dispatcher.done()
            or self._dispatcher.get_loop() is not loop
        ):
            self._dispatcher = asyncio.create_task(self._dispatch(), name="send-budget")
        await waiter

    def _grant(self, now: float) -> None:
        self._next = now + self._interval
        self.granted += 1

    async def _dispatch(self) -> None:
        """Hand out slots one interval apart, highest priority first."""
        loop = asyncio.get_running_loop()
        while self._waiters:
            now = loop.time()
            start = max(self._next, self._paused_until)
            if start > now:
                # Look again afterwards: a reply may have arrived, or the pause grown.
                await asyncio.sleep(start - now)
                continue
            _, _, waiter = heapq.heappop(self._waiters)
            if waiter.done():  # its sender gave up (cancelled)
                continue
            waiter.set_result(None)
            # From the planned slot when the wake-up was merely late (sleep overshoots by a
            # millisecond or so, which would otherwise be lost every time), from now after
            # a quiet spell (never a burst to catch up).
            self._grant(start if now - start < self._interval else now)
