"""The public endpoint: GraphQL over HTTP status codes, operation limits, production mode,
trusted documents, rate limits, CSRF, CORS and body size."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import hub_writing
import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from graphql import parse

from hub.api.limits import measure
from hub.api.schema import build_schema
from hub.core.config import Security, Settings
from hub.http.app import create_app, create_hub
from hub.http.trusted_documents import build_manifest, document_id
from hub.plugins import HubPlugins
from tests.api import CREATE_RECORD, Api
from tests.paths import ROOT

GRAPHQL_RESPONSE = "application/graphql-response+json"

MakeClient = Callable[..., Awaitable[TestClient]]


@pytest.fixture
async def make_client(
    database_url: str, plugins: HubPlugins, tmp_path: Path,
) -> AsyncIterator[MakeClient]:
    """A client for a hub with other settings (same schema, same database)."""
    clients: list[TestClient] = []

    async def make(env: str = "development", **security: Any) -> TestClient:
        settings = replace(Settings(), data_dir=tmp_path, env=env,  # type: ignore[arg-type]
                           pool_min_size=1, pool_max_size=3,
                           security=replace(Security(introspection=env != "production"),
                                            **security))
        hub = await create_hub(settings, database_url=database_url, plugins=plugins,
                               run_migrations=False)
        client = TestClient(TestServer(create_app(hub)))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def post(client: TestClient, body: dict[str, Any], **headers: str) -> tuple[int, Any, Any]:
    response = await client.post("/graphql", data=orjson.dumps(body), headers={
        "Content-Type": "application/json", **headers})
    return response.status, response.headers, await response.json(content_type=None)


# --- GraphQL over HTTP --------------------------------------------------------------------------


async def test_request_errors_are_400_without_data_under_the_new_media_type(api: Api) -> None:
    for query in ("{ records { ", "{ nope }", "query($n: Int!) { records(first: $n) { totalCount } }"):
        status, headers, body = await post(api.client, {"query": query}, Accept=GRAPHQL_RESPONSE)
        assert status == 400, query
        assert headers["Content-Type"].startswith(GRAPHQL_RESPONSE)
        assert "data" not in body and body["errors"], query


async def test_old_clients_keep_200_and_application_json(api: Api) -> None:
    status, headers, body = await post(api.client, {"query": "{ nope }"},
                                       Accept="application/json")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert body["errors"][0]["message"].startswith("Cannot query field 'nope'")


async def test_field_errors_during_execution_stay_200(api: Api) -> None:
    status, _, body = await post(api.client, {"query": "{ records(first: 1000) { totalCount } }"},
                                 Accept=GRAPHQL_RESPONSE)
    assert status == 200
    assert body["data"] is None and body["errors"][0]["path"] == ["records"]


async def test_mutations_are_refused_over_get(api: Api) -> None:
    response = await api.client.get("/graphql", params={"query": "mutation { logOut { ok } }"},
                                    headers={"GraphQL-Require-Preflight": "1"})
    assert response.status in (400, 405)
    assert "mutation" in (await response.text()).lower()


# --- operation limits ---------------------------------------------------------------------------


def nested(depth: int) -> str:
    query = "title"
    for _ in range(depth):
        query = f"author {{ records(first: 1) {{ nodes {{ {query} }} }} }}"
    return f"{{ records(first: 1) {{ nodes {{ {query} }} }} }}"


@pytest.mark.parametrize(("query", "message"), [
    (nested(4), "The operation's depth is 15, over the limit of 12 by 3."),
    ("{ " + " ".join(f"a{i}: mediaTypes {{ key }}" for i in range(31)) + " }",
     "The operation's aliases is 31, over the limit of 30 by 1."),
    ("{ mediaTypes { " + " ".join("key @include(if: true)" for _ in range(51)) + " } }",
     "The operation's directives is 51, over the limit of 50 by 1."),
    ("{ " + " ".join(f"m{i}: viewer {{ handle }}" for i in range(21)) + " }",
     "The operation's root fields is 21, over the limit of 20 by 1."),
    ("{ records(first: 100) { nodes { author { records(first: 100) { nodes { title "
     "author { records(first: 100) { nodes { title } } } } } } } } }",
     "The operation's cost is 2,040,301, over the limit of 200,000 by 1,840,301."),
])
async def test_limits_reject_with_the_limit_and_the_excess(api: Api, query: str,
                                                           message: str) -> None:
    status, _, body = await post(api.client, {"query": query}, Accept=GRAPHQL_RESPONSE)
    assert status == 400
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"]["code"] == "OPERATION_TOO_LARGE"


async def test_cost_counts_variables_with_their_values(make_client: MakeClient) -> None:
    client = await make_client(max_cost=20_000)
    query = """query($n: Int!) { records(first: $n) { nodes { author {
        records(first: $n) { nodes { title } } } } } }"""
    assert (await post(client, {"query": query, "variables": {"n": 10}}))[0] == 200
    _, _, body = await post(client, {"query": query, "variables": {"n": 100}})
    assert "cost is 20,301" in body["errors"][0]["message"]


async def test_limits_are_configurable(make_client: MakeClient) -> None:
    client = await make_client(max_depth=3)
    _, _, body = await post(client, {"query": nested(1)})
    assert body["errors"][0]["message"] == "The operation's depth is 6, over the limit of 3 by 3."


def test_frontend_operations_stay_far_below_the_limits(plugins: HubPlugins) -> None:
    # Lists are priced at their caps: the lineage panel (contributors, a 500-node graph) is the
    # most expensive page at worst; it keeps a third of the cost limit to spare, the others far
    # more.
    schema = build_schema(plugins)._schema
    limits = Security()
    for path in (ROOT / "schema" / "operations").glob("*.graphql"):
        measures = measure(schema, parse(path.read_text()), {}, None)
        assert measures is not None
        share = 3 / 2 if path.name == "record_lineage.graphql" else 10
        assert measures.cost * share <= limits.max_cost, (path.name, measures)
        assert measures.depth * 2 <= limits.max_depth, (path.name, measures)


async def test_an_enormous_document_is_refused_by_the_parser(api: Api) -> None:
    query = "{ " + " ".join("viewer { handle }" for _ in range(2000)) + " }"
    _, _, body = await post(api.client, {"query": query})
    assert "tokens" in body["errors"][0]["message"]


async def test_bodies_over_the_limit_are_refused(make_client: MakeClient) -> None:
    client = await make_client(max_body_bytes=2048)
    response = await client.post("/graphql", data=b'{"query": "' + b" " * 4096 + b'{ viewer { handle } }"}',
                                 headers={"Content-Type": "application/json"})
    assert response.status == 413


# --- production mode ----------------------------------------------------------------------------


async def test_production_hides_introspection_and_suggestions(make_client: MakeClient) -> None:
    client = await make_client(env="production")
    _, _, introspection = await post(client, {"query": "{ __schema { types { name } } }"})
    assert introspection["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    _, _, typo = await post(client, {"query": "{ recrods { totalCount } }"})
    assert typo["errors"][0]["message"] == "Cannot query field 'recrods' on type 'Query'."
    _, _, typename = await post(client, {"query": "{ __typename }"})
    assert typename == {"data": {"__typename": "Query"}}
    assert (await client.get("/graphql", headers={"Accept": "text/html"})).status != 200
    assert (await client.get("/graphiql/graphiql.min.js")).status == 404  # nor its assets


async def test_development_suggests_fields(api: Api) -> None:
    _, _, typo = await post(api.client, {"query": "{ recrods { totalCount } }"})
    assert "Did you mean 'records' or 'record'?" in typo["errors"][0]["message"]


async def test_unexpected_errors_are_masked_with_an_id_the_log_carries(
    api: Api, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def buggy(text: str) -> int:
        raise ZeroDivisionError("division by zero in a plugin")

    ada = await api.sign_up("ada")
    monkeypatch.setattr(hub_writing, "count_words", buggy)  # hub_normalize_details fails
    with caplog.at_level(logging.ERROR):
        _, _, body = await post(api.client, {"query": CREATE_RECORD, "variables": {"input": {
            "title": "x", "details": {"writing": {"form": "POEM", "text": "x"}}}}},
            Authorization=f"Bearer {ada.token}")
    error = body["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["errorId"] in caplog.text
    assert "'hub_writing'" in caplog.text and "ZeroDivisionError" in caplog.text
    assert "division by zero" not in orjson.dumps(body).decode()
    assert await api.hub.db.fetchval("select count(*) from records") == 0


# --- trusted documents and persisted queries ------------------------------------------------------


async def test_trusted_documents_only(make_client: MakeClient, tmp_path: Path) -> None:
    operations = sorted((ROOT / "schema" / "operations").glob("*.graphql"))
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(orjson.dumps({"documents": build_manifest(operations)}))
    client = await make_client(trusted_documents=manifest)
    feed = (ROOT / "schema" / "operations" / "feed.graphql").read_text()

    status, _, by_text = await post(client, {"query": feed})
    assert status == 200 and "records" in by_text["data"]
    by_id = {"extensions": {"persistedQuery": {"version": 1,
                                               "sha256Hash": document_id(feed)[7:]}}}
    assert "records" in (await post(client, by_id))[2]["data"]

    status, _, refused = await post(client, {"query": "{ members { totalCount } }"})
    assert status == 400
    assert refused["errors"][0]["extensions"]["code"] == "UNTRUSTED_DOCUMENT"


async def test_automatic_persisted_queries(make_client: MakeClient) -> None:
    client = await make_client(persisted_queries=True)
    query = "{ mediaTypes { key } }"
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": document_id(query)[7:]}}
    _, _, unknown = await post(client, {"extensions": persisted})
    assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    _, _, registered = await post(client, {"query": query, "extensions": persisted})
    assert registered["data"]["mediaTypes"]
    _, _, by_hash = await post(client, {"extensions": persisted})
    assert by_hash == registered
    _, _, mismatch = await post(client, {"query": "{ viewer { handle } }",
                                         "extensions": persisted})
    assert mismatch["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


# --- rate limits, CSRF, CORS ----------------------------------------------------------------------


LOG_IN = """mutation($h: String!) { logIn(input: {handle: $h, password: "wrong password!"}) {
  errors { code } } }"""


async def test_log_in_attempts_are_rate_limited_per_handle(make_client: MakeClient) -> None:
    client = await make_client(login_attempts_per_minute=3)
    for _ in range(3):
        status, _, body = await post(client, {"query": LOG_IN, "variables": {"h": "ada"}})
        assert status == 200 and body["data"]["logIn"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    status, headers, body = await post(client, {"query": LOG_IN, "variables": {"h": "ada"}})
    assert status == 429
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    # Another handle from the same address still gets through (until the address limit).
    status, _, _ = await post(client, {"query": LOG_IN, "variables": {"h": "bob"}})
    assert status == 200


async def test_mutations_are_rate_limited_per_member(make_client: MakeClient) -> None:
    client = await make_client(mutations_per_minute=2)
    _, _, signed = await post(client, {"query": """mutation { signUp(input: {handle: "busy",
        displayName: "Busy", password: "a long passphrase"}) { token } }"""})
    token = signed["data"]["signUp"]["token"]
    update = {"query": 'mutation { updateProfile(input: {bio: "x"}) { errors { code } } }'}
    for _ in range(2):
        assert (await post(client, update, Authorization=f"Bearer {token}"))[0] == 200
    status, _, body = await post(client, update, Authorization=f"Bearer {token}")
    assert status == 429 and body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_get_queries_need_a_preflight_header(api: Api) -> None:
    params = {"query": "{ mediaTypes { key } }"}
    forged = await api.client.get("/graphql", params=params)
    assert forged.status == 400
    assert "cross-site request forgery" in (await forged.json())["errors"][0]["message"]
    ok = await api.client.get("/graphql", params=params,
                              headers={"GraphQL-Require-Preflight": "1"})
    assert ok.status == 200


async def test_multipart_posts_need_a_preflight_header(api: Api) -> None:
    response = await api.client.post("/graphql", data={
        "operations": '{"query": "{ viewer { handle } }"}', "map": "{}"})
    assert response.status == 400


async def test_cors_allows_the_configured_origins_only(make_client: MakeClient) -> None:
    client = await make_client(cors_origins=("https://app.example",))
    preflight = await client.options("/graphql", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization"})
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    other = await client.post("/graphql", json={"query": "{ __typename }"},
                              headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
