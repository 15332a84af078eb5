"""Rows from before several promises (migration 010) given to the promise they belong to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from storage.db import Database


@dataclass(frozen=True)
class Window:
    promise_id: str
    start: date
    end: date


# Each table with a promise and the row's date that says which promise's window it is in.
_DATED = {
    "activities": "date",
    "events": "substr(starts_at, 1, 10)",
    "milestones": "reached_on",
    "suggestions": "substr(created_at, 1, 10)",
    "follows": "substr(created_at, 1, 10)",
}


async def adopt_rows(db: Database, windows: Sequence[Window], fallback: str) -> dict[str, int]:
    """Give every row without a promise ('') to the promise whose window holds its date
    (``windows``: the home kommun's promises), the rest to ``fallback`` (the home kommun's
    current promise). One transaction; returns the rows given per table. A database made
    since migration 010 has none, and this changes nothing."""
    given: dict[str, int] = {}
    async with db.transaction() as conn:
        for table, day in _DATED.items():
            n = 0
            for window in windows:
                cursor = await conn.execute(
                    f"UPDATE {table} SET promise_id = ? WHERE promise_id = '' "
                    f"AND {day} BETWEEN ? AND ?",
                    (window.promise_id, window.start.isoformat(), window.end.isoformat()),
                )
                n += cursor.rowcount
            cursor = await conn.execute(
                f"UPDATE {table} SET promise_id = ? WHERE promise_id = ''",
                (fallback,),
            )
            given[table] = n + cursor.rowcount
    return given
