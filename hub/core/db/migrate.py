"""The migration runner: numbered ``.sql`` files in ``hub/core/db/migrations``.

Each file runs in its own transaction and is recorded in ``schema_migrations``; the whole run
holds a PostgreSQL advisory lock, so hub processes starting together apply each migration
exactly once. ``recordhub migrate`` and server start both call :func:`migrate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

# An arbitrary constant shared by every hub process: "recordhub" in ASCII, truncated to int64.
MIGRATION_LOCK_KEY = 0x7265636F72646875

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """Every migration shipped with the hub, in order; refuses duplicate numbers."""
    found: dict[int, Migration] = {}
    for entry in resources.files("hub.core.db.migrations").iterdir():
        match = _NAME.match(entry.name)
        if not match:
            continue
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"two migrations numbered {version:04d}: {entry.name}")
        found[version] = Migration(version, match.group(2), entry.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


async def migrate(dsn: str) -> list[Migration]:
    """Apply the migrations this database lacks; returns the ones applied now."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("select pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        try:
            return await _apply_missing(connection)
        finally:
            await connection.execute("select pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    finally:
        await connection.close()


async def _apply_missing(connection: asyncpg.Connection) -> list[Migration]:
    await connection.execute(
        """
        create table if not exists schema_migrations (
            version int primary key,
            name text not null,
            applied_at timestamptz not null default now()
        )
        """
    )
    applied = {row["version"] for row in await connection.fetch("select version from schema_migrations")}
    done = []
    for migration in available_migrations():
        if migration.version in applied:
            continue
        async with connection.transaction():
            await connection.execute(migration.sql)
            await connection.execute(
                "insert into schema_migrations (version, name) values ($1, $2)",
                migration.version, migration.name,
            )
        done.append(migration)
    return done
