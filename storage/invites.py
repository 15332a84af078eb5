"""Single-use staff invites. Only a hash of the code is stored, so a leaked database
cannot be used to join as staff."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from sqlite3 import Row

from bot.domain.records import Invite, Org, from_db, opt_from_db, to_db
from storage.db import Database

INVITE_TTL = timedelta(hours=72)


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _invite(row: Row) -> Invite:
    return Invite(
        id=row["id"],
        org=Org(row["org"]),
        created_by=row["created_by"],
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
        used_by=row["used_by"],
        used_at=opt_from_db(row["used_at"]),
        revoked_at=opt_from_db(row["revoked_at"]),
        municipality=row["municipality"],
    )


class InviteRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, org: Org, created_by: int | None, now: datetime, municipality: str | None = None
    ) -> tuple[str, Invite]:
        """Returns the plain code (shown once, never stored) and the stored invite."""
        code = secrets.token_urlsafe(18)
        invite_id = await self._db.insert(
            "INSERT INTO invites (code_hash, org, created_by, created_at, expires_at, "
            "municipality) VALUES (?, ?, ?, ?, ?, ?)",
            (
                hash_code(code), org.value, created_by, to_db(now), to_db(now + INVITE_TTL),
                municipality,
            ),
        )  # fmt: skip
        row = await self._db.fetchone("SELECT * FROM invites WHERE id = ?", (invite_id,))
        assert row is not None
        return code, _invite(row)

    async def find(self, code: str) -> Invite | None:
        row = await self._db.fetchone(
            "SELECT * FROM invites WHERE code_hash = ?", (hash_code(code),)
        )
        return None if row is None else _invite(row)

    async def redeem(self, code: str, user_id: int, now: datetime) -> Invite | None:
        """Mark the invite used by ``user_id`` if it is still valid; atomically, so two
        people racing on one link cannot both get in."""
        changed = await self._db.execute(
            "UPDATE invites SET used_by = ?, used_at = ? WHERE code_hash = ? "
            "AND used_by IS NULL AND revoked_at IS NULL AND expires_at > ?",
            (user_id, to_db(now), hash_code(code), to_db(now)),
        )
        return await self.find(code) if changed else None

    async def list_open(self, now: datetime) -> list[Invite]:
        rows = await self._db.fetchall(
            "SELECT * FROM invites WHERE used_by IS NULL AND revoked_at IS NULL "
            "AND expires_at > ? ORDER BY created_at",
            (to_db(now),),
        )
        return [_invite(r) for r in rows]

    async def revoke(self, invite_id: int, now: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE invites SET revoked_at = ? WHERE id = ? AND used_by IS NULL "
            "AND revoked_at IS NULL",
            (to_db(now), invite_id),
        )
        return changed > 0
