"""Described arguments shared by the Class Projects fields: a connection's page arguments and
the ``input`` of a mutation (hub/core/relay.py says how pages work)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from hub.core.relay import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

First = Annotated[int | None, strawberry.argument(
    description=f"How many items from the start (or after `after`): 0 to {MAX_PAGE_SIZE}; "
    f"{DEFAULT_PAGE_SIZE} when neither `first` nor `last` is given. Not with `last`.")]
After = Annotated[str | None, strawberry.argument(
    description="An edge's `cursor` (or `pageInfo.endCursor`) from this list: the page starts "
    "after it; from the start when null. INVALID_CURSOR for a cursor of another list or "
    "order.")]
Last = Annotated[int | None, strawberry.argument(
    description=f"How many items from the end (or before `before`): 0 to {MAX_PAGE_SIZE}. "
    "Not with `first`; null: read forward.")]
Before = Annotated[str | None, strawberry.argument(
    description="An edge's `cursor` (or `pageInfo.startCursor`) from this list: the page ends "
    "before it; from the end when null.")]


def input_argument(what: str) -> object:
    """A mutation's single ``input`` argument, described."""
    return strawberry.argument(description=what)
