"""The outbox: every message the bot sends on its own initiative (tips, alerts, reminders,
digests, notices) is a row here first, so a crash or restart loses nothing.

Life of a delivery: ``queued`` → ``sending`` (claimed by the sender) → ``sent`` | ``failed``
| ``blocked``; a temporary error puts it back to ``queued`` with a later ``not_before``. At
start-up, rows left in ``sending`` by a crash are re-queued: the only messages that can be
sent twice are those in flight at the crash.

Interactive replies that could not be sent at once live here too, with a higher
``priority`` (claimed first) and a ``deadline`` after which they are given up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from sqlite3 import Row
from typing import Any

from bot.domain.records import Delivery, from_db, opt_from_db, to_db
from storage.db import Database

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback_data)

# Claimed in this order: an answer carrying 112, any other reply, then the bulk outbox.
URGENT = 0
REPLY = 1
BULK = 2


@dataclass(frozen=True)
class OutgoingMessage:
    text: str
    buttons: Buttons | None = None
    # A reply's keyboard that is not inline buttons (Telegram's ``reply_markup`` JSON).
    keyboard: dict[str, Any] | None = None
    # A reply sent late opens with this line (already in the recipient's language).
    late_note: str | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {"text": self.text, "buttons": self.buttons}
        if self.keyboard is not None:
            data["keyboard"] = self.keyboard
        if self.late_note is not None:
            data["late_note"] = self.late_note
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, payload: str) -> OutgoingMessage:
        data: dict[str, Any] = json.loads(payload)
        buttons = data.get("buttons")
        keyboard = data.get("keyboard")
        note = data.get("late_note")
        return cls(
            text=str(data["text"]),
            buttons=[[(str(b[0]), str(b[1])) for b in row] for row in buttons] if buttons else None,
            keyboard=dict(keyboard) if isinstance(keyboard, dict) else None,
            late_note=str(note) if note else None,
        )


def _delivery(row: Row) -> Delivery:
    return Delivery(
        id=row["id"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        batch=row["batch"],
        dedupe_key=row["dedupe_key"],
        payload=row["payload"],
        not_before=from_db(row["not_before"]),
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=from_db(row["created_at"]),
        sent_at=opt_from_db(row["sent_at"]),
        priority=row["priority"],
        deadline=opt_from_db(row["deadline"]),
    )


@dataclass(frozen=True)
class NewDelivery:
    chat_id: int
    kind: str
    message: OutgoingMessage
    not_before: datetime
    dedupe_key: str | None = None
    batch: str | None = None
    priority: int = BULK
    deadline: datetime | None = None
    last_error: str | None = None  # what the first try met, when it was made elsewhere


class DeliveryRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(self, new: NewDelivery, now: datetime) -> bool:
        """Queue one message; False when ``dedupe_key`` was already queued (never twice)."""
        changed = await self._db.execute(
            "INSERT OR IGNORE INTO deliveries (chat_id, kind, batch, dedupe_key, payload, "
            "not_before, created_at, priority, deadline, last_error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                new.chat_id,
                new.kind,
                new.batch,
                new.dedupe_key,
                new.message.to_json(),
                to_db(new.not_before),
                to_db(now),
                new.priority,
                None if new.deadline is None else to_db(new.deadline),
                new.last_error,
            ),
        )
        return changed > 0

    async def enqueue_many(self, rows: list[NewDelivery], now: datetime) -> int:
        """Queue a batch in one transaction; returns how many were new."""
        async with self._db.transaction() as conn:
            before = conn.total_changes
            await conn.executemany(
                "INSERT OR IGNORE INTO deliveries (chat_id, kind, batch, dedupe_key, payload, "
                "not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        r.chat_id,
                        r.kind,
                        r.batch,
                        r.dedupe_key,
                        r.message.to_json(),
                        to_db(r.not_before),
                        to_db(now),
                    )
                    for r in rows
                ],
            )
            return conn.total_changes - before

    async def get(self, delivery_id: int) -> Delivery | None:
        row = await self._db.fetchone("SELECT * FROM deliveries WHERE id = ?", (delivery_id,))
        return None if row is None else _delivery(row)

    async def by_dedupe_key(self, key: str) -> Delivery | None:
        row = await self._db.fetchone("SELECT * FROM deliveries WHERE dedupe_key = ?", (key,))
        return None if row is None else _delivery(row)

    async def claim_due(
        self, now: datetime, limit: int, max_priority: int = BULK, min_priority: int = URGENT
    ) -> list[Delivery]:
        """Mark up to ``limit`` due messages as ``sending`` and return them: replies first
        (112 answers before the others), then oldest first. ``max_priority`` = ``REPLY``
        claims replies only, ``min_priority`` = ``BULK`` the bulk outbox only."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT * FROM deliveries WHERE status = 'queued' AND not_before <= ? "
                "AND priority BETWEEN ? AND ? ORDER BY priority, not_before, id LIMIT ?",
                (to_db(now), min_priority, max_priority, limit),
            ) as cursor:
                rows = [_delivery(r) for r in await cursor.fetchall()]
            if rows:
                await conn.executemany(
                    "UPDATE deliveries SET status = 'sending', attempts = attempts + 1 "
                    "WHERE id = ?",
                    [(d.id,) for d in rows],
                )
        return rows

    async def waiting_replies(self, limit: int = 500) -> list[Delivery]:
        """Replies waiting, due or not, and those being sent (112 answers first, then by
        when they are due)."""
        rows = await self._db.fetchall(
            "SELECT * FROM deliveries WHERE status IN ('queued', 'sending') AND priority < ? "
            "ORDER BY priority, not_before, id LIMIT ?",
            (BULK, limit),
        )
        return [_delivery(r) for r in rows]

    async def claim(self, delivery_ids: list[int]) -> list[Delivery]:
        """Claim these rows (those still queued), whether due or not, in the order given."""
        if not delivery_ids:
            return []
        marks = ",".join("?" * len(delivery_ids))
        async with self._db.transaction() as conn:
            async with conn.execute(
                f"SELECT * FROM deliveries WHERE status = 'queued' AND id IN ({marks})",
                delivery_ids,
            ) as cursor:
                found = {r["id"]: _delivery(r) for r in await cursor.fetchall()}
            await conn.executemany(
                "UPDATE deliveries SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
                [(i,) for i in found],
            )
        return [found[i] for i in delivery_ids if i in found]

    async def bring_forward(self, delivery_ids: list[int], now: datetime) -> None:
        """Due now: Telegram answers again, the back-off these rows wait out is moot."""
        await self._db.executemany(
            "UPDATE deliveries SET not_before = ? WHERE id = ? AND status = 'queued' "
            "AND not_before > ?",
            [(to_db(now), i, to_db(now)) for i in delivery_ids],
        )

    async def mark_sent(self, delivery_id: int, now: datetime, note: str | None = None) -> None:
        """``note``: why it counts as sent without Telegram's word (an unconfirmed send)."""
        await self._db.execute(
            "UPDATE deliveries SET status = 'sent', sent_at = ?, last_error = ? WHERE id = ?",
            (to_db(now), note, delivery_id),
        )

    async def mark_final(self, delivery_id: int, status: str, error: str) -> None:
        """``failed``, ``blocked`` or ``dropped``: never retried."""
        await self._db.execute(
            "UPDATE deliveries SET status = ?, last_error = ? WHERE id = ?",
            (status, error[:200], delivery_id),
        )

    async def retry_later(self, delivery_id: int, not_before: datetime, error: str) -> None:
        await self._db.execute(
            "UPDATE deliveries SET status = 'queued', not_before = ?, last_error = ? WHERE id = ?",
            (to_db(not_before), error[:200], delivery_id),
        )

    async def release(self, delivery_id: int, not_before: datetime, reason: str) -> None:
        """Back to the queue without counting an attempt: flood control paused the sender,
        which says nothing about this message."""
        await self._db.execute(
            "UPDATE deliveries SET status = 'queued', not_before = ?, last_error = ?, "
            "attempts = MAX(attempts - 1, 0) WHERE id = ?",
            (to_db(not_before), reason[:200], delivery_id),
        )

    async def drop_queued_for_chat(self, chat_id: int, reason: str) -> int:
        return await self._db.execute(
            "UPDATE deliveries SET status = 'dropped', last_error = ? "
            "WHERE chat_id = ? AND status = 'queued'",
            (reason, chat_id),
        )

    async def drop_queued_by_key_prefix(self, prefix: str, reason: str) -> int:
        """Drop queued messages whose dedupe key starts with ``prefix`` (a moved event's
        reminders, say). ``prefix`` is built by our code, never by a user."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return await self._db.execute(
            "UPDATE deliveries SET status = 'dropped', last_error = ? "
            "WHERE status = 'queued' AND dedupe_key LIKE ? ESCAPE '\\'",
            (reason, escaped + "%"),
        )

    async def requeue(self, delivery_ids: list[int]) -> None:
        """Claimed rows a failed round did not get to: back to the queue, attempt not counted."""
        await self._db.executemany(
            "UPDATE deliveries SET status = 'queued', attempts = MAX(attempts - 1, 0) "
            "WHERE id = ? AND status = 'sending'",
            [(i,) for i in delivery_ids],
        )

    async def move_chat(self, old: int, new: int) -> int:
        """A group became a supergroup: what is queued for it, and what it subscribed to,
        follows it to the new id (one transaction). Returns the queued rows moved."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE deliveries SET chat_id = ? WHERE chat_id = ? "
                "AND status IN ('queued', 'sending')",
                (new, old),
            )
            moved = int(cursor.rowcount)
            for table in ("subscriptions", "follows", "event_reminders"):
                await conn.execute(
                    f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE chat_id = ?", (new, old)
                )
        return moved

    async def requeue_in_flight(self) -> int:
        """After a crash: whatever was being sent goes back to the queue."""
        return await self._db.execute(
            "UPDATE deliveries SET status = 'queued' WHERE status = 'sending'"
        )

    async def batch_counts(self, batch: str) -> dict[str, int]:
        rows = await self._db.fetchall(
            "SELECT status, COUNT(*) AS n FROM deliveries WHERE batch = ? GROUP BY status",
            (batch,),
        )
        return {r["status"]: r["n"] for r in rows}

    async def purge_older_than(self, cutoff: datetime) -> int:
        return await self._db.execute(
            "DELETE FROM deliveries WHERE status IN ('sent', 'failed', 'blocked', 'dropped') "
            "AND created_at < ?",
            (to_db(cutoff),),
        )

    async def next_due_at(self) -> datetime | None:
        row = await self._db.fetchone(
            "SELECT MIN(not_before) FROM deliveries WHERE status = 'queued'"
        )
        return from_db(row[0]) if row and row[0] else None
