"""Three hub instances on one database behind a real federation gateway, one of them killed
mid-run: no acknowledged write is lost, and subscribers resume elsewhere without a gap or a
duplicate.

The layout is the one README's "Running many instances" describes: a gateway
(``@apollo/gateway``, tests/federation/gateway.mjs) whose hub subgraph URL is a load balancer
(here a small round-robin proxy in this file, on loopback) in front of three ``recordhub serve``
processes. Apollo Gateway does not carry subscriptions, so subscribers connect to the hub
instances directly over WebSocket (graphql-transport-ws), as behind any load balancer; when
their instance dies they reconnect to another one with ``after:`` their last cursor.

The instance is killed with SIGKILL (a crash, not a graceful stop): requests in flight to it
fail, and the writers count those as not acknowledged (like a client would). The checks:
every acknowledged ``createRecord`` and ``publishRecord`` is readable afterwards through the
gateway, and every subscriber received each ``record.published`` event of the outbox exactly
once.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

from hub.core.relay import decode_id
from tests.api import CREATE_RECORD, PUBLISH_RECORD, SIGN_UP
from tests.gateway.test_gateway import compose, node_server  # also skips without node_modules
from tests.hubprocess import HubProcess, free_port, running_hub
from tests.realtime.test_realtime import RECORD_PUBLISHED
from tests.realtime_client import PROTOCOL, eventually

INSTANCES = 3
WRITERS = 3
ROUNDS = 8
SUBSCRIBERS_PER_INSTANCE = 2
FEED = "query Feed { records(first: 5) { nodes { id title } } }"
NODE = "query Node($id: ID!) { node(id: $id) { ... on Record { title status } } }"


# --- the load balancer ------------------------------------------------------------------------

SESSION = web.AppKey("session", aiohttp.ClientSession)


class RoundRobin:
    """A loopback HTTP load balancer: each request to the next live instance. A connection
    refused is retried on the next one (nothing was sent); a request whose answer is lost
    (the instance died with it) is answered 502 — the client cannot know whether it ran."""

    def __init__(self, upstreams: list[str]) -> None:
        self.upstreams = upstreams
        self.down: set[str] = set()
        self.turn = itertools.count()
        self.served: dict[str, int] = dict.fromkeys(upstreams, 0)

    def live(self) -> list[str]:
        return [u for u in self.upstreams if u not in self.down]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("authorization", "content-type", "accept")}
        session = request.app[SESSION]
        for _ in range(len(self.upstreams)):
            live = self.live()
            if not live:
                break
            upstream = live[next(self.turn) % len(live)]
            try:
                async with session.post(f"{upstream}/graphql", data=body,
                                        headers=headers) as response:
                    answer = await response.read()
                    self.served[upstream] += 1
                    return web.Response(body=answer, status=response.status,
                                        content_type=response.content_type)
            except aiohttp.ClientConnectorError:
                self.down.add(upstream)  # refused: nothing ran there; try the next one
            except aiohttp.ClientError:
                self.down.add(upstream)
                return web.Response(status=502, text="the instance died with the request")
        return web.Response(status=502, text="no instance answers")


@asynccontextmanager
async def load_balancer(upstreams: list[str]) -> AsyncIterator[tuple[str, RoundRobin]]:
    balancer = RoundRobin(upstreams)
    app = web.Application()
    app.router.add_post("/graphql", balancer.handle)
    async with aiohttp.ClientSession() as session:
        app[SESSION] = session
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            yield f"http://127.0.0.1:{port}/graphql", balancer
        finally:
            await runner.cleanup()


# --- subscribers ------------------------------------------------------------------------------


@dataclass
class Subscriber:
    """Follows ``recordPublished`` on one instance; when that instance goes away, resumes on
    another with ``after:`` the last cursor it received."""

    name: str
    instances: list[str]
    dead: set[str]
    start: int
    event_ids: list[int] = field(default_factory=list)
    cursor: str | None = None
    connected_to: list[str] = field(default_factory=list)

    async def follow(self, session: aiohttp.ClientSession, registered: asyncio.Event) -> None:
        turn = self.start
        while True:
            live = [u for u in self.instances if u not in self.dead]
            url = live[turn % len(live)]
            turn += 1
            try:
                await self._session(session, url, registered)
            except aiohttp.ClientConnectorError:
                self.dead.add(url)  # refused: that instance is gone
            except (aiohttp.ClientError, ConnectionError):
                pass
            await asyncio.sleep(0.05)

    async def _session(self, session: aiohttp.ClientSession, url: str,
                       registered: asyncio.Event) -> None:
        ws_url = url.replace("http://", "ws://") + "/graphql"
        async with session.ws_connect(ws_url, protocols=[PROTOCOL]) as ws:
            await ws.send_json({"type": "connection_init", "payload": {}})
            assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
            await ws.send_json({"id": "1", "type": "subscribe", "payload": {
                "query": RECORD_PUBLISHED, "variables": {"after": self.cursor}}})
            self.connected_to.append(url)
            registered.set()
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                data = json.loads(message.data)
                if data["type"] == "ping":
                    await ws.send_json({"type": "pong"})
                elif data["type"] == "next":
                    assert "errors" not in data["payload"], data
                    event = data["payload"]["data"]["recordPublished"]
                    self.cursor = event["cursor"]
                    self.event_ids.append(decode_id(event["cursor"], "Event"))
                elif data["type"] in ("error", "complete"):
                    break  # e.g. the hub is stopping: resume elsewhere


# --- writers ----------------------------------------------------------------------------------


@dataclass
class Writer:
    handle: str
    token: str = ""
    acknowledged_created: dict[str, str] = field(default_factory=dict)  # id -> title
    acknowledged_published: set[str] = field(default_factory=set)
    unacknowledged: int = 0


async def gateway_call(session: aiohttp.ClientSession, url: str, query: str,
                       variables: dict[str, Any] | None = None, token: str = "",
                       ) -> dict[str, Any] | None:
    """The answer's data, or None when the write may or may not have happened (no answer)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(url, json={"query": query, "variables": variables or {}},
                            headers=headers) as response:
        if response.status != 200:
            return None
        body = await response.json()
    if body.get("errors") or body.get("data") is None:
        return None
    return body["data"]


async def write(session: aiohttp.ClientSession, gateway: str, writer: Writer,
                progress: asyncio.Queue[None]) -> None:
    for n in range(ROUNDS):
        title = f"{writer.handle} {n}"
        created = await gateway_call(session, gateway, CREATE_RECORD, {"input": {
            "title": title, "details": {"writing": {"form": "POEM", "text": "Words."}}}},
            writer.token)
        if created is None or created["createRecord"]["errors"]:
            writer.unacknowledged += 1
            continue
        record_id = created["createRecord"]["record"]["id"]
        writer.acknowledged_created[record_id] = title
        published = await gateway_call(session, gateway, PUBLISH_RECORD, {"id": record_id},
                                       writer.token)
        if published is None or published["publishRecord"]["errors"]:
            writer.unacknowledged += 1
        else:
            writer.acknowledged_published.add(record_id)
        await gateway_call(session, gateway, FEED)  # and reads, mixed in
        progress.put_nowait(None)


# --- the test ---------------------------------------------------------------------------------


async def test_three_instances_behind_a_gateway_survive_losing_one(
    database_url: str, tmp_path: Path,
) -> None:
    async with AsyncExitStack() as stack:
        for n in range(INSTANCES):
            (tmp_path / f"hub{n}").mkdir()
        # Started together (each waits for its /readyz), stopped by the stack.
        hubs: list[HubProcess] = list(await asyncio.gather(*(
            stack.enter_async_context(running_hub(database_url, tmp_path / f"hub{n}"))
            for n in range(INSTANCES))))
        urls = [hub.base_url for hub in hubs]
        balanced, balancer = await stack.enter_async_context(load_balancer(urls))
        hub_sdl = (await hubs[0].gql("{ _service { sdl } }"))["data"]["_service"]["sdl"]
        result = await compose([{"name": "hub", "url": balanced, "sdl": hub_sdl}])
        assert result["errors"] == []
        supergraph = tmp_path / "supergraph.graphql"
        supergraph.write_text(result["supergraphSdl"])
        gateway = await stack.enter_async_context(
            node_server("gateway.mjs", "--supergraph", str(supergraph),
                        log=tmp_path / "gateway.log"))
        session = await stack.enter_async_context(aiohttp.ClientSession())

        writers = [Writer(handle) for handle in ("ada", "bob", "cyd")][:WRITERS]
        for writer in writers:
            data = await gateway_call(session, gateway, SIGN_UP, {"input": {
                "handle": writer.handle, "displayName": writer.handle.title(),
                "password": "correct horse battery"}})
            assert data is not None and data["signUp"]["errors"] == []
            writer.token = data["signUp"]["token"]

        dead: set[str] = set()
        subscribers = [Subscriber(f"s{n}", urls, dead, start=n)
                       for n in range(INSTANCES * SUBSCRIBERS_PER_INSTANCE)]
        registered = [asyncio.Event() for _ in subscribers]
        following = [asyncio.create_task(s.follow(session, r))
                     for s, r in zip(subscribers, registered, strict=True)]
        try:
            for event in registered:
                await asyncio.wait_for(event.wait(), 10)
            await subscriptions_open(session, urls, INSTANCES * SUBSCRIBERS_PER_INSTANCE)

            progress: asyncio.Queue[None] = asyncio.Queue()
            writing = asyncio.gather(*(write(session, gateway, w, progress) for w in writers))
            # A third of the way in (every subscriber holding a cursor), the last instance
            # crashes.
            for _ in range(WRITERS * ROUNDS // 3):
                await progress.get()
            await eventually(lambda: all(s.cursor for s in subscribers), within=10)
            victim = hubs[-1]
            os.kill(victim.pid, signal.SIGKILL)
            dead.add(victim.base_url)
            await writing

            published = sorted(await published_event_ids(database_url))
            acknowledged = {rid for w in writers for rid in w.acknowledged_published}
            assert len(acknowledged) >= WRITERS * ROUNDS - 2 * WRITERS  # most writes answered
            assert len(published) >= len(acknowledged)

            async def everyone_has_everything() -> bool:
                return all(len(s.event_ids) >= len(published) for s in subscribers)

            await eventually(everyone_has_everything, within=30, every=0.1)
            await asyncio.sleep(0.3)  # and nothing more (a duplicate) arrives
        finally:
            for task in following:
                task.cancel()
            await asyncio.gather(*following, return_exceptions=True)

        # Every subscriber got each published event exactly once, across the crash.
        for subscriber in subscribers:
            assert sorted(subscriber.event_ids) == published, subscriber.name
            assert len(set(subscriber.event_ids)) == len(subscriber.event_ids), subscriber.name
        # Those on the killed instance resumed on another one.
        moved = [s for s in subscribers if s.connected_to[0] == victim.base_url]
        assert len(moved) == SUBSCRIBERS_PER_INSTANCE
        for subscriber in moved:
            assert len(subscriber.connected_to) >= 2
            assert victim.base_url not in subscriber.connected_to[1:]
        # Every instance took part, and the survivors carried on after the crash.
        assert all(balancer.served[url] > 0 for url in urls)

        # No acknowledged write is lost: each reads back through the gateway.
        for writer in writers:
            for record_id, title in writer.acknowledged_created.items():
                data = await gateway_call(session, gateway, NODE, {"id": record_id},
                                          writer.token)
                assert data is not None, record_id
                status = "PUBLISHED" if record_id in writer.acknowledged_published else None
                assert data["node"]["title"] == title
                if status:
                    assert data["node"]["status"] == status
        feed = await gateway_call(session, gateway,
                                  "{ records(first: 100) { nodes { id } } }")
        assert feed is not None
        assert acknowledged <= {node["id"] for node in feed["records"]["nodes"]}


async def subscriptions_open(session: aiohttp.ClientSession, urls: list[str], total: int) -> None:
    """Wait until the instances' listeners hold ``total`` subscriptions (from /metrics)."""

    async def count() -> bool:
        found = 0
        for url in urls:
            async with session.get(f"{url}/metrics") as response:
                for line in (await response.text()).splitlines():
                    if line.startswith("hub_subscriptions_open "):
                        found += int(float(line.split()[1]))
        return found == total

    await eventually(count, within=10, every=0.05)


async def published_event_ids(database_url: str) -> list[int]:
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "select id from events where kind = 'record.published' order by id")
    finally:
        await connection.close()
    return [row["id"] for row in rows]
