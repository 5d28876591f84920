"""Multiplexed delivery: an event's payload is built once per group of subscriptions (same
field and arguments, same viewer) and the same result is sent to every socket of the group,
so the SQL an event costs does not grow with the number of subscribers — while what each
viewer may see stays exact (hub/realtime/multiplex.py, docs/realtime.md).
"""

from __future__ import annotations

from typing import Any

from hub.core.events import Event
from hub.realtime import outbox
from tests.api import Api, Member
from tests.realtime.test_realtime import connect, data, publish
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
    and the SQL statements and payload builds the hub spent on it (writes included)."""
    realtime = api.hub.realtime
    assert realtime is not None
    statements, builds = api.statements(), realtime.bus.builds.builds
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
    # Two events, each built once per viewer: anonymous, ada, bob, cy — however many sockets.
    assert few["builds"] == many["builds"] == 2 * 4
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
