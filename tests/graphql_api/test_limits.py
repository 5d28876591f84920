"""Denial-of-service limits: every list priced by its declared size, variables coerced before
pricing, capped searches, read timeouts that are answered and never retried, bounded caches,
and introspection inside the alias and depth limits (answered from a cache).

Each limit is checked on both paths: the compiled path (the default) and the executor
(``api.executor_only()``), with the statements each one ran counted where it matters.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    get_introspection_query,
    get_named_type,
)

from hub.api.compiled.plan import STATEMENTS_PER_PLAN
from hub.api.limits import (
    INTROSPECTION_CACHE_SIZE,
    _introspection_results,
    list_size,
    returns_list,
)
from hub.api.operation import CACHE_SIZE
from hub.api.schema import build_schema
from hub.core.config import Settings
from hub.core.search import MAX_SEARCH_LENGTH, MAX_SEARCH_TERMS
from hub.http.app import Hub, create_app, create_hub
from hub.http.trusted_documents import APQ_CAPACITY_BYTES, document_id
from hub.plugins import HubPlugins
from tests.api import Api

MakeApi = Callable[..., Awaitable[Api]]


@pytest.fixture
async def make_api(
    database_url: str, plugins: HubPlugins, settings: Settings,
) -> AsyncIterator[MakeApi]:
    """An Api for a hub with other settings (same schema, same database); ``security`` holds
    the Security fields to change."""
    clients: list[TestClient] = []

    async def make(security: dict[str, Any] | None = None, **changes: Any) -> Api:
        changed = replace(settings, security=replace(settings.security, **(security or {})),
                          **changes)
        hub = await create_hub(changed, database_url=database_url, plugins=plugins,
                               run_migrations=False)
        client = TestClient(TestServer(create_app(hub)))
        await client.start_server()
        clients.append(client)
        return Api(client, hub)

    yield make
    for client in clients:
        await client.close()


async def both_paths(api: Api, query: str, variables: dict[str, Any] | None = None,
                     ) -> list[tuple[str, dict[str, Any], int]]:
    """The body and the statements run, compiled path first, then the executor."""
    answers = []
    for path in ("compiled", "executor"):
        before = api.statements()
        if path == "compiled":
            _, body = await api.post(query, variables)
        else:
            with api.executor_only():
                _, body = await api.post(query, variables)
        answers.append((path, body, api.statements() - before))
    return answers


# --- every list has a price ---------------------------------------------------------------------


def test_every_list_field_declares_its_size(plugins: HubPlugins) -> None:
    """Every field returning a list of objects, or a connection, declares @listSize; a
    connection's edges and nodes are sized by every field that returns the connection."""
    schema = build_schema(plugins)._schema
    undeclared, unsized_parts = [], []
    sized_by: dict[str, list[set[str]]] = {}
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(
            graphql_type, GraphQLObjectType | GraphQLInterfaceType
        ):
            continue
        for name, field in graphql_type.fields.items():
            if name.startswith("_"):
                continue  # federation's own fields (_entities is priced per representation)
            named = get_named_type(field.type)
            declared = list_size(field)
            if named.name.endswith("Connection"):
                if declared is None or declared.assumed_size is None:
                    undeclared.append(f"{type_name}.{name}")
                else:
                    sized_by.setdefault(named.name, []).append(set(declared.sized_fields or ()))
            elif returns_list(field) and not type_name.endswith("Connection") and (
                declared is None or declared.assumed_size is None
            ):
                undeclared.append(f"{type_name}.{name}")
    for connection, sized in sized_by.items():
        connection_type = schema.type_map[connection]
        for name, field in connection_type.fields.items():  # type: ignore[union-attr]
            if returns_list(field) and not all(name in fields for fields in sized):
                unsized_parts.append(f"{connection}.{name}")
    assert undeclared == [], f"list fields without @listSize: {undeclared}"
    assert unsized_parts == [], f"connection lists no sizedFields covers: {unsized_parts}"


AUDIT_LINEAGE = ("descendants { record { ancestors { record { descendants { record { ancestors "
                 "{ record { descendants { recordId } } } } } } } } }")


async def test_the_audits_nested_lineage_query_is_refused_by_the_cost_limit(api: Api) -> None:
    ada = await api.sign_up("ada")
    source = await api.create_record(ada, "Source", publish=True)
    query = "{ " + " ".join(f'a{i}: record(id: "{source["id"]}") {{ {AUDIT_LINEAGE} }}'
                            for i in range(20)) + " }"
    for path, body, statements in await both_paths(api, query):
        error = body["errors"][0]
        assert error["extensions"]["code"] == "OPERATION_TOO_LARGE", (path, body)
        assert "cost" in error["message"] and "limit of 200,000" in error["message"], path
        assert statements == 0, path


async def test_a_lineage_list_is_priced_at_its_cap(make_api: MakeApi) -> None:
    # 1 (record) + 1 (ancestors) + 10,000 × (record + title): one list of 10,000 entries.
    api = await make_api({"max_cost": 20_001})
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Song", publish=True)
    query = f'{{ record(id: "{record["id"]}") {{ ancestors {{ record {{ title }} }} }} }}'
    for path, body, _ in await both_paths(api, query):
        assert body["errors"][0]["message"] == (
            "The operation's cost is 20,002, over the limit of 20,001 by 1."), path
    fits = f'{{ record(id: "{record["id"]}") {{ ancestors {{ recordId }} }} }}'
    for path, body, _ in await both_paths(api, fits):
        assert body == {"data": {"record": {"ancestors": []}}}, path


# --- variables are coerced before pricing -------------------------------------------------------

NESTED_PAGES = """query Pages($n: Int = 100) { records(first: $n) { nodes { author {
  records(first: $n) { nodes { title author { records(first: $n) { nodes { title } } } } } } } } }"""


async def test_a_variables_default_is_priced_as_it_will_run(api: Api) -> None:
    for variables in ({}, {"n": 100}):
        for path, body, statements in await both_paths(api, NESTED_PAGES, variables):
            assert body["errors"][0]["message"] == (
                "The operation's cost is 2,040,301, over the limit of 200,000 by 1,840,301."
            ), (path, variables)
            assert statements == 0, path
    for path, body, _ in await both_paths(api, NESTED_PAGES, {"n": 10}):
        assert body == {"data": {"records": {"nodes": []}}}, path


async def test_a_remembered_price_is_the_price_of_those_variables(api: Api) -> None:
    # The compiled path keeps the parsed document, and its measures by the slicing variables:
    # a cheap request first must not make the same document cheap for larger pages.
    for n, refused in ((10, False), (100, True), (10, False), (100, True)):
        for path, body, _ in await both_paths(api, NESTED_PAGES, {"n": n}):
            assert ("errors" in body) is refused, (path, n, body)


async def test_argument_defaults_and_literals_are_priced_too(make_api: MakeApi) -> None:
    # `records` without `first` is a page of 20; a literal input object is coerced as well.
    api = await make_api({"max_cost": 400})
    query = """{ records(filter: {tag: "x"}) { nodes { author { records { nodes { id } } } } } }"""
    _, body = await api.post(query)
    # 1 + 20 × (1 + 1 + 1 + 20 × 2) = 861
    assert body["errors"][0]["message"] == (
        "The operation's cost is 861, over the limit of 400 by 461.")


# --- search caps ---------------------------------------------------------------------------------

SEARCHES = {
    "records": "{ records(filter: {search: $s}) { totalCount nodes { id } } }",
    "members": "{ members(filter: {search: $s}) { totalCount nodes { id } } }",
    "classes": "{ classes(filter: {search: $s}) { totalCount nodes { id } } }",
}


@pytest.mark.parametrize("field", sorted(SEARCHES))
@pytest.mark.parametrize(("text", "message"), [
    ("-x " * 200_000, "filter.search is 600,000 characters; the maximum is 200."),
    (" ".join("ab" for _ in range(30)), "filter.search has 30 terms; the maximum is 20."),
])
async def test_a_search_over_its_caps_is_refused_before_any_sql(
    api: Api, field: str, text: str, message: str,
) -> None:
    query = "query($s: String) " + SEARCHES[field]
    for path, body, statements in await both_paths(api, query, {"s": text}):
        error = body["errors"][0]
        assert error["message"] == message, path
        assert error["extensions"]["code"] == "BAD_USER_INPUT", path
        assert error["path"] == [field], path
        assert statements == 0, path


async def test_a_search_within_its_caps_runs(api: Api) -> None:
    ada = await api.sign_up("ada")
    await api.create_record(ada, "Harbor lights", publish=True)
    text = " ".join(["harbor"] * MAX_SEARCH_TERMS)
    assert len(text) <= MAX_SEARCH_LENGTH
    query = "query($s: String) { records(filter: {search: $s}) { nodes { title } } }"
    for path, body, _ in await both_paths(api, query, {"s": text}):
        assert body == {"data": {"records": {"nodes": [{"title": "Harbor lights"}]}}}, path


# --- statement timeouts --------------------------------------------------------------------------


async def _many_records(hub: Hub, count: int) -> None:
    """Published records straight into the table. The setup is no request: it lifts the hub's
    write timeout, which a loaded machine can take 20,000 rows past."""
    async with hub.db.transaction() as tx:
        await tx.execute("set local statement_timeout = 0")
        member = await tx.fetchval(
            "insert into members (handle, display_name, password_hash) "
            "values ('bulk', 'Bulk', 'x') returning id")
        await tx.execute(
            """insert into records (author_id, media_type, title, license, status, details_text,
                                    published_at)
               select $1, 'writing', 'Record ' || n, 'CC_BY_4_0', 'PUBLISHED',
                      repeat('harbor lights over the water ', 40), now()
               from generate_series(1, $2) as n""", member, count)


async def test_reads_and_writes_have_their_own_statement_timeouts(make_api: MakeApi) -> None:
    api = await make_api(read_statement_timeout_ms=4_000, statement_timeout_ms=9_000)
    assert await api.hub.db.fetchval("show statement_timeout") == "4s"
    async with api.hub.db.transaction() as tx:
        assert await tx.fetchval("show statement_timeout") == "9s"
    assert await api.hub.db.fetchval("show statement_timeout") == "4s"  # SET LOCAL ended


async def test_a_read_timeout_is_answered_and_never_retried(
    make_api: MakeApi, caplog: pytest.LogCaptureFixture,
) -> None:
    api = await make_api(read_statement_timeout_ms=1)
    await _many_records(api.hub, 20_000)
    query = '{ records(filter: {search: "-zebra"}) { totalCount } }'
    with caplog.at_level(logging.INFO):
        answers = await both_paths(api, query)
    (_, compiled, compiled_statements), (_, executed, _) = answers
    assert compiled["errors"][0]["extensions"]["code"] == "TIMEOUT", compiled
    assert "took too long" in compiled["errors"][0]["message"]
    assert compiled_statements == 1  # the one compiled statement; the executor never ran
    assert executed["errors"][0]["extensions"]["code"] == "TIMEOUT", executed
    assert "took too long" in executed["errors"][0]["message"]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_input_postgresql_would_refuse_is_refused_before_any_sql(api: Api) -> None:
    # PostgreSQL refuses a NUL in text (SQLSTATE 22021); the hub refuses it first, on both
    # paths (a value that still reaches a statement: tests/http/test_hostile_input.py).
    query = '{ records(filter: {tag: "a\\u0000b"}) { totalCount } }'
    for executor in (False, True):
        with api.executor_only() if executor else contextlib.nullcontext():
            before = api.statements()
            _, body = await api.post(query)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
        assert api.statements() == before


# --- bounded caches ------------------------------------------------------------------------------


async def test_compiled_statements_per_plan_are_bounded(api: Api) -> None:
    # Two filters, each with any subset of three conditions: 64 argument shapes, one document.
    query = """query($a: RecordFilter, $b: RecordFilter) {
      a: records(first: 1, filter: $a) { totalCount }
      b: records(first: 1, filter: $b) { totalCount } }"""
    conditions = ("mediaType", "tag", "search")

    def subset(bits: int) -> dict[str, str]:
        return {name: "x" for bit, name in enumerate(conditions) if bits >> bit & 1}

    for a in range(8):
        for b in range(8):
            await api.gql(query, {"a": subset(a), "b": subset(b)})
    assert api.hub.compiled is not None
    plan = api.hub.compiled.plan(query, None)
    assert plan is not None and len(plan.statements) == STATEMENTS_PER_PLAN < 64


async def test_compiled_plans_are_bounded(api: Api) -> None:
    # A plan is kept with its parsed document (hub/api/operation.py): as many as documents.
    assert api.hub.compiled is not None
    queries = [f"{{ bounded{i}: __typename }}" for i in range(CACHE_SIZE + 20)]
    for query in queries:
        response = await api.client.get("/graphql", params={"query": query},
                                        headers={"GraphQL-Require-Preflight": "1"})
        assert response.status == 200
    kept = [chosen.derived for document in api.hub.operations._documents.values()
            for chosen in document.chosen.values()]
    assert len(api.hub.operations) == CACHE_SIZE
    # Every document kept holds this hub's plan, made when its request was answered.
    assert sum(api.hub.compiled in derived for derived in kept) == CACHE_SIZE
    parsed = api.hub.operations.counts.parsed
    assert api.hub.compiled.plan(queries[-1], None) is not None
    assert api.hub.operations.counts.parsed == parsed  # still kept, with its plan
    assert api.hub.compiled.plan(queries[0], None) is not None
    assert api.hub.operations.counts.parsed == parsed + 1  # dropped, with its plan


async def test_automatic_persisted_queries_are_bounded_by_size(make_api: MakeApi) -> None:
    api = await make_api({"persisted_queries": True})
    padding = "#" + "x" * 900_000 + "\n"
    for i in range(APQ_CAPACITY_BYTES // len(padding) + 3):
        text = f"{padding}{{ a{i}: __typename }}"
        sha = document_id(text).removeprefix("sha256:")
        response = await api.client.post("/graphql", json={
            "query": text, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}})
        assert response.status == 200, await response.text()
    remembered = api.hub.documents._apq
    assert len(remembered) < i + 1
    assert remembered.currsize <= APQ_CAPACITY_BYTES


async def test_introspection_answers_are_bounded(api: Api) -> None:
    for i in range(INTROSPECTION_CACHE_SIZE + 4):
        await api.gql(f"query Q{i} {{ __schema {{ queryType {{ name }} }} }}")
    cache = _introspection_results[api.hub.schema]
    assert len(cache) == INTROSPECTION_CACHE_SIZE


# --- introspection -------------------------------------------------------------------------------


async def test_introspection_counts_aliases_and_depth(api: Api) -> None:
    aliased = "{ __schema { " + " ".join(f"t{i}: types {{ name }}" for i in range(270)) + " } }"
    status, body = await api.post(aliased)
    assert body["errors"][0]["message"] == (
        "The operation's aliases is 270, over the limit of 30 by 240.")
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "OPERATION_TOO_LARGE"
    deep = "{ __schema { types { " + "fields { type { " * 6 + "name" + " } }" * 6 + " } } }"
    _, body = await api.post(deep)
    assert body["errors"][0]["message"] == (
        "The operation's depth is 15, over the limit of 12 by 3.")


async def test_the_standard_introspection_query_is_answered_from_a_cache(api: Api) -> None:
    query = get_introspection_query(descriptions=True)
    first = await api.gql(query)
    cached = _introspection_results[api.hub.schema]
    assert [key for key in cached if key[0] == query]
    second = await api.gql(query)
    assert orjson.dumps(first) == orjson.dumps(second)
    assert first["__schema"]["queryType"]["name"] == "Query"
