"""Real time: change events over GraphQL subscriptions (graphql-transport-ws), across hub
instances, with resume from a cursor; visibility and bad input.

Every test subscribes over a real WebSocket on the real app (or two real hub processes) and
changes data through the GraphQL API, as a frontend would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner

from hub.cli import main
from hub.core.config import Settings
from hub.core.events import Event
from hub.core.relay import encode_id, parse_id
from hub.domain.compilations import store as compilation_store
from hub.http.app import create_app, create_hub
from hub.plugins import HubPlugins
from hub.realtime import outbox
from hub.realtime.listener import EventBus, FellBehind
from tests.api import CREATE_RECORD, PUBLISH_RECORD, Api, Member
from tests.hubprocess import running_hub
from tests.realtime_client import PROTOCOL, WsClient, eventually

RECORD_PUBLISHED = """
subscription Published($mediaType: String, $after: String) {
  recordPublished(mediaType: $mediaType, after: $after) {
    cursor occurredAt record { id title status author { handle } }
  }
}
"""

REMIX_CREATED = """
subscription Remixed($of: ID, $after: String) {
  remixCreated(of: $of, after: $after) { cursor remix { id title } source { id title } }
}
"""

COMPILATION_UPDATED = """
subscription Compilation($id: ID!) {
  compilationUpdated(id: $id) { cursor compilationId status previousStatus }
}
"""

SUBMISSION_ADDED = """
subscription Submissions($classId: ID!) {
  lessonSubmissionAdded(classId: $classId) { cursor submission { id } }
}
"""

UNPUBLISH_RECORD = """
mutation Unpublish($id: ID!) { unpublishRecord(input: {id: $id}) { errors { code } } }
"""


@asynccontextmanager
async def hub_api(settings: Settings, database_url: str, plugins: HubPlugins,
                  **overrides: Any) -> AsyncIterator[Api]:
    """An app like the ``api`` fixture's, with other settings."""
    hub = await create_hub(replace(settings, **overrides), database_url=database_url,
                           plugins=plugins, run_migrations=False)
    async with TestClient(TestServer(create_app(hub))) as client:
        yield Api(client, hub)


async def connect(api: Api, member: Member | None = None, **payload: Any) -> WsClient:
    if member is not None:
        payload.setdefault("token", member.token)
    return await WsClient.connect(api.client.session, str(api.client.make_url("/graphql")),
                                  payload)


async def subscribed(ws: WsClient, query: str, variables: dict[str, Any] | None = None) -> str:
    """Subscribe, then give the hub a moment to register the subscription with its listener."""
    op_id = await ws.subscribe(query, variables)
    await asyncio.sleep(0.2)
    return op_id


async def publish(api: Api, member: Member, title: str, **fields: Any) -> dict[str, Any]:
    record = await api.create_record(member, title, publish=True, **fields)
    await caught_up(api)
    return record


async def caught_up(api: Api) -> None:
    """Wait until this hub's listener has fanned out every committed event, so a subscription
    made next sees only what happens after it (not a late delivery of earlier events)."""
    newest = await api.hub.db.fetchval("select coalesce(max(id), 0) from events")
    for _ in range(200):
        realtime = api.hub.realtime
        if realtime is not None and realtime.bus.last_id >= newest:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the event listener did not catch up within 2 s")


def data(message: dict[str, Any], field: str) -> dict[str, Any]:
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"][field]


def error_code(message: dict[str, Any]) -> str:
    assert message["type"] in ("error", "next"), message
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return errors[0]["extensions"]["code"]


# --- delivery and visibility -------------------------------------------------------------------


async def test_a_published_record_reaches_subscribers_and_a_draft_never_does(api: Api) -> None:
    ada = await api.sign_up("ada")
    ws = await connect(api)
    try:
        everything = await subscribed(ws, RECORD_PUBLISHED)
        music_only = await subscribed(ws, RECORD_PUBLISHED, {"mediaType": "music"})
        await api.create_record(ada, "Still a draft")  # no event reaches anyone
        record = await publish(api, ada, "Out now")
        event = data(await ws.next(everything), "recordPublished")
        assert event["record"] == {"id": record["id"], "title": "Out now",
                                   "status": "PUBLISHED", "author": {"handle": "ada"}}
        assert event["cursor"] and event["occurredAt"]
        await ws.nothing_for(everything, 0.3)  # the draft was not sent
        await ws.nothing_for(music_only, 0.1)  # a writing record is not music
    finally:
        await ws.close()


async def test_an_event_for_a_record_hidden_again_before_delivery_is_not_sent(api: Api) -> None:
    ada = await api.sign_up("ada")
    ws = await connect(api)
    try:
        op = await subscribed(ws, RECORD_PUBLISHED)
        record = await api.create_record(ada, "Second thoughts")
        # Publish and unpublish in one breath: visibility is checked at delivery, so the
        # subscriber never sees a record that is no longer public.
        await api.gql(PUBLISH_RECORD, {"id": record["id"]}, token=ada.token)
        await api.gql(UNPUBLISH_RECORD, {"id": record["id"]}, token=ada.token)
        later = await publish(api, ada, "For real")
        received = [data(await ws.next(op), "recordPublished")["record"]["id"]]
        while received[-1] != later["id"]:
            received.append(data(await ws.next(op), "recordPublished")["record"]["id"])
        assert received in ([later["id"]], [record["id"], later["id"]])
    finally:
        await ws.close()


async def test_remix_created_for_one_record_or_for_all_of_mine(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    song = await publish(api, ada, "Song")
    other = await publish(api, ada, "Other")
    ada_ws, anon_ws = await connect(api, ada), await connect(api)
    try:
        assert ada_ws.ack == {"viewer": ada.id}
        mine = await subscribed(ada_ws, REMIX_CREATED)
        of_song = await subscribed(anon_ws, REMIX_CREATED, {"of": song["id"]})
        await api.create_record(bob, "Draft remix", sources=[song["id"]])  # a draft: not told
        remix = await publish(api, bob, "Cover", sources=[other["id"]])
        event = data(await ada_ws.next(mine), "remixCreated")
        assert event["remix"]["id"] == remix["id"] and event["source"]["id"] == other["id"]
        await anon_ws.nothing_for(of_song, 0.3)  # a remix of `other`, and a draft of `song`
    finally:
        await ada_ws.close()
        await anon_ws.close()


async def test_subscribing_to_an_unknown_or_private_subject_is_an_error(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    draft = await api.create_record(ada, "Private draft")
    bob_ws = await connect(api, bob)
    anon_ws = await connect(api)
    try:
        cases = [
            (bob_ws, REMIX_CREATED, {"of": draft["id"]}, "NOT_FOUND"),
            (bob_ws, REMIX_CREATED, {"of": encode_id("Record", 999)}, "NOT_FOUND"),
            (bob_ws, REMIX_CREATED, {"of": "not-an-id"}, "INVALID_ID"),
            (anon_ws, REMIX_CREATED, {}, "UNAUTHENTICATED"),  # "my records" needs a viewer
            (bob_ws, SUBMISSION_ADDED, {"classId": encode_id("Class", 999)}, "NOT_FOUND"),
            (bob_ws, COMPILATION_UPDATED, {"id": encode_id("Compilation", 1)}, "FORBIDDEN"),
            (anon_ws, COMPILATION_UPDATED, {"id": encode_id("Compilation", 1)}, "UNAUTHENTICATED"),
            (bob_ws, RECORD_PUBLISHED, {"mediaType": "hologram"}, "BAD_USER_INPUT"),
            (bob_ws, RECORD_PUBLISHED, {"after": "garbage"}, "INVALID_CURSOR"),
            (bob_ws, RECORD_PUBLISHED, {"after": encode_id("Event", 10**9)}, "INVALID_CURSOR"),
        ]
        for ws, query, variables, code in cases:
            message = await ws.next(await ws.subscribe(query, variables))
            assert message["type"] == "error", (variables, message)
            assert error_code(message) == code, (variables, message)
        # The author herself may follow remixes of her draft.
        ada_ws = await connect(api, ada)
        op = await ada_ws.subscribe(REMIX_CREATED, {"of": draft["id"]})
        await ada_ws.nothing_for(op, 0.2)
        await ada_ws.close()
    finally:
        await bob_ws.close()
        await anon_ws.close()


async def test_compilation_updates_reach_editors(api: Api) -> None:
    editor = await api.sign_up("eve", role="EDITOR")
    async with api.hub.db.transaction() as tx:
        row = await compilation_store.insert_compilation(
            tx, title="Night Shift", description="", target="book", settings={},
            lineage_share=Decimal("0.3"), max_depth=3, editors_percent=Decimal("10"),
            payout_window_days=14, created_by=int(parse_id(editor.id)[1]))
    compilation = encode_id("Compilation", row["id"])
    ws = await connect(api, editor)
    try:
        op = await subscribed(ws, COMPILATION_UPDATED, {"id": compilation})
        # Written here as the compilations slice's review mutations write it.
        async with api.hub.db.transaction() as tx:
            await outbox.write(tx, [
                Event("compilation.status_changed", encode_id("Compilation", 10**6), None, {}),
                Event("compilation.status_changed", compilation, editor.id,
                      {"status": "IN_REVIEW", "previousStatus": "DRAFT"}),
            ])
        event = data(await ws.next(op), "compilationUpdated")
        assert event["compilationId"] == compilation
        assert (event["status"], event["previousStatus"]) == ("IN_REVIEW", "DRAFT")
        await ws.nothing_for(op, 0.2)  # another compilation is not followed
    finally:
        await ws.close()


# --- resume ------------------------------------------------------------------------------------


async def test_a_reconnecting_subscriber_resumes_after_its_cursor_without_gaps_or_repeats(
    api: Api,
) -> None:
    ada = await api.sign_up("ada")
    ws = await connect(api)
    op = await subscribed(ws, RECORD_PUBLISHED)
    first = await publish(api, ada, "One")
    cursor = data(await ws.next(op), "recordPublished")["cursor"]
    await ws.close()  # the train enters a tunnel
    missed = [await publish(api, ada, "Two"), await publish(api, ada, "Three")]

    ws = await connect(api)
    try:
        op = await ws.subscribe(RECORD_PUBLISHED, {"after": cursor})
        replayed = [data(await ws.next(op), "recordPublished") for _ in missed]
        assert [e["record"]["id"] for e in replayed] == [r["id"] for r in missed]
        live = await publish(api, ada, "Four")
        event = data(await ws.next(op), "recordPublished")
        assert event["record"]["id"] == live["id"]
        await ws.nothing_for(op, 0.3)  # nothing twice
        assert first["id"] not in {e["record"]["id"] for e in replayed}
    finally:
        await ws.close()


async def test_a_cursor_older_than_the_retention_window_is_refused(api: Api) -> None:
    ada = await api.sign_up("ada")
    ws = await connect(api)
    try:
        op = await subscribed(ws, RECORD_PUBLISHED)
        await publish(api, ada, "One")
        cursor = data(await ws.next(op), "recordPublished")["cursor"]
        await publish(api, ada, "Two")
        await api.hub.db.execute("update event_retention set pruned_through = 1000000")
        await api.hub.db.execute("insert into events (id, kind, subject) overriding system value "
                                 "values (1000001, 'test.marker', 'x')")
        message = await ws.next(await ws.subscribe(RECORD_PUBLISHED, {"after": cursor}))
        assert error_code(message) == "CURSOR_EXPIRED"
        assert "no longer kept" in message["payload"][0]["message"]
    finally:
        await ws.close()


# --- bad input: tokens, too many subscriptions, slow clients -------------------------------------


async def test_an_invalid_token_in_connection_init_closes_the_socket_with_a_reason(
    api: Api,
) -> None:
    url = str(api.client.make_url("/graphql"))
    for payload in ({"token": "forged"}, {"token": ""}, {"token": 42}):
        ws = await api.client.session.ws_connect(url, protocols=[PROTOCOL])
        await ws.send_json({"type": "connection_init", "payload": payload})
        message = await ws.receive()
        assert message.type == aiohttp.WSMsgType.CLOSE, message
        assert message.data == 4403
        assert "Invalid or expired token" in message.extra
        await ws.close()
    # The hub is fine, and anonymous connections still work.
    ws = await connect(api)
    assert ws.ack == {"viewer": None}
    await ws.close()


async def test_thousands_of_subscriptions_on_one_connection_are_capped(api: Api) -> None:
    ada = await api.sign_up("ada")
    limit = api.hub.settings.ws_max_subscriptions
    ws = await connect(api)
    try:
        ops = [await ws.subscribe(RECORD_PUBLISHED) for _ in range(limit + 1000)]
        refusals = [await ws.next(op) for op in ops[limit:]]
        assert all(m["type"] == "error" and m["payload"][0]["message"] == "Subscription limit reached"
                   for m in refusals)
        await asyncio.sleep(0.2)
        record = await publish(api, ada, "Still serving")  # HTTP keeps working...
        event = data(await ws.next(ops[0]), "recordPublished")  # ...and so do the first ones
        assert event["record"]["id"] == record["id"]
    finally:
        await ws.close()


async def test_a_slow_subscriber_is_cut_off_without_delaying_the_others() -> None:
    bus = EventBus("postgresql://unused", queue_size=4)
    slow = bus.subscribe(lambda event: True)
    fast = bus.subscribe(lambda event: True)
    received: list[int] = []
    for event_id in range(1, 11):
        bus._fan_out(Event("record.published", "x", id=event_id))  # never waits
        received.append((await fast.next()).id or 0)
    assert received == list(range(1, 11))
    with pytest.raises(FellBehind) as behind:
        for _ in range(5):
            await slow.next()
    assert behind.value.last_id == 0  # it took nothing: resume from the start
    assert bus.subscriber_count == 1  # the slow one is gone; the fast one stays


async def test_a_slow_subscriber_gets_an_error_naming_its_resume_cursor(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    async with hub_api(settings, database_url, plugins, ws_queue_size=1) as api:
        ada = await api.sign_up("ada")
        record = await publish(api, ada, "Seen")
        ws = await connect(api)
        try:
            op = await subscribed(ws, RECORD_PUBLISHED, {"after": None})
            async with api.hub.db.transaction() as tx:
                await outbox.write(tx, [Event("record.published", record["id"])])
            seen = data(await ws.next(op), "recordPublished")["cursor"]
            # Three events at once for a queue of one: more than this client took in time.
            async with api.hub.db.transaction() as tx:
                await outbox.write(tx, [Event("record.published", record["id"])] * 3)
            message = await ws.next(op)
            assert error_code(message) == "SUBSCRIBER_TOO_SLOW"
            assert f'after: "{seen}"' in message["payload"]["errors"][0]["message"]
            # Resuming from there delivers the three.
            op = await ws.subscribe(RECORD_PUBLISHED, {"after": seen})
            assert len([data(await ws.next(op), "recordPublished") for _ in range(3)]) == 3
        finally:
            await ws.close()


# --- sessions: logOut and role changes reach open sockets ---------------------------------------

LOG_IN = """mutation($handle: String!) { logIn(input: {handle: $handle,
  password: "correct horse battery"}) { token errors { code } } }"""
LOG_OUT = "mutation { logOut { ok errors { code } } }"
SET_ROLE = """mutation($handle: String!, $role: Role!) {
  setRole(input: {handle: $handle, role: $role}) { member { role } errors { code } } }"""


async def editorial_compilation(api: Api, editor: Member) -> str:
    async with api.hub.db.transaction() as tx:
        row = await compilation_store.insert_compilation(
            tx, title="Night Shift", description="", target="book", settings={},
            lineage_share=Decimal("0.3"), max_depth=3, editors_percent=Decimal("10"),
            payout_window_days=14, created_by=int(parse_id(editor.id)[1]))
    return encode_id("Compilation", row["id"])


async def compilation_event(api: Api, compilation: str, status: str) -> None:
    async with api.hub.db.transaction() as tx:  # as the compilations slice writes it
        await outbox.write(tx, [Event("compilation.status_changed", compilation, None,
                                      {"status": status, "previousStatus": "DRAFT"})])


def no_event_in(ws: WsClient, op: str) -> None:
    """``op`` received no event: at most the error that ended it (UNAUTHENTICATED: the
    session ended) and its completion."""
    queue = ws.inbox.get(op)
    messages = [queue.get_nowait() for _ in range(queue.qsize())] if queue else []
    assert all(m["type"] == "complete" or error_code(m) == "UNAUTHENTICATED" for m in messages), \
        messages
    assert not any((m.get("payload") or {}).get("data") for m in messages if m["type"] == "next")


async def test_logging_out_closes_that_sessions_sockets_and_no_others(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    again = await api.gql(LOG_IN, {"handle": "ada"})
    ada_elsewhere = Member(ada.id, "ada", again["logIn"]["token"])  # her second session
    sockets = [await connect(api, member) for member in (ada, ada_elsewhere, bob)]
    ada_ws, elsewhere_ws, bob_ws = sockets
    try:
        ops = [await subscribed(ws, RECORD_PUBLISHED) for ws in sockets]
        logged_out = await api.gql(LOG_OUT, token=ada.token)
        assert logged_out["logOut"] == {"ok": True, "errors": []}
        # Committed after the logOut: reaches every socket but the logged-out one.
        record = await publish(api, bob, "After the logout")
        for ws, op in ((elsewhere_ws, ops[1]), (bob_ws, ops[2])):
            assert data(await ws.next(op), "recordPublished")["record"]["id"] == record["id"]
        code, reason = await ada_ws.closed()
        assert code == 4403 and "session ended" in reason
        no_event_in(ada_ws, ops[0])  # nothing after the logOut
        assert not elsewhere_ws.ws.closed and not bob_ws.ws.closed
        assert api.hub.realtime is not None
        await eventually(lambda: api.hub.realtime.sockets.open_count == 2)
    finally:
        for ws in sockets:
            await ws.close()


async def test_a_role_change_ends_editor_only_subscriptions_and_refuses_new_ones(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = await api.sign_up("boss", role="ADMIN")
    eve, fay = await api.sign_up("eve", role="EDITOR"), await api.sign_up("fay", role="EDITOR")
    compilation = await editorial_compilation(api, eve)
    eve_ws, fay_ws = await connect(api, eve), await connect(api, fay)
    try:
        eve_op = await subscribed(eve_ws, COMPILATION_UPDATED, {"id": compilation})
        eve_feed = await subscribed(eve_ws, RECORD_PUBLISHED)
        fay_op = await subscribed(fay_ws, COMPILATION_UPDATED, {"id": compilation})
        changed = await api.gql(SET_ROLE, {"handle": "eve", "role": "MEMBER"}, token=admin.token)
        assert changed["setRole"] == {"member": {"role": "MEMBER"}, "errors": []}
        # Her editor-only subscription ends at once, without waiting for an event...
        ended = await eve_ws.next(eve_op)
        assert error_code(ended) == "FORBIDDEN", ended
        assert (await eve_ws.next(eve_op))["type"] == "complete"
        # ...a new one is refused, and what a member may follow goes on.
        refused = await eve_ws.next(await eve_ws.subscribe(COMPILATION_UPDATED, {"id": compilation}))
        assert refused["type"] == "error" and error_code(refused) == "FORBIDDEN"
        record = await publish(api, admin, "Still public")
        assert data(await eve_ws.next(eve_feed), "recordPublished")["record"]["id"] == record["id"]
        # Fay, another editor, is untouched.
        await compilation_event(api, compilation, "IN_REVIEW")
        assert data(await fay_ws.next(fay_op), "compilationUpdated")["status"] == "IN_REVIEW"
        await eve_ws.nothing_for(eve_op, 0.2)
        # The command line's role change reaches sockets too.
        monkeypatch.setenv("HUB_DATABASE_URL", database_url)
        result = await asyncio.to_thread(
            CliRunner().invoke, main, ["set-role", "fay", "MEMBER"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert error_code(await fay_ws.next(fay_op)) == "FORBIDDEN"
        assert not eve_ws.ws.closed and not fay_ws.ws.closed  # a role change closes nothing
    finally:
        await eve_ws.close()
        await fay_ws.close()


async def test_an_operation_on_a_socket_whose_session_is_gone_closes_it(api: Api) -> None:
    """A session that ended without an event (it expired, or its row was removed) is found
    by the next operation the socket sends, in either WebSocket protocol."""
    ada = await api.sign_up("ada")
    ws = await connect(api, ada)
    url = str(api.client.make_url("/graphql"))
    legacy = await api.client.session.ws_connect(url, protocols=["graphql-ws"])
    try:
        await legacy.send_json({"type": "connection_init", "payload": {"token": ada.token}})
        assert (await legacy.receive_json())["type"] == "connection_ack"
        await api.hub.db.execute("update sessions set expires_at = now() - interval '1 second'")
        await ws.subscribe(RECORD_PUBLISHED)
        code, reason = await ws.closed()
        assert code == 4403 and "session ended" in reason
        await legacy.send_json({"id": "1", "type": "start", "payload": {"query": RECORD_PUBLISHED}})
        async with asyncio.timeout(10):
            message = await legacy.receive()
            while message.type == aiohttp.WSMsgType.TEXT:  # keep-alives
                message = await legacy.receive()
        assert (message.type, message.data) == (aiohttp.WSMsgType.CLOSE, 4403)
    finally:
        await ws.close()
        await legacy.close()


async def test_logging_out_on_one_instance_closes_the_socket_on_another(
    api: Api, database_url: str, tmp_path: Path,
) -> None:
    ada = await api.sign_up("ada")
    ws = await connect(api, ada)
    try:
        op = await subscribed(ws, RECORD_PUBLISHED)
        async with running_hub(database_url, tmp_path) as other:
            body = await other.gql(LOG_OUT, token=ada.token)
            assert body["data"]["logOut"]["ok"] is True
        code, _ = await ws.closed()
        assert code == 4403
        no_event_in(ws, op)
    finally:
        await ws.close()


# --- several hub instances ---------------------------------------------------------------------


async def test_a_change_on_one_instance_reaches_a_subscriber_on_another(
    database_url: str, tmp_path: Path,
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with running_hub(database_url, tmp_path / "a") as hub_a, \
            running_hub(database_url, tmp_path / "b") as hub_b:
        signed = await hub_b.gql(
            "mutation { signUp(input: {handle: \"ada\", displayName: \"Ada\", "
            "password: \"correct horse battery\"}) { token } }")
        token = signed["data"]["signUp"]["token"]
        ws = await WsClient.connect(hub_a.session, f"{hub_a.base_url}/graphql", {"token": token})
        try:
            op = await subscribed(ws, RECORD_PUBLISHED)
            created = await hub_b.gql(CREATE_RECORD, {"input": {
                "title": "From B", "details": {"writing": {"form": "POEM", "text": "x"}}}},
                token=token)
            record_id = created["data"]["createRecord"]["record"]["id"]
            await hub_b.gql(PUBLISH_RECORD, {"id": record_id}, token=token)
            event = data(await ws.next(op, within=10), "recordPublished")
            assert event["record"]["id"] == record_id
            assert event["record"]["author"] == {"handle": "ada"}
        finally:
            await ws.close()


async def test_listener_fans_out_committed_events_only_in_commit_order(api: Api) -> None:
    assert api.hub.realtime is not None
    bus = api.hub.realtime.bus
    subscriber = bus.subscribe(lambda event: event.kind == "test.ping")
    try:
        with pytest.raises(ZeroDivisionError):
            async with api.hub.db.transaction() as tx:
                await outbox.write(tx, [Event("test.ping", "rolled back")])
                raise ZeroDivisionError
        async with api.hub.db.transaction() as tx:
            await outbox.write(tx, [Event("test.ping", "a"), Event("test.ping", "b")])
        first, second = await subscriber.next(), await subscriber.next()
        assert (first.subject, second.subject) == ("a", "b")
        assert first.id is not None and second.id is not None and second.id > first.id
    finally:
        bus.unsubscribe(subscriber)
