"""The one way a mutation writes: a transaction, typed payload errors, events after commit.

A service function receives the transaction's executor and returns the payload's fields plus
the events it caused. :class:`InputProblem` rolls everything back and becomes the payload's
``errors``; events reach plugins only after the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hub.context import Context
from hub.db.pool import Executor
from hub.errors import InputProblem
from hub.events import Event

P = TypeVar("P")


@dataclass
class Outcome:
    """What a service returns: the payload's fields and the events to emit after commit."""

    fields: dict[str, Any]
    events: list[Event] = field(default_factory=list)


async def run_mutation(
    context: Context, payload: Callable[..., P],
    work: Callable[[Executor], Awaitable[Outcome]],
) -> P:
    try:
        async with context.db.transaction() as tx:
            outcome = await work(tx)
    except InputProblem as problem:
        return payload(errors=problem.errors)
    context.forget_loaded()
    await context.emit(outcome.events)
    return payload(errors=[], **outcome.fields)
