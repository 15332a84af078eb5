"""Append-only audit log of staff and admin actions (and refused attempts)."""

from __future__ import annotations

import json
from datetime import datetime

from bot.domain.records import AuditEntry, from_db, to_db
from storage.db import Database


class AuditRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        now: datetime,
        actor_id: int | None,
        action: str,
        target: str | None = None,
        **detail: object,
    ) -> None:
        await self._db.execute(
            "INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            (to_db(now), actor_id, action, target, json.dumps(detail, default=str, sort_keys=True)),
        )

    async def recent(self, limit: int = 50, action: str | None = None) -> list[AuditEntry]:
        if action is None:
            rows = await self._db.fetchall(
                "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
            )
        else:
            rows = await self._db.fetchall(
                "SELECT * FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT ?",
                (action, limit),
            )
        return [
            AuditEntry(
                id=r["id"],
                at=from_db(r["at"]),
                actor_id=r["actor_id"],
                action=r["action"],
                target=r["target"],
                detail=r["detail"],
            )
            for r in rows
        ]
