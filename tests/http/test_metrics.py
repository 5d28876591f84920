"""``/metrics``: Prometheus' text format, numbers that move with the traffic sent, and who may
read it (HUB_METRICS_TOKEN; off in production unless set)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from hub.core.config import ConfigError, Settings
from hub.plugins import HubPlugins
from tests.api import Api
from tests.graphql_api.test_limits import _many_records
from tests.hubprocess import free_port
from tests.paths import ROOT
from tests.realtime.test_realtime import RECORD_PUBLISHED, connect, hub_api, subscribed
from tests.realtime_client import eventually

FEED = (ROOT / "schema" / "operations" / "feed.graphql").read_text()
TOKEN = "a-metrics-token-of-some-length"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(api: Api, **headers: str) -> Samples:
    response = await api.client.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(await response.text())
            for sample in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_requests_are_counted_by_operation_and_path(api: Api) -> None:
    before = await scrape(api)
    for _ in range(3):
        await api.gql(FEED, {"first": 5})  # compiled: one statement
    ada = await api.sign_up("ada")  # a mutation: the executor
    await api.gql("query Me { viewer { handle } }", token=ada.token)
    after = await scrape(api)
    count = "hub_graphql_request_seconds_count"
    assert value(after, count, operation="Feed", path="compiled") \
        - value(before, count, operation="Feed", path="compiled") == 3
    assert value(after, count, operation="SignUp", path="executor") == 1
    assert value(after, count, operation="Feed", path="executor") == 0
    # The latency histogram's buckets are cumulative; the largest holds every request.
    assert value(after, "hub_graphql_request_seconds_bucket", operation="Feed", path="compiled",
                 le="+Inf") == value(after, count, operation="Feed", path="compiled")
    assert value(after, "hub_graphql_request_seconds_sum", operation="Feed", path="compiled") > 0
    # Statements sent and the pool are read at the scrape.
    assert value(after, "hub_db_statements_total") > value(before, "hub_db_statements_total")
    assert value(after, "hub_db_pool_max") == api.hub.settings.pool_max_size
    assert 1 <= value(after, "hub_db_pool_connections") <= api.hub.settings.pool_max_size
    # A request refused before either path (a bad token) is counted as refused.
    await api.client.post("/graphql", json={"query": "{ viewer { handle } }"},
                          headers={"Authorization": "Bearer nope"})
    assert value(await scrape(api), count, operation="anonymous", path="refused") == 1


async def test_rate_limit_refusals_are_counted_by_limit(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    limited = replace(settings, security=replace(settings.security, login_attempts_per_minute=2))
    async with hub_api(limited, database_url, plugins) as api:
        query = 'mutation { logIn(input: {handle: "ada", password: "not the one"}) { token } }'
        statuses = [(await api.post(query))[0] for _ in range(4)]
        assert statuses == [200, 200, 429, 429]
        samples = await scrape(api)
        assert value(samples, "hub_rate_limit_refusals_total", limit="login-handle") == 2
        assert value(samples, "hub_rate_limit_refusals_total", limit="mutations") == 0


async def test_sockets_subscriptions_and_event_lag(api: Api) -> None:
    ws = await connect(api)
    await subscribed(ws, RECORD_PUBLISHED)
    samples = await scrape(api)
    assert value(samples, "hub_websockets_open") == 1
    assert value(samples, "hub_subscriptions_open") == 1
    lag_before = value(samples, "hub_event_lag_seconds_count")
    ada = await api.sign_up("ada")
    await api.create_record(ada, "Lagging", publish=True)  # three events
    await eventually(lambda: api.hub.realtime is not None and api.hub.realtime.bus.last_id >= 3)
    samples = await scrape(api)
    assert value(samples, "hub_event_lag_seconds_count") - lag_before == 3
    assert value(samples, "hub_event_lag_seconds_bucket", le="+Inf") == \
        value(samples, "hub_event_lag_seconds_count")
    await ws.close()

    async def closed() -> bool:
        return value(await scrape(api), "hub_websockets_open") == 0
    await eventually(closed)


async def test_waits_for_a_connection_are_counted(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    async with hub_api(settings, database_url, plugins, pool_min_size=1, pool_max_size=1) as api:
        before = value(await scrape(api), "hub_db_pool_waits_total")
        async with api.hub.db.transaction():  # the pool's one connection is busy
            read = asyncio.create_task(api.gql(FEED, {"first": 5}))
            await eventually(lambda: value_now(api, "waits") > 0)
        await read  # answered once the connection came back
        samples = await scrape(api)
        assert value(samples, "hub_db_pool_waits_total") - before == 1
        assert value(samples, "hub_db_pool_max") == 1


def value_now(api: Api, counter: str) -> float:
    return float(getattr(api.hub.db.counter, counter))


async def test_statement_timeouts_are_counted(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    async with hub_api(settings, database_url, plugins, read_statement_timeout_ms=1) as api:
        await _many_records(api.hub, 20_000)
        before = value(await scrape(api), "hub_db_statement_timeouts_total")
        _, body = await api.post('query Slow { records(filter: {search: "-zebra"}) { totalCount } }')
        assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
        assert value(await scrape(api), "hub_db_statement_timeouts_total") - before == 1


async def test_a_token_protects_the_endpoint(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    async with hub_api(settings, database_url, plugins, metrics_token=TOKEN) as api:
        refused = await api.client.get("/metrics")
        assert refused.status == 401
        assert refused.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert (await api.client.get("/metrics", headers={
            "Authorization": "Bearer not-the-token"})).status == 401
        samples = await scrape(api, Authorization=f"Bearer {TOKEN}")
        assert ("hub_db_pool_max", frozenset()) in samples


async def test_production_serves_no_metrics_without_a_token(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    production = replace(settings, env="production", secret_key="x" * 32)
    async with hub_api(production, database_url, plugins) as api:
        assert (await api.client.get("/metrics")).status == 404
    async with hub_api(production, database_url, plugins, metrics_token=TOKEN) as api:
        await scrape(api, Authorization=f"Bearer {TOKEN}")


def test_the_token_is_a_setting() -> None:
    assert Settings.from_env({"HUB_METRICS_TOKEN": TOKEN}).metrics_token == TOKEN
    assert Settings.from_env({}).metrics_token is None


async def test_metrics_can_have_an_address_of_their_own(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    """HUB_METRICS_LISTEN: /metrics moves to that address (in production too, without a
    token: a private interface is the protection); the public address no longer serves it."""
    port = free_port()
    production = replace(settings, env="production", secret_key="x" * 32,
                         metrics_listen=("127.0.0.1", port))
    async with hub_api(production, database_url, plugins) as api, aiohttp.ClientSession() as web:
        assert (await api.client.get("/metrics")).status == 404
        await api.client.post("/graphql", json={"query": FEED})
        async with web.get(f"http://127.0.0.1:{port}/metrics") as response:
            assert response.status == 200
            text = await response.text()
        assert 'hub_graphql_request_seconds_count{operation="Feed"' in text
    async with hub_api(production, database_url, plugins, metrics_token=TOKEN) as api, \
            aiohttp.ClientSession() as web:
        async with web.get(f"http://127.0.0.1:{port}/metrics") as response:
            assert response.status == 401
        async with web.get(f"http://127.0.0.1:{port}/metrics",
                           headers={"Authorization": f"Bearer {TOKEN}"}) as response:
            assert response.status == 200


def test_the_metrics_address_is_a_setting() -> None:
    assert Settings.from_env({"HUB_METRICS_LISTEN": "10.0.0.5:9100"}).metrics_listen \
        == ("10.0.0.5", 9100)
    assert Settings.from_env({"HUB_METRICS_LISTEN": "[::1]:9100"}).metrics_listen == ("::1", 9100)
    assert Settings.from_env({}).metrics_listen is None
    with pytest.raises(ConfigError, match="HUB_METRICS_LISTEN"):
        Settings.from_env({"HUB_METRICS_LISTEN": "9100"})
