"""The one way a mutation writes: a transaction, typed payload errors, events after commit.

A service function receives the transaction's executor and returns the payload's fields plus
the events it caused. :class:`InputProblem` rolls everything back and becomes the payload's
``errors``. The events are written to the outbox inside the same transaction (so they exist
exactly when the change does); after the commit they reach subscriptions on every hub
instance and, through the event dispatcher, the ``hub_event`` plugin hook (hub/realtime).
A service whose events do not depend on what its statements find may write them first
(:func:`announce`), before it locks the rows it changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hub.api.context import Context
from hub.api.errors import user_errors
from hub.core.db.pool import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.events import Event
from hub.core.ratelimit import Limit
from hub.domain.notifications.service import from_events
from hub.realtime import outbox

P = TypeVar("P")


@dataclass
class Outcome:
    """What a service returns: the payload's fields and the events to emit after commit."""

    fields: dict[str, Any]
    events: list[Event] = field(default_factory=list)


async def run_mutation(
    context: Context, payload: Callable[..., P],
    work: Callable[[Executor], Awaitable[Outcome]],
    *, on_conflict: Callable[[], Awaitable[dict[str, Any]]] | None = None,
    also_limits: tuple[Limit, ...] = (),
) -> P:
    """Run ``work`` in a transaction and answer its payload. When it fails with a CONFLICT
    (a stale ``expectedVersion``) and ``on_conflict`` is given, the payload also carries the
    fields ``on_conflict`` reads after the rollback: the object as it is now, so the client
    can merge its change without a refetch. ``also_limits``: narrower rate limits the change
    counts against besides the mutations' (new comments), in the same statement."""
    if context.rate_limits is not None and context.viewer_id is not None:
        await context.rate_limits.mutation(context.db, context.viewer_id, *also_limits)
    try:
        async with context.db.transaction() as tx:
            outcome = await work(tx)
            await announce(tx, outcome.events)
    except InputProblem as problem:
        current: dict[str, Any] = {}
        if on_conflict is not None and any(e.code is ErrorCode.CONFLICT for e in problem.errors):
            context.forget_loaded()  # what is committed now, not what this request cached
            current = await on_conflict()
        return payload(errors=user_errors(problem.errors), **current)
    context.forget_loaded()
    return payload(errors=[], **outcome.fields)


async def announce(tx: Executor, events: list[Event]) -> None:
    """Write ``events`` to the outbox in ``tx``, with the notifications they cause (written in
    the same transaction, and delivered with it).

    A service may call it before its own statements when its events are known up front: a
    row the change updates stays locked until the commit, so every round trip after that
    update makes the next change of the same row wait longer (an event's id costs no round
    trip: it is given at commit, hub/realtime/outbox.py)."""
    if not events:
        return
    notified = await from_events(tx, events)
    await outbox.write(tx, [*events, *notified])
