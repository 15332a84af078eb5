"""Users (language choice) and staff membership."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from sqlite3 import Row
from typing import Generic, TypeVar

from bot.domain.records import Org, StaffMember, opt_from_db, to_db
from storage.db import Database

_T = TypeVar("_T")


def _staff(row: Row) -> StaffMember:
    paused = row["reminders_paused_until"]
    return StaffMember(
        user_id=row["user_id"],
        org=Org(row["org"]),
        name=row["name"],
        joined_at=datetime.fromisoformat(row["joined_at"]),
        revoked_at=opt_from_db(row["revoked_at"]),
        reminders_paused_until=date.fromisoformat(paused) if paused else None,
        municipality=row["municipality"],
    )


@dataclass(frozen=True)
class Footprint:
    """What is stored about one resident, for /privacy."""

    subscribed: bool
    reminders: int
    follows: int
    cards: int = 0  # report cards not saved yet (staff)
    # The safety pulse: 1 wants the question each quarter, 0 said no, -1 asked (no answer);
    # the quarter she was last sent it. Never what she answered.
    pulse_opt_in: int | None = None
    pulse_sent: str | None = None


class _PerUser(Generic[_T]):
    """What every update asks about its sender (saved language, staff membership), kept in
    memory: the loader would otherwise query it for each update. The repository that owns
    the table forgets a user's entry whenever it writes that user; entries also expire after
    a minute, for changes made by another process (the command line). Nothing read inside a
    transaction is kept: it could still be rolled back."""

    TTL = 60.0
    SIZE = 10_000

    def __init__(self, db: Database) -> None:
        self._db = db
        self._entries: OrderedDict[int, tuple[float, _T]] = OrderedDict()
        self._writes = 0  # a read that overlapped a write is not kept

    def get(self, user_id: int) -> tuple[bool, _T | None, int]:
        entry = self._entries.get(user_id)
        if entry is None or time.monotonic() - entry[0] > self.TTL:
            return False, None, self._writes
        return True, entry[1], self._writes

    def put(self, user_id: int, value: _T, writes_before: int) -> None:
        if self._db.in_transaction or writes_before != self._writes:
            return
        self._entries[user_id] = (time.monotonic(), value)
        self._entries.move_to_end(user_id)
        if len(self._entries) > self.SIZE:
            self._entries.popitem(last=False)

    def forget(self, user_id: int) -> None:
        self._writes += 1
        self._entries.pop(user_id, None)


class UserRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._locales: _PerUser[str | None] = _PerUser(db)

    async def locale(self, user_id: int) -> str | None:
        known, cached, writes = self._locales.get(user_id)
        if known:
            return cached
        row = await self._db.fetchone("SELECT locale FROM users WHERE user_id = ?", (user_id,))
        found = None if row is None else str(row["locale"])
        self._locales.put(user_id, found, writes)
        return found

    async def set_locale(
        self, user_id: int, locale: str, now: datetime, *, chosen: bool = False
    ) -> None:
        """Remember the language a user is written to in. ``chosen``: they picked it with
        /language; otherwise it is the one their Telegram app is set to, remembered when they
        subscribe, ask for a reminder or follow (so what is sent later arrives in it). A
        choice stays a choice while the language stays the same."""
        self._locales.forget(user_id)
        await self._db.execute(
            "INSERT INTO users (user_id, locale, locale_chosen, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET locale = excluded.locale, locale_chosen = "
            "CASE WHEN excluded.locale_chosen = 1 THEN 1 "
            "WHEN users.locale IS excluded.locale THEN users.locale_chosen ELSE 0 END",
            (user_id, locale, int(chosen), to_db(now)),
        )
        self._locales.forget(user_id)  # again: a read may have run before the write

    async def locale_chosen(self, user_id: int) -> bool | None:
        """Whether the stored language was chosen (True) or taken from the Telegram app
        (False); None when nothing is stored or the row predates the distinction."""
        row = await self._db.fetchone(
            "SELECT locale_chosen FROM users WHERE user_id = ?", (user_id,)
        )
        if row is None or row["locale_chosen"] is None:
            return None
        return bool(row["locale_chosen"])

    async def municipality(self, user_id: int) -> str | None:
        """The kommun a resident chose or named (several promises); None: not known."""
        row = await self._db.fetchone(
            "SELECT municipality FROM users WHERE user_id = ?", (user_id,)
        )
        return None if row is None else row["municipality"]

    async def set_municipality(
        self, user_id: int, municipality: str, locale: str, now: datetime
    ) -> None:
        """Remember a resident's kommun (and, for a new row, the language she writes in, as
        when she subscribes); /delete_me removes it with the row."""
        await self._db.execute(
            "INSERT INTO users (user_id, locale, created_at, municipality) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET municipality = excluded.municipality",
            (user_id, locale, to_db(now), municipality),
        )
        self._locales.forget(user_id)

    async def exists(self, user_id: int) -> bool:
        row = await self._db.fetchone("SELECT 1 FROM users WHERE user_id = ?", (user_id,))
        return row is not None

    async def footprint(self, user_id: int) -> Footprint:
        row = await self._db.fetchone(
            "SELECT (SELECT COUNT(*) FROM subscriptions WHERE chat_id = :u AND active = 1), "
            "(SELECT COUNT(*) FROM event_reminders WHERE chat_id = :u), "
            "(SELECT COUNT(*) FROM follows WHERE chat_id = :u), "
            "(SELECT COUNT(*) FROM drafts WHERE user_id = :u), "
            "(SELECT pulse_opt_in FROM users WHERE user_id = :u), "
            "(SELECT pulse_sent FROM users WHERE user_id = :u)",
            {"u": user_id},
        )
        assert row is not None
        return Footprint(
            subscribed=row[0] > 0,
            reminders=row[1],
            follows=row[2],
            cards=row[3],
            pulse_opt_in=row[4],
            pulse_sent=row[5],
        )

    async def forget(self, user_id: int, *, keep_work_records: bool = False) -> None:
        """Remove every row that names a resident's chat (their chat id is their user id), in
        one transaction: language, subscriptions, reminders, follows, every delivery (sent
        ones hold the alert or tip text) and audit rows with their id.

        ``keep_work_records`` (staff): their audit trail stays, being part of the promise's
        follow-up like their name and reports (/privacy says so)."""
        statements = [
            "DELETE FROM users WHERE user_id = :u",
            "DELETE FROM subscriptions WHERE chat_id = :u",
            "DELETE FROM event_reminders WHERE chat_id = :u",
            "DELETE FROM follows WHERE chat_id = :u",
            "DELETE FROM deliveries WHERE chat_id = :u",
            "DELETE FROM drafts WHERE user_id = :u",  # report cards never saved
            # Her link to her suggestions (they stay, without any chat id).
            "DELETE FROM suggestion_followers WHERE chat_id = :u",
        ]
        if not keep_work_records:
            statements.append(
                "DELETE FROM audit_log WHERE actor_id = :u OR target IN (:t, :ut) "
                "OR EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(audit_log.detail) "
                "THEN audit_log.detail ELSE '{}' END) WHERE value = :u)"
            )
        params = {"u": user_id, "t": str(user_id), "ut": f"user:{user_id}"}
        self._locales.forget(user_id)
        async with self._db.transaction() as conn:
            for sql in statements:
                await conn.execute(sql, params)
        self._locales.forget(user_id)


class StaffRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._active: _PerUser[StaffMember | None] = _PerUser(db)

    async def get(self, user_id: int) -> StaffMember | None:
        row = await self._db.fetchone("SELECT * FROM staff WHERE user_id = ?", (user_id,))
        return None if row is None else _staff(row)

    async def active(self, user_id: int) -> StaffMember | None:
        known, cached, writes = self._active.get(user_id)
        if known:
            return cached
        member = await self.get(user_id)
        found = member if member is not None and member.active else None
        self._active.put(user_id, found, writes)
        return found

    async def upsert(
        self, user_id: int, org: Org, name: str, now: datetime, invited_by: int | None
    ) -> StaffMember:
        self._active.forget(user_id)
        await self._db.execute(
            "INSERT INTO staff (user_id, org, name, joined_at, invited_by) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET org = excluded.org, name = excluded.name, "
            "joined_at = excluded.joined_at, invited_by = excluded.invited_by, "
            "revoked_at = NULL, revoked_by = NULL",
            (user_id, org.value, name, to_db(now), invited_by),
        )
        self._active.forget(user_id)
        member = await self.get(user_id)
        assert member is not None
        return member

    async def list_active(self) -> list[StaffMember]:
        rows = await self._db.fetchall(
            "SELECT * FROM staff WHERE revoked_at IS NULL ORDER BY org, name, user_id"
        )
        return [_staff(r) for r in rows]

    async def revoke(self, user_id: int, by: int, now: datetime) -> bool:
        self._active.forget(user_id)
        changed = await self._db.execute(
            "UPDATE staff SET revoked_at = ?, revoked_by = ? "
            "WHERE user_id = ? AND revoked_at IS NULL",
            (to_db(now), by, user_id),
        )
        self._active.forget(user_id)
        return changed > 0

    async def set_municipality(self, user_id: int, municipality: str | None) -> None:
        """The kommun a staff member works for (None: every kommun of the police area)."""
        self._active.forget(user_id)
        await self._db.execute(
            "UPDATE staff SET municipality = ? WHERE user_id = ?", (municipality, user_id)
        )
        self._active.forget(user_id)

    async def pause_reminders(self, user_id: int, until: date | None) -> None:
        self._active.forget(user_id)
        await self._db.execute(
            "UPDATE staff SET reminders_paused_until = ? WHERE user_id = ?",
            (until.isoformat() if until else None, user_id),
        )
        self._active.forget(user_id)
