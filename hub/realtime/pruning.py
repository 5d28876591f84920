"""Pruning on a schedule: what the shared tables keep, and for how long.

Every hub instance's dispatcher calls :func:`prune` every ``HUB_PRUNE_INTERVAL_SECONDS``
(default 10 minutes); a transaction-level advisory lock lets one instance at a time do the
work (the others skip that round). What goes:

* **events** (the outbox) older than ``HUB_EVENT_RETENTION_HOURS`` (7 days) that every
  ``hub_event`` consumer has passed — a consumer idle for the whole window counts as
  uninstalled. ``event_retention.pruned_through`` records how far this went, so a subscriber
  resuming from an older cursor is told it missed events, never silently;
* **event_failures** recorded more than ``HUB_EVENT_FAILURE_RETENTION_HOURS`` ago (30 days):
  long enough to inspect and replay them by hand;
* **event_deliveries**, the delivered markers, older than ``HUB_DELIVERY_RETENTION_HOURS``
  (7 days): a marker only matters while its event may still be delivered again, i.e. until the
  consumer's cursor has passed it, which takes seconds unless the consumer is failing;
* **rate_limits** rows whose one-minute window has ended.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.core.config import Settings
from hub.core.db import Executor
from hub.core.ratelimit import PRUNE as PRUNE_RATE_LIMITS

# pg_try_advisory_xact_lock's key: "prune" in ASCII, unlikely to meet another lock of the hub.
LOCK_KEY = 0x7072756E65

_EVENTS = """
with pruned as (
    delete from events
     where created_at < now() - make_interval(hours => $1)
       and id <= (select coalesce(min(last_event_id), 9223372036854775807)
                    from event_consumers
                   -- a consumer idle for the whole window was uninstalled
                   where updated_at > now() - make_interval(hours => $1))
    returning id),
moved as (
    update event_retention
       set pruned_through = greatest(pruned_through, (select max(id) from pruned))
     where exists (select from pruned))
select count(*) from pruned
"""


@dataclass(frozen=True)
class Pruned:
    """How many rows one round deleted (None when another instance held the lock)."""

    events: int
    failures: int
    deliveries: int
    rate_limits: int


async def prune(tx: Executor, settings: Settings) -> Pruned | None:
    """Delete what has outlived its retention; run inside a transaction (``tx``), which holds
    the advisory lock until it ends. None when another instance is pruning now."""
    if not await tx.fetchval("select pg_try_advisory_xact_lock($1)", LOCK_KEY):
        return None
    events = await tx.fetchval(_EVENTS, settings.event_retention_hours)
    failures = await tx.execute(
        "delete from event_failures where failed_at < now() - make_interval(hours => $1)",
        settings.event_failure_retention_hours)
    deliveries = await tx.execute(
        "delete from event_deliveries where delivered_at < now() - make_interval(hours => $1)",
        settings.delivery_retention_hours)
    rate_limits = await tx.execute(PRUNE_RATE_LIMITS)
    return Pruned(events, _rows(failures), _rows(deliveries), _rows(rate_limits))


def _rows(status: str) -> int:
    # asyncpg answers a DELETE with its command tag: "DELETE <rows>".
    return int(status.rsplit(" ", 1)[-1])
