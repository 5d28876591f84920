"""Multiplexed delivery: an event's payload is built once per *group* of subscriptions, not
once per subscription.

A group is every live subscription of this process that would build the same payload for an
event: the same field with the same arguments (the slice names it, ``group`` in
:func:`hub.api.streams.event_stream`) followed by the same viewer (anonymous, or one member with
one role: what a viewer may see depends on nothing else). The first subscription of a group to
take an event builds the payload — the visibility check and the loads, with its own (= the
group's) viewer — and the others await that same build; the GraphQL selection is then executed
once per (payload, document, variables) (hub/api/multiplex.py) and every socket of the group is
sent that one result. Visibility stays exact per viewer: viewers never share a group.

Builds are kept for the last :data:`KEPT` (group, viewer, event) keys only: a subscription
that lags further behind builds its own payload again (correct, only dearer).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import orjson

KEPT = 4096
# The attribute a shared payload carries: {document key: execution result (or its future)}.
SHARED_RESULTS = "_hub_shared_results"
# The attribute of a payload a batch built whole (hub/realtime/batches.py): the subscription's
# ``data``, sent as it is.
PREBUILT = "_hub_prebuilt"


class Prebuilt:
    """A payload a batch built whole (hub/realtime/batches.py, hub/api/live/): the
    subscription's ``data``, shared by its group — the executor returns it as it is
    (hub/api/multiplex.py), or it is sent straight to the socket (hub/realtime/direct.py),
    encoded once for the group."""

    __slots__ = (PREBUILT, "_encoded")

    def __init__(self, data: dict[str, Any]) -> None:
        setattr(self, PREBUILT, data)
        self._encoded: bytes | None = None

    def payload(self) -> bytes:
        """The ``payload`` of a graphql-transport-ws ``next`` message, as JSON."""
        if self._encoded is None:
            self._encoded = orjson.dumps({"data": getattr(self, PREBUILT)})
        return self._encoded


class SharedBuilds:
    """The payloads being built or built lately, by (group, viewer, event id)."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self.builds = 0  # how many payloads were built: tests and the bench read it
        self._entries: OrderedDict[Hashable, asyncio.Future[Any]] = OrderedDict()

    async def get(self, key: Hashable, build: Callable[[], Awaitable[Any]]) -> Any:
        """The payload for ``key``: built now by ``build()`` if no subscription of the group
        has built (or is building) it, else the same object the first one built."""
        future = self._entries.get(key)
        if future is None or (future.done() and (future.cancelled() or future.exception())):
            future = asyncio.ensure_future(self._build(build))
            future.add_done_callback(retrieve)
            self._entries[key] = future
            while len(self._entries) > self.kept:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        # Shielded: a subscriber that goes away while its build runs does not cancel the
        # build the rest of its group awaits.
        return await asyncio.shield(future)

    async def _build(self, build: Callable[[], Awaitable[Any]]) -> Any:
        self.builds += 1
        payload = await build()
        if payload is not None:
            # Marks the payload as shared: its executions are shared too (hub/api/multiplex.py).
            setattr(payload, SHARED_RESULTS, {})
        return payload


def retrieve(future: asyncio.Future[Any]) -> None:
    """Mark the error of a failed shared build (or execution) as seen: each waiting
    subscription gets it; when they all went away meanwhile, asyncio must not log it as never
    retrieved."""
    if not future.cancelled():
        future.exception()
