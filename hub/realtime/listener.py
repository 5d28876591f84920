"""One LISTEN connection per hub process, fanning committed events out to in-process
subscribers.

The notification only wakes the listener; it then reads every event after the last id it
has seen, in id (= commit) order, from its own connection. So a lost notification costs at
most one poll interval, and events from every hub instance arrive the same way.

Fan-out never waits: each subscriber has a bounded queue and :meth:`Subscriber.offer` uses
``put_nowait``. A subscriber whose queue is full (a slow client) is cut off with
:class:`FellBehind`, which tells it the cursor to resume from; nobody else notices. An idle
subscription whose payloads a batch builds (hub/realtime/batches.py) is not queued the event at
all: the batch writes it to the socket when its statement answers, in event order
(:meth:`Subscriber.built`), counting against the same bound meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Hashable

import asyncpg

from hub.core.db.pool import _init_connection
from hub.core.events import Event
from hub.realtime import outbox
from hub.realtime.batches import Batched, Batches
from hub.realtime.direct import DirectSend
from hub.realtime.multiplex import Prebuilt, SharedBuilds

log = logging.getLogger("hub.realtime")

BATCH = 500
Accepts = Callable[[Event], bool]


class FellBehind(Exception):
    """The subscriber's queue overflowed; ``last_id`` is the last event it was given."""

    def __init__(self, last_id: int | None) -> None:
        super().__init__(f"fell behind after event {last_id}")
        self.last_id = last_id


class Stopping(FellBehind):
    """The hub process is shutting down; the client should reconnect (to any instance)."""


class ViewerChanged(Exception):
    """The subscriber's viewer changed (a role) or ended (a session): look again before
    taking the next event (hub/realtime/sessions.py)."""


_OVERFLOW = object()
_STOPPING = object()
_VIEWER_CHANGED = object()


class Subscriber:
    """One live subscription: a bounded queue of the events its filter accepts.

    Idle, it holds no queue at all (asyncio.Queue costs four deques, ~3 KB, per subscription,
    and a hub holds thousands): the deque exists while events wait, the future while the
    consumer waits."""

    __slots__ = ("_items", "_waiter", "accepts", "batch", "direct", "last_taken", "overflowed",
                 "pending", "size", "unsent")

    def __init__(self, accepts: Accepts, size: int) -> None:
        self.accepts = accepts
        self.size = size
        self._items: deque[object] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self.overflowed = False
        self.last_taken: int | None = None
        # Set when its payloads are built in batches (hub/realtime/batches.py), and when the
        # batch may write them to its socket itself (hub/realtime/direct.py).
        self.batch: Batched | None = None
        self.direct: DirectSend | None = None
        self.pending = 0  # events given to a batch to write, not written yet
        self.unsent: int | None = None  # the oldest of them (a resume point if cut off)

    def idle(self) -> bool:
        """Nothing queued, room for one more event and its consumer waiting for the next one:
        a batch may write it itself, in order, without waking it."""
        waiter = self._waiter
        return (self._items is None and waiter is not None and not waiter.done()
                and not self.overflowed and not self._full())

    def give(self, event: Event) -> None:
        """``event`` is left to a batch to write (:meth:`built` follows)."""
        if not self.pending:
            self.unsent = event.id
        self.pending += 1

    def built(self, event: Event, group: Hashable, payload: Prebuilt | None,
              failed: bool) -> bool:
        """The batch of ``event`` that this subscription waited on, in event order: write its
        payload to the socket, or queue the event for the consumer to build (the batch
        failed, the viewer changed meanwhile, something was queued ahead of it). Whether the
        batch took it (written, or nothing to send)."""
        self.pending = max(0, self.pending - 1)  # zeroed when cut off or stopped meanwhile
        # Written in id order: whatever is still pending comes after this event.
        self.unsent = (event.id or 0) + 1 if self.pending else None
        try:
            if self.overflowed or self.batch is None or self.direct is None:
                return False
            if failed or self._items is not None or self.batch.group() != group:
                self.offer(event)
                return False
            if payload is not None and not self.direct.write(payload):
                self.fall_behind(event)  # its socket does not drain: it alone is cut off
                return False
            self.last_taken = event.id
            return True
        finally:
            if not self.pending and self._items:
                self._wake()

    def fall_behind(self, event: Event) -> None:
        """Cut this subscription off (``SUBSCRIBER_TOO_SLOW``) before ``event``."""
        if self.overflowed:
            return
        self.overflowed = True
        self._resume_before(event)
        if self._items is not None:
            self._items.clear()
        self._put(_OVERFLOW)

    def _full(self) -> bool:
        """As many events waiting (queued, or left to a batch) as the queue may hold."""
        return (len(self._items) if self._items else 0) + self.pending >= self.size

    def _resume_before(self, event: Event) -> None:
        """Cut off at ``event``: without an event taken yet, resume before the first one not
        taken (left to a batch, queued, or this one)."""
        if self.last_taken is not None:
            return
        first = self._items[0] if self._items else None
        first_id = self.unsent or (first.id if isinstance(first, Event) else None) or event.id
        if first_id:
            self.last_taken = first_id - 1

    def _put(self, item: object) -> None:
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        if not self.pending:  # events a batch still writes come first
            self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def offer(self, event: Event) -> bool:
        """Queue ``event`` if the subscription wants it; whether it was queued."""
        if self.overflowed or not self.accepts(event):
            return False
        if not self._full():
            self._put(event)
            return True
        # Drop the backlog and leave one marker, so the consumer wakes up at once; it may
        # resume just before the first event it did not take.
        self.overflowed = True
        self._resume_before(event)
        if self._items is not None:
            self._items.clear()
        self.pending = 0  # what batches still hold for it is not written (built() checks)
        self._put(_OVERFLOW)
        return False

    def stop(self) -> None:
        """End the subscription because the hub stops (after what it has already queued)."""
        if self.overflowed:
            return
        self.overflowed = True
        self.pending = 0  # what batches still hold for it is not written (built() checks)
        while self._items and self._full():
            self._items.popleft()
        self._put(_STOPPING)

    def viewer_changed(self) -> None:
        """Wake the consumer to check its viewer again. With a full queue it is awake
        anyway, and checks its viewer before each event it takes."""
        if self.overflowed or self._full():
            return
        self._put(_VIEWER_CHANGED)

    async def next(self) -> Event:
        while not self._items or self.pending:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self._items.popleft()
        if not self._items:
            self._items = None  # idle again: no deque held
        if item is _OVERFLOW:
            raise FellBehind(self.last_taken)
        if item is _STOPPING:
            raise Stopping(self.last_taken)
        if item is _VIEWER_CHANGED:
            raise ViewerChanged()
        assert isinstance(item, Event)
        self.last_taken = item.id
        return item


class EventBus:
    """The process's listener. :meth:`start` it once; :meth:`subscribe` per subscription."""

    def __init__(self, dsn: str, *, queue_size: int = 256, poll_seconds: float = 5.0,
                 batch_size: int = 100) -> None:
        self.dsn = dsn
        self.queue_size = queue_size
        self.poll_seconds = poll_seconds
        self.last_id = 0
        # Payloads built once per group of subscriptions (hub/realtime/multiplex.py).
        self.builds = SharedBuilds()
        # Payloads built for many groups in one statement (hub/realtime/batches.py).
        self.batches = Batches(batch_size)
        self._subscribers: set[Subscriber] = set()
        self._watchers: list[Callable[[Event], None]] = []
        self._wake = asyncio.Event()
        self._news = asyncio.Event()
        self._connection: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        await self._connect()
        assert self._connection is not None
        self.last_id = await self._connection.fetchval("select coalesce(max(id), 0) from events")
        self._task = asyncio.create_task(self._run(), name="hub-event-listener")

    async def stop(self) -> None:
        for subscriber in self._subscribers:
            subscriber.stop()
        self._subscribers.clear()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._disconnect()

    async def _connect(self) -> None:
        connection = await asyncpg.connect(self.dsn, server_settings={
            "application_name": "recordhub-listener"})
        await _init_connection(connection)
        await connection.add_listener(outbox.CHANNEL, self._notified)
        connection.add_termination_listener(lambda _connection: self._wake.set())
        self._connection = connection

    async def _disconnect(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            with contextlib.suppress(Exception):
                await self._connection.close(timeout=2)
        self._connection = None

    def _notified(self, *_args: object) -> None:
        self._wake.set()

    # --- subscribers ---------------------------------------------------------------------------

    def subscribe(self, accepts: Accepts) -> Subscriber:
        subscriber = Subscriber(accepts, self.queue_size)
        self._subscribers.add(subscriber)
        return subscriber

    def add(self, subscriber: Subscriber) -> Subscriber:
        """Register a subscriber built elsewhere (hub/realtime/light.py: one without a task)."""
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def watch(self, watcher: Callable[[Event], None]) -> None:
        """Call ``watcher`` with every event, in commit order, before any subscriber is offered
        it or a later event: what it marks (a session ended) holds for everything after."""
        self._watchers.append(watcher)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    @property
    def idle_count(self) -> int:
        """Subscriptions waiting for their next event (tests wait for them)."""
        return sum(1 for subscriber in self._subscribers if subscriber.idle())

    async def wait_for_news(self, seconds: float) -> None:
        """Return when new events arrived (or after ``seconds``): wakes the dispatcher."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._news.wait()

    # --- the loop ------------------------------------------------------------------------------

    async def _run(self) -> None:
        backoff = 0.5
        while True:
            try:
                if self._connection is None or self._connection.is_closed():
                    await self._disconnect()
                    await self._connect()
                await self._drain()
                backoff = 0.5
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll_seconds):
                        await self._wake.wait()
                self._wake.clear()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database went away: keep trying, never die
                log.warning("event listener: %r; reconnecting in %.1fs", error, backoff)
                await self._disconnect()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    async def _drain(self) -> None:
        assert self._connection is not None
        while True:
            rows = await self._connection.fetch(
                f"select {outbox.COLUMNS} from events where id > $1 order by id limit {BATCH}",
                self.last_id,
            )
            for row in rows:
                self._fan_out(outbox.from_row(row))
            if rows:
                news, self._news = self._news, asyncio.Event()
                news.set()
            if len(rows) < BATCH:
                return

    def _fan_out(self, event: Event) -> None:
        self.last_id = event.id or self.last_id
        for watcher in self._watchers:
            try:
                watcher(event)
            except Exception:  # a watcher's bug must not stop delivery to everyone else
                log.exception("event watcher failed on event %s (%s)", event.id, event.kind)
        accepted, direct = [], []
        for subscriber in list(self._subscribers):
            if subscriber.direct is not None and subscriber.idle() \
                    and subscriber.accepts(event) and not subscriber.overflowed:
                direct.append(subscriber)  # the batch writes it (or queues it, failing that)
            elif subscriber.offer(event):
                accepted.append(subscriber)
            elif subscriber.overflowed:
                self._subscribers.discard(subscriber)
        for refused in self.batches.prepare(event, accepted, direct):
            refused.offer(event)  # no batch for it after all
