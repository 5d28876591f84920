"""Change events handed to plugins after a write commits (``hub_event`` hook)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """A committed change. ``subject`` and ``actor`` are global IDs."""

    kind: str
    subject: str
    actor: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    occurred_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
