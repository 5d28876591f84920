"""Delivers outbox events to every ``hub_event`` implementation: at least once, in order,
with retries.

Each plugin implementing ``hub_event`` is a *consumer* with a cursor row in
``event_consumers``. One hub instance at a time holds a consumer's lease and delivers its
events strictly in id order (so in order per subject too); an event the plugin raises on is
retried with exponential backoff, up to ``event_max_attempts``, before it is recorded in
``event_failures`` and skipped, so one poisoned event cannot stop a plugin for ever. A
crash between delivery and cursor update delivers that event again: at least once.

A consumer first seen by a running hub starts at the events committed after that hub's
dispatcher started, never at old history (a newly configured webhook does not receive a
week of past events).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid

import asyncpg

from hub.core.config import Settings
from hub.core.events import Event
from hub.plugins import HubPlugins, PluginFailure
from hub.realtime import outbox
from hub.realtime.deliveries import EventDeliveries
from hub.realtime.digest import run_if_due
from hub.realtime.listener import EventBus
from hub.realtime.notices import sweep
from hub.realtime.pruning import prune

log = logging.getLogger("hub.realtime.dispatcher")

HOOK = "hub_event"
BATCH = 100
MAX_BACKOFF_SECONDS = 60.0


class Dispatcher:
    """Runs one delivery task per consumer; :meth:`start` with the app, :meth:`stop` with it."""

    def __init__(self, dsn: str, plugins: HubPlugins, settings: Settings, bus: EventBus) -> None:
        self.dsn = dsn
        self.plugins = plugins
        self.settings = settings
        self.bus = bus
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.start_id = 0
        self._pool: asyncpg.Pool | None = None
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._pruned_at = float("-inf")

    @property
    def lease_seconds(self) -> float:
        # Longer than the longest wait between two lease renewals (a backoff sleep).
        return MAX_BACKOFF_SECONDS + 30

    async def start(self) -> None:
        self._pool = await asyncpg.create_pool(
            self.dsn, min_size=1, max_size=2,
            server_settings={"application_name": "recordhub-dispatcher"},
        )
        self.start_id = await self._pool.fetchval("select coalesce(max(id), 0) from events")
        self._task = asyncio.create_task(self._supervise(), name="hub-event-dispatcher")

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._workers.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._pool is not None:
            with contextlib.suppress(Exception):
                await self._pool.execute(
                    "update event_consumers set leased_by = null, leased_until = null "
                    "where leased_by = $1", self.owner)
            await self._pool.close()

    # --- supervision: one worker per registered consumer ---------------------------------------

    async def _supervise(self) -> None:
        while True:
            consumers = set(self.plugins.implementers(HOOK))
            for name in consumers - set(self._workers):
                self._workers[name] = asyncio.create_task(self._work(name), name=f"hub-event-{name}")
            for name in set(self._workers) - consumers:  # unregistered (tests) or disabled
                self._workers.pop(name).cancel()
            for name, task in list(self._workers.items()):
                if task.done():  # a crashed worker (database gone): start afresh next round
                    self._workers.pop(name)
            await self._prune_now_and_then()
            await asyncio.sleep(self.settings.event_poll_ms / 1000)

    async def _prune_now_and_then(self) -> None:
        """Prune the shared tables every ``prune_interval_seconds`` (hub/realtime/pruning.py)."""
        now = asyncio.get_running_loop().time()
        if now - self._pruned_at < self.settings.prune_interval_seconds or self._pool is None:
            return
        self._pruned_at = now
        try:
            async with self._pool.acquire() as connection, connection.transaction():
                pruned = await prune(connection, self.settings)
        except Exception as error:  # pruning is housekeeping: try again next round
            log.warning("pruning failed (tried again in %d s): %r",
                        self.settings.prune_interval_seconds, error)
            return
        if pruned is not None:
            log.info("pruned %s", pruned)
        try:  # the scheduled notices share the schedule (hub/realtime/notices.py)
            async with self._pool.acquire() as connection, connection.transaction():
                await sweep(connection)
        except Exception as error:
            log.warning("the notices' sweep failed (tried again next round): %r", error)
        try:  # the email digest, from its hour on (hub/realtime/digest.py)
            sent = await run_if_due(self._pool, self.plugins, self.settings)
        except Exception as error:
            log.warning("the notifications digest failed (tried again next round): %r", error)
        else:
            if sent is not None and (sent.delivered or sent.undelivered):
                log.info("notification digests: %s", sent)

    async def _work(self, consumer: str) -> None:
        assert self._pool is not None
        await self._pool.execute(
            "insert into event_consumers (consumer, last_event_id) values ($1, $2) "
            "on conflict (consumer) do nothing", consumer, self.start_id)
        while True:
            try:
                cursor = await self._claim(consumer)
                delivered = await self._deliver_batch(consumer, cursor) if cursor is not None else 0
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database is unreachable: retry, never die
                log.warning("event delivery to %r paused: %r", consumer, error)
                delivered = 0
            if not delivered:
                await self.bus.wait_for_news(self.settings.event_poll_ms / 1000)

    async def _claim(self, consumer: str) -> int | None:
        """Take or renew this instance's lease on ``consumer``; its cursor, or None."""
        assert self._pool is not None
        return await self._pool.fetchval(
            """update event_consumers
                  set leased_by = $2, leased_until = now() + make_interval(secs => $3)
                where consumer = $1
                  and (leased_by is null or leased_by = $2 or leased_until < now())
            returning last_event_id""",
            consumer, self.owner, self.lease_seconds,
        )

    async def _deliver_batch(self, consumer: str, cursor: int) -> int:
        assert self._pool is not None
        rows = await self._pool.fetch(
            f"select {outbox.COLUMNS} from events where id > $1 order by id limit {BATCH}", cursor
        )
        for row in rows:
            event = outbox.from_row(row)
            await self._deliver(consumer, event)
            if not await self._advance(consumer, event.id or 0):
                return 0  # lost the lease to another instance: it carries on from the cursor
        return len(rows)

    async def _advance(self, consumer: str, event_id: int) -> bool:
        assert self._pool is not None
        status = await self._pool.execute(
            """update event_consumers
                  set last_event_id = $3, updated_at = now(),
                      leased_until = now() + make_interval(secs => $4)
                where consumer = $1 and leased_by = $2""",
            consumer, self.owner, event_id, self.lease_seconds,
        )
        return status.endswith(" 1")

    async def _deliver(self, consumer: str, event: Event) -> None:
        """Call the plugin until it accepts ``event`` or the attempts run out."""
        assert self._pool is not None
        attempts = self.settings.event_max_attempts
        for attempt in range(1, attempts + 1):
            try:
                await self.plugins.call_plugin(
                    consumer, HOOK, event=event,
                    deliveries=EventDeliveries(self._pool, consumer, event.id or 0))
                return
            except PluginFailure as failure:
                last = attempt == attempts
                log.error("event %s (%s) not delivered, attempt %d/%d%s: %s", event.id,
                          event.kind, attempt, attempts, "; giving up" if last else "", failure,
                          exc_info=failure.__cause__)
                if last:
                    await self._record_failure(consumer, event, attempt, str(failure))
                    return
                await asyncio.sleep(self._backoff(attempt))
                await self._claim(consumer)

    def _backoff(self, attempt: int) -> float:
        base = self.settings.event_retry_base_ms / 1000
        return min(base * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)

    async def _record_failure(self, consumer: str, event: Event, attempts: int, error: str) -> None:
        assert self._pool is not None
        await self._pool.execute(
            "insert into event_failures (consumer, event_id, attempts, error) values ($1, $2, $3, $4) "
            "on conflict (consumer, event_id) do update set attempts = excluded.attempts, "
            "error = excluded.error, failed_at = now()",
            consumer, event.id, attempts, error[:2000],
        )
