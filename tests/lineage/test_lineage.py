"""Remix lineage: sources at creation and later, the rules (published, no self, no cycles even
under a race, a cap), sources/remixes connections, ancestors/descendants, the graph,
contributors, tombstones and diamonds."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from hub.core.relay import decode_id, encode_id
from tests.api import CREATE_RECORD, Api, Member
from tests.graphql_api.test_compiled import both_ways

ADD_SOURCE = """
mutation Add($input: AddSourceInput!) {
  addSource(input: $input) { record { title } errors { field message code } }
}
"""
REMOVE_SOURCE = """
mutation Remove($input: RemoveSourceInput!) {
  removeSource(input: $input) { record { title } errors { field message code } }
}
"""
LINKS = """
query Links($id: ID!) {
  record(id: $id) {
    remixCount
    sources(first: 10) {
      totalCount
      edges { note tombstone author { handle } node { title } }
    }
    remixes(first: 10) { totalCount nodes { title } }
  }
}
"""
REMIX_PAGES = """
query Remixes($id: ID!, $after: String) {
  record(id: $id) {
    remixes(first: 2, after: $after) {
      nodes { title } pageInfo { hasNextPage endCursor }
    }
  }
}
"""
ANCESTORS = """
query Ancestors($id: ID!, $maxDepth: Int) {
  record(id: $id) {
    ancestors(maxDepth: $maxDepth) { depth tombstone author { handle } record { title } }
  }
}
"""
DESCENDANTS = """
query Descendants($id: ID!, $maxDepth: Int) {
  record(id: $id) { descendants(maxDepth: $maxDepth) { depth tombstone record { title } } }
}
"""
GRAPH = """
query Graph($id: ID!, $direction: LineageDirection!, $maxDepth: Int) {
  record(id: $id) {
    lineageGraph(direction: $direction, maxDepth: $maxDepth) {
      nodes { id title author { handle } mediaType tombstone generation }
      edges { remix source }
      truncated
    }
  }
}
"""
CONTRIBUTORS = """
query Contributors($id: ID!) {
  record(id: $id) {
    contributors { member { handle } depth records { depth tombstone record { title } } }
  }
}
"""
DELETE = "mutation D($id: ID!) { deleteRecord(input: {id: $id}) { errors { code } } }"
UNPUBLISH = "mutation U($id: ID!) { unpublishRecord(input: {id: $id}) { errors { code } } }"


async def add(api: Api, who: Member, remix: dict, source: dict | str, note: str = "") -> dict:
    source_id = source if isinstance(source, str) else source["id"]
    data = await api.gql(ADD_SOURCE, {"input": {
        "recordId": remix["id"], "sourceId": source_id, "note": note}}, token=who.token)
    return data["addSource"]


async def edge_count(api: Api) -> int:
    return await api.hub.db.fetchval("select count(*) from record_sources")


async def query(api: Api, document: str, record: dict, who: Member | None = None,
                **variables: Any) -> Any:
    data = await api.gql(document, {"id": record["id"], **variables},
                         token=who.token if who else None)
    return data["record"]


def titles(entries: list[dict]) -> list[tuple[int, str | None]]:
    return [(e["depth"], e["record"]["title"] if e["record"] else None) for e in entries]


async def diamond(api: Api) -> tuple[Member, dict[str, dict]]:
    """A ← B, A ← C, B ← D, C ← D, D ← E (X ← Y: Y is made from X), all published."""
    ada = await api.sign_up("ada")
    r: dict[str, dict] = {}
    for name in "ABCDE":
        r[name] = await api.create_record(ada, name, publish=True)
    for remix, source in [("B", "A"), ("C", "A"), ("D", "B"), ("D", "C"), ("E", "D")]:
        assert (await add(api, ada, r[remix], r[source]))["errors"] == []
    return ada, r


# --- creating and changing links -----------------------------------------------------------------


async def test_create_record_with_sources_credits_them(api: Api) -> None:
    ada, bob, cy = await api.sign_up("ada"), await api.sign_up("bob"), await api.sign_up("cyd")
    song = await api.create_record(ada, "Harbor", publish=True)
    poem = await api.create_record(bob, "Tides", publish=True)
    remix = await api.create_record(cy, "Harbor Tides", sources=[song["id"], poem["id"]],
                                    publish=True)
    assert await query(api, LINKS, remix) == {
        "remixCount": 0,
        "sources": {"totalCount": 2, "edges": [
            {"note": "", "tombstone": False, "author": {"handle": "ada"},
             "node": {"title": "Harbor"}},
            {"note": "", "tombstone": False, "author": {"handle": "bob"},
             "node": {"title": "Tides"}}]},
        "remixes": {"totalCount": 0, "nodes": []},
    }
    assert await query(api, LINKS, song) == {
        "remixCount": 1, "sources": {"totalCount": 0, "edges": []},
        "remixes": {"totalCount": 1, "nodes": [{"title": "Harbor Tides"}]},
    }


async def test_add_and_remove_a_source_with_a_note(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    song = await api.create_record(ada, "Harbor", publish=True)
    remix = await api.create_record(bob, "Harbor Dub")
    assert await add(api, bob, remix, song, "  Took the bass line. ") == {
        "record": {"title": "Harbor Dub"}, "errors": []}
    links = await query(api, LINKS, remix, bob)
    assert links["sources"]["edges"] == [{"note": "Took the bass line.", "tombstone": False,
                                          "author": {"handle": "ada"},
                                          "node": {"title": "Harbor"}}]
    removed = await api.gql(REMOVE_SOURCE, {"input": {"recordId": remix["id"],
                                                      "sourceId": song["id"]}}, token=bob.token)
    assert removed == {"removeSource": {"record": {"title": "Harbor Dub"}, "errors": []}}
    again = await api.gql(REMOVE_SOURCE, {"input": {"recordId": remix["id"],
                                                    "sourceId": song["id"]}}, token=bob.token)
    assert again == {"removeSource": {"record": None, "errors": [
        {"field": "sourceId", "message": "That record is not a source of this one.",
         "code": "NOT_FOUND"}]}}
    assert await edge_count(api) == 0


async def test_sources_keep_the_authors_order_across_adds(api: Api) -> None:
    ada = await api.sign_up("ada")
    first, second, third = [await api.create_record(ada, t, publish=True) for t in "XYZ"]
    remix = await api.create_record(ada, "Mix", sources=[third["id"], first["id"]])
    await add(api, ada, remix, second)
    links = await query(api, LINKS, remix, ada)
    assert [e["node"]["title"] for e in links["sources"]["edges"]] == ["Z", "X", "Y"]


async def test_remixes_page_newest_first(api: Api) -> None:
    ada = await api.sign_up("ada")
    song = await api.create_record(ada, "Song", publish=True)
    for title in ["R1", "R2", "R3"]:
        await api.create_record(ada, title, sources=[song["id"]], publish=True)
    page = (await query(api, REMIX_PAGES, song))["remixes"]
    assert [n["title"] for n in page["nodes"]] == ["R3", "R2"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = (await query(api, REMIX_PAGES, song, after=page["pageInfo"]["endCursor"]))["remixes"]
    assert rest == {"nodes": [{"title": "R1"}], "pageInfo": {
        "hasNextPage": False, "endCursor": rest["pageInfo"]["endCursor"]}}


REMIXES_BACKWARD = """
query Backward($id: ID!, $before: String) {
  record(id: $id) {
    remixes(last: 2, before: $before) {
      nodes { title } pageInfo { hasPreviousPage hasNextPage startCursor }
    }
  }
}
"""
LAST_SOURCE = """
query LastSource($id: ID!) {
  record(id: $id) {
    sources(last: 1) { nodes { title } pageInfo { hasPreviousPage hasNextPage } }
  }
}
"""


async def test_remixes_and_sources_page_backwards(api: Api) -> None:
    ada = await api.sign_up("ada")
    song = await api.create_record(ada, "Song", publish=True)
    remixes = [await api.create_record(ada, title, sources=[song["id"]], publish=True)
               for title in ["R1", "R2", "R3"]]
    # The last two of the newest-first list, in list order; the same compiled and executed.
    body, _ = await both_ways(api, REMIXES_BACKWARD, {"id": song["id"]})
    page = body["data"]["record"]["remixes"]
    assert [n["title"] for n in page["nodes"]] == ["R2", "R1"]
    assert (page["pageInfo"]["hasPreviousPage"], page["pageInfo"]["hasNextPage"]) == (True, False)
    body, _ = await both_ways(api, REMIXES_BACKWARD, {
        "id": song["id"], "before": page["pageInfo"]["startCursor"]})
    rest = body["data"]["record"]["remixes"]
    assert [n["title"] for n in rest["nodes"]] == ["R3"]
    assert (rest["pageInfo"]["hasPreviousPage"], rest["pageInfo"]["hasNextPage"]) == (False, True)
    # Sources are in the author's order; the last one is the one named last.
    mix = await api.create_record(ada, "Mix", publish=True,
                                  sources=[remixes[2]["id"], song["id"]])
    body, _ = await both_ways(api, LAST_SOURCE, {"id": mix["id"]})
    assert body["data"]["record"]["sources"] == {
        "nodes": [{"title": "Song"}],
        "pageInfo": {"hasPreviousPage": True, "hasNextPage": False}}


# --- the rules -----------------------------------------------------------------------------------


async def test_a_record_is_not_its_own_source(api: Api) -> None:
    ada = await api.sign_up("ada")
    song = await api.create_record(ada, "Song", publish=True)
    assert await add(api, ada, song, song) == {"record": None, "errors": [
        {"field": "sourceId", "message": "A record cannot be its own source.",
         "code": "SELF_SOURCE"}]}
    assert await edge_count(api) == 0


CYCLE_ERROR = {"record": None, "errors": [{
    "field": "sourceId", "code": "CYCLE",
    "message": "That record is already made (directly or through other remixes) from this one; "
               "naming it as a source would make a cycle."}]}


async def test_direct_cycle_is_refused(api: Api) -> None:
    ada = await api.sign_up("ada")
    a = await api.create_record(ada, "A", publish=True)
    b = await api.create_record(ada, "B", sources=[a["id"]], publish=True)
    assert await add(api, ada, a, b) == CYCLE_ERROR
    assert await edge_count(api) == 1


async def published_chain(api: Api, length: int) -> list[dict]:
    """``length`` published records by the first member, each made from the one before
    (written in SQL: a chain this long through the API would hit the mutation rate limit)."""
    author_id = await api.hub.db.fetchval("select min(id) from members")
    rows = await api.hub.db.fetch(
        "insert into records (author_id, media_type, title, license, status) "
        "select $1, 'writing', 'R' || i, 'CC_BY_4_0', 'PUBLISHED' "
        "from generate_series(0, $2 - 1) i returning id", author_id, length)
    ids = sorted(row["id"] for row in rows)
    await api.hub.db.executemany(
        "insert into record_sources (remix_id, source_id, position) values ($1, $2, 1)",
        list(zip(ids[1:], ids[:-1], strict=True)))
    return [{"id": encode_id("Record", pk)} for pk in ids]


async def test_long_cycle_is_refused(api: Api) -> None:
    ada = await api.sign_up("ada")
    chain = await published_chain(api, 60)  # longer than the 50-generation read cap
    assert await add(api, ada, chain[0], chain[-1]) == CYCLE_ERROR
    assert await add(api, ada, chain[10], chain[30]) == CYCLE_ERROR
    assert len((await query(api, DESCENDANTS, chain[0], maxDepth=50))["descendants"]) == 50
    assert (await add(api, ada, chain[30], chain[10]))["errors"] == []  # a shortcut is fine
    assert await edge_count(api) == 60
    # R30 is now 11 generations from R0, so everything is within 50.
    assert len((await query(api, DESCENDANTS, chain[0], maxDepth=50))["descendants"]) == 59


async def test_two_requests_racing_to_close_a_cycle_one_wins(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    for round_ in range(5):
        a = await api.create_record(ada, f"A{round_}", publish=True)
        b = await api.create_record(bob, f"B{round_}", publish=True)
        results = await asyncio.gather(add(api, ada, a, b), add(api, bob, b, a))
        assert sorted(r["errors"] == [] for r in results) == [False, True], results
        assert [r for r in results if r["errors"]] == [CYCLE_ERROR]
        edges = await api.hub.db.fetchval(
            "select count(*) from record_sources where remix_id = any($1::bigint[])",
            [int(await api.hub.db.fetchval("select max(id) from records")) - i for i in (0, 1)],
        )
        assert edges == 1
    assert await edge_count(api) == 5


async def test_sources_must_be_published_or_your_own(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    remix = await api.create_record(ada, "Remix")
    own_draft = await api.create_record(ada, "My sketch")
    bobs_draft = await api.create_record(bob, "Bob's sketch")
    withdrawn = await api.create_record(bob, "Withdrawn", publish=True)
    await api.gql(UNPUBLISH, {"id": withdrawn["id"]}, token=bob.token)
    gone = await api.create_record(bob, "Gone", publish=True)
    await api.gql(DELETE, {"id": gone["id"]}, token=bob.token)

    assert (await add(api, ada, remix, own_draft))["errors"] == []
    assert (await add(api, ada, remix, bobs_draft))["errors"] == [
        {"field": "sourceId", "message": f"No record {bobs_draft['id']!r}.", "code": "NOT_FOUND"}]
    assert (await add(api, ada, remix, withdrawn))["errors"] == [{
        "field": "sourceId", "code": "SOURCE_NOT_PUBLISHED",
        "message": f"Record {withdrawn['id']!r} is not published; only published records (or "
                   "your own) can be sources."}]
    assert (await add(api, ada, remix, gone))["errors"] == [{
        "field": "sourceId", "code": "SOURCE_NOT_PUBLISHED",
        "message": f"Record {gone['id']!r} has been deleted; it cannot become a source."}]
    assert await edge_count(api) == 1


async def test_unknown_and_malformed_ids(api: Api) -> None:
    ada = await api.sign_up("ada")
    remix = await api.create_record(ada, "Remix")
    song = await api.create_record(ada, "Song", publish=True)
    missing = "UmVjb3JkOjk5OTk5"  # Record:99999
    assert (await add(api, ada, remix, missing))["errors"] == [
        {"field": "sourceId", "message": f"No record {missing!r}.", "code": "NOT_FOUND"}]
    assert (await add(api, ada, remix, "nonsense"))["errors"] == [
        {"field": "sourceId", "message": "'nonsense' is not a record ID.", "code": "INVALID_ID"}]
    assert (await add(api, ada, {"id": missing}, song))["errors"] == [
        {"field": "recordId", "message": f"No record {missing!r}.", "code": "NOT_FOUND"}]
    data = await api.gql(CREATE_RECORD, {"input": {
        "title": "Orphan", "details": {"writing": {"form": "POEM", "text": "x"}},
        "sources": [song["id"], missing]}}, token=ada.token)
    assert data["createRecord"] == {"record": None, "errors": [
        {"field": "sources", "message": f"No record {missing!r}.", "code": "NOT_FOUND"}]}
    assert await api.hub.db.fetchval("select count(*) from records") == 2
    assert await edge_count(api) == 0


async def test_naming_a_source_twice_is_a_conflict(api: Api) -> None:
    ada = await api.sign_up("ada")
    song = await api.create_record(ada, "Song", publish=True)
    remix = await api.create_record(ada, "Remix", sources=[song["id"], song["id"]])
    assert (await add(api, ada, remix, song))["errors"] == [{
        "field": "sourceId", "message": "That record is already a source of this one.",
        "code": "CONFLICT"}]
    assert await edge_count(api) == 1


async def test_too_many_sources(api: Api) -> None:
    api.hub.settings = replace(api.hub.settings, max_sources=3)
    ada = await api.sign_up("ada")
    songs = [await api.create_record(ada, f"S{i}", publish=True) for i in range(4)]
    data = await api.gql(CREATE_RECORD, {"input": {
        "title": "Greedy", "details": {"writing": {"form": "POEM", "text": "x"}},
        "sources": [s["id"] for s in songs]}}, token=ada.token)
    assert data["createRecord"] == {"record": None, "errors": [{
        "field": "sources", "code": "TOO_MANY_SOURCES",
        "message": "A record can name at most 3 direct sources; this would make it 4."}]}
    remix = await api.create_record(ada, "Fair", sources=[s["id"] for s in songs[:3]])
    assert (await add(api, ada, remix, songs[3]))["errors"] == [{
        "field": "sourceId", "code": "TOO_MANY_SOURCES",
        "message": "A record can name at most 3 direct sources; this would make it 4."}]
    assert await edge_count(api) == 3


async def test_ten_thousand_sources_in_one_call_are_refused_cheaply(api: Api) -> None:
    ada = await api.sign_up("ada")
    ids = [f"id-{i}" for i in range(10_000)]
    before = api.statements()
    data = await api.gql(CREATE_RECORD, {"input": {
        "title": "Everything", "details": {"writing": {"form": "POEM", "text": "x"}},
        "sources": ids}}, token=ada.token)
    assert data["createRecord"]["errors"][0]["code"] == "TOO_MANY_SOURCES"
    # The session, the mutation's count against the shared rate limit, and the insert rolled
    # back: no lookup of any source.
    assert api.statements() - before <= 3
    assert await api.hub.db.fetchval("select count(*) from records") == 0


async def test_only_the_remix_author_changes_its_sources(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    remix = await api.create_record(ada, "Remix", publish=True)
    song = await api.create_record(bob, "Song", publish=True)
    for document in (ADD_SOURCE, REMOVE_SOURCE):
        errors = await api.errors(document, {"input": {"recordId": remix["id"],
                                                       "sourceId": song["id"]}}, token=bob.token)
        assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
        anonymous = await api.errors(document, {"input": {"recordId": remix["id"],
                                                          "sourceId": song["id"]}})
        assert [e["extensions"]["code"] for e in anonymous] == ["UNAUTHENTICATED"]
    assert await edge_count(api) == 0


# --- walks ---------------------------------------------------------------------------------------


async def test_ancestors_of_a_diamond_list_each_record_once_at_its_shortest_depth(api: Api) -> None:
    ada, r = await diamond(api)
    ancestors = (await query(api, ANCESTORS, r["E"]))["ancestors"]
    assert titles(ancestors) == [(1, "D"), (2, "B"), (2, "C"), (3, "A")]
    assert (await query(api, ANCESTORS, r["E"], maxDepth=2))["ancestors"] == ancestors[:3]
    assert await add(api, ada, r["E"], r["A"]) == {"record": {"title": "E"}, "errors": []}
    shortcut = (await query(api, ANCESTORS, r["E"]))["ancestors"]
    assert titles(shortcut) == [(1, "A"), (1, "D"), (2, "B"), (2, "C")]
    assert shortcut[0]["author"] == {"handle": "ada"}


async def test_descendants_of_a_diamond(api: Api) -> None:
    _, r = await diamond(api)
    descendants = (await query(api, DESCENDANTS, r["A"]))["descendants"]
    assert titles(descendants) == [(1, "B"), (1, "C"), (2, "D"), (3, "E")]
    assert titles((await query(api, DESCENDANTS, r["A"], maxDepth=1))["descendants"]) == [
        (1, "B"), (1, "C")]
    assert (await query(api, DESCENDANTS, r["A"], maxDepth=0))["descendants"] == []


async def test_max_depth_is_capped(api: Api) -> None:
    ada = await api.sign_up("ada")
    song = await api.create_record(ada, "Song", publish=True)
    for depth in (51, -1):
        for document in (ANCESTORS, DESCENDANTS):
            errors = await api.errors(document, {"id": song["id"], "maxDepth": depth})
            assert [(e["message"], e["extensions"]) for e in errors] == [(
                f"maxDepth must be between 0 and 50 (got {depth}).",
                {"code": "BAD_USER_INPUT", "limit": 50})]
        errors = await api.errors(GRAPH, {"id": song["id"], "direction": "BOTH",
                                          "maxDepth": depth})
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_lineage_graph_of_a_diamond(api: Api) -> None:
    _, r = await diamond(api)
    graph = (await query(api, GRAPH, r["D"], direction="BOTH"))["lineageGraph"]

    def node(name: str, generation: int) -> dict:
        return {"id": r[name]["id"], "title": name, "author": {"handle": "ada"},
                "mediaType": "writing", "tombstone": False, "generation": generation}

    assert graph["nodes"] == [node("D", 0), node("B", -1), node("C", -1), node("E", 1),
                              node("A", -2)]
    assert sorted((e["remix"], e["source"]) for e in graph["edges"]) == sorted(
        (r[a]["id"], r[b]["id"]) for a, b in [("B", "A"), ("C", "A"), ("D", "B"), ("D", "C"),
                                              ("E", "D")])
    assert graph["truncated"] is False
    up = (await query(api, GRAPH, r["D"], direction="ANCESTORS", maxDepth=1))["lineageGraph"]
    assert [n["title"] for n in up["nodes"]] == ["D", "B", "C"]
    assert len(up["edges"]) == 2


async def test_lineage_graph_is_capped_and_says_so(api: Api) -> None:
    ada = await api.sign_up("ada")
    song = await api.create_record(ada, "Song", publish=True)
    author_id = await api.hub.db.fetchval("select id from members")
    ids = await api.hub.db.fetch(
        "insert into records (author_id, media_type, title, license, status) "
        "select $1, 'writing', 'Remix ' || i, 'CC_BY_4_0', 'PUBLISHED' "
        "from generate_series(1, 600) i returning id", author_id)
    song_id = await api.hub.db.fetchval("select min(id) from records")
    await api.hub.db.executemany(
        "insert into record_sources (remix_id, source_id, position) values ($1, $2, 1)",
        [(row["id"], song_id) for row in ids])
    graph = (await query(api, GRAPH, song, direction="DESCENDANTS"))["lineageGraph"]
    assert (len(graph["nodes"]), len(graph["edges"]), graph["truncated"]) == (500, 499, True)
    assert (await query(api, LINKS, song))["remixCount"] == 600


async def test_contributors_are_credited_at_their_nearest_depth(api: Api) -> None:
    ada, bob, cy = await api.sign_up("ada"), await api.sign_up("bob"), await api.sign_up("cyd")
    a1 = await api.create_record(ada, "A1", publish=True)
    b1 = await api.create_record(bob, "B1", sources=[a1["id"]], publish=True)
    a2 = await api.create_record(ada, "A2", sources=[b1["id"]], publish=True)
    c1 = await api.create_record(cy, "C1", sources=[a2["id"]], publish=True)
    assert (await query(api, CONTRIBUTORS, c1))["contributors"] == [
        {"member": {"handle": "cyd"}, "depth": 0,
         "records": [{"depth": 0, "tombstone": False, "record": {"title": "C1"}}]},
        {"member": {"handle": "ada"}, "depth": 1,
         "records": [{"depth": 1, "tombstone": False, "record": {"title": "A2"}},
                     {"depth": 3, "tombstone": False, "record": {"title": "A1"}}]},
        {"member": {"handle": "bob"}, "depth": 2,
         "records": [{"depth": 2, "tombstone": False, "record": {"title": "B1"}}]},
    ]


# --- tombstones ----------------------------------------------------------------------------------


async def test_a_deleted_source_stays_as_a_tombstone_and_keeps_its_credit(api: Api) -> None:
    ada, bob, cy = await api.sign_up("ada"), await api.sign_up("bob"), await api.sign_up("cyd")
    original = await api.create_record(ada, "Original", publish=True)
    middle = await api.create_record(bob, "Middle", sources=[original["id"]], publish=True)
    remix = await api.create_record(cy, "Remix", sources=[middle["id"]], publish=True)
    assert (await api.gql(DELETE, {"id": middle["id"]}, token=bob.token)) == {
        "deleteRecord": {"errors": []}}

    ancestors = (await query(api, ANCESTORS, remix))["ancestors"]
    assert ancestors == [
        {"depth": 1, "tombstone": True, "author": {"handle": "bob"}, "record": None},
        {"depth": 2, "tombstone": False, "author": {"handle": "ada"},
         "record": {"title": "Original"}}]
    links = await query(api, LINKS, remix)
    assert links["sources"]["edges"] == [
        {"note": None, "tombstone": True, "author": {"handle": "bob"}, "node": None}]
    graph = (await query(api, GRAPH, remix, direction="ANCESTORS"))["lineageGraph"]
    assert [(n["title"], n["author"]["handle"], n["tombstone"]) for n in graph["nodes"]] == [
        ("Remix", "cyd", False), (None, "bob", True), ("Original", "ada", False)]
    assert [c["member"]["handle"] for c in
            (await query(api, CONTRIBUTORS, remix))["contributors"]] == ["cyd", "bob", "ada"]
    # The original's descendants still reach the remix through the tombstone.
    assert titles((await query(api, DESCENDANTS, original))["descendants"]) == [
        (1, None), (2, "Remix")]
    # And the remix keeps working: it can still gain sources.
    other = await api.create_record(ada, "Other", publish=True)
    assert (await add(api, cy, remix, other))["errors"] == []


async def test_unpublished_and_draft_records_are_tombstones_to_others_only(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    song = await api.create_record(ada, "Song", publish=True)
    draft_remix = await api.create_record(bob, "Bob's draft", sources=[song["id"]])
    await api.gql(UNPUBLISH, {"id": song["id"]}, token=ada.token)
    published_remix = await api.create_record(ada, "Ada's remix", sources=[song["id"]],
                                              publish=True)
    # Anonymous: the unpublished song is a tombstone; so is Bob's draft remix of it.
    assert titles((await query(api, ANCESTORS, published_remix))["ancestors"]) == [(1, None)]
    # Ada sees her own unpublished song in full.
    assert titles((await query(api, ANCESTORS, published_remix, ada))["ancestors"]) == [
        (1, "Song")]
    assert titles((await query(api, DESCENDANTS, published_remix))["descendants"]) == []
    await api.gql(
        "mutation P($id: ID!) { publishRecord(input: {id: $id}) { errors { code } } }",
        {"id": song["id"]}, token=ada.token)
    song_remixes = (await query(api, LINKS, song))["remixes"]
    assert song_remixes == {"totalCount": 2, "nodes": [{"title": "Ada's remix"}, None]}
    bobs_view = (await query(api, LINKS, song, bob))["remixes"]["nodes"]
    assert bobs_view == [{"title": "Ada's remix"}, {"title": "Bob's draft"}]
    assert await query(api, ANCESTORS, draft_remix) is None  # the draft itself stays hidden


# --- no N+1 --------------------------------------------------------------------------------------

FEED_WITH_LINEAGE = """
query Feed($first: Int!) {
  records(first: $first) {
    nodes {
      title
      sources(first: 5) { nodes { author { handle } } }
      remixCount
      ancestors(maxDepth: 3) { depth author { handle } record { title } }
    }
  }
}
"""


async def test_feed_with_lineage_costs_the_same_for_5_or_50_records(api: Api) -> None:
    api.allow_cost(10_000_000)  # 50 records × 10,000 ancestors each, at worst
    members = [await api.sign_up(f"member{i}") for i in range(5)]
    author_ids = [row["id"] for row in await api.hub.db.fetch("select id from members")]
    await api.hub.db.executemany(
        "insert into records (author_id, media_type, title, license, status) "
        "values ($1, 'writing', $2, 'CC_BY_4_0', 'PUBLISHED')",
        [(author_ids[i % 5], f"R{i}") for i in range(60)])
    ids = [row["id"] for row in await api.hub.db.fetch("select id from records order by id")]
    await api.hub.db.executemany(
        "insert into record_sources (remix_id, source_id, position) values ($1, $2, $3)",
        [(ids[i], ids[i - k], k) for i in range(3, 60) for k in (1, 2, 3)])
    assert members

    async def cost(first: int) -> int:
        before = api.statements()
        data = await api.gql(FEED_WITH_LINEAGE, {"first": first})
        assert len(data["records"]["nodes"]) == first
        return api.statements() - before

    assert await cost(5) == await cost(50) == 1  # compiled (hub/compiled)
    with api.executor_only():
        # the page; sources (one LATERAL); authors; remix counts; ancestors (one recursive CTE)
        assert await cost(5) == await cost(50) == 5


# --- what tombstones hide, what published lineage keeps --------------------------------------------

LINK_NOTES = """
query Notes($id: ID!) {
  record(id: $id) {
    sources(first: 5) { edges { recordId tombstone note } }
    remixes(first: 5) { edges { recordId tombstone note } }
  }
}
"""


async def test_a_link_to_a_tombstone_hides_its_note(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    harbor = await api.create_record(ada, "Harbor", publish=True)
    dub = await api.create_record(bob, "Dub")  # a draft remix: its note is bob's, unpublished
    assert (await add(api, bob, dub, harbor, "Took the bass line of verse two."))["errors"] == []
    for viewer in (None, ada):
        remixes = (await query(api, LINK_NOTES, harbor, viewer))["remixes"]["edges"]
        assert remixes == [{"recordId": dub["id"], "tombstone": True, "note": None}]
    remixes = (await query(api, LINK_NOTES, harbor, bob))["remixes"]["edges"]
    assert remixes == [{"recordId": dub["id"], "tombstone": False,
                        "note": "Took the bass line of verse two."}]
    # The other way round: a published record whose source is its author's draft.
    sketch = await api.create_record(bob, "Sketch")
    song = await api.create_record(bob, "Song", publish=True)
    assert (await add(api, bob, song, sketch, "The hook from my sketch."))["errors"] == []
    for viewer, expected in ((None, None), (ada, None), (bob, "The hook from my sketch.")):
        sources = (await query(api, LINK_NOTES, song, viewer))["sources"]["edges"]
        assert [edge["note"] for edge in sources] == [expected]


async def test_a_published_lineage_keeps_its_sources(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    harbor = await api.create_record(ada, "Harbor", publish=True)

    async def remove(remix: dict) -> dict:
        data = await api.gql(REMOVE_SOURCE, {"input": {"recordId": remix["id"],
                                                       "sourceId": harbor["id"]}},
                             token=bob.token)
        return data["removeSource"]

    published = await api.create_record(bob, "Published dub", publish=True,
                                        sources=[harbor["id"]])
    withdrawn = await api.create_record(bob, "Withdrawn dub", publish=True,
                                        sources=[harbor["id"]])
    await api.gql(UNPUBLISH, {"id": withdrawn["id"]}, token=bob.token)
    # A draft never published, but remixed by a published record of its author's.
    behind = await api.create_record(bob, "Draft behind", sources=[harbor["id"]])
    await api.create_record(bob, "Published on top", publish=True, sources=[behind["id"]])
    for remix in (published, withdrawn, behind):
        result = await remove(remix)
        assert result["record"] is None
        assert [(e["field"], e["code"]) for e in result["errors"]] == [
            ("sourceId", "SOURCE_LOCKED")], remix["title"]
    assert await edge_count(api) == 4
    # A lineage that never went public may change; the removal is recorded.
    draft = await api.create_record(bob, "Just a draft")
    await add(api, bob, draft, harbor, "Borrowed the harbor bells.")
    assert (await remove(draft))["errors"] == []
    removed = await api.hub.db.fetch(
        "select remix_id, source_id, note, removed_by from record_source_removals")
    assert [tuple(row) for row in removed] == [
        (decode_id(draft["id"], "Record"), decode_id(harbor["id"], "Record"),
         "Borrowed the harbor bells.", decode_id(bob.id, "Member"))]
    assert (await add(api, bob, published, await api.create_record(ada, "More", publish=True)))[
        "errors"] == []  # sources can still be added


async def test_every_bad_source_of_a_new_record_is_reported(api: Api) -> None:
    ada = await api.sign_up("ada")
    bea = await api.sign_up("bea")
    draft = await api.create_record(bea, "Bea's draft")
    fine = await api.create_record(ada, "Fine", publish=True)
    data = await api.gql(CREATE_RECORD, {"input": {
        "title": "Remix", "details": {"writing": {"form": "POEM", "text": "x"}},
        "sources": [fine["id"], "nonsense", encode_id("Member", 1)]}}, token=ada.token)
    assert [(e["field"], e["code"]) for e in data["createRecord"]["errors"]] == [
        ("sources", "INVALID_ID"), ("sources", "INVALID_ID")]
    data = await api.gql(CREATE_RECORD, {"input": {
        "title": "Remix", "details": {"writing": {"form": "POEM", "text": "x"}},
        "sources": [draft["id"], fine["id"], encode_id("Record", 999)]}}, token=ada.token)
    assert [(e["field"], e["code"]) for e in data["createRecord"]["errors"]] == [
        ("sources", "NOT_FOUND"), ("sources", "NOT_FOUND")]
    assert await api.hub.db.fetchval("select count(*) from records") == 2
    assert await edge_count(api) == 0
