"""Residents following commitments for progress news."""

from __future__ import annotations

from datetime import datetime

from bot.domain.records import to_db
from storage.db import Database


class FollowRepo:
    """Follows of one promise's commitments (as ``storage.activities.ActivityRepo``)."""

    def __init__(self, db: Database, promise_id: str = "") -> None:
        self._db = db
        self.promise_id = promise_id

    async def of_chat(self, chat_id: int) -> set[str]:
        rows = await self._db.fetchall(
            "SELECT commitment FROM follows WHERE chat_id = ? AND promise_id = ?",
            (chat_id, self.promise_id),
        )
        return {r[0] for r in rows}

    async def add(self, chat_id: int, commitment: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO follows (chat_id, promise_id, commitment, created_at) "
            "VALUES (?, ?, ?, ?)",
            (chat_id, self.promise_id, commitment, to_db(now)),
        )

    async def remove(self, chat_id: int, commitment: str) -> None:
        await self._db.execute(
            "DELETE FROM follows WHERE chat_id = ? AND promise_id = ? AND commitment = ?",
            (chat_id, self.promise_id, commitment),
        )

    async def followers(self) -> list[tuple[int, str, str | None]]:
        """(chat id, commitment, chosen locale) for every follow."""
        rows = await self._db.fetchall(
            "SELECT f.chat_id, f.commitment, u.locale FROM follows f "
            "LEFT JOIN users u ON u.user_id = f.chat_id WHERE f.promise_id = ? "
            "ORDER BY f.chat_id, f.commitment",
            (self.promise_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]
