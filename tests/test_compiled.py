"""Compiled queries (hub/compiled): every operation answered in one statement must be answered
exactly as the field-by-field executor answers it, for every viewer.

Each case posts the same operation twice through the HTTP app: once with compiled queries on,
once with them off (``hub.compiled = None``), and compares the whole bodies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from hub.seed import seed_demo
from tests.api import Api, Member

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = {path.stem: path.read_text() for path in (ROOT / "schema" / "operations").glob("*.graphql")}
BENCH = {path.stem: path.read_text() for path in (ROOT / "bench" / "operations").glob("*.graphql")}

DELETE = "mutation D($id: ID!) { deleteRecord(input: {id: $id}) { errors { code } } }"
ADD_SOURCE = """
mutation Add($input: AddSourceInput!) { addSource(input: $input) { errors { code message } } }
"""

# Everything the twins cover, with aliases, fragments and __typename, on one record.
EVERYTHING = """
query Everything($id: ID!, $after: String) {
  record(id: $id) {
    __typename
    ...Card
    theId: id
    status license version tombstone createdAt updatedAt publishedAt description
    details { __typename ... on MusicDetails { tempoBpm key instruments } ...Writing }
    author { ...Person records(first: 2) { totalCount edges { cursor node { title } }
             pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
    sources(first: 3, after: $after) {
      totalCount
      nodes { id title }
      edges { cursor recordId note addedAt tombstone node { ...Card } author { handle } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
    }
    remixes(first: 2) { edges { cursor recordId tombstone node { id } } pageInfo { endCursor } }
    remixCount
    ancestors(maxDepth: 3) { depth recordId tombstone record { id } author { handle } }
    descendants { depth recordId tombstone record { title } }
  }
}
fragment Card on Record { id title mediaType tags }
fragment Person on Member { id handle displayName bio skills role createdAt }
fragment Writing on WritingDetails { form text wordCount }
"""

PAGED = """
query Paged($first: Int, $after: String, $order: RecordOrder, $filter: RecordFilter) {
  records(first: $first, after: $after, orderBy: $order, filter: $filter) {
    totalCount
    edges { cursor node { id title author { handle } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def both_ways(
    api: Api, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
) -> tuple[dict[str, Any], int]:
    """The body (the same both ways, or the test fails) and the statements the compiled path
    sent (the session lookup included, when signed in)."""
    before = api.statements()
    status, compiled = await api.post(query, variables, token=token)
    statements = api.statements() - before
    with api.executor_only():
        ordinary_status, ordinary = await api.post(query, variables, token=token)
    assert (status, compiled) == (ordinary_status, ordinary)
    return compiled, statements


@pytest.fixture
async def community(api: Api) -> dict[str, Any]:
    """The demo community, plus a lineage with the tombstones of each kind: someone's draft
    used as a source (visible to them only) and a deleted source (visible to no one)."""
    await seed_demo(api.hub.db, api.hub.plugins)
    maker = await api.sign_up("maker")
    draft = await api.create_record(maker, "Draft source")
    gone = await api.create_record(maker, "Deleted source", publish=True)
    public = await api.create_record(maker, "Public source", publish=True)
    remix = await api.create_record(
        maker, "The remix", publish=True, sources=[public["id"], draft["id"], gone["id"]],
    )
    await api.create_record(maker, "Remix of the remix", publish=True, sources=[remix["id"]])
    deleted = await api.gql(DELETE, {"id": gone["id"]}, token=maker.token)
    assert deleted["deleteRecord"]["errors"] == []
    ids = [row["id"] for row in await api.hub.db.fetch(
        "select id from records where status = 'PUBLISHED' order by id limit 40")]
    from hub.relay import encode_id

    return {"maker": maker, "remix": remix["id"], "draft": draft["id"],
            "published": [encode_id("Record", pk) for pk in ids]}


async def test_the_schema_operations_are_compiled_and_answer_as_the_executor(
    api: Api, community: dict[str, Any],
) -> None:
    maker: Member = community["maker"]
    feed, statements = await both_ways(api, OPERATIONS["feed"], {"first": 50})
    assert len(feed["data"]["records"]["edges"]) == 50
    assert statements == 1
    end = feed["data"]["records"]["pageInfo"]["endCursor"]
    _, statements = await both_ways(api, OPERATIONS["feed"], {"first": 7, "after": end})
    assert statements == 1
    for record_id in [community["remix"], community["draft"], *community["published"][:10]]:
        for token in (None, maker.token):
            _, statements = await both_ways(api, OPERATIONS["record_page"], {"id": record_id},
                                               token=token)
            assert statements == (2 if token else 1)
    member, statements = await both_ways(api, OPERATIONS["member_page"], {"handle": "MAKER"},
                                         token=maker.token)
    assert statements == 2
    assert member["data"]["member"]["records"]["totalCount"] == 4  # drafts are the member's
    search, statements = await both_ways(api, OPERATIONS["search"], {"text": "remix"})
    assert statements == 1 and search["data"]["records"]["totalCount"] >= 2


async def test_the_bench_operations_are_compiled_and_answer_as_the_executor(
    api: Api, community: dict[str, Any],
) -> None:
    maker: Member = community["maker"]
    feed, statements = await both_ways(api, BENCH["feed"])
    assert statements == 1
    assert any(edge["node"]["sources"]["edges"] for edge in feed["data"]["records"]["edges"])
    for record_id in [community["remix"], *community["published"]]:
        for token in (None, maker.token):
            _, statements = await both_ways(api, BENCH["record_page_lineage"], {"id": record_id},
                                            token=token)
            assert statements == (2 if token else 1)


GRAPHS = """
query Graphs($id: ID!, $depth: Int, $direction: LineageDirection!) {
  record(id: $id) {
    contributors { __typename depth member { handle } records { depth recordId tombstone
                   record { title } author { handle } } }
    lineageGraph(maxDepth: $depth, direction: $direction) {
      __typename truncated
      nodes { id title mediaType tombstone generation author { handle } }
      edges { remix source __typename }
    }
  }
}
"""


async def test_the_lineage_panel_is_compiled_and_answers_as_the_executor(
    api: Api, community: dict[str, Any],
) -> None:
    maker: Member = community["maker"]
    deepest = await api.hub.db.fetch(
        """with recursive up(id, depth) as (
               select remix_id, 1 from record_sources
             union
               select s.remix_id, up.depth + 1 from up join record_sources s on s.source_id = up.id
               where up.depth < 6)
           select distinct id from up order by id desc limit 8""")
    from hub.relay import encode_id

    records = [community["remix"], *(encode_id("Record", row["id"]) for row in deepest)]
    for record_id in records:
        for token in (None, maker.token):
            _, statements = await both_ways(api, OPERATIONS["record_lineage"], {"id": record_id},
                                            token=token)
            assert statements == (2 if token else 1)
            for depth, direction in ((None, "BOTH"), (0, "BOTH"), (50, "ANCESTORS"),
                                     (2, "DESCENDANTS")):
                _, statements = await both_ways(
                    api, GRAPHS, {"id": record_id, "depth": depth, "direction": direction},
                    token=token,
                )
                assert statements == (2 if token else 1)
    panel, _ = await both_ways(api, GRAPHS, {"id": community["remix"], "direction": "BOTH"})
    graph = panel["data"]["record"]["lineageGraph"]
    assert [node["generation"] for node in graph["nodes"]] == [0, -1, -1, -1, 1]
    assert [node["title"] for node in graph["nodes"]][1:4].count(None) == 2  # the tombstones


CLASS_EVERYTHING = """
query Class($slug: String!) {
  class(slug: $slug) {
    __typename id slug title summary description skill level status freePreview createdAt
    updatedAt publishedAt lessonCount submissionsCount viewerIsInstructor
    viewerEnrollment { progress completedLessons }
    instructors { handle displayName records(first: 1) { totalCount } }
    lessons { __typename id position title locked body prompt createdAt updatedAt }
  }
}
"""


async def test_class_pages_are_compiled_for_anonymous_visitors(
    api: Api, community: dict[str, Any],
) -> None:
    maker: Member = community["maker"]
    await api.hub.db.execute(
        "update classes set status = 'DRAFT' where id = (select min(id) from classes)")
    await api.hub.db.execute(
        "update classes set free_preview = not free_preview where id = (select max(id) from classes)")
    classes = await api.hub.db.fetch("select slug, status, free_preview from classes")
    assert {row["status"] for row in classes} >= {"PUBLISHED", "DRAFT"}
    assert {row["free_preview"] for row in classes} == {True, False}
    slugs = [row["slug"] for row in classes] + ["no-such-class", "x" * 80]
    for slug in slugs:
        for query in (OPERATIONS["class_page"], CLASS_EVERYTHING):
            body, statements = await both_ways(api, query, {"slug": slug.upper()})
            assert statements == 1, body
            # Signed in, access depends on enrollment and subscription: the executor answers.
            _, statements = await both_ways(api, query, {"slug": slug}, token=maker.token)
            assert statements > 2 or slug in ("no-such-class", "x" * 80)


async def test_tombstones_credit_their_authors_and_hide_content_for_everyone_but_the_author(
    api: Api, community: dict[str, Any],
) -> None:
    maker: Member = community["maker"]
    remix = community["remix"]
    anonymous, _ = await both_ways(api, EVERYTHING, {"id": remix})
    own, _ = await both_ways(api, EVERYTHING, {"id": remix}, token=maker.token)
    seen = [edge["tombstone"] for edge in anonymous["data"]["record"]["sources"]["edges"]]
    seen_by_maker = [edge["tombstone"] for edge in own["data"]["record"]["sources"]["edges"]]
    assert seen == [False, True, True]
    assert seen_by_maker == [False, False, True]
    assert anonymous["data"]["record"]["sources"]["nodes"][1] is None
    assert all(edge["author"]["handle"] == "maker"
               for edge in anonymous["data"]["record"]["sources"]["edges"])


NOTES = """
query Notes($id: ID!) {
  record(id: $id) {
    sources(first: 5) { edges { recordId tombstone note node { title } } }
    remixes(first: 5) { edges { recordId tombstone note node { title } } }
  }
}
"""


async def test_a_tombstone_link_hides_its_note_on_both_paths(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    harbor = await api.create_record(ada, "Harbor", publish=True)
    sketch = await api.create_record(bob, "Sketch")  # bob's draft...
    dub = await api.create_record(bob, "Dub", sources=[sketch["id"]])  # ...and his draft remix
    song = await api.create_record(bob, "Song", publish=True)  # his published remix of sketch
    for remix, source, note in ((dub, harbor, "Took the bass line."),
                                (song, sketch, "The hook from my sketch.")):
        result = await api.gql(
            ADD_SOURCE, {"input": {"recordId": remix["id"], "sourceId": source["id"],
                                   "note": note}}, token=bob.token)
        assert result["addSource"]["errors"] == [], result
    notes: dict[tuple[str, str | None], list[Any]] = {}
    for record in (harbor, sketch, song):
        for who in (None, ada, bob):
            body, statements = await both_ways(api, NOTES, {"id": record["id"]},
                                               token=who.token if who else None)
            assert statements == (2 if who else 1)
            found = body["data"]["record"]
            edges = [] if found is None else found["sources"]["edges"] + found["remixes"]["edges"]
            notes[(record["id"], who.handle if who else None)] = [
                (edge["tombstone"], edge["note"]) for edge in edges]
    # Anyone but bob: his draft remix of ada's record is a tombstone, its note null...
    assert notes[(harbor["id"], None)] == notes[(harbor["id"], "ada")] == [(True, None)]
    assert notes[(harbor["id"], "bob")] == [(False, "Took the bass line.")]
    # ...and so is his published song's source, his draft.
    assert notes[(song["id"], None)] == notes[(song["id"], "ada")] == [(True, None)]
    assert notes[(song["id"], "bob")] == [(False, "The hook from my sketch.")]
    assert notes[(sketch["id"], "bob")] == [(False, "The hook from my sketch."), (False, "")]


async def test_every_twinned_field_with_aliases_fragments_and_cursors(
    api: Api, community: dict[str, Any],
) -> None:
    maker: Member = community["maker"]
    for record_id in [community["remix"], *community["published"]]:
        for token in (None, maker.token):
            body, statements = await both_ways(api, EVERYTHING, {"id": record_id}, token=token)
            assert statements == (2 if token else 1), body
    first_page, _ = await both_ways(api, EVERYTHING, {"id": community["remix"]})
    after = first_page["data"]["record"]["sources"]["edges"][0]["cursor"]
    second_page, _ = await both_ways(api, EVERYTHING, {"id": community["remix"], "after": after})
    assert len(second_page["data"]["record"]["sources"]["edges"]) == 2


@pytest.mark.parametrize("variables", [
    {"first": 5},
    {"first": 0},
    {"first": 100, "order": "OLDEST"},
    {"first": 3, "filter": {"mediaType": "music"}},
    {"first": 3, "filter": {"tag": " LOFI "}},
    {"first": 3, "filter": {"search": "remix", "mediaType": "writing"}},
    {"filter": {"search": "   "}},
])
async def test_pages_filters_and_orders_answer_as_the_executor(
    api: Api, community: dict[str, Any], variables: dict[str, Any],
) -> None:
    body, statements = await both_ways(api, PAGED, variables)
    assert statements == 1
    page = body["data"]["records"]
    if page["pageInfo"]["hasNextPage"] and page["pageInfo"]["endCursor"]:
        following, statements = await both_ways(
            api, PAGED, {**variables, "after": page["pageInfo"]["endCursor"]}
        )
        assert statements == 1
        assert following["data"]["records"]["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.parametrize("query", [
    "{ records { totalCount } }",
    "{ records(filter: {mediaType: \"none\"}) { totalCount pageInfo { startCursor } } }",
    "{ records(first: 2) { __typename pageInfo { hasNextPage __typename } } }",
    "{ q: __typename records(first: 1) { nodes { __typename } } }",
    '{ member(handle: "maker") { records(first: 1) { totalCount } } }',
    '{ member(handle: "nobody") { handle } }',
])
async def test_every_connection_shape_answers_as_the_executor(
    api: Api, community: dict[str, Any], query: str,
) -> None:
    _, statements = await both_ways(api, query)
    assert statements == 1


async def test_a_filter_by_author_answers_as_the_executor(
    api: Api, community: dict[str, Any],
) -> None:
    maker: Member = community["maker"]
    body, statements = await both_ways(api, PAGED, {"filter": {"author": maker.id}})
    assert statements == 1
    assert [e["node"]["title"] for e in body["data"]["records"]["edges"]] == [
        "Remix of the remix", "The remix", "Public source",
    ]


@pytest.mark.parametrize(("query", "variables"), [
    # What a resolver refuses: the executor answers, with its errors.
    (PAGED, {"first": 101}),
    (PAGED, {"first": -1}),
    (PAGED, {"after": "not a cursor"}),
    (PAGED, {"filter": {"author": "bm9wZQ"}}),
    (OPERATIONS["record_page"], {"id": "garbage"}),
    (OPERATIONS["record_page"], {"id": None}),
    (OPERATIONS["record_page"], {}),
    ("query { record(id: \"UmVjb3JkOjE\") { ancestors(maxDepth: 51) { depth } } }", None),
    # Outside the twins: backward pages, TITLE order, directives, fields with resolvers only.
    ("query { records(last: 2) { edges { node { id } } } }", None),
    ("query { records(orderBy: TITLE, first: 2) { edges { node { title } } } }", None),
    ("query ($f: Boolean!) { records(first: 2) { edges { node { id title @include(if: $f) } } } }",
     {"f": False}),
    (BENCH.get("record_page_lineage", ""), {"id": "UmVjb3JkOjE"}),
    ("query { records(first: 3) { edges { node { media { url } } } } }", None),
    ("query { record(id: \"UmVjb3JkOjE\") { lineageGraph(maxDepth: 99) { truncated } } }", None),
    ("query { viewer { handle } }", None),
    ("{ nope }", None),
])
async def test_what_is_not_compiled_is_answered_by_the_executor(
    api: Api, community: dict[str, Any], query: str, variables: dict[str, Any] | None,
) -> None:
    await both_ways(api, query, variables)


async def test_a_disabled_plugin_makes_details_null_in_both_paths(
    api: Api, community: dict[str, Any],
) -> None:
    await api.hub.db.execute(
        "update records set media_type = 'unknown-plugin' where id in "
        "(select id from records where status = 'PUBLISHED' order by created_at desc limit 3)"
    )
    body, statements = await both_ways(api, OPERATIONS["feed"], {"first": 5})
    assert statements == 1
    assert [edge["node"]["details"] for edge in body["data"]["records"]["edges"][:3]] == [None] * 3


async def test_stored_details_are_read_as_the_plugin_type_reads_them(
    api: Api, community: dict[str, Any],
) -> None:
    """Missing keys take the field's default, unknown enum values read as null, keys of other
    plugin versions are not shown."""
    maker: Member = community["maker"]
    record = await api.create_record(maker, "Odd details", publish=True,
                                      details={"writing": {"form": "POEM", "text": "one two"}})
    from hub.relay import decode_id

    await api.hub.db.execute(
        """update records set details = '{"form": "LIMERICK", "legacy": 1}' where id = $1""",
        decode_id(record["id"], "Record"),
    )
    body, statements = await both_ways(api, OPERATIONS["record_page"], {"id": record["id"]})
    assert statements == 1
    assert body["data"]["record"]["details"] == {
        "__typename": "WritingDetails", "form": None, "text": None, "wordCount": 0,
    }


async def test_statements_stay_one_whatever_the_page_size(
    api: Api, community: dict[str, Any],
) -> None:
    for first in (1, 10, 50, 100):
        _, statements = await both_ways(api, BENCH["feed"], {"first": first})
        assert statements == 1


async def test_the_setting_switches_compiled_queries_off(
    api: Api, community: dict[str, Any],
) -> None:
    """HUB_COMPILED_QUERIES=false: the same feed, answered field by field."""
    from dataclasses import replace

    from aiohttp.test_utils import TestClient, TestServer

    from hub.app import Hub, create_app
    from hub.config import Settings

    assert Settings.from_env({"HUB_COMPILED_QUERIES": "false"}).compiled_queries is False
    settings = replace(api.hub.settings, compiled_queries=False)
    hub = Hub(settings=settings, db=api.hub.db, plugins=api.hub.plugins, schema=api.hub.schema)
    assert hub.compiled is None
    compiled, statements = await both_ways(api, OPERATIONS["feed"], {"first": 5})
    assert statements == 1
    app = create_app(hub)
    app.on_cleanup.clear()  # the pool is the fixture's, closed by it
    async with TestClient(TestServer(app)) as client:
        before = hub.db.statements
        response = await client.post("/graphql", json={"query": OPERATIONS["feed"],
                                                       "variables": {"first": 5}})
        assert await response.json() == compiled
    assert hub.db.statements - before > 1


@pytest.mark.parametrize("body", [
    {"query": "{ records { totalCount } }", "variables": 0},
    {"query": "{ records { totalCount } }", "variables": ""},
    {"query": "{ records { totalCount } }", "variables": "{}"},
    {"query": "{ records { totalCount } }", "operationName": 1},
    {"query": "{ records { totalCount } }", "extensions": "x"},
    {"query": "query A { records { totalCount } }", "operationName": "B"},
    [{"query": "{ records { totalCount } }"}],
])
async def test_malformed_requests_are_refused_as_the_executor_refuses_them(
    api: Api, body: Any,
) -> None:
    headers = {"Accept": "application/graphql-response+json"}

    async def send() -> tuple[int, Any]:
        response = await api.client.post("/graphql", json=body, headers=headers)
        return response.status, await response.text()

    compiled = await send()
    with api.executor_only():
        assert compiled == await send()
    assert compiled[0] == 400


async def test_several_operations_without_a_name_are_answered_as_the_executor_answers(
    api: Api,
) -> None:
    await both_ways(api, "query A { records { totalCount } } query B { __typename }")


@pytest.mark.parametrize("params", [
    {"query": OPERATIONS["feed"], "variables": '{"first": 3}'},
    {"query": OPERATIONS["record_page"], "variables": '{"id": "UmVjb3JkOjE"}'},
    {"query": OPERATIONS["feed"], "variables": "{nope"},
    {"query": OPERATIONS["feed"], "variables": "[1]"},
    {"query": "mutation { logOut }"},
])
async def test_get_requests_answer_as_the_executor(
    api: Api, community: dict[str, Any], params: dict[str, str],
) -> None:
    headers = {"GraphQL-Require-Preflight": "1"}

    async def send() -> tuple[int, str, int]:
        before = api.statements()
        response = await api.client.get("/graphql", params=params, headers=headers)
        return response.status, await response.text(), api.statements() - before

    status, text, statements = await send()
    with api.executor_only():
        ordinary_status, ordinary_text, _ = await send()
    assert status == ordinary_status
    if status == 200:
        assert orjson.loads(text) == orjson.loads(ordinary_text)
        assert statements == 1 or "errors" in text
    else:
        assert text == ordinary_text
