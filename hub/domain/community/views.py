"""Views: one per viewer per record per day, recorded without a write per request.

``recordViewed`` (hub/api/community/mutations.py) only adds ``(record, viewer, day)`` to this
process's buffer, a set: a thousand refreshes by one reader are one entry. The buffer is
written to ``record_views`` in one ``INSERT … ON CONFLICT DO NOTHING`` per flush — every
``HUB_VIEW_FLUSH_MS``, when it holds :data:`MAX_PENDING` entries, and when the hub stops — so
a viewer counted by another process, or earlier the same day, is not counted again.

The flush's statement also brings the flushed records' stored discovery values up to date
(a trigger of migration 0018 recounts their viewers in the same transaction), so a view moves
``orderBy: UNDERSEEN`` and ``FRESH`` from the flush that writes it. The same timer refreshes,
hourly, the media types' means that ``orderBy: FRESH`` smooths toward, and then every record's
stored values (hub/domain/records/discovery.py): they read every heart and view, so no
request does.

A viewer is a hash, never an address: of the member's id when signed in, else of the
client's address and user agent, keyed with the hub's secret (the address cannot be read
back from the table).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging

from hub.core.db import Database
from hub.domain.records.discovery import REFRESH_MEANS_SECONDS
from hub.domain.records.store import refresh_means

log = logging.getLogger("hub.domain.community.views")

# Entries held before a flush is started early (about 60 bytes each: a few MB at most).
MAX_PENDING = 50_000
VIEWER_BYTES = 16

View = tuple[int, bytes, dt.date]


def member_viewer(member_id: int) -> bytes:
    """The viewer key of a signed-in member (the same on every hub process)."""
    return hashlib.sha256(f"member:{member_id}".encode()).digest()[:VIEWER_BYTES]


def anonymous_viewer(secret: bytes, address: str, user_agent: str) -> bytes:
    """The viewer key of an anonymous reader: a keyed hash of the address and user agent."""
    text = f"anonymous:{address}\n{user_agent}".encode()
    return hmac.new(secret, text, hashlib.sha256).digest()[:VIEWER_BYTES]


class ViewBuffer:
    """The views seen by this process since the last flush (see the module's docstring)."""

    def __init__(self, db: Database, flush_ms: int) -> None:
        self.db, self.flush_ms = db, flush_ms
        self.pending: set[View] = set()
        self.flushes = 0  # statements written, for tests and logs
        self._task: asyncio.Task[None] | None = None
        self._early: set[asyncio.Task[None]] = set()  # early flushes, held until done
        self._lock = asyncio.Lock()

    def add(self, record_id: int, viewer: bytes) -> None:
        self.pending.add((record_id, viewer, dt.datetime.now(dt.UTC).date()))
        if len(self.pending) >= MAX_PENDING and not self._lock.locked():
            # The loop keeps only a weak reference to a task: hold it until it is done.
            task = asyncio.get_running_loop().create_task(self._flush_logged())
            self._early.add(task)
            task.add_done_callback(self._early.discard)

    async def flush(self) -> int:
        """Write the buffer in one statement; returns how many entries it held."""
        async with self._lock:
            views, self.pending = self.pending, set()
            if not views:
                return 0
            records, viewers, days = zip(*views, strict=True)
            try:
                await self.db.execute(
                    "insert into record_views (record_id, viewer, day) select * from "
                    "unnest($1::bigint[], $2::bytea[], $3::date[]) on conflict do nothing",
                    list(records), list(viewers), list(days))
            except Exception:
                # A record deleted for good, an outage: keep them for the next flush.
                self.pending |= views
                raise
            self.flushes += 1
            return len(views)

    async def start(self) -> None:
        """Bring FRESH's media-type means up to date if they are stale (awaited: before the
        hub serves), then write the buffer on the timer."""
        if self._task is None:
            await self._refresh_means()
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop the timer and write what is left (at shutdown)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self.flush()
        except Exception:
            log.exception("writing %d views at shutdown failed", len(self.pending))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        refreshed = loop.time()
        while True:
            await asyncio.sleep(self.flush_ms / 1000)
            await self._flush_logged()
            if loop.time() - refreshed >= REFRESH_MEANS_SECONDS:
                refreshed = loop.time()
                await self._refresh_means()

    async def _refresh_means(self) -> None:
        """The means of FRESH, kept by the same timer as the views they are made of (and with
        them every record's stored discovery values)."""
        try:
            async with self.db.transaction() as tx:  # the write statement timeout
                await refresh_means(tx, REFRESH_MEANS_SECONDS)
        except Exception:
            log.exception("refreshing the media types' means for FRESH failed")

    async def _flush_logged(self) -> None:
        try:
            await self.flush()
        except Exception:
            log.exception("writing %d views failed; retrying at the next flush",
                          len(self.pending))
