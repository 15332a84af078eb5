"""Updates from different chats are handled in parallel (bounded); the updates of one chat
keep their order, so a conversation sees its messages one by one, as PTB's
``ConversationHandler`` requires.

PTB starts one task per update, in the order the updates arrive. The first thing each task
does is queue on its chat's lock (``asyncio.Lock`` is first come, first served), and only
then take one of our ``MAX_CONCURRENT`` slots: a chat that writes fast waits for itself
without holding slots other chats could use. (PTB's own semaphore, taken before
``do_process_update``, is given room for every waiting update so it never reorders them;
the bound is ours.)

Stopping (``stop_starting``, then ``drain``): an update whose handler has not started yet is
dropped, not run, and stays unhandled in the :class:`~bot.transport.offsets.OffsetLedger`, so
Telegram
delivers it again after the restart; handlers already running get until a deadline and are
then cancelled (also left unhandled). Everything PTB queued therefore finishes within the
bound, and ``Application.stop`` (which waits for every queued update) returns at once.
Whoever needs to know how an update ended (the webhook, which answers Telegram by it) asks
``watch``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from asyncio import Lock, Semaphore
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.transport.offsets import OffsetLedger

log = logging.getLogger("trygghetsbot.updates")

MAX_CONCURRENT = 32
# Seconds a stop gives the handlers already running (bot.runner's STOP_BOUND holds it).
HANDLER_GRACE = 8.0
_WAITING_MAX = 1 << 20  # PTB's semaphore: never the limit


def order_key(update: object) -> int | None:
    """The chat an update belongs to (its sender when there is no chat)."""
    if not isinstance(update, Update):
        return None
    # An id of an impossible type (a list, say) must not break the queue: stage one drops
    # that update, so it may as well run unordered.
    for owner in (update.effective_chat, update.effective_user):
        if owner is not None:
            key = owner.id
            return key if isinstance(key, int) else None
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(
        self, max_concurrent_updates: int = MAX_CONCURRENT, ledger: OffsetLedger | None = None
    ) -> None:
        super().__init__(_WAITING_MAX)
        self.slots = max_concurrent_updates
        self.ledger = ledger or OffsetLedger()
        self._slots = Semaphore(max_concurrent_updates)
        self._chains: dict[int, tuple[Lock, int]] = {}  # chat → (lock, updates waiting)
        self._stopping = False
        self._running: set[asyncio.Task[Any]] = set()  # handlers started, not finished
        self._outcomes: dict[int, asyncio.Future[bool]] = {}  # update id → handled or not
        self.dropped = 0

    @property
    def stopping(self) -> bool:
        return self._stopping

    def watch(self, update_id: int) -> asyncio.Future[bool]:
        """A future that becomes True once the update's handler has run, False when the
        update is dropped or cut off at a stop (the webhook answers Telegram by it)."""
        outcome = self._outcomes.get(update_id)
        if outcome is None:
            outcome = asyncio.get_running_loop().create_future()
            self._outcomes[update_id] = outcome
        return outcome

    def _settle(self, update: object, handled: bool) -> None:
        if isinstance(update, Update):
            outcome = self._outcomes.pop(update.update_id, None)
            if outcome is not None and not outcome.done():
                outcome.set_result(handled)

    def stop_starting(self) -> None:
        """From now on no handler starts; waiting updates are dropped (left unhandled)."""
        self._stopping = True

    async def drain(self, grace: float) -> int:
        """Wait up to ``grace`` seconds for the running handlers; cancel the rest.

        Returns how many were cancelled."""
        if not self._running:
            return 0
        _done, pending = await asyncio.wait(set(self._running), timeout=max(grace, 0.0))
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        return len(pending)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:
            async with self._slots:
                await self._run(update, coroutine)
            return
        lock, users = self._chains.get(key) or (Lock(), 0)
        self._chains[key] = (lock, users + 1)
        try:
            async with lock, self._slots:
                await self._run(update, coroutine)
        finally:
            lock, users = self._chains[key]
            if users <= 1:
                del self._chains[key]
            else:
                self._chains[key] = (lock, users - 1)
            if inspect.iscoroutine(coroutine) and inspect.getcoroutinestate(coroutine) == (
                inspect.CORO_CREATED
            ):
                coroutine.close()  # cancelled before its turn: never started
                self._settle(update, False)

    async def _run(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self._stopping:
            self.dropped += 1
            self._settle(update, False)
            return  # closed in do_process_update: never started, Telegram sends it again
        task = asyncio.ensure_future(coroutine)
        self._running.add(task)
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not task.cancelled() or (current is not None and current.cancelling()):
                raise
            log.warning("stopped a handler still running at the deadline (update %s)", _id(update))
            return  # left unhandled: Telegram sends it again
        finally:
            self._running.discard(task)
            # Answered, or failed in a way PTB's error handler has seen: either way not to be
            # fetched again (a failing update would fail again, and hold the offset forever).
            if isinstance(update, Update) and not task.cancelled():
                self.ledger.handled(update.update_id)
            self._settle(update, not task.cancelled())

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _id(update: object) -> int | None:
    return update.update_id if isinstance(update, Update) else None
