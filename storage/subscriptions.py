"""Fraud-tip subscriptions (one per chat), urgent alerts, and anonymous scam-check counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from sqlite3 import Row

from bot.domain.records import Subscription, from_db, opt_from_db, to_db
from storage.db import Database


def _subscription(row: Row) -> Subscription:
    return Subscription(
        chat_id=row["chat_id"],
        locale=row["locale"],
        cadence=row["cadence"],
        weekday=row["weekday"],
        slot=row["slot"],
        anchor=date.fromisoformat(row["anchor"]),
        cursor=row["cursor"],
        next_at=opt_from_db(row["next_at"]),
        active=bool(row["active"]),
        created_at=from_db(row["created_at"]),
        stopped_at=opt_from_db(row["stopped_at"]),
        stop_reason=row["stop_reason"],
    )


@dataclass(frozen=True)
class NewSubscription:
    chat_id: int
    locale: str
    cadence: str
    weekday: int
    slot: str
    next_at: datetime


class SubscriptionRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, chat_id: int) -> Subscription | None:
        row = await self._db.fetchone("SELECT * FROM subscriptions WHERE chat_id = ?", (chat_id,))
        return None if row is None else _subscription(row)

    async def upsert(
        self,
        chat_id: int,
        *,
        locale: str,
        cadence: str,
        weekday: int,
        slot: str,
        next_at: datetime,
        now: datetime,
    ) -> None:
        """Start or change a subscription; a restarted one keeps its place in the tips."""
        await self.upsert_many(
            [NewSubscription(chat_id, locale, cadence, weekday, slot, next_at)], now
        )

    async def upsert_many(self, rows: list[NewSubscription], now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO subscriptions (chat_id, locale, cadence, weekday, slot, anchor, "
                "next_at, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) "
                "ON CONFLICT (chat_id) DO UPDATE SET locale = excluded.locale, "
                "cadence = excluded.cadence, weekday = excluded.weekday, slot = excluded.slot, "
                "next_at = excluded.next_at, active = 1, stopped_at = NULL, stop_reason = NULL",
                [
                    (
                        r.chat_id,
                        r.locale,
                        r.cadence,
                        r.weekday,
                        r.slot,
                        now.date().isoformat(),
                        to_db(r.next_at),
                        to_db(now),
                    )
                    for r in rows
                ],
            )

    async def stop(self, chat_id: int, reason: str, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE subscriptions SET active = 0, stopped_at = ?, stop_reason = ?, "
            "next_at = NULL WHERE chat_id = ? AND active = 1",
            (to_db(now), reason, chat_id),
        )
        return changed > 0

    async def due(self, now: datetime, limit: int = 10_000) -> list[Subscription]:
        rows = await self._db.fetchall(
            "SELECT * FROM subscriptions WHERE active = 1 AND next_at <= ? "
            "ORDER BY next_at, chat_id LIMIT ?",
            (to_db(now), limit),
        )
        return [_subscription(r) for r in rows]

    async def advance_many(self, rows: list[tuple[int, int, datetime]]) -> None:
        """(chat id, new cursor, next time) for a whole round, in one transaction."""
        async with self._db.transaction() as conn:
            await conn.executemany(
                "UPDATE subscriptions SET cursor = ?, next_at = ? WHERE chat_id = ?",
                [(cursor, to_db(at), chat) for chat, cursor, at in rows],
            )

    async def active(self) -> list[Subscription]:
        rows = await self._db.fetchall(
            "SELECT * FROM subscriptions WHERE active = 1 ORDER BY chat_id"
        )
        return [_subscription(r) for r in rows]

    async def count_active(self) -> int:
        row = await self._db.fetchone("SELECT COUNT(*) FROM subscriptions WHERE active = 1")
        return int(row[0]) if row else 0


@dataclass(frozen=True)
class Alert:
    id: int
    text_sv: str
    text_en: str
    urgent: bool
    created_by: int
    created_at: datetime
    status: str
    approved_by: int | None
    approved_at: datetime | None

    def text(self, locale: str) -> str:
        return self.text_en if locale == "en" else self.text_sv


def _alert(row: Row) -> Alert:
    return Alert(
        id=row["id"],
        text_sv=row["text_sv"],
        text_en=row["text_en"],
        urgent=bool(row["urgent"]),
        created_by=row["created_by"],
        created_at=from_db(row["created_at"]),
        status=row["status"],
        approved_by=row["approved_by"],
        approved_at=opt_from_db(row["approved_at"]),
    )


class AlertRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, text_sv: str, text_en: str, urgent: bool, by: int, now: datetime
    ) -> Alert:
        alert_id = await self._db.insert(
            "INSERT INTO alerts (text_sv, text_en, urgent, created_by, created_at, status) "
            "VALUES (?, ?, ?, ?, ?, 'pending')",
            (text_sv, text_en, int(urgent), by, to_db(now)),
        )
        found = await self.get(alert_id)
        assert found is not None
        return found

    async def get(self, alert_id: int) -> Alert | None:
        row = await self._db.fetchone("SELECT * FROM alerts WHERE id = ?", (alert_id,))
        return None if row is None else _alert(row)

    async def decide(self, alert_id: int, status: str, by: int, now: datetime) -> bool:
        """Approve or reject a pending alert exactly once (a second press changes nothing)."""
        changed = await self._db.execute(
            "UPDATE alerts SET status = ?, approved_by = ?, approved_at = ? "
            "WHERE id = ? AND status = 'pending'",
            (status, by, to_db(now), alert_id),
        )
        return changed > 0

    async def mark_sent(self, alert_id: int) -> None:
        await self._db.execute("UPDATE alerts SET status = 'sent' WHERE id = ?", (alert_id,))


class ScamCountRepo:
    """Only (month, red-flag category, count): never the checked message or who sent it."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def bump(self, month: str, categories: list[str]) -> None:
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO scam_flag_counts (month, category, count) VALUES (?, ?, 1) "
                "ON CONFLICT (month, category) DO UPDATE SET count = count + 1",
                [(month, c) for c in categories],
            )

    async def month(self, month: str) -> dict[str, int]:
        rows = await self._db.fetchall(
            "SELECT category, count FROM scam_flag_counts WHERE month = ?", (month,)
        )
        return {r[0]: r[1] for r in rows}
