"""Change events: written to the outbox with the change (hub/realtime/outbox.py), then fed to
GraphQL subscriptions and to the ``hub_event`` plugin hook after the commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """A committed change. ``subject`` and ``actor`` are global IDs.

    ``id`` is the outbox id: unique, increasing in commit order, the same on every hub
    instance. It is ``None`` only on an event not yet written (inside a service). Use it to
    make an event consumer idempotent: delivery is at least once.
    """

    kind: str
    subject: str
    actor: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    occurred_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    id: int | None = None
