"""Updates from different chats are handled in parallel (bounded); the updates of one chat
keep their order, so a conversation sees its messages one by one, as PTB's
``ConversationHandler`` requires.

PTB starts one task per update, in the order the updates arrive. The first thing each task
does is queue on its chat's lock (``asyncio.Lock`` is first come, first served), and only
then take one of our ``MAX_CONCURRENT`` slots: a chat that writes fast waits for itself
without holding slots other chats could use. (PTB's own semaphore, taken before
``do_process_update``, is given room for every waiting update so it never reorders them;
the bound is ours.)
"""

from __future__ import annotations

import inspect
from asyncio import Lock, Semaphore
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT = 32
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
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        super().__init__(_WAITING_MAX)
        self.slots = max_concurrent_updates
        self._slots = Semaphore(max_concurrent_updates)
        self._chains: dict[int, tuple[Lock, int]] = {}  # chat → (lock, updates waiting)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock, users = self._chains.get(key) or (Lock(), 0)
        self._chains[key] = (lock, users + 1)
        try:
            async with lock, self._slots:
                await coroutine
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

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
