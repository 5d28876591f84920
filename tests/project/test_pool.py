"""The database layer's checkouts (hub/core/db/pool.py): a connection that ends a statement or
a transaction cleanly is kept for the next one; anything else goes back through the pool, and
nobody waits for ever for a connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from hub.core.db import Database

SLEEPING = "select count(*) from pg_stat_activity where query like 'select pg_sleep(30)%'"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = await Database.connect(database_url, min_size=0, max_size=2)
    yield database
    await asyncio.wait_for(database.close(), 10)


async def test_failed_statements_leave_the_connections_usable(db: Database) -> None:
    with pytest.raises(asyncpg.UndefinedTableError):
        await db.fetchval("select * from no_such_table")
    with pytest.raises(asyncpg.DataError):
        await db.fetchval("select $1::int", "not a number")
    assert [await db.fetchval("select $1::int + 1", i) for i in range(3)] == [1, 2, 3]
    async with db.transaction() as tx:
        assert await tx.fetchval("select 5") == 5


async def test_a_cancelled_statement_is_cancelled_on_the_server_too(db: Database) -> None:
    sleeping = asyncio.create_task(db.fetchval("select pg_sleep(30)"))
    await asyncio.sleep(0.5)
    sleeping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sleeping
    assert await db.fetchval(SLEEPING) == 0
    assert await asyncio.gather(*(db.fetchval("select 1") for _ in range(4))) == [1] * 4


async def test_a_cancelled_transaction_writes_nothing(db: Database) -> None:
    async def write() -> None:
        async with db.transaction() as tx:
            await tx.execute("create table written (x int)")
            await asyncio.sleep(30)

    writing = asyncio.create_task(write())
    await asyncio.sleep(0.5)
    writing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writing
    assert await db.fetchval("select to_regclass('written') is null") is True
    for _ in range(3):  # no connection was kept inside the dead transaction
        async with db.transaction() as tx:
            assert await tx.fetchval("select to_regclass('written') is null") is True


async def test_an_ended_transactions_executor_refuses_statements(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("create table kept (x int)")
    with pytest.raises(asyncpg.InterfaceError, match="transaction is over"):
        await tx.execute("insert into kept values (1)")
    assert await db.fetchval("select count(*) from kept") == 0


async def test_nobody_waits_for_ever_for_a_connection(db: Database) -> None:
    """Two connections at most: statements, transactions and statements sent straight to the
    pool (as the replicas' position checks are) all finish, and after two statements ran at
    once a statement straight to the pool still finds a connection."""

    async def statement() -> int:
        return int(await db.fetchval("select 1 from pg_sleep(0.02)"))

    async def transaction() -> int:
        async with db.transaction() as tx:
            return int(await tx.fetchval("select 1 from pg_sleep(0.02)"))

    async def straight() -> int:
        return int(await db.pool.fetchval("select 1 from pg_sleep(0.02)"))

    burst = [kind() for _ in range(10) for kind in (statement, transaction, straight)]
    assert await asyncio.wait_for(asyncio.gather(*burst), 30) == [1] * 30
    await asyncio.gather(statement(), statement())
    assert await asyncio.wait_for(straight(), 5) == 1
    assert db.idle_connections == 2


async def test_close_releases_the_kept_connections(database_url: str) -> None:
    db = await Database.connect(database_url, min_size=0, max_size=3)
    await asyncio.gather(*(db.fetchval("select 1 from pg_sleep(0.02)") for _ in range(3)))
    await asyncio.wait_for(db.close(), 10)
    assert db.pool.get_size() == 0
