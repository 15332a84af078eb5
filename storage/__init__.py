"""Persistence: one Database owning the aiosqlite connection, repositories per record kind."""

from storage.db import Database, SchemaTooNewError

__all__ = ["Database", "SchemaTooNewError"]
