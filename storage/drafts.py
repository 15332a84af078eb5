"""Report cards not saved yet (``drafts``): one row per card, newest touch first."""

from __future__ import annotations

from datetime import datetime
from sqlite3 import Row

from bot.domain.records import DraftRow, from_db, opt_from_db, to_db
from storage.db import Database

_NEXT_TOUCH = "(SELECT COALESCE(MAX(touch), 0) + 1 FROM drafts)"


def _draft(row: Row) -> DraftRow:
    return DraftRow(
        id=row["id"],
        user_id=row["user_id"],
        data=row["data"],
        created_at=from_db(row["created_at"]),
        touched_at=from_db(row["touched_at"]),
        warned_at=opt_from_db(row["warned_at"]),
    )


class DraftRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, user_id: int, data: str, now: datetime) -> int:
        return await self._db.insert(
            "INSERT INTO drafts (user_id, data, created_at, touched_at, touch) "
            f"VALUES (?, ?, ?, ?, {_NEXT_TOUCH})",
            (user_id, data, to_db(now), to_db(now)),
        )

    async def update(self, draft_id: int, user_id: int, data: str, now: datetime) -> bool:
        """Store the card and count it as touched now (a warning already sent is forgotten:
        the owner is using it). False when it is gone or not theirs."""
        changed = await self._db.execute(
            f"UPDATE drafts SET data = ?, touched_at = ?, warned_at = NULL, touch = {_NEXT_TOUCH} "
            "WHERE id = ? AND user_id = ?",
            (data, to_db(now), draft_id, user_id),
        )
        return changed > 0

    async def get(self, draft_id: int, user_id: int) -> DraftRow | None:
        row = await self._db.fetchone(
            "SELECT * FROM drafts WHERE id = ? AND user_id = ?", (draft_id, user_id)
        )
        return None if row is None else _draft(row)

    async def of_user(self, user_id: int) -> list[DraftRow]:
        """Every card of this person, the one touched last first."""
        rows = await self._db.fetchall(
            "SELECT * FROM drafts WHERE user_id = ? ORDER BY touch DESC",
            (user_id,),
        )
        return [_draft(r) for r in rows]

    async def latest(self, user_id: int) -> DraftRow | None:
        """The card this person touched last."""
        row = await self._db.fetchone(
            "SELECT * FROM drafts WHERE user_id = ? ORDER BY touch DESC LIMIT 1", (user_id,)
        )
        return None if row is None else _draft(row)

    async def count(self, user_id: int) -> int:
        row = await self._db.fetchone("SELECT COUNT(*) FROM drafts WHERE user_id = ?", (user_id,))
        return int(row[0]) if row is not None else 0

    async def delete(self, draft_id: int, user_id: int) -> bool:
        changed = await self._db.execute(
            "DELETE FROM drafts WHERE id = ? AND user_id = ?", (draft_id, user_id)
        )
        return changed > 0

    async def to_warn(self, touched_before: datetime) -> list[DraftRow]:
        rows = await self._db.fetchall(
            "SELECT * FROM drafts WHERE touched_at < ? AND warned_at IS NULL ORDER BY id",
            (to_db(touched_before),),
        )
        return [_draft(r) for r in rows]

    async def mark_warned(self, draft_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE drafts SET warned_at = ? WHERE id = ?", (to_db(now), draft_id)
        )

    async def drop_expired(self, touched_before: datetime, warned_before: datetime) -> int:
        """Drop cards untouched since ``touched_before`` whose owner was told before
        ``warned_before``; never one whose owner was not told."""
        return await self._db.execute(
            "DELETE FROM drafts WHERE touched_at < ? AND warned_at IS NOT NULL AND warned_at < ?",
            (to_db(touched_before), to_db(warned_before)),
        )
