"""What every Class Projects mutation module shares: the actor, the fields an input gave, and
the events a write publishes."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import strawberry

from hub.api.context import Context
from hub.core.events import Event
from hub.core.relay import encode_id
from hub.domain.classes.services import Actor

# The description of every payload's ``errors``.
ERRORS = "Why nothing was written; empty when the mutation succeeded."


def actor(context: Context) -> Actor:
    return Actor(context.viewer_id, context.is_admin)


def given(input: Any, names: Iterable[str]) -> dict[str, Any]:
    """The fields of ``input`` the client gave a value (not omitted, not null); an enum as
    its stored value."""
    values = {name: getattr(input, name) for name in names}
    return {name: value.value if isinstance(value, enum.Enum) else value
            for name, value in values.items() if value not in (None, strawberry.UNSET)}


def event(kind: str, context: Context, type_name: str, pk: int, **payload: Any) -> Event:
    return Event(kind=kind, subject=encode_id(type_name, pk), actor=context.viewer_global_id,
                 payload=payload)
