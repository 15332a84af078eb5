"""The one owner of the SQLite connection, and schema migrations.

Migrations are numbered SQL files in ``storage/migrations`` (``001_initial.sql``, ...). The
database remembers the last applied number in ``PRAGMA user_version``; each file is applied
in its own transaction together with the version bump, so a crash leaves either the old or
the new schema, never half of one.

One access discipline (the connection is shared by handlers and jobs running at the same
time): every transaction and every single statement holds the database's lock, so a job's
``BEGIN`` never lands inside a handler's transaction and an autocommit statement is never
swallowed by another task's ``ROLLBACK``. The task that holds a transaction owns the lock:
its own statements (and nested transactions, as savepoints) run without taking it again.
Ownership is by task, not by context variable, on purpose: a child task started inside a
transaction would inherit a context variable and then write into someone else's
transaction; here it waits its turn instead.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer version of the bot."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> tuple[Migration, ...]:
    folder = resources.files("storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"two migrations share a number: {versions}")
    return tuple(found)


class Database:
    """Owns one aiosqlite connection; repositories borrow it, never open their own."""

    def __init__(self, path: Path | str, migrations: Sequence[Migration] | None = None) -> None:
        self.path = str(path)
        self._migrations = tuple(migrations) if migrations is not None else bundled_migrations()
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._depth = 0  # transactions open in the owning task (1 = BEGIN, more = savepoints)

    @property
    def schema_version(self) -> int:
        return self._migrations[-1].version if self._migrations else 0

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def open(self) -> None:
        if self._conn is not None:
            return
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute("PRAGMA busy_timeout = 5000")
            await conn.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                await conn.execute("PRAGMA journal_mode = WAL")
                await conn.execute("PRAGMA synchronous = NORMAL")
            self._conn = conn
            await self._migrate()
        except BaseException:
            self._conn = None
            await conn.close()
            raise

    async def close(self) -> None:
        if self._conn is not None:
            async with self._exclusive() as conn:  # after whatever is running now
                await conn.close()
                self._conn = None

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def user_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.user_version()
        if current > self.schema_version:
            raise SchemaTooNewError(
                f"The database {self.path} has schema version {current}, but this version of "
                f"Trygghetsbot only knows up to {self.schema_version}. Upgrade Trygghetsbot or "
                "restore a backup made by this version."
            )
        for migration in self._migrations:
            if migration.version <= current:
                continue
            # executescript would commit on its own; run statements one by one inside our
            # transaction so the version bump and the schema change land together.
            async with self.transaction() as conn:
                for statement in _split_sql(migration.sql):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {migration.version:d}")

    def change_token(self) -> tuple[int, ...]:
        """Changes whenever the database may have changed, read without a trip to aiosqlite's
        thread: the rows this connection has changed (``total_changes``) plus the size and
        modification time of the database file and its WAL, which another process's commit
        (``trygghetsbot import-events`` while the bot runs) moves. For read caches: take the
        token *before* the read; an equal token later means the cached rows still hold."""
        token = [self.conn.total_changes]
        if self.path != ":memory:":
            for name in (self.path, self.path + "-wal"):
                try:
                    st = os.stat(name)
                except OSError:
                    token.extend((-1, -1, -1))
                else:
                    token.extend((st.st_ino, st.st_size, st.st_mtime_ns))
        return tuple(token)

    @property
    def in_transaction(self) -> bool:
        """Whether the current task has a transaction open."""
        return self._depth > 0 and self._owner is asyncio.current_task()

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection, for this task alone; re-entrant within the owning task."""
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            yield self.conn
            return
        async with self._lock:
            self._owner = task
            try:
                yield self.conn
            finally:
                self._owner = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception.

        Other tasks wait until it ends. Inside it, the same task may open another
        transaction: that one is a savepoint, so a failure undoes only its own part."""
        async with self._exclusive() as conn:
            depth = self._depth
            savepoint = f"sp{depth}"
            await conn.execute(f"SAVEPOINT {savepoint}" if depth else "BEGIN IMMEDIATE")
            self._depth = depth + 1
            try:
                yield conn
            except BaseException:
                if depth:
                    await conn.execute(f"ROLLBACK TO {savepoint}")
                    await conn.execute(f"RELEASE {savepoint}")
                else:
                    await conn.execute("ROLLBACK")
                raise
            finally:
                self._depth = depth
            await conn.execute(f"RELEASE {savepoint}" if depth else "COMMIT")

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        async with self._exclusive() as conn:
            cursor = await conn.execute(sql, params)
            try:
                return int(cursor.rowcount)
            finally:
                await cursor.close()

    async def insert(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one INSERT; returns the new row id."""
        async with self._exclusive() as conn:
            # One trip to aiosqlite's thread instead of three (execute, lastrowid, close).
            row = await conn.execute_insert(sql, params)
        return int(row[0]) if row is not None and row[0] is not None else 0

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self._exclusive() as conn:
            await conn.executemany(sql, rows)

    async def fetchone(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> sqlite3.Row | None:
        async with self._exclusive() as conn, conn.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return row

    async def fetchall(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[sqlite3.Row]:
        async with self._exclusive() as conn:
            rows = await conn.execute_fetchall(sql, params)  # one trip to aiosqlite's thread
        return list(rows)

    async def backup(self, target: Path) -> None:
        """A consistent online copy through SQLite's backup API (safe while the bot runs)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(target))
        try:
            async with self._exclusive() as conn:
                await conn.backup(dest)
        finally:
            dest.close()


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements; ``sqlite3.complete_statement`` keeps triggers whole."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if not buffer and line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise RuntimeError("migration ends with an incomplete statement")
    return statements
