"""The response cache of anonymous reads (hub/http/response_cache.py): an anonymous GET answered
by the compiled path carries ``Cache-Control: public, max-age=N`` and an ``ETag``, answers
``304`` to a matching ``If-None-Match``, and is kept by the instance — the same GET again
sends no SQL. Every committed event empties the cache: on the instance that wrote, before the
mutation answers; on the others when their listener reads the event."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import Any

import orjson
import pytest
from multidict import CIMultiDict

from hub.core.config import Settings
from hub.http.response_cache import ResponseCache, cache_key
from hub.plugins import HubPlugins
from tests.api import Api, Member
from tests.http.test_metrics import scrape, value
from tests.paths import ROOT
from tests.realtime.test_realtime import caught_up, hub_api
from tests.realtime_client import eventually

FEED = (ROOT / "schema" / "operations" / "feed.graphql").read_text()
MEMBER_PAGE = (ROOT / "schema" / "operations" / "member_page.graphql").read_text()
UPDATE_BIO = """mutation Bio($bio: String!) {
  updateProfile(input: {bio: $bio}) { member { bio } errors { code } } }"""
PREFLIGHT = {"GraphQL-Require-Preflight": "1", "Accept": "application/json"}
MAX_AGE = 30
Headers = CIMultiDict[str]  # header names in any letter case


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, cache_max_age=MAX_AGE)


async def get(api: Api, query: str, variables: dict[str, Any] | None = None, *,
              token: str | None = None, **headers: str) -> tuple[int, Headers, bytes]:
    """A GET of ``query``: (status, headers, body)."""
    sent = {**PREFLIGHT, **headers}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    params = {"query": query, "variables": orjson.dumps(variables or {}).decode()}
    response = await api.client.get("/graphql", params=params, headers=sent)
    return response.status, CIMultiDict(response.headers), await response.read()


async def counted_get(api: Api, query: str, variables: dict[str, Any] | None = None,
                      **kwargs: Any) -> tuple[int, Headers, bytes, int]:
    """A GET and the SQL statements it sent."""
    before = api.statements()
    status, headers, body = await get(api, query, variables, **kwargs)
    return status, headers, body, api.statements() - before


async def bio_of(api: Api, handle: str) -> str | None:
    status, _, body = await get(api, MEMBER_PAGE, {"handle": handle})
    assert status == 200, body
    return orjson.loads(body)["data"]["member"]["bio"]


async def writer(api: Api, *others: Api) -> Member:
    """A member with a published record, once every listener has heard of them (a late event
    would empty the cache in the middle of a test)."""
    member = await api.sign_up("ada")
    await api.create_record(member, "First light", publish=True)
    for hub in (api, *others):
        await caught_up(hub)
    return member


async def test_an_anonymous_get_carries_public_caching_headers_and_answers_304(api: Api) -> None:
    await writer(api)
    status, headers, body = await get(api, FEED, {"first": 5})
    assert status == 200
    assert orjson.loads(body)["data"]["records"]["edges"][0]["node"]["title"] == "First light"
    assert headers["Cache-Control"] == f"public, max-age={MAX_AGE}"
    assert headers["Vary"] == "Accept, Authorization"
    etag = headers["ETag"]
    assert etag == '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'

    # The same tag, alone, in a list, or weak: 304 without a body, and no SQL.
    for sent in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        status, headers, body, statements = await counted_get(api, FEED, {"first": 5},
                                                              **{"If-None-Match": sent})
        assert (status, body, statements) == (304, b"", 0), sent
        assert headers["ETag"] == etag
        assert headers["Cache-Control"] == f"public, max-age={MAX_AGE}"


async def test_a_bad_if_none_match_is_harmless(api: Api) -> None:
    await writer(api)
    _, _, expected = await get(api, FEED, {"first": 5})
    for sent in ('"not-the-tag"', "garbage, ,,W/", "", "W/", '"' * 3):
        status, headers, body = await get(api, FEED, {"first": 5}, **{"If-None-Match": sent})
        assert (status, body) == (200, expected), sent
        assert "ETag" in headers


async def test_the_same_anonymous_get_again_sends_no_sql(api: Api) -> None:
    await writer(api)
    status, _, first, statements = await counted_get(api, FEED, {"first": 5})
    assert (status, statements) == (200, 1)  # the compiled statement, then kept
    status, _, again, statements = await counted_get(api, FEED, {"first": 5})
    assert (status, again, statements) == (200, first, 0)
    # Other variables are another answer: one statement, then kept too.
    _, _, _, statements = await counted_get(api, FEED, {"first": 1})
    assert statements == 1 and len(api.hub.response_cache) == 2
    _, _, _, statements = await counted_get(api, FEED, {"first": 1})
    assert statements == 0
    # The same variables in another order are the same request.
    _, _, _, statements = await counted_get(api, FEED, {"first": 1, "after": None})
    assert statements == 1  # `after: null` is a variable the other requests did not send
    _, _, _, statements = await counted_get(api, FEED, {"after": None, "first": 1})
    assert statements == 0


async def test_hits_and_misses_are_counted_at_metrics(api: Api) -> None:
    await writer(api)
    before = await scrape(api)
    for _ in range(3):
        await get(api, FEED, {"first": 5})
    after = await scrape(api)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("hub_response_cache_misses_total") == 1
    assert moved("hub_response_cache_hits_total") == 2
    assert value(after, "hub_response_cache_entries") == 1
    assert value(after, "hub_response_cache_bytes") > 0
    count = "hub_graphql_request_seconds_count"
    assert moved(count, operation="Feed", path="compiled") == 1
    assert moved(count, operation="Feed", path="cache") == 2


async def test_a_write_is_seen_by_the_next_read_on_the_same_instance(api: Api) -> None:
    ada = await writer(api)
    assert await bio_of(api, "ada") == ""
    assert len(api.hub.response_cache) == 1
    data = await api.gql(UPDATE_BIO, {"bio": "Poems at dawn"}, token=ada.token)
    assert data["updateProfile"]["errors"] == []
    # Emptied at the commit, before the mutation answered: no waiting for NOTIFY.
    assert len(api.hub.response_cache) == 0
    assert await bio_of(api, "ada") == "Poems at dawn"


async def test_the_writer_needs_no_listener_to_see_its_write(api: Api) -> None:
    ada = await writer(api)
    # This instance's listener stops: only the commit itself can empty its cache now.
    realtime = api.hub.realtime
    assert realtime is not None
    await realtime.stop()
    api.hub.realtime = None
    assert await bio_of(api, "ada") == ""
    await api.gql(UPDATE_BIO, {"bio": "Seen at once"}, token=ada.token)
    assert await bio_of(api, "ada") == "Seen at once"

    # A new record in the feed, the same way.
    _, _, before = await get(api, FEED, {"first": 5})
    await api.create_record(ada, "Second light", publish=True)
    _, _, after = await get(api, FEED, {"first": 5})
    titles = [edge["node"]["title"] for edge in orjson.loads(after)["data"]["records"]["edges"]]
    assert titles == ["Second light", "First light"] and after != before


async def test_a_failed_write_keeps_the_cache(api: Api) -> None:
    ada = await writer(api)
    await get(api, FEED, {"first": 5})
    data = await api.gql(UPDATE_BIO, {"bio": "x" * 100_000}, token=ada.token)
    assert data["updateProfile"]["errors"][0]["code"]  # refused: rolled back, no event
    assert len(api.hub.response_cache) == 1
    _, _, _, statements = await counted_get(api, FEED, {"first": 5})
    assert statements == 0


@pytest.fixture
async def instances(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> AsyncIterator[tuple[Api, Api]]:
    """Two hub apps over one database, each with its own response cache and listener."""
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(hub_api(settings, database_url, plugins))
        second = await stack.enter_async_context(hub_api(settings, database_url, plugins))
        yield first, second


async def test_a_write_on_one_instance_empties_the_others_cache_after_notify(
    instances: tuple[Api, Api],
) -> None:
    a, b = instances
    ada = await writer(a, b)
    assert await bio_of(b, "ada") == ""
    _, _, _, statements = await counted_get(b, MEMBER_PAGE, {"handle": "ada"})
    assert statements == 0  # B keeps its answer
    emptied = b.hub.response_cache.invalidations

    await a.gql(UPDATE_BIO, {"bio": "Heard everywhere"}, token=ada.token)
    assert await bio_of(a, "ada") == "Heard everywhere"  # the writer: at once
    # B: once its listener has read the event (NOTIFY at commit wakes it).
    await eventually(lambda: b.hub.response_cache.invalidations > emptied)
    assert await bio_of(b, "ada") == "Heard everywhere"


async def test_signed_in_gets_are_never_cached(api: Api) -> None:
    ada = await writer(api)
    for _ in range(2):
        status, headers, _, statements = await counted_get(api, FEED, {"first": 5},
                                                              token=ada.token)
        assert status == 200 and statements >= 1
        assert headers["Cache-Control"] == "private, no-store"
        assert "ETag" not in headers
    assert len(api.hub.response_cache) == 0
    # Nor is their answer given to an anonymous GET, or the anonymous one to them.
    await get(api, FEED, {"first": 5})
    _, _, _, statements = await counted_get(api, FEED, {"first": 5}, token=ada.token)
    assert statements >= 1


async def test_posts_are_never_cached(api: Api) -> None:
    await writer(api)
    for _ in range(2):
        before = api.statements()
        response = await api.client.post("/graphql", json={"query": FEED,
                                                           "variables": {"first": 5}})
        assert response.status == 200
        assert "Cache-Control" not in response.headers and "ETag" not in response.headers
        assert api.statements() - before == 1
    assert len(api.hub.response_cache) == 0


async def test_executor_and_error_answers_are_not_stored(api: Api) -> None:
    # A field without a compiled twin (signed media URLs) goes to the executor: never public.
    await writer(api)
    status, headers, _ = await get(api, "query Media { records(first: 1) { edges { node { "
                                        "media { id } } } } }")
    assert status == 200 and headers["Cache-Control"] == "private, no-store"
    # An invalid operation: refused, not stored.
    status, headers, _ = await get(api, "query { nope }")
    assert status in (200, 400) and "ETag" not in headers
    assert len(api.hub.response_cache) == 0


async def test_a_persisted_document_by_hash_is_cached(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    persisted = replace(settings, security=replace(settings.security, persisted_queries=True))
    async with hub_api(persisted, database_url, plugins) as api:
        await writer(api)
        sha = hashlib.sha256(FEED.encode()).hexdigest()
        extensions = orjson.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha}}).decode()
        variables = orjson.dumps({"first": 5}).decode()
        by_hash = {"extensions": extensions, "variables": variables}
        response = await api.client.get("/graphql", params=by_hash, headers=PREFLIGHT)
        assert (await response.json())["errors"][0]["extensions"]["code"] \
            == "PERSISTED_QUERY_NOT_FOUND"
        assert response.headers["Cache-Control"] == "private, no-store"
        # The text once (the hub remembers it), then the hash alone.
        response = await api.client.get("/graphql", params={**by_hash, "query": FEED},
                                        headers=PREFLIGHT)
        assert response.headers["Cache-Control"] == f"public, max-age={MAX_AGE}"
        before = api.statements()
        response = await api.client.get("/graphql", params=by_hash, headers=PREFLIGHT)
        assert response.status == 200, await response.text()
        assert response.headers["Cache-Control"] == f"public, max-age={MAX_AGE}"
        assert api.statements() == before  # the same document: the kept answer
        assert orjson.loads(await response.read())["data"]["records"]["edges"]


async def test_the_cache_is_bounded_by_entries(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    async with hub_api(settings, database_url, plugins, cache_entries=2) as api:
        await writer(api)
        for first in (1, 2, 3):
            await get(api, FEED, {"first": first})
        assert len(api.hub.response_cache) == 2
        _, _, _, statements = await counted_get(api, FEED, {"first": 1})
        assert statements == 1  # the least recently used went first
        _, _, _, statements = await counted_get(api, FEED, {"first": 3})
        assert statements == 0


async def test_no_entries_turns_the_cache_off_but_keeps_the_headers(
    settings: Settings, database_url: str, plugins: HubPlugins,
) -> None:
    async with hub_api(settings, database_url, plugins, cache_entries=0) as api:
        await writer(api)
        for _ in range(2):
            status, headers, _, statements = await counted_get(api, FEED, {"first": 5})
            assert (status, statements) == (200, 1)
            assert headers["Cache-Control"] == f"public, max-age={MAX_AGE}" and headers["ETag"]


def test_bytes_bound_and_a_fill_that_raced_an_invalidation() -> None:
    cache = ResponseCache(max_entries=100, max_bytes=10, seconds=60)
    one, two, big = (cache_key(FEED, "Feed", {"first": n}) for n in (1, 2, 3))
    assert one is not None and two is not None and big is not None
    cache.put(one, b"123456", cache.generation)
    cache.put(two, b"123456", cache.generation)  # 12 bytes > 10: the older one goes
    assert cache.get(one) is None and cache.get(two) is not None and cache.size_bytes == 6
    cache.put(big, b"x" * 11, cache.generation)  # larger than the cache: not kept
    assert cache.get(big) is None
    # A statement that began before a write committed: its answer is not kept.
    began = cache.generation
    cache.invalidate()
    cache.put(one, b"old", began)
    assert cache.get(one) is None and len(cache) == 0
    # The key does not depend on the order of the variables.
    assert cache_key(FEED, "Feed", {"a": 1, "b": 2}) == cache_key(FEED, "Feed", {"b": 2, "a": 1})
