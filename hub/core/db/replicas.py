"""Read replicas (``HUB_DATABASE_REPLICA_URLS``): where a compiled read runs.

Only the compiled path's one statement (hub/http/compiled.py) is routed here; writes, the
executor, sessions and subscriptions stay on the primary. A background task polls, every
``POLL_SECONDS``, the primary's ``pg_current_wal_lsn()`` and each replica's
``pg_last_wal_replay_lsn()``; from those it knows, per replica:

* **how far it has replayed** (an LSN), and
* **since when it is fresh**: the start of the latest poll whose primary LSN the replica has
  replayed. Everything committed before that instant is visible on the replica.

Routing of one read:

* **A member who wrote** through this instance (``note_write``: the primary's LSN after their
  transaction committed, kept in this process's memory) reads from a replica only once it has
  replayed past that LSN, and from the primary until then: read-your-writes. The memory is per
  instance: a member whose next read lands on another instance may read a replica that has not
  replayed their write yet (at most ``HUB_REPLICA_MAX_LAG_MS`` behind, like anyone); a sticky
  load balancer, or the gateway's retries to one instance, keeps a member on one instance.
* **Anyone else** (anonymous readers, members with no recent write here) reads from a replica
  that is fresh within ``HUB_REPLICA_MAX_LAG_MS`` (plus one poll): that is the staleness bound.
* A replica that fails a poll or a statement, or is not fresh within the bound, is skipped
  until a later poll finds it healthy; with none usable, the primary answers.

Among usable replicas the least busy (fewest statements in flight from this process) answers,
ties going round robin.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hub.core.db.pool import Database

log = logging.getLogger("hub.core.db.replicas")

POLL_SECONDS = 0.2
# A replica that does not answer a poll within this long counts as down until one it answers.
POLL_TIMEOUT_SECONDS = 1.0
# Members whose write every replica has replayed are forgotten; this bounds the memory of
# members whose replica never catches up (each entry expires after this many seconds).
WRITE_MEMORY_SECONDS = 300.0


def lsn(text: str | None) -> int:
    """A ``pg_lsn`` as an integer (``'16/B374D848'`` -> 0x16B374D848); None -> 0."""
    if not text:
        return 0
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


@dataclass
class Replica:
    """One replica's pool and what the last poll learnt about it."""

    url: str
    db: Database
    healthy: bool = False
    replayed: int = 0
    # time.monotonic() at the start of the latest poll whose primary LSN it had replayed.
    fresh_since: float = float("-inf")
    busy: int = 0
    reads: int = 0


@dataclass
class Replicas:
    """The replica pools of one process, their health, and who wrote what."""

    primary: Database
    replicas: list[Replica]
    max_lag_s: float
    # Reads answered by the primary because no replica could (or the member's write was ahead).
    primary_reads: int = 0
    _writes: dict[int, tuple[int, float]] = field(default_factory=dict)
    # (poll start, primary LSN read then), most recent last: for fresh_since.
    _history: list[tuple[float, int]] = field(default_factory=list)
    _turn: itertools.count[int] = field(default_factory=itertools.count)
    _task: asyncio.Task[None] | None = None

    @classmethod
    async def connect(cls, primary: Database, urls: Sequence[str], *, max_lag_ms: int,
                      **pool_options: Any) -> Replicas:
        """Pools on every replica (opened lazily: a replica down at start-up is skipped, not
        fatal) and the first poll."""
        replicas = []
        for url in urls:
            db = await Database.connect(url, min_size=0, **pool_options)
            replicas.append(Replica(url, db))
        self = cls(primary, replicas, max_lag_ms / 1000)
        await self.poll()
        self._task = asyncio.create_task(self._poll_forever(), name="replica-poll")
        return self

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for replica in self.replicas:
            await replica.db.close()

    # --- writes ---------------------------------------------------------------------------

    def note_write(self, member_id: int, primary_lsn: str) -> None:
        """``member_id`` committed a transaction; the primary was at ``primary_lsn`` after it."""
        self._writes[member_id] = (lsn(primary_lsn), time.monotonic() + WRITE_MEMORY_SECONDS)

    # --- reads ----------------------------------------------------------------------------

    def usable(self) -> list[Replica]:
        """The replicas that answer and are fresh within the lag bound."""
        now = time.monotonic()
        return [r for r in self.replicas
                if r.healthy and now - r.fresh_since <= self.max_lag_s + POLL_SECONDS]

    def choose(self, viewer_id: int | None) -> Replica | None:
        """The replica to read from, or None for the primary."""
        now = time.monotonic()
        usable = self.usable()
        if viewer_id is not None and viewer_id in self._writes:
            written, expires = self._writes[viewer_id]
            if now > expires:
                del self._writes[viewer_id]
            else:
                usable = [r for r in usable if r.replayed >= written]
        if not usable:
            return None
        least = min(r.busy for r in usable)
        candidates = [r for r in usable if r.busy == least]
        return candidates[next(self._turn) % len(candidates)]

    async def fetchval(self, viewer_id: int | None, query: str, *args: Any) -> tuple[Any, float]:
        """One read statement's value, from a replica when one may answer it, and the
        ``time.monotonic()`` instant before which every commit is in that value (infinity for
        the primary's: every commit is)."""
        replica = self.choose(viewer_id)
        if replica is None:
            self.primary_reads += 1
            return await self.primary.fetchval(query, *args), float("inf")
        fresh_since = replica.fresh_since
        replica.busy += 1
        try:
            value = await replica.db.fetchval(query, *args)
        except (TimeoutError, OSError) as error:
            self._down(replica, error)
        except Exception as error:
            if not _is_connection_error(error):
                raise  # the statement's own failure: the caller words it
            self._down(replica, error)
        else:
            replica.reads += 1
            return value, fresh_since
        finally:
            replica.busy -= 1
        self.primary_reads += 1
        return await self.primary.fetchval(query, *args), float("inf")

    def _down(self, replica: Replica, error: BaseException) -> None:
        if replica.healthy:
            log.warning("replica %s failed (%r); reading from the primary until it answers",
                        _where(replica.url), error)
        replica.healthy = False

    # --- polling --------------------------------------------------------------------------

    async def poll(self) -> None:
        """Read the primary's LSN, then each replica's replay LSN."""
        started = time.monotonic()
        try:
            primary_lsn = lsn(await self.primary.pool.fetchval("select pg_current_wal_lsn()::text"))
        except Exception as error:
            log.debug("polling the primary's LSN failed: %r", error)
            return
        self._history.append((started, primary_lsn))
        horizon = started - self.max_lag_s - 2 * POLL_SECONDS
        while len(self._history) > 1 and self._history[1][0] < horizon:
            self._history.pop(0)
        # Together: a replica that hangs delays no other's news.
        await asyncio.gather(*(self._poll_replica(replica) for replica in self.replicas))
        self._forget_replayed()

    async def _poll_replica(self, replica: Replica) -> None:
        try:
            async with asyncio.timeout(POLL_TIMEOUT_SECONDS):
                # NULL on a server that is not a standby: it never counts as fresh.
                replayed = await replica.db.pool.fetchval("select pg_last_wal_replay_lsn()::text")
        except Exception as error:
            self._down(replica, error)
            return
        if not replica.healthy:
            log.info("replica %s answers; reading from it again", _where(replica.url))
        replica.healthy = True
        replica.replayed = lsn(replayed)
        for started, primary_lsn in reversed(self._history):
            if primary_lsn <= replica.replayed:
                replica.fresh_since = max(replica.fresh_since, started)
                break

    def _forget_replayed(self) -> None:
        if not self.replicas:
            return
        everywhere = min(r.replayed for r in self.replicas)
        for member_id in [m for m, (written, _) in self._writes.items() if written <= everywhere]:
            del self._writes[member_id]

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                await self.poll()
            except Exception:  # a poll must never end the task: the next one retries
                log.exception("polling the replicas failed")


def _is_connection_error(error: BaseException) -> bool:
    import asyncpg

    return isinstance(error, asyncpg.InterfaceError | asyncpg.PostgresConnectionError
                      | asyncpg.CannotConnectNowError)


def _where(url: str) -> str:
    """The replica's address without its credentials, for logs."""
    return url.rpartition("@")[2]
