"""Residents' suggestions and unsafe places, their groups and who asked to be told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from sqlite3 import Row

from bot.domain.records import (
    Follower,
    GroupStatus,
    Suggestion,
    SuggestionGroup,
    SuggestionKind,
    from_db,
    opt_from_db,
    to_db,
)
from storage.db import Database

# A resident's chat id is kept this long after she was told what happened.
KEEP_AFTER_ANSWER = timedelta(days=30)


@dataclass(frozen=True)
class NewSuggestion:
    kind: SuggestionKind
    group: str
    text: str  # already through the personal-data check
    locale: str
    theme: str | None = None
    area: str | None = None
    place: str | None = None
    time_of_day: str | None = None
    reasons: tuple[str, ...] = ()
    event_id: int | None = None


def _suggestion(row: Row) -> Suggestion:
    return Suggestion(
        id=row["id"],
        kind=SuggestionKind(row["kind"]),
        group=row["grp"],
        theme=row["theme"],
        area=row["area"],
        place=row["place"],
        time_of_day=row["time_of_day"],
        reasons=tuple(r for r in str(row["reasons"]).split(",") if r),
        text=row["text"],
        locale=row["locale"],
        event_id=row["event_id"],
        created_at=from_db(row["created_at"]),
    )


class SuggestionRepo:
    """Suggestions; what it adds belongs to ``promise_id``'s promise (coordinators read every
    promise's suggestions: a place feels unsafe whichever promise is in force)."""

    def __init__(self, db: Database, promise_id: str = "") -> None:
        self._db = db
        self.promise_id = promise_id

    async def add(self, new: NewSuggestion, now: datetime, follower: int | None = None) -> int:
        """Store a suggestion; ``follower``: the chat to tell what happens (else none)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO suggestions (kind, grp, theme, area, place, time_of_day, reasons, "
                "text, locale, event_id, created_at, promise_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.kind.value,
                    new.group,
                    new.theme,
                    new.area,
                    new.place,
                    new.time_of_day,
                    ",".join(new.reasons),
                    new.text,
                    new.locale,
                    new.event_id,
                    to_db(now),
                    self.promise_id,
                ),
            )
            suggestion_id = int(cursor.lastrowid or 0)
            await conn.execute(
                "INSERT OR IGNORE INTO suggestion_groups (grp, updated_at) VALUES (?, ?)",
                (new.group, to_db(now)),
            )
            if follower is not None:
                await conn.execute(
                    "INSERT INTO suggestion_followers (suggestion_id, chat_id, locale) "
                    "VALUES (?, ?, ?)",
                    (suggestion_id, follower, new.locale),
                )
        return suggestion_id

    async def groups(self, promise_ids: tuple[str, ...] | None = None) -> list[SuggestionGroup]:
        """Every group with its count, newest first; ``promise_ids``: only the suggestions
        that came in for these promises (one kommun's, for its published page)."""
        where = ""
        params: tuple[str, ...] = ()
        if promise_ids is not None:
            where = f"WHERE s.promise_id IN ({','.join('?' * len(promise_ids))}) "
            params = promise_ids
        rows = await self._db.fetchall(
            "SELECT g.grp, g.status, g.reason, g.event_id, g.updated_at, COUNT(s.id) AS n, "
            "MAX(s.created_at) AS newest FROM suggestion_groups g "
            f"JOIN suggestions s ON s.grp = g.grp {where}"
            "GROUP BY g.grp ORDER BY newest DESC, g.grp",
            params,
        )
        return [
            SuggestionGroup(
                key=r["grp"],
                status=GroupStatus(r["status"]),
                reason=r["reason"],
                event_id=r["event_id"],
                count=r["n"],
                newest=from_db(r["newest"]),
                updated_at=opt_from_db(r["updated_at"]),
            )
            for r in rows
        ]

    async def group(self, key: str) -> SuggestionGroup | None:
        return next((g for g in await self.groups() if g.key == key), None)

    async def in_group(self, key: str, limit: int = 20) -> list[Suggestion]:
        rows = await self._db.fetchall(
            "SELECT * FROM suggestions WHERE grp = ? ORDER BY created_at DESC, id DESC LIMIT ?",
            (key, limit),
        )
        return [_suggestion(r) for r in rows]

    async def get(self, suggestion_id: int) -> Suggestion | None:
        row = await self._db.fetchone("SELECT * FROM suggestions WHERE id = ?", (suggestion_id,))
        return None if row is None else _suggestion(row)

    async def count_since(self, since: datetime) -> list[tuple[str, int]]:
        """Groups with suggestions that came in since ``since``: (group, how many), most first."""
        rows = await self._db.fetchall(
            "SELECT grp, COUNT(*) FROM suggestions WHERE created_at >= ? GROUP BY grp "
            "ORDER BY COUNT(*) DESC, grp",
            (to_db(since),),
        )
        return [(r[0], r[1]) for r in rows]

    async def set_status(
        self,
        key: str,
        status: GroupStatus,
        now: datetime,
        by: int,
        reason: str = "",
        event_id: int | None = None,
    ) -> None:
        await self._db.execute(
            "UPDATE suggestion_groups SET status = ?, reason = ?, event_id = ?, updated_at = ?, "
            "updated_by = ? WHERE grp = ?",
            (status.value, reason, event_id, to_db(now), by, key),
        )

    async def untold(self, key: str) -> list[Follower]:
        """Residents of this group who asked to be told and have not been yet."""
        rows = await self._db.fetchall(
            "SELECT f.suggestion_id, f.chat_id, f.locale FROM suggestion_followers f "
            "JOIN suggestions s ON s.id = f.suggestion_id WHERE s.grp = ? AND f.told_at IS NULL "
            "ORDER BY f.suggestion_id",
            (key,),
        )
        return [Follower(r[0], r[1], r[2]) for r in rows]

    async def mark_told(self, suggestion_ids: list[int], now: datetime) -> None:
        keep = to_db(now + KEEP_AFTER_ANSWER)
        for suggestion_id in suggestion_ids:
            await self._db.execute(
                "UPDATE suggestion_followers SET told_at = ?, keep_until = ? "
                "WHERE suggestion_id = ?",
                (to_db(now), keep, suggestion_id),
            )

    async def following(self, chat_id: int) -> int:
        """How many of her suggestions a resident asked to hear about (for /privacy)."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM suggestion_followers WHERE chat_id = ?", (chat_id,)
        )
        return int(row[0]) if row is not None else 0

    async def purge(self, now: datetime) -> int:
        """Forget the chat ids of residents told more than 30 days ago."""
        return await self._db.execute(
            "DELETE FROM suggestion_followers WHERE keep_until IS NOT NULL AND keep_until < ?",
            (to_db(now),),
        )
