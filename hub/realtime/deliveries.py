"""The ``deliveries`` argument of the ``hub_event`` hook (:class:`hub.Deliveries`): which
endpoints accepted an event, in the ``event_deliveries`` table, so every hub instance and
every restart agrees (pruned after ``HUB_DELIVERY_RETENTION_HOURS``, hub/realtime/pruning.py).
"""

from __future__ import annotations

import hashlib

import asyncpg


class EventDeliveries:
    """One consumer's delivery record of one event."""

    def __init__(self, pool: asyncpg.Pool, consumer: str, event_id: int) -> None:
        self.pool = pool
        self.consumer = consumer
        self.event_id = event_id

    async def delivered(self) -> frozenset[str]:
        rows = await self.pool.fetch(
            "select endpoint from event_deliveries where consumer = $1 and event_id = $2",
            self.consumer, self.event_id)
        return frozenset(row["endpoint"] for row in rows)

    async def record(self, endpoint: str) -> None:
        await self.pool.execute(
            "insert into event_deliveries (consumer, event_id, endpoint) values ($1, $2, $3) "
            "on conflict do nothing", self.consumer, self.event_id, endpoint)

    def idempotency_key(self, endpoint: str) -> str:
        # Derived, not stored: the same on every instance without a round trip; a hash, so
        # the key does not show the receiver the other endpoints or the consumer's name.
        text = f"{self.consumer}\n{endpoint}\n{self.event_id}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]
