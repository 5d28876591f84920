"""The asyncpg pool behind one small interface that counts SQL statements.

Store modules take an :class:`Executor` (the pool, or a connection inside a transaction) and
call ``fetch``/``fetchrow``/``fetchval``/``execute`` on it. Counting every statement here lets
tests assert that an operation's statement count depends on its shape, not on page size.

Statement timeouts by class: a connection's ``statement_timeout`` is the *read* timeout (every
statement outside a transaction: queries, the compiled path's one statement), and
:meth:`Database.transaction` raises it to the *write* timeout for its own duration with
``SET LOCAL`` (writes always run in a transaction), so a hostile read is cut off sooner than a
legitimate write.

Checkouts: a connection that ends a statement or a transaction cleanly is kept by the
:class:`Database` for the next one (:class:`_Kept`), because asyncpg's own checkout and
release cost more CPU than a small compiled page's statement; the pool still opens every
connection and takes back any that ends otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager, suppress
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Protocol

import asyncpg
import orjson

# The member on whose behalf this task writes (set by the front door, hub/http/view.py): with
# read replicas, their transactions' commit LSN is handed to Database.on_member_commit.
WRITER: ContextVar[int | None] = ContextVar("hub_writer", default=None)
# Handed to on_member_commit when the position could not be read: beyond any replica's, so the
# member reads from the primary for a while.
UNKNOWN_POSITION = "FFFFFFFF/FFFFFFFF"


class Executor(Protocol):
    """What a store function needs: run a statement, get rows back."""

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]: ...
    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None: ...
    async def fetchval(self, query: str, *args: Any) -> Any: ...
    async def execute(self, query: str, *args: Any) -> str: ...
    async def executemany(self, query: str, args: Sequence[Sequence[Any]]) -> None: ...


_CLIENT_KIND: Any = None  # opentelemetry's SpanKind.CLIENT, set when a tracer is installed


def install_tracer(counter: StatementCounter, tracer: Any) -> None:
    """Trace ``counter``'s statements with ``tracer`` (None: stop tracing)."""
    global _CLIENT_KIND
    if tracer is not None:
        from opentelemetry.trace import SpanKind

        _CLIENT_KIND = SpanKind.CLIENT
    counter.tracer = tracer


class StatementCounter:
    """Running counts of statements sent to PostgreSQL by this process, of those PostgreSQL
    cancelled (``statement_timeout``), and of pool acquisitions that found every connection
    busy and had to wait (reported at ``/metrics``)."""

    def __init__(self) -> None:
        self.count = 0
        self.timeouts = 0
        self.waits = 0
        # An OpenTelemetry tracer (hub/core/tracing.py) when traces are exported: one span per
        # statement. None (the default) costs one attribute test per statement.
        self.tracer: Any = None
        self._timeouts = _Timeouts(self)

    def sent(self, query: str) -> AbstractContextManager[None]:
        """Count one statement around its round trip, and its timeout if it has one."""
        self.count += 1
        if self.tracer is None:
            return self._timeouts  # no object made per statement: most statements come here
        return self._traced(query)

    @contextmanager
    def _traced(self, query: str) -> Iterator[None]:
        span = self.tracer.start_as_current_span(
            "db.statement", kind=_CLIENT_KIND,
            attributes={"db.system": "postgresql", "db.statement": query[:2000]})
        with span, self._timeouts:
            yield


class _Timeouts:
    """Counts the statements PostgreSQL cancels (``statement_timeout``) as they leave. One per
    counter, entered by every statement at once: it keeps no state of its own."""

    __slots__ = ("counter",)

    def __init__(self, counter: StatementCounter) -> None:
        self.counter = counter

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is not None and issubclass(kind, asyncpg.QueryCanceledError):
            self.counter.timeouts += 1


class _Checkouts:
    """The pool's connections out through one :class:`Database` (statements and transactions)
    as they come and go; a checkout beyond the pool's maximum waits for a connection, and is
    counted (``StatementCounter.waits``). Counted here rather than asked of asyncpg, whose
    idle and size counts walk every connection on each call. Statements sent straight to
    ``Database.pool`` (the replicas' position checks) are not seen."""

    __slots__ = ("counter", "maximum", "out")

    def __init__(self, counter: StatementCounter, maximum: int) -> None:
        self.counter = counter
        self.maximum = maximum
        self.out = 0

    def __enter__(self) -> None:
        self.out += 1
        if self.out > self.maximum:
            self.counter.waits += 1

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.out -= 1


class _Ended:
    """The connection of a transaction that is over: its executor refuses every statement
    (the connection may already serve another checkout, :class:`_Kept`)."""

    def __getattr__(self, name: str) -> Any:
        raise asyncpg.InterfaceError("the transaction is over: its executor is not usable")


class _Counted:
    """Executor over one asyncpg connection, counting what it sends."""

    def __init__(self, connection: asyncpg.Connection | _Ended, counter: StatementCounter,
                 ) -> None:
        self.connection: Any = connection
        self._counter = counter
        # Set by the outbox (note_events): the transaction wrote events, so its commit changes
        # what readers see (Database.on_events_committed).
        self.wrote_events = False

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        with self._counter.sent(query):
            return await self.connection.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        with self._counter.sent(query):
            return await self.connection.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        with self._counter.sent(query):
            return await self.connection.fetchval(query, *args)

    async def execute(self, query: str, *args: Any) -> str:
        with self._counter.sent(query):
            return await self.connection.execute(query, *args)

    async def executemany(self, query: str, args: Sequence[Sequence[Any]]) -> None:
        with self._counter.sent(query):
            await self.connection.executemany(query, args)


async def _init_connection(connection: asyncpg.Connection) -> None:
    # jsonb travels as orjson-encoded text: faster than the stdlib json asyncpg uses.
    await connection.set_type_codec(
        "jsonb", schema="pg_catalog", format="text",
        encoder=lambda value: orjson.dumps(value).decode(), decoder=orjson.loads,
    )


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Skip asyncpg's RESET ALL on release: it costs a round trip per statement, and the hub
    never changes session state on pooled connections (transactions are scoped, advisory locks
    are transaction-level, LISTEN has its own connection)."""


class _Kept:
    """Connections one :class:`Database` keeps checked out of asyncpg's pool between its
    statements and transactions, and hands out again with a ``list.pop``.

    asyncpg's ``Pool.acquire`` and ``release`` cost about 50 µs of CPU per statement (a proxy
    per checkout; per release a shielded task, a timeout scope and an inactivity timer): more
    than the rest of a small compiled page costs the hub. The pool still owns every
    connection: it opens them (``init``, the session settings), and a connection that ends
    other than cleanly — an error, a cancellation, a transaction left open, a closed socket —
    goes back through ``Pool.release``, which waits out a cancellation, rolls back or drops it.

    Kept connections are out of the pool, so nobody waiting on the pool may wait for ever:
    while a checkout of this Database waits for the pool, connections go back to the pool
    instead of here; and at most ``max_size - 1`` are kept, so a statement sent straight to
    ``Database.pool`` (the replicas' position checks, the digest's transactions) finds one
    soon. Unlike the pool's idle connections, kept ones are not closed after inactivity.
    """

    __slots__ = ("idle", "most", "pool", "waiting")

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.idle: list[Any] = []  # asyncpg's connection proxies
        self.most = pool.get_max_size() - 1
        self.waiting = 0

    async def take(self) -> Any:
        while self.idle:
            connection = self.idle.pop()
            if not connection.is_closed():
                return connection
            await self.pool.release(connection)  # the server closed it: the pool drops it
        self.waiting += 1
        try:
            return await self.pool.acquire()
        finally:
            self.waiting -= 1

    def keep(self, connection: Any) -> bool:
        """Keep a connection that ended cleanly; False when it must go back to the pool."""
        if self.waiting or len(self.idle) >= self.most or connection.is_closed() \
                or connection.is_in_transaction():
            return False
        self.idle.append(connection)
        return True

    async def give_back(self, connection: Any) -> None:
        if not self.keep(connection):
            await self.pool.release(connection)

    async def release_all(self) -> None:
        idle, self.idle = self.idle, []
        for connection in idle:
            await self.pool.release(connection)


class Database:
    """The process's connection pool. Create with :meth:`connect`, close with :meth:`close`."""

    def __init__(self, pool: asyncpg.Pool, dsn: str, *, write_timeout_ms: int | None = None,
                 ) -> None:
        self.pool = pool
        self.dsn = dsn
        self.counter = StatementCounter()
        self._checkouts = _Checkouts(self.counter, pool.get_max_size())
        self._kept = _Kept(pool)
        # None: transactions keep the connection's timeout.
        self.write_timeout_ms = write_timeout_ms
        self._begin = "begin" if write_timeout_ms is None else (
            f"begin; set local statement_timeout = {int(write_timeout_ms)}")
        # Called after each transaction of this pool that wrote events commits, before the
        # code that opened it goes on (the response cache drops what the write made stale).
        self.on_events_committed: list[Callable[[], None]] = []
        # Set when reads may go to replicas (hub/core/db/replicas.py): called with the member
        # (WRITER) and the primary's WAL position after each of their transactions commits.
        self.on_member_commit: Callable[[int, str], None] | None = None

    @classmethod
    async def connect(
        cls, dsn: str, *, min_size: int = 2, max_size: int = 10,
        statement_timeout_ms: int = 15_000, read_statement_timeout_ms: int | None = None,
        session_settings: dict[str, str] | None = None,
    ) -> Database:
        """The pool; ``statement_timeout_ms`` bounds writes (transactions),
        ``read_statement_timeout_ms`` (default: the same) every other statement;
        ``session_settings`` are set on every connection (the hub's own ``hub.*`` values
        that read rules use, e.g. hub/domain/records/discovery.py)."""
        read_timeout_ms = read_statement_timeout_ms or statement_timeout_ms
        pool = await asyncpg.create_pool(
            dsn, min_size=min_size, max_size=max_size, init=_init_connection,
            reset=_keep_session,
            server_settings={
                "statement_timeout": str(read_timeout_ms),
                "application_name": "recordhub",
                **(session_settings or {}),
            },
        )
        write_timeout_ms = statement_timeout_ms if statement_timeout_ms != read_timeout_ms else None
        return cls(pool, dsn, write_timeout_ms=write_timeout_ms)

    async def close(self) -> None:
        await self._kept.release_all()  # the pool's close waits for every checkout's release
        await self.pool.close()

    @property
    def idle_connections(self) -> int:
        """Connections open and idle: the pool's own and those this Database keeps."""
        return self.pool.get_idle_size() + len(self._kept.idle)

    @property
    def statements(self) -> int:
        """How many statements this pool has sent so far."""
        return self.counter.count

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        result: list[asyncpg.Record] = await self._statement("fetch", query, args)
        return result

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        result: asyncpg.Record | None = await self._statement("fetchrow", query, args)
        return result

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self._statement("fetchval", query, args)

    async def execute(self, query: str, *args: Any) -> str:
        result: str = await self._statement("execute", query, args)
        return result

    async def executemany(self, query: str, args: Sequence[Sequence[Any]]) -> None:
        await self._statement("executemany", query, (args,))

    async def _statement(self, method: str, query: str, args: Sequence[Any]) -> Any:
        """One statement outside a transaction, on a kept connection (:class:`_Kept`)."""
        with self._checkouts, self.counter.sent(query):
            connection = await self._kept.take()
            try:
                result = await getattr(connection, method)(query, *args)
            except BaseException:
                await self.pool.release(connection)
                raise
            await self._kept.give_back(connection)
            return result

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Counted]:
        """A connection inside a transaction: committed on exit, rolled back on any error,
        so a failed write leaves the database as it was."""
        with self._checkouts:
            connection = await self._kept.take()
            counted = _Counted(connection, self.counter)
            try:
                # BEGIN and the write timeout in one round trip (a simple query may hold
                # several statements; asyncpg's transaction() would send two). Opening and
                # closing the transaction are not counted as the operation's statements.
                await connection.execute(self._begin)
                try:
                    yield counted
                except BaseException:
                    with suppress(Exception):
                        await connection.execute("rollback")
                    raise
                await connection.execute("commit")
                writer = WRITER.get()
                if self.on_member_commit is not None and writer is not None:
                    # Only with replicas, and not counted: a deployment choice, not the
                    # operation's.
                    try:
                        position = await connection.fetchval("select pg_current_wal_lsn()::text")
                    except Exception:  # the write committed: it must still answer as such
                        position = UNKNOWN_POSITION
                    self.on_member_commit(writer, position)
            except BaseException:
                counted.connection = _Ended()
                # Whatever state it was left in (a failed rollback, a cancelled commit), the
                # pool's release rolls it back or drops it.
                await self.pool.release(connection)
                raise
            counted.connection = _Ended()
            await self._kept.give_back(connection)
        # Committed (an error would have left the block with the rollback).
        if counted.wrote_events:
            for callback in self.on_events_committed:
                callback()


def note_events(executor: Executor) -> None:
    """Mark ``executor``'s transaction as one that wrote events (hub/realtime/outbox.py)."""
    if isinstance(executor, _Counted):
        executor.wrote_events = True
