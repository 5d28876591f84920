"""Comments on each kind of subject — collaborations, lessons, compilations (the team's
editorial notes) — and the comments of the demo data and of the benchmark's record page,
through the HTTP app."""

from __future__ import annotations

from tests.api import Api
from tests.conversations.test_conversations import SONG, add
from tests.paths import ROOT


async def test_notes_on_a_compilation_are_for_its_team(api: Api) -> None:
    eddie = await api.sign_up("eddie", role="EDITOR")
    edna = await api.sign_up("edna", role="EDITOR")
    ada = await api.sign_up("ada")
    from tests.compilations_api import create

    compilation = (await create(api, eddie, title="Tides"))["id"]
    note = await add(api, eddie, compilation, "Chapter 3 runs long")
    assert note["errors"] == []
    query = """query($id: ID!) { node(id: $id) { ... on Compilation {
        comments(first: 5) { totalCount nodes { body } } } } }"""
    team = (await api.gql(query, {"id": compilation}, token=eddie.token))["node"]
    assert team["comments"] == {"totalCount": 1, "nodes": [{"body": "Chapter 3 runs long"}]}
    # Another editor (not on this team) sees the draft compilation but not its notes.
    other = (await api.gql(query, {"id": compilation}, token=edna.token))["node"]
    assert other["comments"] == {"totalCount": 0, "nodes": []}
    refused = await add(api, edna, compilation, "Let me in")
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    refused = await add(api, ada, compilation, "Let me in")
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]


async def test_comments_on_collaborations(api: Api) -> None:
    from tests.collaborations_api import opened

    owner, ada = await api.sign_up("owner"), await api.sign_up("ada")
    call = (await opened(api, owner))["id"]
    payload = await add(api, ada, call, "Count me in")
    assert payload["errors"] == []
    query = """query($id: ID!) { collaboration(id: $id) { comments { totalCount
        nodes { body author { handle } } } } }"""
    assert (await api.gql(query, {"id": call}))["collaboration"]["comments"] == {
        "totalCount": 1, "nodes": [{"body": "Count me in", "author": {"handle": "ada"}}]}


async def test_the_bench_page_of_comments_is_compiled(api: Api) -> None:
    """bench/operations/record_comments.graphql: a record page with its first 50 comments and
    the heart state, one statement anonymously."""
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    song = await api.create_record(june, "Harbor Lights", details=SONG, publish=True)
    for i in range(3):
        await add(api, ada, song["id"], f"Comment {i}", atSeconds=i)
    text = (ROOT / "bench/operations/record_comments.graphql").read_text()
    before = api.statements()
    data = await api.gql(text, {"id": song["id"]})
    assert api.statements() - before == 1
    assert data["record"]["comments"]["totalCount"] == 3


async def test_the_demo_holds_threads_and_anchored_comments(api: Api) -> None:
    from hub.seed.demo import seed_demo

    counts = await seed_demo(api.hub.db, api.hub.plugins)
    assert counts["comments"] > 40
    db = api.hub.db
    assert await db.fetchval("select count(*) from comments where parent_id is not null") > 5
    assert await db.fetchval("select count(*) from comments where at_seconds is not null") > 5
    assert await db.fetchval("select count(*) from comments where quote is not null") > 0
    assert await db.fetchval("select count(*) from comments where cardinality(mention_ids) > 0")


async def test_lesson_comments_are_for_those_who_read_the_lesson(api: Api) -> None:
    from tests.classes.test_classes import enrolled, published_class

    teacher = await api.sign_up("teacher")
    cls, lessons = await published_class(api, teacher, lessons=2)
    learner = await enrolled(api, "learner", cls["id"])
    outsider = await api.sign_up("outsider")
    # The second lesson is locked for the outsider: its comments too (the first is too, since
    # the class has no free preview).
    lesson = lessons[1]["id"]
    assert (await add(api, learner, lesson, "Stuck on the prompt"))["errors"] == []
    assert (await add(api, teacher, lesson, "Office hours on Friday"))["errors"] == []
    refused = await add(api, outsider, lesson, "Me too")
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    query = """query($id: ID!) { node(id: $id) { ... on Lesson { locked
        comments { totalCount nodes { body } } } } }"""
    mine = (await api.gql(query, {"id": lesson}, token=learner.token))["node"]
    assert mine["comments"]["totalCount"] == 2
    theirs = (await api.gql(query, {"id": lesson}, token=outsider.token))["node"]
    assert theirs == {"locked": True, "comments": {"totalCount": 0, "nodes": []}}
