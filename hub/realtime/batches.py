"""One SQL statement per batch of delivery groups: an event's payloads for every group of
subscriptions, built together as soon as the listener reads the event.

A subscription whose payload can be compiled (hub/api/live/) joins the listener with a
:class:`Batched`: what kind of statement builds its payload (``kind``: the subscription
document's compiled statement), which group it belongs to now (``group()``: the document,
its variables and the viewer; None while its viewer is being reloaded) and that group's
arguments (``arguments()``: the viewer's id and the variables). When the listener offers an
event, :meth:`Batches.prepare` groups the subscriptions that accepted it by kind and group,
and starts one ``run(event, [arguments…])`` per :attr:`Batches.size` groups of a kind: one
statement whose rows carry each group's arguments (``unnest … with ordinality``, as Hasura
multiplexes live queries). A subscription taking the event awaits its group's answer
(:meth:`Batches.result`); one that finds none (it lagged far behind, its viewer changed since
the event was read) builds its own, as before.

Visibility stays exact: the viewer's id is one of each group's arguments, and the statement
reads the database after the event's commit, as the per-subscription path does.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any, Protocol

from hub.core.events import Event
from hub.realtime.multiplex import retrieve

log = logging.getLogger("hub.realtime")

# Events whose batched answers are kept: a subscription further behind builds its own.
EVENTS_KEPT = 64

Run = Callable[[Event, Sequence[Any]], Awaitable[Sequence[Any]]]


class Batched(Protocol):
    """How one subscription's payloads are built in batches (see the module)."""

    @property
    def kind(self) -> Hashable: ...

    def group(self) -> Hashable | None: ...

    def arguments(self) -> Any: ...

    def run(self, event: Event, arguments: Sequence[Any]) -> Awaitable[Sequence[Any]]: ...


class Member(Protocol):
    batch: Batched | None
    pending: int

    def built(self, event: Event, group: Hashable, payload: Any, failed: bool) -> bool: ...

    def offer(self, event: Event) -> bool: ...

    def give(self, event: Event) -> None: ...


Answer = tuple[asyncio.Future[Sequence[Any]], int]


class Batches:
    """The batched answers of the latest events, by event id and group."""

    def __init__(self, size: int = 100) -> None:
        self.size = size
        self.statements = 0  # batched statements run: tests and the bench read it
        self.written = 0  # events a batch took for an idle subscription (written or not sent)
        self._events: OrderedDict[int, dict[Hashable, Answer]] = OrderedDict()
        # Events whose payloads batches write to idle sockets themselves, in event order:
        # (event, [(subscription, its group)]).
        self._writes: deque[tuple[Event, list[tuple[Member, Hashable]]]] = deque()

    def prepare(self, event: Event, accepted: Iterable[Member],
                direct: Iterable[Member] = ()) -> list[Member]:
        """Start the statements building ``event``'s payloads for the groups of ``accepted``
        (the subscriptions the listener just queued it for) and of ``direct`` (idle ones,
        not queued: their payloads are written by the batch, hub/realtime/direct.py). The
        ``direct`` ones no batch takes (a viewer being reloaded) are returned, to be queued."""
        kinds: dict[Hashable, tuple[Batched, dict[Hashable, Any]]] = {}
        writes: list[tuple[Member, Hashable]] = []
        refused: list[Member] = []
        for queued, members in ((True, accepted), (False, direct)):
            for member in members:
                batched = member.batch
                group = batched.group() if batched is not None and event.id else None
                if batched is None or group is None:
                    if not queued:
                        refused.append(member)
                    continue
                groups = kinds.setdefault(batched.kind, (batched, {}))[1]
                if group not in groups:
                    groups[group] = batched.arguments()
                if not queued:
                    member.give(event)
                    writes.append((member, group))
        if not kinds:
            return refused
        answers = self._events[event.id or 0] = {}
        while len(self._events) > EVENTS_KEPT:
            self._events.popitem(last=False)
        for batched, groups in kinds.values():
            keys = list(groups)
            for start in range(0, len(keys), self.size):
                chunk = keys[start:start + self.size]
                future = asyncio.ensure_future(
                    self._run(batched.run, event, [groups[key] for key in chunk]))
                future.add_done_callback(retrieve)
                for index, key in enumerate(chunk):
                    answers[key] = (future, index)
                if writes:
                    future.add_done_callback(self._write)
        if writes:
            self._writes.append((event, writes))
        return refused

    def _write(self, _done: object = None) -> None:
        """Write the payloads of the oldest events whose batches have all answered: in event
        order, so a socket never gets a later event first."""
        while self._writes:
            event, writes = self._writes[0]
            answers = self._events.get(event.id or 0, {})
            if not all(answers[group][0].done() for _, group in writes if group in answers):
                return
            self._writes.popleft()
            for member, group in writes:
                future, index = answers.get(group, (None, 0))
                failed = future is None or future.cancelled() or future.exception() is not None
                payload = None if failed or future is None else future.result()[index]
                try:
                    self.written += member.built(event, group, payload, failed)
                except Exception:  # one socket's failure must not stop the others' writes
                    log.exception("writing event %s to a subscription failed", event.id)

    async def _run(self, run: Run, event: Event, arguments: Sequence[Any]) -> Sequence[Any]:
        self.statements += 1
        return await run(event, arguments)

    async def result(self, event_id: int, group: Hashable | None) -> tuple[bool, Any]:
        """``(True, payload)`` when a batch built ``group``'s payload of the event (None: not
        to be sent), else ``(False, None)``: build it alone."""
        entry = self._events.get(event_id, {}).get(group) if group is not None else None
        if entry is None:
            return False, None
        future, index = entry
        if future.done():  # no shield needed, nor its cost
            if future.cancelled() or future.exception() is not None:
                return False, None  # the subscription builds its own, and meets the error
            return True, future.result()[index]
        try:  # shielded: a subscriber that goes away must not cancel the others' batch
            answers = await asyncio.shield(future)
        except asyncio.CancelledError:
            raise
        except Exception:  # the subscription builds its own, and meets the error itself
            return False, None
        return True, answers[index]
