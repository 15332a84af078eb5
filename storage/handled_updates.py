"""Updates handled by the last run that Telegram will deliver again (see
``bot.transport.offsets``)."""

from __future__ import annotations

from collections.abc import Iterable

from storage.db import Database


class HandledUpdatesRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self) -> list[int]:
        rows = await self._db.fetchall("SELECT update_id FROM handled_updates ORDER BY update_id")
        return [int(row["update_id"]) for row in rows]

    async def replace(self, update_ids: Iterable[int]) -> None:
        """Keep exactly ``update_ids`` (the ids the next run must skip)."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM handled_updates")
            await conn.executemany(
                "INSERT INTO handled_updates (update_id) VALUES (?)", [(i,) for i in update_ids]
            )
