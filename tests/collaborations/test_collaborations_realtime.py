"""Collaborations in real time: subscriptions over a real WebSocket, and the ``hub_event``
hook, fed from the outbox events the collaboration writes emit."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hub.core.config import Settings
from hub.core.events import Event
from hub.plugin_api import hookimpl
from hub.plugins import HubPlugins
from tests.api import Api
from tests.collaborations_api import ACCEPT, CLOSE, create, decide, need_of, offer, opened
from tests.realtime.test_realtime import caught_up, connect, data, error_code, subscribed
from tests.realtime_client import eventually

UPDATED = """
subscription Updated($id: ID!) {
  collaborationUpdated(id: $id) {
    cursor kind collaboration { status openSlots } contribution { status record { title } }
  }
}
"""
ADDED = """
subscription Added($id: ID!) {
  contributionAdded(collaborationId: $id) {
    cursor contribution { note record { title } contributor { handle } }
  }
}
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, pool_max_size=8)


async def test_subscribers_follow_a_collaboration_and_its_new_contributions(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    collaboration = await opened(api, ada)
    poem = await api.create_record(bob, "Verses", publish=True)
    await caught_up(api)
    ws = await connect(api)
    try:
        updates = await subscribed(ws, UPDATED, {"id": collaboration["id"]})
        added = await subscribed(ws, ADDED, {"id": collaboration["id"]})
        offered = await offer(api, bob, need_of(collaboration), poem["id"], note="For you.")
        event = data(await ws.next(added), "contributionAdded")
        assert event["contribution"] == {"note": "For you.", "record": {"title": "Verses"},
                                         "contributor": {"handle": "bob"}}
        event = data(await ws.next(updates), "collaborationUpdated")
        assert (event["kind"], event["contribution"]["status"]) == ("contribution.offered",
                                                                    "OFFERED")
        await decide(api, ACCEPT, ada, offered["contribution"]["id"])
        event = data(await ws.next(updates), "collaborationUpdated")
        assert event["kind"] == "contribution.accepted"
        assert event["collaboration"] == {"status": "OPEN", "openSlots": 2}
        await api.gql(CLOSE, {"id": collaboration["id"]}, token=ada.token)
        event = data(await ws.next(updates), "collaborationUpdated")
        assert (event["kind"], event["contribution"]) == ("collaboration.closed", None)
        await ws.nothing_for(added, 0.2)  # a decision is no new contribution
    finally:
        await ws.close()


async def test_a_draft_cannot_be_followed_by_others(api: Api) -> None:
    ada = await api.sign_up("ada")
    draft = await create(api, ada)
    ws = await connect(api)
    try:
        op = await ws.subscribe(UPDATED, {"id": draft["id"]})
        assert error_code(await ws.next(op)) == "NOT_FOUND"
    finally:
        await ws.close()


async def test_the_hub_event_hook_receives_collaboration_events(
    api: Api, plugins: HubPlugins,
) -> None:
    seen: list[Event] = []

    class Recorder:
        @hookimpl
        async def hub_event(self, event: Event) -> None:
            if event.kind.startswith(("collaboration.", "contribution.")):
                seen.append(event)

    recorder = Recorder()
    plugins.pm.register(recorder, name="collaboration_recorder")
    try:
        ada = await api.sign_up("ada")
        bob = await api.sign_up("bob")
        collaboration = await opened(api, ada)
        poem = await api.create_record(bob, "Verses", publish=True)
        offered = await offer(api, bob, need_of(collaboration), poem["id"])
        await eventually(lambda: len(seen) >= 2)
    finally:
        plugins.pm.unregister(recorder)
    assert [(e.kind, e.subject) for e in seen] == [
        ("collaboration.opened", collaboration["id"]),
        ("contribution.offered", offered["contribution"]["id"])]
    assert seen[1].actor == bob.id
    assert seen[1].payload["collaboration"] == collaboration["id"]
