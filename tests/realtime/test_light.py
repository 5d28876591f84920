"""Light subscriptions (hub/api/realtime/light.py): a compiled ``recordPublished`` over
graphql-transport-ws is served without Strawberry's operation — no execution context, no
generator, no task — and its client cannot tell: the same frames, the same errors, the same
end on ``complete``, close, logOut or a slow socket.

Each comparison holds the same subscription on a light socket and on one subscribed while the
light path was off (Strawberry's operation, its payloads from the same batches), and, where
the payloads matter, on one subscribed with compiled queries off (built by the executor).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import pytest

from hub.core.config import Settings
from hub.core.events import Event
from hub.http.sockets import HubTransportWSHandler
from hub.plugins import HubPlugins
from hub.realtime import outbox
from hub.realtime.direct import HIGH_WATER
from hub.realtime.light import LightSubscriber
from hub.realtime.listener import EventBus
from tests.api import Api
from tests.realtime.test_realtime import (
    LOG_OUT,
    RECORD_PUBLISHED,
    caught_up,
    connect,
    error_code,
    hub_api,
    no_event_in,
    publish,
)
from tests.realtime_client import PROTOCOL, WsClient, eventually

PUBLISHED = """
subscription Published($mediaType: String) {
  recordPublished(mediaType: $mediaType) {
    cursor occurredAt __typename record { id title status author { handle } }
  }
}
"""


@contextmanager
def strawberry_path() -> Iterator[None]:
    """Subscriptions made meanwhile are Strawberry operations (the light path off)."""
    HubTransportWSHandler.light_path = False
    try:
        yield
    finally:
        HubTransportWSHandler.light_path = True


def bus_of(api: Api) -> EventBus:
    realtime = api.hub.realtime
    assert realtime is not None
    return realtime.bus


def light_count(api: Api) -> int:
    return sum(isinstance(s, LightSubscriber) for s in bus_of(api)._subscribers)


async def subscribe(api: Api, ws: WsClient, query: str, variables: dict[str, Any] | None = None,
                    ) -> str:
    """Subscribe and wait until the listener holds one more subscription."""
    count = bus_of(api).subscriber_count
    op = await ws.subscribe(query, variables)
    await eventually(lambda: bus_of(api).subscriber_count == count + 1)
    return op


def text(message: dict[str, Any]) -> str:
    """The message as the JSON it was sent as (key order kept): equal texts, equal bytes."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


async def test_light_subscriptions_get_the_frames_strawberry_sends(api: Api) -> None:
    ada = await api.sign_up("ada")
    sockets: list[tuple[WsClient, str]] = []
    for member in (None, ada):
        for mode in ("light", "strawberry", "executor"):
            if mode == "light":
                ws = await connect(api, member)
                op = await subscribe(api, ws, PUBLISHED)
            elif mode == "strawberry":
                ws = await connect(api, member)
                with strawberry_path():
                    op = await subscribe(api, ws, PUBLISHED)
            else:
                with api.executor_only():  # the socket's context has no compiled plans
                    ws = await connect(api, member)
                    op = await subscribe(api, ws, PUBLISHED)
            sockets.append((ws, op))
    try:
        assert light_count(api) == 2  # one anonymous, one signed in
        await eventually(lambda: bus_of(api).idle_count == 6)
        draft = await api.create_record(ada, "Not yet")
        async with api.hub.db.transaction() as tx:  # as if published and unpublished since
            await outbox.write(tx, [Event("record.published", draft["id"])])
        record = await publish(api, ada, "Now")
        for index in (0, 3):  # anonymous, then ada: her light socket against the others
            frames = [await ws.next(op) for ws, op in sockets[index:index + 3]]
            assert frames[0]["type"] == "next"
            assert frames[0]["payload"]["data"]["recordPublished"]["record"]["id"] == record["id"]
            assert {text(frame) for frame in frames} == {text(frames[0])}, frames
        for ws, op in sockets:
            await ws.nothing_for(op, 0.05)  # the draft was sent to nobody
    finally:
        for ws, _ in sockets:
            await ws.close()


async def test_refused_subscriptions_are_answered_as_strawberry_answers_them(api: Api) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("subscription { recordPublished { nope } }", {}),  # validation
        (PUBLISHED, {"mediaType": "hologram"}),  # the field refuses the argument
        (PUBLISHED, {"mediaType": 5}),  # the variable does not coerce
        ("subscription { recordPublished(mediaType: 7) { cursor } }", {}),
        ("subscription { recordPublished { cursor } remixCreated { cursor } }", {}),
    ]
    light, reference = await connect(api), await connect(api)
    try:
        for query, variables in cases:
            op = await light.subscribe(query, variables)
            with strawberry_path():
                ref = await reference.subscribe(query, variables)
                expected = await reference.next(ref)
            answered = await light.next(op)
            assert answered["type"] in ("error", "next"), answered
            assert text({**answered, "id": ""}) == text({**expected, "id": ""})
        assert bus_of(api).subscriber_count == 0
        assert light_count(api) == 0
    finally:
        await light.close()
        await reference.close()


async def test_complete_and_close_unregister_light_subscriptions(api: Api) -> None:
    ada = await api.sign_up("ada")
    ws = await connect(api, ada)
    op = await subscribe(api, ws, PUBLISHED)
    assert light_count(api) == 1
    realtime = api.hub.realtime
    assert realtime is not None
    sessions = [s for group in realtime.sockets._by_ref.values() for s in group]
    assert [len(s.subscribers) for s in sessions] == [1]
    await ws.complete(op)
    await eventually(lambda: bus_of(api).subscriber_count == 0)
    assert [len(s.subscribers) for s in sessions] == [0]
    again = await subscribe(api, ws, PUBLISHED)  # the id may be used again, as Strawberry's
    assert light_count(api) == 1 and again != op
    await ws.close()
    await eventually(lambda: bus_of(api).subscriber_count == 0)
    await eventually(lambda: realtime.sockets.open_count == 0)


async def test_after_log_out_a_light_subscription_is_sent_nothing(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    ada_ws, bob_ws = await connect(api, ada), await connect(api, bob)
    try:
        ops = [await subscribe(api, ws, RECORD_PUBLISHED) for ws in (ada_ws, bob_ws)]
        assert light_count(api) == 2
        logged_out = await api.gql(LOG_OUT, token=ada.token)
        assert logged_out["logOut"] == {"ok": True, "errors": []}
        record = await publish(api, bob, "After the logout")
        frame = await bob_ws.next(ops[1])
        assert frame["payload"]["data"]["recordPublished"]["record"]["id"] == record["id"]
        code, _ = await ada_ws.closed()
        assert code == 4403
        no_event_in(ada_ws, ops[0])
        await eventually(lambda: bus_of(api).subscriber_count == 1)
    finally:
        await ada_ws.close()
        await bob_ws.close()


def _too_slow(api: Api, light: bool) -> None:
    """The socket of the (only) light — or Strawberry — subscription reports a send buffer
    over the high-water mark."""
    for subscriber in bus_of(api)._subscribers:
        if isinstance(subscriber, LightSubscriber) == light and subscriber.direct is not None:
            transport = subscriber.direct.transport
            assert transport is not None
            transport.get_write_buffer_size = lambda: HIGH_WATER + 1  # type: ignore[method-assign]


async def test_a_slow_light_socket_loses_only_its_own_subscription(api: Api) -> None:
    ada = await api.sign_up("ada")
    slow, slow_reference, fast = await connect(api), await connect(api), await connect(api)
    try:
        op = await subscribe(api, slow, PUBLISHED)
        with strawberry_path():
            ref = await subscribe(api, slow_reference, PUBLISHED)
        _too_slow(api, light=True)
        _too_slow(api, light=False)
        fast_op = await subscribe(api, fast, PUBLISHED)
        await eventually(lambda: bus_of(api).idle_count == 3)
        record = await publish(api, ada, "Too fast for some")
        cut, expected = await slow.next(op), await slow_reference.next(ref)
        assert error_code(cut) == "SUBSCRIBER_TOO_SLOW"
        assert text({**cut, "id": ""}) == text({**expected, "id": ""})
        assert (await slow.next(op))["type"] == (await slow_reference.next(ref))["type"] \
            == "complete"
        frame = await fast.next(fast_op)
        assert frame["payload"]["data"]["recordPublished"]["record"]["id"] == record["id"]
        await eventually(lambda: bus_of(api).subscriber_count == 1)
        assert not slow.ws.closed  # the socket stays; only its subscription ended
    finally:
        for ws in (slow, slow_reference, fast):
            await ws.close()


async def test_an_idle_light_subscription_has_no_task(api: Api) -> None:
    sockets = [await connect(api) for _ in range(8)]
    try:
        await asyncio.sleep(0.05)
        before = len(asyncio.all_tasks())
        for ws in sockets[:4]:
            await subscribe(api, ws, PUBLISHED)
        await eventually(lambda: bus_of(api).idle_count == 4)
        assert len(asyncio.all_tasks()) == before
        with strawberry_path():  # for contrast: a task per subscription
            for ws in sockets[4:]:
                await subscribe(api, ws, PUBLISHED)
        await eventually(lambda: bus_of(api).idle_count == 8)
        assert len(asyncio.all_tasks()) == before + 4
    finally:
        for ws in sockets:
            await ws.close()


async def test_one_statement_per_event_for_light_groups(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    sockets = [await connect(api, member) for member in (None, None, ada, bob)]
    try:
        ops = [await subscribe(api, ws, PUBLISHED) for ws in sockets]
        assert light_count(api) == 4
        await eventually(lambda: bus_of(api).idle_count == 4)
        await caught_up(api)
        batches = bus_of(api).batches.statements
        record = await publish(api, ada, "Once")
        for ws, op in zip(sockets, ops, strict=True):
            frame = await ws.next(op)
            assert frame["payload"]["data"]["recordPublished"]["record"]["id"] == record["id"]
        # Three groups (anonymous, ada, bob), one statement.
        assert bus_of(api).batches.statements - batches == 1
    finally:
        for ws in sockets:
            await ws.close()


async def test_a_replay_goes_to_strawberry_and_still_works(api: Api) -> None:
    ada = await api.sign_up("ada")
    first = await publish(api, ada, "Missed")
    ws = await connect(api)
    try:
        live = await subscribe(api, ws, PUBLISHED)
        second = await publish(api, ada, "Seen")
        cursor = (await ws.next(live))["payload"]["data"]["recordPublished"]["cursor"]
        assert first["id"] != second["id"]
        missed = await subscribe(api, ws, RECORD_PUBLISHED, {"after": cursor})
        assert light_count(api) == 1  # the replay is Strawberry's
        third = await publish(api, ada, "Next")
        frame = await ws.next(missed)
        assert frame["payload"]["data"]["recordPublished"]["record"]["id"] == third["id"]
    finally:
        await ws.close()



async def test_a_socket_that_never_inits_is_closed_at_the_deadline(
    api: Api, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The deadline is a loop timer now (no task per socket); the close is Strawberry's.
    opened = HubTransportWSHandler.__init__

    def impatient(self: HubTransportWSHandler, *args: Any, **kwargs: Any) -> None:
        opened(self, *args, **kwargs)
        self.connection_init_wait_timeout = dt.timedelta(seconds=0.2)

    monkeypatch.setattr(HubTransportWSHandler, "__init__", impatient)
    ws = await api.client.session.ws_connect(str(api.client.make_url("/graphql")),
                                             protocols=[PROTOCOL])
    try:
        async with asyncio.timeout(10):
            message = await ws.receive()
        assert message.type == aiohttp.WSMsgType.CLOSE
        assert (message.data, message.extra) == (4408, "Connection initialisation timeout")
    finally:
        await ws.close()


async def test_the_subscription_cap_counts_light_and_strawberry_subscriptions(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    async with hub_api(settings, database_url, plugins, ws_max_subscriptions=2) as api:
        ws = await connect(api)
        try:
            await subscribe(api, ws, PUBLISHED)
            with strawberry_path():
                await subscribe(api, ws, PUBLISHED)
            for light in (True, False):
                HubTransportWSHandler.light_path = light
                refused = await ws.next(await ws.subscribe(PUBLISHED))
                assert refused["type"] == "error"
                assert refused["payload"][0]["message"] == "Subscription limit reached"
        finally:
            HubTransportWSHandler.light_path = True
            await ws.close()
