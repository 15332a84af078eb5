"""Which fetched updates are handled, so long polling confirms nothing it has not answered.

Telegram forgets an update only when a later ``getUpdates`` carries an ``offset`` above its
id; until then it delivers it again, to this process or to the next one. PTB's ``Updater``
confirms a batch the moment it asks for the next one (``offset = last id + 1``) and once more
when it stops, whether the batch was handled or not, so a stop with updates still queued
either waited for all of them (minutes) or, when killed, lost them.

The ledger is the bookkeeping that closes that gap, without Telegram types:

- the ``getUpdates`` request wrapper (``bot.transport.update_guard``) records every id it fetched
  (``fetched``) and holds back the next ``getUpdates`` until every update below its offset is
  handled (``wait_confirmable``): a batch is confirmed only once it is answered;
- the update processor (``handlers.updates``) reports each update whose handler ran
  (``handled``); one dropped at a stop stays unhandled;
- at a stop, ``safe_offset`` is the highest offset that confirms only handled updates (the
  lowest unhandled id); updates handled above it (other chats ran ahead) are ``ahead`` and
  are kept in the database, so the process after the restart skips them when Telegram
  delivers them again (``skip``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable


class OffsetLedger:
    def __init__(self) -> None:
        self._unhandled: set[int] = set()  # fetched, handler not (yet) run
        self._handled: set[int] = set()  # handled (or skipped), not yet confirmed
        self._next = 0  # one above the highest id fetched (0: nothing fetched yet)
        self._changed = asyncio.Event()
        self.stopping = False  # no more fetching: getUpdates is answered empty, unsent
        self.final = False  # the runner's last getUpdates, which confirms ``safe_offset``

    def skip(self, update_ids: Iterable[int]) -> None:
        """Updates handled by an earlier run above its last confirmed offset."""
        self._handled.update(update_ids)

    def is_handled(self, update_id: int) -> bool:
        return update_id in self._handled

    def fetched(self, update_ids: Iterable[int]) -> None:
        for update_id in update_ids:
            if update_id not in self._handled:
                self._unhandled.add(update_id)
            self._next = max(self._next, update_id + 1)

    def handled(self, update_id: int) -> None:
        if update_id in self._unhandled:  # not fetched by polling (a webhook, a test): no record
            self._unhandled.discard(update_id)
            self._handled.add(update_id)
            self._changed.set()

    def confirmed(self, offset: int) -> None:
        """A ``getUpdates`` with ``offset`` is on its way: Telegram forgets the ids below."""
        self._handled = {i for i in self._handled if i >= offset}

    def confirmable(self, offset: int) -> bool:
        return not any(i < offset for i in self._unhandled)

    async def wait_confirmable(self, offset: int) -> None:
        while not self.confirmable(offset):
            self._changed.clear()
            await self._changed.wait()

    @property
    def next_fetch(self) -> int:
        """One above the highest id fetched (0: nothing yet)."""
        return self._next

    @property
    def unhandled(self) -> int:
        return len(self._unhandled)

    def safe_offset(self) -> int:
        """The offset that confirms every handled update below the first unhandled one."""
        return min(self._unhandled) if self._unhandled else self._next

    def ahead(self) -> list[int]:
        """Handled ids at or above ``safe_offset``: Telegram will deliver them again."""
        offset = self.safe_offset()
        return sorted(i for i in self._handled if i >= offset)
