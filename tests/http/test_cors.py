"""CORS for browser frontends: preflights (OPTIONS) from the origins in HUB_CORS_ORIGINS are
answered; in development, a frontend dev server on http://localhost:<port> or
http://127.0.0.1:<port> works without configuration (the hub logs that it allows them); a
refused preflight answers 403 naming HUB_CORS_ORIGINS. The same origins may open a WebSocket."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer

from hub.core.config import Settings
from hub.http.app import create_app, create_hub
from hub.plugins import HubPlugins

MakeClient = Callable[[dict[str, str]], Awaitable[TestClient]]
ASKS_POST = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "content-type, authorization"}


@pytest.fixture
async def make_client(
    database_url: str, plugins: HubPlugins, tmp_path: Path,
) -> AsyncIterator[MakeClient]:
    """A client for a hub configured by these environment variables, as `recordhub serve`
    reads them."""
    clients: list[TestClient] = []

    async def make(environ: dict[str, str]) -> TestClient:
        settings = replace(Settings.from_env(environ), data_dir=tmp_path, pool_min_size=1,
                           pool_max_size=2)
        hub = await create_hub(settings, database_url=database_url, plugins=plugins,
                               run_migrations=False)
        client = TestClient(TestServer(create_app(hub)))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def test_development_allows_a_dev_server_on_localhost_with_a_log_line(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="hub.http.cors"):
        client = await make_client({})
    assert [record.getMessage() for record in caplog.records] == [
        "CORS: development mode allows pages on any http://localhost:* and http://127.0.0.1:* "
        "origin; set HUB_CORS_ORIGINS to choose the origins"]
    for origin in ("http://localhost:3000", "http://127.0.0.1:5173", "http://localhost:8080"):
        preflight = await client.options("/graphql", headers={"Origin": origin, **ASKS_POST})
        assert preflight.status == 204
        assert preflight.headers["Access-Control-Allow-Origin"] == origin
        assert preflight.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
        assert preflight.headers["Access-Control-Allow-Headers"] == "content-type, authorization"
    answer = await client.post("/graphql", json={"query": "{ __typename }"},
                               headers={"Origin": "http://localhost:3000"})
    assert answer.status == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert await answer.json() == {"data": {"__typename": "Query"}}


async def test_a_refused_preflight_answers_403_naming_the_setting(
    make_client: MakeClient,
) -> None:
    client = await make_client({})
    for origin in ("https://app.example", "http://localhost.evil.example:3000",
                   "https://localhost:3000"):
        preflight = await client.options("/graphql", headers={"Origin": origin, **ASKS_POST})
        assert preflight.status == 403
        assert "Access-Control-Allow-Origin" not in preflight.headers
        assert await preflight.text() == (
            f"CORS: the origin {origin} may not call this hub. Add it to HUB_CORS_ORIGINS "
            "(comma-separated origins such as https://app.example; http://localhost:* allows "
            "any port; * allows any origin).")
    # A request from a refused origin still runs (CORS binds browsers, not servers), but the
    # browser gets no Access-Control-Allow-Origin and so cannot read the answer.
    answer = await client.post("/graphql", json={"query": "{ __typename }"},
                               headers={"Origin": "https://app.example"})
    assert answer.status == 200 and "Access-Control-Allow-Origin" not in answer.headers


async def test_configured_origins_replace_the_development_default(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="hub.http.cors"):
        client = await make_client(
            {"HUB_CORS_ORIGINS": "https://app.example, http://localhost:*"})
    assert caplog.records == []
    statuses = {}
    for origin in ("https://app.example", "http://localhost:4200", "http://127.0.0.1:4200",
                   "https://other.example"):
        preflight = await client.options("/graphql", headers={"Origin": origin, **ASKS_POST})
        statuses[origin] = preflight.status
    assert statuses == {"https://app.example": 204, "http://localhost:4200": 204,
                        "http://127.0.0.1:4200": 403, "https://other.example": 403}


async def test_production_allows_no_origin_until_configured(make_client: MakeClient) -> None:
    client = await make_client({"HUB_ENV": "production"})
    preflight = await client.options("/graphql", headers={
        "Origin": "http://localhost:3000", **ASKS_POST})
    assert preflight.status == 403
    assert "HUB_CORS_ORIGINS" in await preflight.text()
    configured = await make_client({"HUB_ENV": "production",
                                    "HUB_CORS_ORIGINS": "https://app.example"})
    preflight = await configured.options("/graphql", headers={
        "Origin": "https://app.example", **ASKS_POST})
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"


async def test_subscriptions_from_the_same_origins(make_client: MakeClient) -> None:
    client = await make_client({})
    socket = await client.ws_connect("/graphql", protocols=("graphql-transport-ws",),
                                     headers={"Origin": "http://localhost:3000"})
    await socket.send_json({"type": "connection_init"})
    assert (await socket.receive_json())["type"] == "connection_ack"
    await socket.close()
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/graphql", protocols=("graphql-transport-ws",),
                                headers={"Origin": "https://evil.example"})
    assert refused.value.status == 403


async def test_an_upgrade_is_refused_before_its_socket_opens(make_client: MakeClient) -> None:
    # WebSocket upgrades skip the view's HTTP path (and the middlewares with nothing to do for
    # a socket), so the view's refusals must still come first: a token that is no session's.
    client = await make_client({})
    for header in ("Bearer not-a-session", "Bearer "):
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect("/graphql", protocols=("graphql-transport-ws",),
                                    headers={"Authorization": header})
        assert refused.value.status == 401
    socket = await client.ws_connect("/graphql", protocols=("graphql-transport-ws",))
    await socket.send_json({"type": "connection_init"})
    assert (await socket.receive_json())["type"] == "connection_ack"
    await socket.close()
