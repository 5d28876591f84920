"""The asyncpg pool behind one small interface that counts SQL statements.

Store modules take an :class:`Executor` (the pool, or a connection inside a transaction) and
call ``fetch``/``fetchrow``/``fetchval``/``execute`` on it. Counting every statement here lets
tests assert that an operation's statement count depends on its shape, not on page size.

Statement timeouts by class: a connection's ``statement_timeout`` is the *read* timeout (every
statement outside a transaction: queries, the compiled path's one statement), and
:meth:`Database.transaction` raises it to the *write* timeout for its own duration with
``SET LOCAL`` (writes always run in a transaction), so a hostile read is cut off sooner than a
legitimate write.
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


class _Counted:
    """Executor over one asyncpg connection, counting what it sends."""

    def __init__(self, connection: asyncpg.Connection, counter: StatementCounter) -> None:
        self.connection = connection
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


class Database:
    """The process's connection pool. Create with :meth:`connect`, close with :meth:`close`."""

    def __init__(self, pool: asyncpg.Pool, dsn: str, *, write_timeout_ms: int | None = None,
                 ) -> None:
        self.pool = pool
        self.dsn = dsn
        self.counter = StatementCounter()
        self._checkouts = _Checkouts(self.counter, pool.get_max_size())
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
        await self.pool.close()

    @property
    def statements(self) -> int:
        """How many statements this pool has sent so far."""
        return self.counter.count

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        with self._checkouts, self.counter.sent(query):
            return await self.pool.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        with self._checkouts, self.counter.sent(query):
            return await self.pool.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        with self._checkouts, self.counter.sent(query):
            return await self.pool.fetchval(query, *args)

    async def execute(self, query: str, *args: Any) -> str:
        with self._checkouts, self.counter.sent(query):
            return await self.pool.execute(query, *args)

    async def executemany(self, query: str, args: Sequence[Sequence[Any]]) -> None:
        with self._checkouts, self.counter.sent(query):
            await self.pool.executemany(query, args)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Counted]:
        """A connection inside a transaction: committed on exit, rolled back on any error,
        so a failed write leaves the database as it was."""
        with self._checkouts:
            async with self.pool.acquire() as connection:
                # BEGIN and the write timeout in one round trip (a simple query may hold
                # several statements; asyncpg's transaction() would send two). Opening and
                # closing the transaction are not counted as the operation's statements.
                await connection.execute(self._begin)
                counted = _Counted(connection, self.counter)
                try:
                    yield counted
                except BaseException:
                    # If the connection cannot roll back, the pool's release rolls back or
                    # drops it.
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
        # Committed (an error would have left the block with the rollback).
        if counted.wrote_events:
            for callback in self.on_events_committed:
                callback()


def note_events(executor: Executor) -> None:
    """Mark ``executor``'s transaction as one that wrote events (hub/realtime/outbox.py)."""
    if isinstance(executor, _Counted):
        executor.wrote_events = True
