"""Planned events (theme meetings, dialogues, visibility efforts, ...)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from sqlite3 import Row

from bot.domain.records import Event, from_db, opt_from_db, to_db
from storage.db import Database


@dataclass(frozen=True)
class NewEvent:
    commitment: str
    title: str
    starts_at: datetime
    ends_at: datetime
    visibility: str
    place: str = ""
    description: str = ""
    organiser_id: int | None = None


def _event(row: Row) -> Event:
    return Event(
        id=row["id"],
        commitment=row["commitment"],
        title=row["title"],
        description=row["description"],
        place=row["place"],
        starts_at=from_db(row["starts_at"]),
        ends_at=from_db(row["ends_at"]),
        visibility=row["visibility"],
        organiser_id=row["organiser_id"],
        status=row["status"],
        followup_sent_at=opt_from_db(row["followup_sent_at"]),
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        promise_id=row["promise_id"],
    )


_INSERT = (
    "INSERT INTO events (commitment, title, description, place, starts_at, ends_at, visibility, "
    "organiser_id, created_at, updated_at, promise_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _params(new: NewEvent, now: datetime, promise_id: str) -> tuple[object, ...]:
    return (
        new.commitment,
        new.title,
        new.description,
        new.place,
        to_db(new.starts_at),
        to_db(new.ends_at),
        new.visibility,
        new.organiser_id,
        to_db(now),
        to_db(now),
        promise_id,
    )


# How far past the asked window a kept ``upcoming`` fetch reaches, so that calls a little
# later (the clock moves on) are served from it too.
_UPCOMING_MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class _Kept:
    token: tuple[int, ...]  # the database's change token taken before the fetch
    since: str  # the fetch's ``now`` (stored text): valid for calls at or after it
    until: str | None  # how far the fetch reaches (None: no bound)
    rows: list[tuple[str, str, Event]]  # (starts_at, ends_at as stored, event), in order


class EventRepo:
    """One promise's events (as ``storage.activities.ActivityRepo``); an event is found by
    its id whichever promise it belongs to."""

    def __init__(self, db: Database, promise_id: str = "") -> None:
        self._db = db
        self.promise_id = promise_id
        self._upcoming: dict[tuple[str | None, tuple[str, ...] | None], _Kept] = {}

    async def add(self, new: NewEvent, now: datetime) -> Event:
        event_id = await self._db.insert(_INSERT, _params(new, now, self.promise_id))
        found = await self.get(event_id)
        assert found is not None
        return found

    async def add_many(self, rows: list[NewEvent], now: datetime) -> int:
        async with self._db.transaction() as conn:
            await conn.executemany(_INSERT, [_params(r, now, self.promise_id) for r in rows])
        return len(rows)

    async def get(self, event_id: int) -> Event | None:
        row = await self._db.fetchone("SELECT * FROM events WHERE id = ?", (event_id,))
        return None if row is None else _event(row)

    async def upcoming(
        self,
        now: datetime,
        until: datetime | None = None,
        commitment: str | None = None,
        visibilities: tuple[str, ...] | None = None,
    ) -> list[Event]:
        """Planned events that have not ended yet, soonest first.

        Residents ask "when is the next …" all day while events change rarely, so the rows
        are kept between calls (read without the database thread) for as long as the
        database's change token stays the same, which any write moves: an event planned,
        moved or cancelled, here or by another process, is seen by the next call. A kept
        fetch reaches ``_UPCOMING_MARGIN`` past ``until`` and serves later calls whose window
        lies inside it, filtered exactly as the query does (on the stored text)."""
        now_s = to_db(now)
        until_s = None if until is None else to_db(until)
        key = (commitment, visibilities)
        token = self._db.change_token()
        kept = self._upcoming.get(key)
        if (
            kept is None
            or kept.token != token
            or now_s < kept.since
            or (kept.until is not None and (until_s is None or until_s > kept.until))
        ):
            reach = None if until is None else until + _UPCOMING_MARGIN
            rows = await self._upcoming_rows(now, reach, commitment, visibilities)
            kept = _Kept(token, now_s, None if reach is None else to_db(reach), rows)
            # Rows read inside this task's own transaction may yet be rolled back, and a
            # rollback leaves the token as it is: they are used once, never kept.
            if not self._db.in_transaction:
                if len(self._upcoming) >= 64:
                    self._upcoming.clear()
                self._upcoming[key] = kept
        return [
            event
            for starts, ends, event in kept.rows
            if ends > now_s and (until_s is None or starts <= until_s)
        ]

    async def _upcoming_rows(
        self,
        now: datetime,
        until: datetime | None,
        commitment: str | None,
        visibilities: tuple[str, ...] | None,
    ) -> list[tuple[str, str, Event]]:
        sql = "SELECT * FROM events WHERE status = 'planned' AND promise_id = ? AND ends_at > ?"
        params: list[object] = [self.promise_id, to_db(now)]
        if until is not None:
            sql += " AND starts_at <= ?"
            params.append(to_db(until))
        if commitment is not None:
            sql += " AND commitment = ?"
            params.append(commitment)
        if visibilities is not None:
            sql += f" AND visibility IN ({','.join('?' * len(visibilities))})"
            params.extend(visibilities)
        sql += " ORDER BY starts_at, id"
        rows = await self._db.fetchall(sql, params)
        return [(r["starts_at"], r["ends_at"], _event(r)) for r in rows]

    async def ended_without_followup(self, now: datetime) -> list[Event]:
        rows = await self._db.fetchall(
            "SELECT * FROM events WHERE status = 'planned' AND promise_id = ? AND ends_at <= ? "
            "AND followup_sent_at IS NULL AND organiser_id IS NOT NULL ORDER BY ends_at",
            (self.promise_id, to_db(now)),
        )
        return [_event(r) for r in rows]

    async def planned_start_dates(self, after: datetime) -> dict[str, list[datetime]]:
        """Start times of planned events not yet started, per commitment (pace input)."""
        out: dict[str, list[datetime]] = defaultdict(list)
        rows = await self._db.fetchall(
            "SELECT commitment, starts_at FROM events WHERE status = 'planned' "
            "AND promise_id = ? AND starts_at > ? ORDER BY commitment, starts_at",
            (self.promise_id, to_db(after)),
        )
        for r in rows:
            out[r["commitment"]].append(from_db(r["starts_at"]))
        return dict(out)

    async def set_status(self, event_id: int, status: str, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE events SET status = ?, updated_at = ? WHERE id = ?",
            (status, to_db(now), event_id),
        )
        return changed > 0

    async def move(
        self, event_id: int, starts_at: datetime, ends_at: datetime, now: datetime
    ) -> bool:
        changed = await self._db.execute(
            "UPDATE events SET starts_at = ?, ends_at = ?, updated_at = ?, "
            "followup_sent_at = NULL WHERE id = ? AND status = 'planned'",
            (to_db(starts_at), to_db(ends_at), to_db(now), event_id),
        )
        return changed > 0

    async def mark_followup_sent(self, event_id: int, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE events SET followup_sent_at = ? WHERE id = ? AND followup_sent_at IS NULL",
            (to_db(now), event_id),
        )
        return changed > 0

    async def by_organiser(self, user_id: int, now: datetime, limit: int = 10) -> list[Event]:
        rows = await self._db.fetchall(
            "SELECT * FROM events WHERE organiser_id = ? AND status = 'planned' AND ends_at > ? "
            "ORDER BY starts_at LIMIT ?",
            (user_id, to_db(now), limit),
        )
        return [_event(r) for r in rows]

    async def visibilities(self, event_ids: list[int]) -> dict[int | None, str]:
        """Event id → visibility, for the events behind reported activities."""
        if not event_ids:
            return {}
        marks = ",".join("?" * len(event_ids))
        rows = await self._db.fetchall(
            f"SELECT id, visibility FROM events WHERE id IN ({marks})", event_ids
        )
        return {r[0]: r[1] for r in rows}

    async def all_public(self) -> list[Event]:
        rows = await self._db.fetchall(
            "SELECT * FROM events WHERE visibility = 'public' AND status = 'planned' "
            "AND promise_id = ? ORDER BY starts_at, id",
            (self.promise_id,),
        )
        return [_event(r) for r in rows]


class EventReminderRepo:
    """Residents who asked to be reminded of an event (chat id only)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, event_id: int, chat_id: int, now: datetime) -> bool:
        changed = await self._db.execute(
            "INSERT OR IGNORE INTO event_reminders (event_id, chat_id, created_at) "
            "VALUES (?, ?, ?)",
            (event_id, chat_id, to_db(now)),
        )
        return changed > 0

    async def remove(self, event_id: int, chat_id: int) -> bool:
        changed = await self._db.execute(
            "DELETE FROM event_reminders WHERE event_id = ? AND chat_id = ?", (event_id, chat_id)
        )
        return changed > 0

    async def chats(self, event_id: int) -> list[tuple[int, str | None]]:
        """(chat id, chosen locale) of everyone reminded of ``event_id``."""
        rows = await self._db.fetchall(
            "SELECT r.chat_id, u.locale FROM event_reminders r "
            "LEFT JOIN users u ON u.user_id = r.chat_id WHERE r.event_id = ? ORDER BY r.chat_id",
            (event_id,),
        )
        return [(r[0], r[1]) for r in rows]
