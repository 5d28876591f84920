"""The outbox's order: event ids are commit order (hub/realtime/outbox.py, migration 0019).

Readers read "every event after id N" (the listener, replay from a cursor, the plugin
dispatcher). An id taken when the row is inserted would let a transaction that inserted first
and commits last land behind a reader that already passed it: the reader skips it forever.
These tests commit two transactions in the other order than they inserted, on the real hub.
"""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from hub.core.db import migrate as migrate_module
from hub.core.db.migrate import available_migrations, migrate
from hub.core.events import Event
from hub.realtime import outbox
from tests.api import Api
from tests.project.test_db import fresh_database
from tests.realtime.test_realtime import (
    RECORD_PUBLISHED,
    caught_up,
    connect,
    data,
    publish,
    subscribed,
)
from tests.realtime_client import eventually

# How long a delivery may take before the test fails instead of waiting forever.
HANG = 10.0


async def test_an_event_inserted_first_and_committed_last_is_delivered_last_never_skipped(
    api: Api,
) -> None:
    assert api.hub.realtime is not None
    bus = api.hub.realtime.bus
    subscriber = bus.subscribe(lambda event: event.kind == "test.ping")
    try:
        async with api.hub.db.transaction() as slow:
            await outbox.write(slow, [Event("test.ping", "inserted first")])
            # Another change commits meanwhile: no lock of the outbox waits for this one.
            async with api.hub.db.transaction() as fast:
                await outbox.write(fast, [Event("test.ping", "inserted second")])
            fast_event = await asyncio.wait_for(subscriber.next(), HANG)
            assert fast_event.subject == "inserted second"
            assert bus.last_id == fast_event.id  # the listener has read past it
        slow_event = await asyncio.wait_for(subscriber.next(), HANG)
        assert slow_event.subject == "inserted first"
        assert fast_event.id is not None and slow_event.id is not None
        assert slow_event.id > fast_event.id  # committed later, so after it
    finally:
        bus.unsubscribe(subscriber)


async def test_a_resumed_subscription_replays_an_event_that_committed_after_its_cursor(
    api: Api,
) -> None:
    ada = await api.sign_up("ada")
    early, late = await publish(api, ada, "Early"), await publish(api, ada, "Late")
    ws = await connect(api)
    try:
        op = await subscribed(ws, RECORD_PUBLISHED)
        async with api.hub.db.transaction() as slow:
            await outbox.write(slow, [Event("record.published", early["id"])])
            async with api.hub.db.transaction() as fast:
                await outbox.write(fast, [Event("record.published", late["id"])])
            seen = data(await ws.next(op), "recordPublished")
            assert seen["record"]["id"] == late["id"]
        await caught_up(api)
        await ws.close()  # the client goes away with the cursor of the event it saw

        ws = await connect(api)
        op = await ws.subscribe(RECORD_PUBLISHED, {"after": seen["cursor"]})
        replayed = data(await ws.next(op), "recordPublished")
        assert replayed["record"]["id"] == early["id"]
        await ws.nothing_for(op, 0.3)  # and nothing else: "Late" is not sent twice
    finally:
        await ws.close()


async def test_the_events_of_one_transaction_keep_their_order_across_commits(api: Api) -> None:
    assert api.hub.realtime is not None
    bus = api.hub.realtime.bus
    subscriber = bus.subscribe(lambda event: event.kind == "test.ping")
    try:
        async with api.hub.db.transaction() as slow:
            await outbox.write(slow, [Event("test.ping", "a1"), Event("test.ping", "a2")])
            async with api.hub.db.transaction() as fast:
                await outbox.write(fast, [Event("test.ping", "b1")])
            await outbox.write(slow, [Event("test.ping", "a3")])
        got = [await asyncio.wait_for(subscriber.next(), HANG) for _ in range(4)]
        assert [event.subject for event in got] == ["b1", "a1", "a2", "a3"]
        ids = [event.id or 0 for event in got]
        assert ids == sorted(ids) and len(set(ids)) == 4
    finally:
        bus.unsubscribe(subscriber)


async def test_a_rolled_back_event_takes_no_id(api: Api) -> None:
    before = await api.hub.db.fetchval("select coalesce(max(id), 0) from events")
    try:
        async with api.hub.db.transaction() as tx:
            await outbox.write(tx, [Event("test.ping", "rolled back")])
            raise LookupError
    except LookupError:
        pass
    async with api.hub.db.transaction() as tx:
        await outbox.write(tx, [Event("test.ping", "kept")])
    rows = await api.hub.db.fetch("select id, subject from events where id > $1", before)
    # The next id in line: the rolled-back row never took a final one.
    assert [(row["id"], row["subject"]) for row in rows] == [(before + 1, "kept")]

    async def listened() -> bool:
        assert api.hub.realtime is not None
        return api.hub.realtime.bus.last_id == before + 1
    await eventually(listened)


async def test_ids_go_on_from_the_last_one_handed_out_before_migration_0019(
    pg_admin_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = await fresh_database(pg_admin_url, "hub_outbox_0019")
    before = [m for m in available_migrations() if m.version < 19]
    monkeypatch.setattr(migrate_module, "available_migrations", lambda: before)
    await migrate(url)
    connection = await asyncpg.connect(url)
    try:
        # Three events, then pruned: their cursors are out there, their rows are gone.
        await connection.execute("insert into events (kind, subject) "
                                 "select 'test.ping', 'old' from generate_series(1, 3)")
        await connection.execute("delete from events")
        monkeypatch.undo()
        assert [m.version for m in await migrate(url)] == [
            m.version for m in available_migrations() if m.version >= 19]
        async with connection.transaction():
            await outbox.write(connection, [Event("test.ping", "new")])
        assert await connection.fetchval("select id from events") == 4
    finally:
        await connection.close()
        admin = await asyncpg.connect(pg_admin_url)
        try:
            await admin.execute('drop database if exists "hub_outbox_0019" with (force)')
        finally:
            await admin.close()
