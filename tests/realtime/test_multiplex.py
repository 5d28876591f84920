"""Multiplexed delivery: an event's payload is built once per group of subscriptions (same
field and arguments, same viewer) and the same result is sent to every socket of the group,
so the SQL an event costs does not grow with the number of subscribers — while what each
viewer may see stays exact (hub/realtime/multiplex.py, docs/realtime.md).
"""

from __future__ import annotations

from typing import Any

from hub.core.config import Settings
from hub.core.events import Event
from hub.plugins import HubPlugins
from hub.realtime import outbox
from tests.api import Api, Member
from tests.realtime.test_realtime import caught_up, connect, data, hub_api, publish
from tests.realtime_client import WsClient, eventually

REMIXES = """
subscription Remixes($of: ID) {
  remixCreated(of: $of) { cursor remix { id title author { handle } } source { id title } }
}
"""


class Audience:
    """Sockets subscribed to the remixes of one record: anonymous ones and signed-in ones."""

    def __init__(self, api: Api, of: str) -> None:
        self.api = api
        self.of = of
        self.sockets: list[tuple[WsClient, str, str]] = []  # (socket, operation, who)

    async def join(self, who: str, member: Member | None = None) -> None:
        ws = await connect(self.api, member)
        self.sockets.append((ws, await ws.subscribe(REMIXES, {"of": self.of}), who))

    async def listening(self) -> None:
        """Until every subscription is registered with the hub's listener."""
        realtime = self.api.hub.realtime
        assert realtime is not None
        await eventually(lambda: realtime.bus.subscriber_count == len(self.sockets))

    async def received(self, expected: dict[str, int]) -> dict[str, list[str]]:
        """The titles of the next remixes each socket received (``expected[who]`` of them,
        one by default), by who holds it."""
        titles: dict[str, list[str]] = {}
        for ws, op, who in self.sockets:
            for _ in range(expected.get(who, 1)):
                event = data(await ws.next(op), "remixCreated")
                titles.setdefault(who, []).append(event["remix"]["title"])
        return titles

    async def close(self) -> None:
        for ws, _, _ in self.sockets:
            await ws.close()


async def one_round(api: Api, audience: Audience, bob: Member, n: int) -> dict[str, Any]:
    """An event about bob's draft remix, then bob publishes another: what everyone received,
    and the SQL statements, batches and payload builds the hub spent on it (writes included)."""
    realtime = api.hub.realtime
    assert realtime is not None
    statements, builds = api.statements(), realtime.bus.builds.builds
    batches = realtime.bus.batches.statements
    draft = await api.create_record(bob, f"Draft {n}", sources=[audience.of])
    # As if bob had published it and unpublished it before the event was delivered: written
    # straight to the outbox, so the event certainly finds a draft.
    async with api.hub.db.transaction() as tx:
        await outbox.write(tx, [Event("record.remixed", audience.of,
                                      payload={"remix": draft["id"], "source": audience.of})])
    await publish(api, bob, f"Cover {n}", sources=[audience.of])
    # Events arrive in commit order: a socket whose first remix is the cover was not sent
    # the draft. Bob, its author, may see his draft, and gets both.
    received = await audience.received({"bob": 2})
    return {"received": received, "statements": api.statements() - statements,
            "batches": realtime.bus.batches.statements - batches,
            "builds": realtime.bus.builds.builds - builds}


async def test_one_event_costs_the_same_sql_for_5_or_30_anonymous_subscribers(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    cy = await api.sign_up("cyd")
    song = await publish(api, ada, "Song")
    audience = Audience(api, song["id"])
    try:
        for member in (ada, bob, cy):
            await audience.join(member.handle, member)
        for _ in range(5):
            await audience.join("anonymous")
        await audience.listening()
        await one_round(api, audience, bob, 0)  # warms up what a first write reads once
        few = await one_round(api, audience, bob, 1)

        for _ in range(25):
            await audience.join("anonymous")
        await audience.listening()
        many = await one_round(api, audience, bob, 2)
    finally:
        await audience.close()

    # Everyone got the published remix; only bob, its author, got his draft's event first.
    assert many["received"] == {"ada": ["Cover 2"], "bob": ["Draft 2", "Cover 2"],
                                "cyd": ["Cover 2"], "anonymous": ["Cover 2"] * 30}
    assert few["received"]["anonymous"] == ["Cover 1"] * 5
    # Two events, each built for every viewer (anonymous, ada, bob, cy) by one statement —
    # however many sockets; nothing is built one group at a time.
    assert few["batches"] == many["batches"] == 2
    assert few["builds"] == many["builds"] == 0
    assert many["statements"] == few["statements"]


async def test_subscribers_of_one_group_each_get_the_full_payload(api: Api) -> None:
    ada = await api.sign_up("ada")
    song = await publish(api, ada, "Song")
    audience = Audience(api, song["id"])
    try:
        for _ in range(3):
            await audience.join("anonymous")
        await audience.listening()
        remix = await publish(api, ada, "Echo", sources=[song["id"]])
        payloads = []
        for ws, op, _ in audience.sockets:
            payloads.append(data(await ws.next(op), "remixCreated"))
    finally:
        await audience.close()
    cursor = payloads[0]["cursor"]
    assert payloads == [{"cursor": cursor,
                         "remix": {"id": remix["id"], "title": "Echo",
                                   "author": {"handle": "ada"}},
                         "source": {"id": song["id"], "title": "Song"}}] * 3


# --- recordPublished: every group's payload of an event from one statement ------------------

PUBLISHED = """
subscription { recordPublished { cursor record { id title viewerHearted author { handle } } } }
"""
HEART = "mutation($id: ID!) { heartRecord(input: {recordId: $id}) { errors { code } } }"
UNPUBLISH = "mutation($id: ID!) { unpublishRecord(input: {id: $id}) { errors { code } } }"


class Readers:
    """Sockets subscribed to ``recordPublished``, by who holds them."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.sockets: list[tuple[WsClient, str, str]] = []

    async def join(self, who: str, member: Member | None = None, sockets: int = 1) -> None:
        for _ in range(sockets):
            ws = await connect(self.api, member)
            self.sockets.append((ws, await ws.subscribe(PUBLISHED), who))
        realtime = self.api.hub.realtime
        assert realtime is not None
        await eventually(lambda: realtime.bus.subscriber_count == len(self.sockets))

    async def next(self) -> dict[str, list[dict[str, Any]]]:
        """The record of the next event each socket received, by who holds it."""
        records: dict[str, list[dict[str, Any]]] = {}
        for ws, op, who in self.sockets:
            records.setdefault(who, []).append(data(await ws.next(op), "recordPublished")["record"])
        return records

    async def close(self) -> None:
        for ws, _, _ in self.sockets:
            await ws.close()


async def announce(api: Api, *records: dict[str, Any]) -> None:
    """``record.published`` events for ``records`` in one transaction, written straight to the
    outbox: as if each had been published, whatever it is when the event is delivered."""
    async with api.hub.db.transaction() as tx:
        await outbox.write(tx, [Event("record.published", record["id"],
                                      payload={"mediaType": "writing"}) for record in records])


async def delivery_cost(api: Api, readers: Readers, record: dict[str, Any]) -> dict[str, int]:
    """The SQL statements one event costs beyond writing it, the batches it took and the
    frames they wrote."""
    realtime = api.hub.realtime
    assert realtime is not None
    await eventually(lambda: realtime.bus.idle_count == len(readers.sockets))
    statements, batches = api.statements(), realtime.bus.batches.statements
    written = realtime.bus.batches.written
    await announce(api, record)
    await readers.next()
    return {"statements": api.statements() - statements,
            "batches": realtime.bus.batches.statements - batches,
            # Frames the batch wrote to idle sockets itself (hub/realtime/direct.py).
            "written": realtime.bus.batches.written - written}


async def test_one_statement_builds_an_event_for_50_subscribers_in_10_groups(api: Api) -> None:
    ada = await api.sign_up("ada")
    song = await publish(api, ada, "Song")
    readers = Readers(api)
    try:
        await readers.join("anonymous")
        alone = await delivery_cost(api, readers, song)  # one group: the write and one statement
        await readers.join("anonymous", sockets=4)
        for n in range(9):  # nine members, five sockets each: ten groups with the anonymous one
            await readers.join(f"reader{n}", await api.sign_up(f"reader{n}"), sockets=5)
        crowd = await delivery_cost(api, readers, song)
    finally:
        await readers.close()
    assert len(readers.sockets) == 50
    assert alone == {"statements": alone["statements"], "batches": 1, "written": 1}
    # Fifty sockets in ten groups: one statement, and no subscription's task woken to send.
    assert crowd == {"statements": alone["statements"], "batches": 1, "written": 50}


async def test_one_batch_keeps_each_viewers_visibility(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    song = await publish(api, ada, "Song")
    draft = await api.create_record(ada, "Draft")
    withdrawn = await publish(api, ada, "Withdrawn")
    await api.gql(UNPUBLISH, {"id": withdrawn["id"]}, token=ada.token)
    await api.gql(HEART, {"id": song["id"]}, token=bob.token)
    await caught_up(api)
    readers = Readers(api)
    try:
        for who, member in (("ada", ada), ("bob", bob), ("anonymous", None)):
            await readers.join(who, member, sockets=2)
        realtime = api.hub.realtime
        assert realtime is not None
        batches = realtime.bus.batches.statements
        # A draft (even to its author) and a record unpublished before its event is delivered
        # are sent to nobody; the song reaches every group with what its viewer may see.
        await announce(api, draft, withdrawn, song)
        received = await readers.next()
        for ws, op, _ in readers.sockets:
            await ws.nothing_for(op, 0.1)
        built = realtime.bus.batches.statements - batches
    finally:
        await readers.close()
    song_as = {"id": song["id"], "title": "Song", "author": {"handle": "ada"}}
    assert received == {"ada": [{**song_as, "viewerHearted": False}] * 2,
                        "bob": [{**song_as, "viewerHearted": True}] * 2,
                        "anonymous": [{**song_as, "viewerHearted": False}] * 2}
    assert built == 3  # one statement per event, for the three groups together


async def test_a_completed_subscription_is_sent_nothing_more_while_its_group_goes_on(api: Api,
                                                                                   ) -> None:
    ada = await api.sign_up("ada")
    readers = Readers(api)
    try:
        await readers.join("anonymous", sockets=2)
        (done, done_op, _), (going, going_op, _) = readers.sockets
        await done.ws.send_json({"id": done_op, "type": "complete"})
        realtime = api.hub.realtime
        assert realtime is not None
        await eventually(lambda: realtime.bus.subscriber_count == 1)
        song = await publish(api, ada, "Song")
        assert data(await going.next(going_op), "recordPublished")["record"]["id"] == song["id"]
        await done.nothing_for(done_op, 0.2)
    finally:
        await readers.close()


async def test_more_groups_than_a_batch_holds_take_a_statement_per_batch(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    # HUB_SUBSCRIPTION_BATCH_SIZE=2: three groups (anonymous, ada, bob) take two statements.
    async with hub_api(settings, database_url, plugins, subscription_batch_size=2) as api:
        ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
        song = await publish(api, ada, "Song")
        readers = Readers(api)
        try:
            for who, member in (("ada", ada), ("bob", bob), ("anonymous", None)):
                await readers.join(who, member)
            cost = await delivery_cost(api, readers, song)
        finally:
            await readers.close()
        assert cost["batches"] == 2 and cost["written"] == 3
