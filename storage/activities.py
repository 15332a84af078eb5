"""Reported activities (what was done) and confirmed milestones."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from sqlite3 import Row

from bot.domain.conditions import Status, decode, encode
from bot.domain.records import Activity, Milestone, from_db, opt_from_db, to_db
from storage.db import Database


@dataclass(frozen=True)
class NewActivity:
    commitment: str
    date: date
    place: str | None = None
    count: int | None = None
    description: str = ""
    source: str = "chat"
    event_id: int | None = None
    reported_by: int | None = None
    # Condition id → met / not met (bot.domain.conditions); left out: unknown. The default
    # is "all unknown": such a report counts, shown as unknown.
    conditions: Mapping[str, Status] = field(default_factory=dict, hash=False)


def _activity(row: Row) -> Activity:
    return Activity(
        id=row["id"],
        commitment=row["commitment"],
        date=date.fromisoformat(row["date"]),
        place=row["place"],
        count=row["count"],
        description=row["description"],
        source=row["source"],
        event_id=row["event_id"],
        reported_by=row["reported_by"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        retracted_at=opt_from_db(row["retracted_at"]),
        conditions=decode(row["conditions"]),
        promise_id=row["promise_id"],
    )


_INSERT = (
    "INSERT INTO activities (commitment, date, place, count, description, source, event_id, "
    "reported_by, created_at, updated_at, conditions, promise_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# Reports that have answered any of their conditions (index activities_answered).
_ANSWERED = "conditions <> '{}'"


def _params(new: NewActivity, now: datetime, promise_id: str) -> tuple[object, ...]:
    stamp = to_db(now)
    return (
        new.commitment,
        new.date.isoformat(),
        new.place,
        new.count,
        new.description,
        new.source,
        new.event_id,
        new.reported_by,
        stamp,
        stamp,
        encode(new.conditions),
        promise_id,
    )


class ActivityRepo:
    """One promise's activities (``promise_id``, bot.domain.promise_set): what it adds
    belongs to that promise, what it reads and counts is that promise's."""

    def __init__(self, db: Database, promise_id: str = "") -> None:
        self._db = db
        self.promise_id = promise_id

    async def add(self, new: NewActivity, now: datetime) -> Activity:
        activity_id = await self._db.insert(_INSERT, _params(new, now, self.promise_id))
        found = await self.get(activity_id)
        assert found is not None
        return found

    async def add_many(self, rows: list[NewActivity], now: datetime) -> int:
        """All or nothing: one transaction for the whole batch."""
        async with self._db.transaction() as conn:
            await conn.executemany(_INSERT, [_params(r, now, self.promise_id) for r in rows])
        return len(rows)

    async def get(self, activity_id: int) -> Activity | None:
        row = await self._db.fetchone("SELECT * FROM activities WHERE id = ?", (activity_id,))
        return None if row is None else _activity(row)

    async def by_reporter(self, user_id: int, limit: int = 10) -> list[Activity]:
        rows = await self._db.fetchall(
            "SELECT * FROM activities WHERE reported_by = ? AND retracted_at IS NULL "
            "AND promise_id = ? ORDER BY date DESC, id DESC LIMIT ?",
            (user_id, self.promise_id, limit),
        )
        return [_activity(r) for r in rows]

    async def recent(
        self, commitment: str | None = None, limit: int = 10, until: date | None = None
    ) -> list[Activity]:
        sql = "SELECT * FROM activities WHERE retracted_at IS NULL AND promise_id = ?"
        params: list[object] = [self.promise_id]
        if commitment is not None:
            sql += " AND commitment = ?"
            params.append(commitment)
        if until is not None:
            sql += " AND date <= ?"
            params.append(until.isoformat())
        sql += " ORDER BY date DESC, id DESC LIMIT ?"
        params.append(limit)
        return [_activity(r) for r in await self._db.fetchall(sql, params)]

    async def created_since(self, since: datetime) -> list[Activity]:
        rows = await self._db.fetchall(
            "SELECT * FROM activities WHERE retracted_at IS NULL AND promise_id = ? "
            "AND created_at > ? ORDER BY id",
            (self.promise_id, to_db(since)),
        )
        return [_activity(r) for r in rows]

    async def places(self, commitments: tuple[str, ...]) -> list[tuple[str, date, str, int]]:
        """(place, day, commitment, how many) of the reported activities of ``commitments``
        that name a place, grouped: the safety pulse reads them per area."""
        if not commitments:
            return []
        marks = ",".join("?" * len(commitments))
        rows = await self._db.fetchall(
            "SELECT place, date, commitment, COUNT(*) FROM activities WHERE retracted_at IS NULL "
            f"AND promise_id = ? AND commitment IN ({marks}) AND place IS NOT NULL "
            "AND place <> '' GROUP BY place, date, commitment ORDER BY date",
            (self.promise_id, *commitments),
        )
        return [(r[0], date.fromisoformat(r[1]), r[2], r[3]) for r in rows]

    async def all_counted(self) -> list[Activity]:
        rows = await self._db.fetchall(
            "SELECT * FROM activities WHERE retracted_at IS NULL AND promise_id = ? "
            "ORDER BY date, id",
            (self.promise_id,),
        )
        return [_activity(r) for r in rows]

    async def update(
        self,
        activity_id: int,
        now: datetime,
        *,
        commitment: str,
        day: date,
        place: str | None,
        count: int | None,
        description: str,
    ) -> bool:
        changed = await self._db.execute(
            "UPDATE activities SET commitment = ?, date = ?, place = ?, count = ?, "
            "description = ?, updated_at = ? WHERE id = ? AND retracted_at IS NULL",
            (commitment, day.isoformat(), place, count, description, to_db(now), activity_id),
        )
        return changed > 0

    async def set_conditions(
        self, activity_id: int, conditions: Mapping[str, Status], now: datetime
    ) -> bool:
        """Replace a saved report's answers (left out: unknown)."""
        changed = await self._db.execute(
            "UPDATE activities SET conditions = ?, updated_at = ? "
            "WHERE id = ? AND retracted_at IS NULL",
            (encode(conditions), to_db(now), activity_id),
        )
        return changed > 0

    async def retract(self, activity_id: int, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE activities SET retracted_at = ?, updated_at = ? "
            "WHERE id = ? AND retracted_at IS NULL",
            (to_db(now), to_db(now), activity_id),
        )
        return changed > 0

    async def counted_dates(self) -> dict[str, list[date]]:
        """Every activity date per commitment, ascending: the pace engine's input (it takes
        out the reports whose answers to their conditions do not count, ``answered``).

        SQLite groups by day (an indexed scan) so only one row per commitment and day crosses
        the thread boundary; the list repeats a date once per activity that day, which is
        what the pace engine bisects over."""
        rows = await self._db.fetchall(
            "SELECT commitment, date, COUNT(*) FROM activities WHERE retracted_at IS NULL "
            "AND promise_id = ? GROUP BY commitment, date ORDER BY commitment, date",
            (self.promise_id,),
        )
        out: dict[str, list[date]] = defaultdict(list)
        parse = date.fromisoformat
        for commitment, day, n in rows:
            out[commitment].extend([parse(day)] * n)
        return dict(out)

    async def answered(self) -> dict[str, list[tuple[date, dict[str, Status], int]]]:
        """(day, answers, how many reports) per commitment, of the reports that answered
        any condition, ascending by day: grouped, so a thousand reports with the same
        answers on a day are one row. Read-only: equal answers share one dict."""
        rows = await self._db.fetchall(
            "SELECT commitment, date, conditions, COUNT(*) FROM activities "
            f"WHERE retracted_at IS NULL AND {_ANSWERED} AND promise_id = ? "
            "GROUP BY commitment, date, conditions ORDER BY commitment, date",
            (self.promise_id,),
        )
        out: dict[str, list[tuple[date, dict[str, Status], int]]] = defaultdict(list)
        read: dict[str, dict[str, Status]] = {}
        for commitment, day, text, n in rows:
            answers = read.get(text)
            if answers is None:
                answers = read[text] = decode(text)
            out[commitment].append((date.fromisoformat(day), answers, n))
        return dict(out)


class MilestoneRepo:
    """One promise's milestones (as ``ActivityRepo``)."""

    def __init__(self, db: Database, promise_id: str = "") -> None:
        self._db = db
        self.promise_id = promise_id

    async def confirm(
        self, commitment: str, reached_on: date, by: int, now: datetime, note: str = ""
    ) -> bool:
        """Record a milestone as reached; returns False if it already was."""
        changed = await self._db.execute(
            "INSERT OR IGNORE INTO milestones (commitment, reached_on, confirmed_by, "
            "confirmed_at, note, promise_id) VALUES (?, ?, ?, ?, ?, ?)",
            (commitment, reached_on.isoformat(), by, to_db(now), note, self.promise_id),
        )
        return changed > 0

    async def all(self) -> dict[str, Milestone]:
        rows = await self._db.fetchall(
            "SELECT * FROM milestones WHERE promise_id = ?", (self.promise_id,)
        )
        return {
            r["commitment"]: Milestone(
                commitment=r["commitment"],
                reached_on=date.fromisoformat(r["reached_on"]),
                confirmed_by=r["confirmed_by"],
                confirmed_at=from_db(r["confirmed_at"]),
                note=r["note"],
            )
            for r in rows
        }
