"""Compiled queries (hub/compiled): every operation answered in one statement must be answered
exactly as the field-by-field executor answers it, for every viewer.

Each case posts the same operation twice through the HTTP app: once with compiled queries on,
once with them off (``hub.compiled = None``), and compares the whole bodies strictly: ``1`` is
not ``1.0``, ``true`` is not ``1``, and keys come in the same order.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import orjson
import pytest

from hub.core.relay import decode_id, encode_id
from hub.seed.demo import seed_demo
from tests.api import Api, Member
from tests.paths import ROOT

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


def json_difference(left: Any, right: Any, path: str = "$") -> str | None:
    """Where two parsed JSON values differ, or None when they are the same JSON: numbers of
    different types (``1``, ``1.0``, ``true``) differ, and so do objects whose keys come in
    another order."""
    if type(left) is not type(right):
        return f"{path}: {left!r} ({type(left).__name__}) vs {right!r} ({type(right).__name__})"
    if isinstance(left, dict):
        if list(left) != list(right):
            return f"{path}: keys {list(left)} vs {list(right)}"
        return next((difference for key in left
                     if (difference := json_difference(left[key], right[key], f"{path}.{key}"))),
                    None)
    if isinstance(left, list):
        if len(left) != len(right):
            return f"{path}: {len(left)} items vs {len(right)}"
        return next((difference for i, (a, b) in enumerate(zip(left, right, strict=True))
                     if (difference := json_difference(a, b, f"{path}[{i}]"))), None)
    return None if left == right else f"{path}: {left!r} vs {right!r}"


def assert_same_json(compiled: Any, ordinary: Any) -> None:
    difference = json_difference(compiled, ordinary)
    assert difference is None, f"compiled vs executor differ at {difference}"


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
    assert status == ordinary_status, (compiled, ordinary)
    assert_same_json(without_error_ids(compiled), without_error_ids(ordinary))
    return compiled, statements


def without_error_ids(body: Any) -> Any:
    """``body`` with each internal error's ``errorId`` (random, for the log) blanked."""
    if not isinstance(body, dict) or not body.get("errors"):
        return body
    errors = [{**error, "extensions": {**error["extensions"], "errorId": "…"}}
              if "errorId" in (error.get("extensions") or {}) else error
              for error in body["errors"]]
    return {**body, "errors": errors}


@pytest.fixture
async def community(api: Api) -> dict[str, Any]:
    return await build_community(api)


async def build_community(api: Api) -> dict[str, Any]:
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


async def test_class_pages_are_compiled_for_every_viewer(
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
            # Signed in: the session's lookup, then the one statement (the lesson rules read
            # the viewer's enrollment and subscription in SQL).
            _, statements = await both_ways(api, query, {"slug": slug}, token=maker.token)
            assert statements == 2, slug


SUBMISSION_BY_NODE = """
query Submission($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Submission {
      createdAt learner { handle } record { title } lesson { title class { slug } }
      feedback { totalCount nodes { body author { handle } } }
    }
  }
}
"""


async def test_submissions_by_node_are_compiled_for_every_viewer(
    api: Api, community: dict[str, Any],
) -> None:
    admin = await api.sign_up("boss", role="ADMIN")
    # A draft class: its submissions are seen by its instructors and admins only.
    await api.hub.db.execute(
        "update classes set status = 'DRAFT' where id = (select min(class_id) from submissions)")
    ids = [encode_id("Submission", row["id"])
           for row in await api.hub.db.fetch("select id from submissions order by id")]
    seen: dict[str, int] = {"anonymous": 0, "admin": 0}
    for submission in ids:
        body, statements = await both_ways(api, SUBMISSION_BY_NODE, {"id": submission})
        assert statements == 1, body
        seen["anonymous"] += body["data"]["node"] is not None
        for member in (community["maker"], admin):
            body, statements = await both_ways(api, SUBMISSION_BY_NODE, {"id": submission},
                                               token=member.token)
            assert statements == 2, body
        seen["admin"] += body["data"]["node"] is not None
    assert 0 < seen["anonymous"] < seen["admin"] == len(ids)


CLASSES_BY_NODE = """
query Classes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Class { slug status instructors { handle } lessons { title locked } viewerEnrollment { id } }
  }
}
"""


async def test_classes_by_node_are_compiled_for_every_viewer(
    api: Api, community: dict[str, Any],
) -> None:
    admin = await api.sign_up("boss", role="ADMIN")
    stranger = await api.sign_up("stranger")
    # A draft: seen by its instructors and admins only.
    await api.hub.db.execute("update classes set status = 'DRAFT' where id = (select min(id) "
                             "from classes)")
    ids = [encode_id("Class", row["id"])
           for row in await api.hub.db.fetch("select id from classes order by id")]
    seen: dict[str, int] = {}
    for who, token, statements_expected in (("anonymous", None, 1),
                                            ("stranger", stranger.token, 2),
                                            ("admin", admin.token, 2)):
        body, statements = await both_ways(api, CLASSES_BY_NODE, {"ids": ids}, token=token)
        assert statements == statements_expected, body
        seen[who] = sum(node is not None for node in body["data"]["nodes"])
    assert seen["anonymous"] == seen["stranger"] == len(ids) - 1
    assert seen["admin"] == len(ids)


async def test_an_anonymous_page_is_its_own_statement_with_the_viewer_as_a_constant(
    api: Api, community: dict[str, Any],
) -> None:
    """An anonymous visitor's statement names no viewer parameter, so PostgreSQL folds the
    signed-in branches of every rule (instructors, enrollments, subscriptions) away while
    planning; a signed-in viewer's statement passes their id."""
    slug = await api.hub.db.fetchval("select slug from classes where status = 'PUBLISHED' limit 1")
    query = OPERATIONS["class_page"]
    await api.gql(query, {"slug": slug})
    await api.gql(query, {"slug": slug}, token=community["maker"].token)
    assert api.hub.compiled is not None
    plan = api.hub.compiled.plan(query, None)
    assert plan is not None
    by_viewer = {shape[0]: statement for shape, statement in plan.statements.items()}
    assert set(by_viewer) == {True, False}  # anonymous, signed in
    anonymous, signed_in = by_viewer[True], by_viewer[False]
    assert anonymous.parameters(None, [plan.with_arguments[0].spec.bind(
        {"slug": slug}, None)]) == [slug]  # the slug alone
    assert "$2" not in anonymous.text and "null::bigint" in anonymous.text
    assert "$2" in signed_in.text  # $1 the viewer, $2 the slug


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
    # Compiled (backward pages, TITLE order) and not (directives, fields without twins).
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

    from hub.core.config import Settings
    from hub.http.app import Hub, create_app

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
        assert_same_json(await response.json(), compiled)
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
        assert_same_json(orjson.loads(text), orjson.loads(ordinary_text))
        assert statements == 1 or "errors" in text
    else:
        assert text == ordinary_text


def test_the_comparison_tells_json_number_types_apart() -> None:
    assert json_difference({"a": [1, "x"]}, {"a": [1, "x"]}) is None
    assert json_difference(146, 146.0) is not None
    assert json_difference(True, 1) is not None
    assert json_difference({"a": 1, "b": 2}, {"b": 2, "a": 1}) is not None
    assert json_difference([1.0], [1]) == "$[0]: 1.0 (float) vs 1 (int)"


@pytest.mark.parametrize(("content_type", "is_json"), [
    ("application/json", True),
    ("Application/Json", True),
    ("APPLICATION/JSON", True),
    ("application/json; charset=UTF-8", True),
    ("Application/JSON;charset=utf-8", True),
    ('application/json ; charset="utf-8"', True),
    ("application/json; charset=iso-8859-1", True),  # RFC 8259: JSON is UTF-8 regardless
    ("application/json;", True),
    ("application/jsonx", False),
    ("application/json-seq", False),
    ("text/application/json", False),
    ("application/json, text/plain", False),
    ("text/plain", False),
    ("application/x-www-form-urlencoded", False),
])
async def test_one_rule_decides_what_a_json_body_is_on_both_paths(
    api: Api, content_type: str, is_json: bool,
) -> None:
    """Media types are case-insensitive, parameters change nothing; other types are refused."""
    body = orjson.dumps({"query": "{ records(first: 1) { totalCount nodes { __typename } } }"})

    async def send() -> tuple[int, str, int]:
        before = api.statements()
        response = await api.client.post("/graphql", data=body,
                                          headers={"Content-Type": content_type})
        return response.status, await response.text(), api.statements() - before

    status, text, statements = await send()
    with api.executor_only():
        ordinary_status, ordinary_text, _ = await send()
    assert (status, ordinary_status) == ((200, 200) if is_json else (400, 400))
    if is_json:
        assert_same_json(orjson.loads(text), orjson.loads(ordinary_text))
        assert statements == 1  # answered by the compiled path
    else:
        assert text == ordinary_text == "Unsupported content type"


RECORD_DETAILS = """
query Details($id: ID!) {
  record(id: $id) {
    id
    details {
      __typename
      ... on MusicDetails { durationSeconds tempoBpm key genre instruments }
      ... on FilmDetails { durationSeconds aspectRatio genre role }
      ... on WritingDetails { form text wordCount }
      ... on ImageDetails { caption width height }
    }
  }
}
"""

ERROR = object()  # the executor answers with an error (the details are null)
CREATED = {
    "music": {"tempoBpm": 120},
    "film": {"durationSeconds": 60},
    "writing": {"form": "POEM", "text": "A few words."},
    "image": {"caption": "A caption"},
}

# (media type, stored details, field, what the executor answers for it, whether the compiled
# path answers itself). Where it does not, the executor answers (an error, or a conversion
# only Python makes exactly so).
STORED_VALUES = [
    ("music", {"tempo_bpm": 146}, "tempoBpm", 146.0, True),
    ("music", {"tempo_bpm": 146.0}, "tempoBpm", 146.0, True),
    ("music", {"tempo_bpm": 0.1}, "tempoBpm", 0.1, True),
    ("music", {"tempo_bpm": 1e16}, "tempoBpm", 1e16, False),  # stored as an integer
    ("music", {"tempo_bpm": 1.5e-7}, "tempoBpm", 1.5e-7, True),
    ("music", {"tempo_bpm": -(2**53)}, "tempoBpm", -(2.0**53), True),
    ("music", {"tempo_bpm": 2**53 + 1}, "tempoBpm", ERROR, False),  # would lose precision
    ("music", {"tempo_bpm": True}, "tempoBpm", 1, True),
    ("music", {"tempo_bpm": "146"}, "tempoBpm", 146.0, False),
    ("music", {"tempo_bpm": [146]}, "tempoBpm", ERROR, False),
    ("music", {"duration_seconds": 2**31}, "durationSeconds", ERROR, False),
    ("music", {"duration_seconds": -(2**31)}, "durationSeconds", -(2**31), True),
    ("music", {"duration_seconds": 3.0}, "durationSeconds", 3, True),
    ("music", {"duration_seconds": 3.5}, "durationSeconds", ERROR, False),
    ("music", {"duration_seconds": "12"}, "durationSeconds", 12, False),
    ("music", {"duration_seconds": False}, "durationSeconds", 0, True),
    ("music", {"duration_seconds": {"s": 1}}, "durationSeconds", ERROR, False),
    ("music", {"key": 5}, "key", "5", True),
    ("music", {"key": -(2**63)}, "key", str(-(2**63)), True),
    ("music", {"key": 2**64 - 1}, "key", str(2**64 - 1), True),
    ("music", {"key": 2**70}, "key", "1.1805916207174113e+21", False),  # orjson: a float
    ("music", {"key": 1.5}, "key", "1.5", False),
    ("music", {"key": True}, "key", "true", True),
    ("music", {"key": ["C major"]}, "key", ERROR, False),
    ("music", {"genre": "lo-fi \"quoted\" \u00e9 \n"}, "genre", "lo-fi \"quoted\" \u00e9 \n", True),
    ("music", {"instruments": None}, "instruments", ERROR, False),  # [String!]!
    ("music", {"instruments": "piano"}, "instruments", ERROR, False),
    ("music", {"instruments": ["piano", 7, False]}, "instruments", ["piano", "7", "false"],
     True),
    ("music", {"instruments": ["piano", None]}, "instruments", ERROR, False),
    ("music", {"instruments": [["piano"]]}, "instruments", ERROR, False),
    ("music", {"instruments": [{"piano": 1}]}, "instruments", ERROR, False),
    ("music", {"instruments": []}, "instruments", [], True),
    ("writing", {"text": "t", "word_count": None}, "wordCount", ERROR, False),  # Int!
    ("writing", {"text": "t", "word_count": 2**31 - 1}, "wordCount", 2**31 - 1, True),
    ("writing", {"text": "t", "word_count": 10**20}, "wordCount", ERROR, False),
    ("writing", {"text": "t", "word_count": "many"}, "wordCount", ERROR, False),
    ("writing", {"text": {"a": 1}}, "text", ERROR, False),
    ("writing", {"form": 1}, "form", None, True),
    ("writing", {"form": "poem"}, "form", None, True),
    ("writing", {"form": ["POEM"]}, "form", None, True),
    ("writing", {"form": "POEM"}, "form", "POEM", True),
    ("writing", {}, "wordCount", 0, True),
    ("film", {"role": "nonsense"}, "role", None, True),
    ("film", {"role": None}, "role", None, True),
    ("image", {"width": 10**10}, "width", ERROR, False),
    ("image", {"width": 640.0, "caption": 0}, "width", 640, True),
    ("writing", [], "wordCount", 0, True),  # not an object: no stored values
    ("writing", "text", "wordCount", 0, True),
]


@pytest.mark.parametrize(("media_type", "stored", "field", "expected", "compiled"),
                         STORED_VALUES)
async def test_stored_values_are_serialized_as_their_graphql_types_on_both_paths(
    api: Api, caplog: pytest.LogCaptureFixture,
    media_type: str, stored: Any, field: str, expected: Any, compiled: bool,
) -> None:
    """Details written behind the hub's back: the compiled path serializes a value exactly as
    graphql-core does, or quietly leaves the request to the executor."""
    maker = await api.sign_up("maker")
    record = await api.create_record(maker, "Stored", publish=True,
                                      details={media_type: CREATED[media_type]})
    await api.hub.db.execute("update records set details = $2::text::jsonb where id = $1",
                             decode_id(record["id"], "Record"), json.dumps(stored))
    with caplog.at_level(logging.WARNING, logger="hub.api.compiled"):
        body, statements = await both_ways(api, RECORD_DETAILS, {"id": record["id"]})
    # Leaving a value to the executor is not a twin's bug.
    assert [r for r in caplog.records if r.name == "hub.api.compiled"] == []
    assert (statements == 1) is compiled
    details = body["data"]["record"]["details"]
    if expected is ERROR:
        assert body["errors"] and (details is None or details[field] is None), body
    else:
        assert "errors" not in body, body
        assert json_difference(details[field], expected) is None


# Fields whose SQL skips their sub-tree, and the arguments below it (two documents: each under
# the cost limit).
SKIPPED_PARAMETERS = ["""
query SkippedBelowAncestors($id: ID!, $after: String) {
  record(id: $id) {
    ancestors(maxDepth: 0) {
      record { sources(first: 2, after: $after) { totalCount } remixes(first: 1) { totalCount } }
      author { records(first: 1, orderBy: OLDEST) { totalCount } }
    }
  }
}
""", """
query Skipped($id: ID!, $slug: String!) {
  record(id: $id) {
    descendants(maxDepth: 0) { record { lineageGraph(maxDepth: 2) { truncated } } }
    lineageGraph(maxDepth: 0) { nodes { id author { records(first: 3) { totalCount } } } }
  }
  class(slug: $slug) { instructors { records(first: 1) { totalCount } } }
  member(handle: "maker") { records(first: 2) { totalCount } }
}
"""]


async def test_arguments_a_statement_leaves_out_are_not_passed_to_it(
    api: Api, community: dict[str, Any], caplog: pytest.LogCaptureFixture,
) -> None:
    """Fields whose SQL skips their sub-tree (depth 0, a slug too long to exist) leave values
    unused; PostgreSQL refuses a parameter it cannot type, so none is passed."""
    variables = {"id": community["remix"], "slug": "x" * 80, "after": None}
    bodies = []
    with caplog.at_level(logging.WARNING, logger="hub.api.compiled"):
        for query in SKIPPED_PARAMETERS:
            body, statements = await both_ways(api, query, variables)
            assert statements == 1, body
            bodies.append(body["data"])
    assert [r for r in caplog.records if r.name == "hub.api.compiled"] == []
    assert bodies[0]["record"]["ancestors"] == bodies[1]["record"]["descendants"] == []
    assert bodies[1]["class"] is None


def _canonical(value: Any, graphql_type: Any) -> bool:
    """Whether ``value`` (decoded by the stdlib, which tells 1 from 1.0) is stored as the JSON
    of ``graphql_type``."""
    from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull

    if isinstance(graphql_type, GraphQLNonNull):
        return value is not None and _canonical(value, graphql_type.of_type)
    if value is None:
        return True
    if isinstance(graphql_type, GraphQLList):
        return isinstance(value, list) and all(_canonical(v, graphql_type.of_type) for v in value)
    if isinstance(graphql_type, GraphQLEnumType):
        return value in {getattr(v.value, "value", v.value) for v in graphql_type.values.values()}
    kinds = {"Float": (float,), "String": (str,), "ID": (str,), "Boolean": (bool,)}
    if graphql_type.name == "Int":
        return type(value) is int and -(2**31) <= value < 2**31
    return isinstance(value, kinds[graphql_type.name])


async def test_the_plugins_store_every_detail_as_its_graphql_type(api: Api) -> None:
    """Normalised details are canonical (146.0 in a Float field), so the compiled path reads
    them without converting and a reader of the JSON sees the type the schema promises."""
    await seed_demo(api.hub.db, api.hub.plugins)
    schema = api.hub.schema._schema
    rows = await api.hub.db.fetch("select media_type, details::text as details from records")
    checked = set()
    for row in rows:
        media_type = api.hub.plugins.media_types.get(row["media_type"])
        if media_type is None:
            continue
        graphql_type = schema.get_type(media_type.details_type.__strawberry_definition__.name)
        for graphql_name, graphql_field in graphql_type.fields.items():
            python_name = graphql_field.extensions["strawberry-definition"].python_name
            stored = json.loads(row["details"])
            if python_name in stored:
                assert _canonical(stored[python_name], graphql_field.type), (
                    row["media_type"], python_name, stored[python_name])
                checked.add((row["media_type"], graphql_name))
    assert ("music", "tempoBpm") in checked and len(checked) >= 10
