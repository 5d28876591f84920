"""Pruning on a schedule: the outbox, event_failures, the delivered markers and ended rate-limit
windows go when they outlive their retention (README "Configuration"); recent rows stay."""

from __future__ import annotations

import asyncpg

from hub.core.config import Settings
from hub.plugins import HubPlugins
from hub.realtime.pruning import Pruned, prune
from tests.realtime.test_realtime import hub_api
from tests.realtime_client import eventually

# Rows of every pruned table, each once past its retention (with the defaults: events 7 days,
# failures 30 days, deliveries 7 days, rate-limit windows 1 minute) and once recent.
SEED_EVENTS = """
insert into events (kind, subject, payload, created_at) values
    ('record.created', 'old', '{}', now() - interval '8 days'),
    ('record.created', 'recent', '{}', now() - interval '6 days')
"""
# After the events' commit: an event's id is given at its commit (hub/realtime/outbox.py).
SEED = """
insert into event_consumers (consumer, last_event_id)
    select 'hub_webhooks', max(id) from events;
insert into event_failures (consumer, event_id, attempts, error, failed_at) values
    ('hub_webhooks', 1, 8, 'old', now() - interval '31 days'),
    ('hub_webhooks', 2, 8, 'recent', now() - interval '29 days');
insert into event_deliveries (consumer, event_id, endpoint, delivered_at) values
    ('hub_webhooks', 1, 'https://old.example/hook', now() - interval '8 days'),
    ('hub_webhooks', 2, 'https://recent.example/hook', now() - interval '6 days');
insert into rate_limits (bucket, started_at, hits) values
    ('mutations:1', now() - interval '61 s', 5),
    ('mutations:2', now() - interval '59 s', 5);
"""

LEFT = """
select (select array_agg(subject order by id) from events) as events,
       (select array_agg(error) from event_failures) as failures,
       (select array_agg(endpoint) from event_deliveries) as deliveries,
       (select array_agg(bucket) from rate_limits) as rate_limits,
       (select pruned_through from event_retention) as pruned_through
"""


async def seed(database_url: str) -> int:
    """The seed rows; returns the id of the old event."""
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(SEED_EVENTS)
        await connection.execute(SEED)
        return await connection.fetchval("select id from events where subject = 'old'")
    finally:
        await connection.close()


async def test_the_schedule_prunes_old_rows_and_keeps_recent_ones(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    old_event = await seed(database_url)
    async with hub_api(settings, database_url, plugins, prune_interval_seconds=1) as api:
        # The dispatcher prunes as it starts, then every HUB_PRUNE_INTERVAL_SECONDS.
        async def pruned() -> bool:
            return await api.hub.db.fetchval("select count(*) from event_failures") == 1
        await eventually(pruned)
        left = await api.hub.db.fetchrow(LEFT)
        assert left is not None
        assert dict(left) == {
            "events": ["recent"], "failures": ["recent"],
            "deliveries": ["https://recent.example/hook"], "rate_limits": ["mutations:2"],
            # A subscription resuming from before it is told it missed events.
            "pruned_through": old_event,
        }
        # Rows that age past their retention later go on a later round.
        await api.hub.db.execute(
            "update event_failures set failed_at = failed_at - interval '2 days'")

        async def pruned_again() -> bool:
            return await api.hub.db.fetchval("select count(*) from event_failures") == 0
        await eventually(pruned_again, within=5)


# The tests below call prune() on connections of their own, with no hub running: the hub's
# dispatcher would prune as it starts.


async def test_retention_is_a_setting(database_url: str) -> None:
    await seed(database_url)
    connection = await asyncpg.connect(database_url)
    try:
        async with connection.transaction():
            shorter = Settings(event_retention_hours=24, event_failure_retention_hours=24,
                               delivery_retention_hours=24)
            assert await prune(connection, shorter) == Pruned(
                events=2, failures=2, deliveries=2, rate_limits=1)
    finally:
        await connection.close()


async def test_an_event_a_consumer_has_not_passed_is_kept(database_url: str) -> None:
    old_event = await seed(database_url)
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("update event_consumers set last_event_id = $1 - 1", old_event)
        async with connection.transaction():
            pruned = await prune(connection, Settings())
        assert pruned == Pruned(events=0, failures=1, deliveries=1, rate_limits=1)
        assert await connection.fetchval("select count(*) from events") == 2
    finally:
        await connection.close()


async def test_one_instance_prunes_at_a_time(database_url: str) -> None:
    await seed(database_url)
    first, second = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        async with first.transaction():
            assert await prune(first, Settings()) is not None
            # The lock is held until the first transaction ends: another instance skips.
            async with second.transaction():
                assert await prune(second, Settings()) is None
        async with second.transaction():
            assert await prune(second, Settings()) == Pruned(0, 0, 0, 0)
    finally:
        await first.close()
        await second.close()
