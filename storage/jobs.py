"""Proof that once-only scheduled work was done (a digest week, an escalation)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.records import to_db
from storage.db import Database


class JobRunRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, job: str, run_key: str, now: datetime) -> bool:
        """Record that ``job`` ran for ``run_key``; False when it already had."""
        changed = await self._db.execute(
            "INSERT OR IGNORE INTO job_runs (job, run_key, done_at) VALUES (?, ?, ?)",
            (job, run_key, to_db(now)),
        )
        return changed > 0

    async def last_run(self, job: str) -> datetime | None:
        row = await self._db.fetchone("SELECT MAX(done_at) FROM job_runs WHERE job = ?", (job,))
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def done(self, job: str, run_key: str) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM job_runs WHERE job = ? AND run_key = ?", (job, run_key)
        )
        return row is not None
