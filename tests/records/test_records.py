"""Records: create, update with optimistic concurrency, publish, unpublish, delete, read, list."""

from __future__ import annotations

import asyncio

from tests.api import CREATE_RECORD, PUBLISH_RECORD, Api

RECORD = """
query Record($id: ID!) {
  record(id: $id) {
    id title description tags license status version tombstone mediaType
    author { handle }
    details {
      __typename
      ... on MusicDetails { durationSeconds tempoBpm key genre instruments }
      ... on FilmDetails { durationSeconds aspectRatio genre role }
      ... on WritingDetails { form text wordCount }
    }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateRecordInput!) {
  updateRecord(input: $input) {
    record { title tags version details { ... on WritingDetails { text wordCount } } }
    errors { field message code }
  }
}
"""
UNPUBLISH = """
mutation Unpublish($id: ID!) {
  unpublishRecord(input: {id: $id}) { record { status } errors { field message code } }
}
"""
DELETE = """
mutation Delete($id: ID!) {
  deleteRecord(input: {id: $id}) { record { tombstone } errors { field message code } }
}
"""
MUSIC = {"music": {"durationSeconds": 215, "tempoBpm": 92.5, "key": "f# min", "genre": " Soul ",
                   "instruments": ["Piano", "voice", "piano"]}}


async def record_count(api: Api) -> int:
    return await api.hub.db.fetchval("select count(*) from records")


async def test_create_record_as_draft_with_normalised_details(api: Api) -> None:
    ada = await api.sign_up("ada")
    data = await api.gql(CREATE_RECORD, {"input": {
        "title": "  Harbor Lights ", "description": "A slow one.", "tags": ["Night", "night", "lofi"],
        "details": MUSIC,
    }}, token=ada.token)
    created = data["createRecord"]
    assert created["errors"] == []
    assert created["record"]["status"] == "DRAFT"
    assert created["record"]["version"] == 1
    record = (await api.gql(RECORD, {"id": created["record"]["id"]}, token=ada.token))["record"]
    assert record == {
        "id": created["record"]["id"], "title": "Harbor Lights", "description": "A slow one.",
        "tags": ["night", "lofi"], "license": "CC_BY_4_0", "status": "DRAFT", "version": 1,
        "tombstone": False, "mediaType": "music", "author": {"handle": "ada"},
        "details": {"__typename": "MusicDetails", "durationSeconds": 215, "tempoBpm": 92.5,
                    "key": "F# minor", "genre": "soul", "instruments": ["piano", "voice"]},
    }


async def test_writing_word_count_is_computed(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Poem", details={"writing": {
        "form": "POEM", "text": "The tide came in,\nwithout asking. It's late."}})
    data = await api.gql(RECORD, {"id": record["id"]}, token=ada.token)
    assert data["record"]["details"] == {
        "__typename": "WritingDetails", "form": "POEM",
        "text": "The tide came in,\nwithout asking. It's late.", "wordCount": 8}


async def test_drafts_are_visible_to_their_author_only(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    draft = await api.create_record(ada, "Secret")
    assert (await api.gql(RECORD, {"id": draft["id"]}, token=ada.token))["record"] is not None
    assert (await api.gql(RECORD, {"id": draft["id"]}, token=bob.token))["record"] is None
    assert (await api.gql(RECORD, {"id": draft["id"]}))["record"] is None
    nodes = await api.gql("query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }",
                          {"id": draft["id"]}, token=bob.token)
    assert nodes == {"node": None, "nodes": [None]}
    feed = await api.gql("{ records { totalCount } }")
    assert feed["records"]["totalCount"] == 0
    member_records = (
        "query($h: String!) { member(handle: $h) { records { totalCount nodes { title } } } }"
    )
    own = await api.gql(member_records, {"h": "ada"}, token=ada.token)
    assert own["member"]["records"] == {"totalCount": 1, "nodes": [{"title": "Secret"}]}
    others = await api.gql(member_records, {"h": "ada"}, token=bob.token)
    assert others["member"]["records"] == {"totalCount": 0, "nodes": []}


async def test_publish_makes_a_record_public(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Open", publish=True)
    data = await api.gql(RECORD, {"id": record["id"]})
    assert data["record"]["status"] == "PUBLISHED"
    assert data["record"]["version"] == 2


async def test_update_with_expected_version(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Draft one")
    data = await api.gql(UPDATE, {"input": {
        "id": record["id"], "expectedVersion": 1, "title": "Draft two",
        "details": {"writing": {"form": "STORY", "text": "one two three"}},
    }}, token=ada.token)
    assert data["updateRecord"] == {"errors": [], "record": {
        "title": "Draft two", "tags": [], "version": 2,
        "details": {"text": "one two three", "wordCount": 3}}}


async def test_stale_version_is_a_conflict_and_changes_nothing(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Original")
    await api.gql(UPDATE, {"input": {"id": record["id"], "expectedVersion": 1, "title": "Mine"}},
                  token=ada.token)
    data = await api.gql(UPDATE, {"input": {"id": record["id"], "expectedVersion": 1,
                                            "title": "Theirs"}}, token=ada.token)
    # The payload carries the record as it is now, so the client merges without a refetch.
    assert data["updateRecord"]["record"] == {
        "title": "Mine", "tags": [], "version": 2,
        "details": {"text": "A few words.", "wordCount": 3}}
    assert data["updateRecord"]["errors"] == [{
        "field": "expectedVersion", "code": "CONFLICT",
        "message": "The record changed since version 1; it is now at version 2. Reload it and "
                   "apply your change again."}]
    assert await api.hub.db.fetchval("select title from records") == "Mine"


async def test_concurrent_updates_one_wins_one_conflicts(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Race")
    results = await asyncio.gather(*(
        api.gql(UPDATE, {"input": {"id": record["id"], "expectedVersion": 1, "title": title}},
                token=ada.token)
        for title in ("Left", "Right")
    ))
    codes = sorted(str([e["code"] for e in r["updateRecord"]["errors"]]) for r in results)
    assert codes == ["['CONFLICT']", "[]"]
    winner = next(r for r in results if not r["updateRecord"]["errors"])["updateRecord"]["record"]
    row = await api.hub.db.fetchrow("select title, version from records")
    assert (row["title"], row["version"]) == (winner["title"], 2)


async def test_editing_someone_elses_record_is_forbidden(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    record = await api.create_record(ada, "Ada's", publish=True)
    errors = await api.errors(UPDATE, {"input": {"id": record["id"], "expectedVersion": 2,
                                                 "title": "Bob's now"}}, token=bob.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    draft = await api.create_record(ada, "Ada's draft")
    hidden = await api.gql(UPDATE, {"input": {"id": draft["id"], "expectedVersion": 1,
                                              "title": "x"}}, token=bob.token)
    assert hidden["updateRecord"]["errors"][0]["code"] == "NOT_FOUND"
    titles = {r["title"] for r in await api.hub.db.fetch("select title from records")}
    assert titles == {"Ada's", "Ada's draft"}


async def test_anonymous_cannot_create(api: Api) -> None:
    errors = await api.errors(CREATE_RECORD, {"input": {
        "title": "x", "details": {"writing": {"form": "POEM", "text": "x"}}}})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await record_count(api) == 0


async def test_invalid_details_name_the_field_and_write_nothing(api: Api) -> None:
    ada = await api.sign_up("ada")
    cases = [
        ({"music": {"durationSeconds": -5}}, "details.music.durationSeconds"),
        ({"music": {"tempoBpm": 1000}}, "details.music.tempoBpm"),
        ({"music": {"key": "H minor"}}, "details.music.key"),
        ({"film": {"aspectRatio": "wide"}}, "details.film.aspectRatio"),
        ({"writing": {"form": "POEM", "text": "   "}}, "details.writing.text"),
    ]
    for details, field in cases:
        data = await api.gql(CREATE_RECORD, {"input": {"title": "x", "details": details}},
                             token=ada.token)
        errors = data["createRecord"]["errors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, "INVALID_DETAILS")], details
    assert await record_count(api) == 0


async def test_details_must_name_exactly_one_enabled_media_type(api: Api) -> None:
    ada = await api.sign_up("ada")
    for details in ({}, {"music": {}, "film": {}}, {"sculpture": {"weight": 3}}):
        _, body = await api.post(CREATE_RECORD, {"input": {"title": "x", "details": details}},
                                 token=ada.token)
        assert body["errors"], details
        assert body.get("data") is None
    assert await record_count(api) == 0


async def test_a_100_kb_title_is_refused(api: Api) -> None:
    ada = await api.sign_up("ada")
    data = await api.gql(CREATE_RECORD, {"input": {
        "title": "x" * 100_000, "details": {"writing": {"form": "POEM", "text": "x"}}}},
        token=ada.token)
    assert data["createRecord"]["errors"] == [{
        "field": "title", "code": "TOO_LONG",
        "message": "title is 100,000 characters long; the maximum is 200."}]
    assert await record_count(api) == 0


async def test_malformed_and_wrong_type_ids(api: Api) -> None:
    ada = await api.sign_up("ada")
    for bad in ("%%%", "bm90IGFuIGlk", ada.id):
        errors = await api.errors(RECORD, {"id": bad})
        assert errors[0]["extensions"]["code"] == "INVALID_ID", bad
    wrong_type = await api.errors(RECORD, {"id": ada.id})
    assert "is a Member, expected a Record" in wrong_type[0]["message"]
    payload = await api.gql(PUBLISH_RECORD, {"id": "garbage"}, token=ada.token)
    assert payload["publishRecord"]["errors"][0]["code"] == "INVALID_ID"


async def test_unpublish_and_delete(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Short-lived", publish=True)
    data = await api.gql(UNPUBLISH, {"id": record["id"]}, token=ada.token)
    assert data["unpublishRecord"] == {"record": {"status": "UNPUBLISHED"}, "errors": []}
    assert (await api.gql(RECORD, {"id": record["id"]}))["record"] is None
    again = await api.gql(UNPUBLISH, {"id": record["id"]}, token=ada.token)
    assert again["unpublishRecord"]["errors"][0]["code"] == "INVALID_STATE"
    deleted = await api.gql(DELETE, {"id": record["id"]}, token=ada.token)
    assert deleted["deleteRecord"] == {"record": {"tombstone": True}, "errors": []}
    assert (await api.gql(RECORD, {"id": record["id"]}, token=ada.token))["record"] is None
    # The row stays as a tombstone: lineage and credit survive deletion.
    assert await record_count(api) == 1


async def test_publishing_a_deleted_record_is_refused(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Gone")
    await api.gql(DELETE, {"id": record["id"]}, token=ada.token)
    data = await api.gql(PUBLISH_RECORD, {"id": record["id"]}, token=ada.token)
    assert data["publishRecord"]["errors"] == [
        {"field": "id", "message": "This record has been deleted.", "code": "INVALID_STATE"}]
    assert await api.hub.db.fetchval("select status from records") == "DRAFT"


async def test_admins_may_unpublish_and_delete_but_not_edit(api: Api) -> None:
    admin = await api.sign_up("moderator", role="ADMIN")
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Spam?", publish=True)
    errors = await api.errors(UPDATE, {"input": {"id": record["id"], "expectedVersion": 2,
                                                 "title": "edited"}}, token=admin.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    data = await api.gql(UNPUBLISH, {"id": record["id"]}, token=admin.token)
    assert data["unpublishRecord"]["errors"] == []


async def test_other_members_cannot_delete(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    record = await api.create_record(ada, "Mine", publish=True)
    errors = await api.errors(DELETE, {"id": record["id"]}, token=bob.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert await api.hub.db.fetchval("select deleted_at from records") is None


FEED = """
query Feed($first: Int, $after: String, $last: Int, $before: String, $filter: RecordFilter,
           $orderBy: RecordOrder! = NEWEST) {
  records(first: $first, after: $after, last: $last, before: $before, filter: $filter,
          orderBy: $orderBy) {
    totalCount
    nodes { title }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def test_keyset_pagination_forward_and_back(api: Api) -> None:
    ada = await api.sign_up("ada")
    for i in range(7):
        await api.create_record(ada, f"R{i}", publish=True)
    first = (await api.gql(FEED, {"first": 3}))["records"]
    assert [n["title"] for n in first["nodes"]] == ["R6", "R5", "R4"]
    assert first["totalCount"] == 7
    assert first["pageInfo"]["hasNextPage"] is True
    second = (await api.gql(FEED, {"first": 3, "after": first["pageInfo"]["endCursor"]}))["records"]
    assert [n["title"] for n in second["nodes"]] == ["R3", "R2", "R1"]
    third = (await api.gql(FEED, {"first": 3, "after": second["pageInfo"]["endCursor"]}))["records"]
    assert [n["title"] for n in third["nodes"]] == ["R0"]
    assert third["pageInfo"]["hasNextPage"] is False
    back = (await api.gql(FEED, {"last": 2, "before": second["pageInfo"]["startCursor"]}))["records"]
    assert [n["title"] for n in back["nodes"]] == ["R5", "R4"]
    assert back["pageInfo"]["hasPreviousPage"] is True
    by_title = (await api.gql(FEED, {"first": 2, "orderBy": "TITLE"}))["records"]
    assert [n["title"] for n in by_title["nodes"]] == ["R0", "R1"]
    oldest = (await api.gql(FEED, {"first": 2, "orderBy": "OLDEST"}))["records"]
    assert [n["title"] for n in oldest["nodes"]] == ["R0", "R1"]


async def test_page_size_is_capped_with_a_clear_error(api: Api) -> None:
    errors = await api.errors(FEED, {"first": 1000})
    assert errors[0]["message"] == "first: 1000 is above the maximum page size of 100."
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    bad_cursor = await api.errors(FEED, {"first": 1, "after": "not-a-cursor"})
    assert "is not a cursor from this API" in bad_cursor[0]["message"]
    negative = await api.errors(FEED, {"first": -1})
    assert negative[0]["message"] == "first must not be negative (got -1)."


async def test_filters_and_full_text_search(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    await api.create_record(ada, "Harbor Song", details=MUSIC, tags=["sea"], publish=True)
    await api.create_record(bob, "City Story", publish=True, details={"writing": {
        "form": "STORY", "text": "The lighthouse keeper counted ships until morning."}})
    await api.create_record(bob, "Unseen Lighthouse")  # a draft: never in the feed

    async def titles(record_filter: dict) -> list[str]:
        data = await api.gql(FEED, {"filter": record_filter})
        return [n["title"] for n in data["records"]["nodes"]]

    assert await titles({"mediaType": "music"}) == ["Harbor Song"]
    assert await titles({"author": bob.id}) == ["City Story"]
    assert await titles({"tag": "SEA"}) == ["Harbor Song"]
    assert await titles({"search": "lighthouse"}) == ["City Story"]  # found in the story's text
    assert await titles({"search": "piano soul"}) == ["Harbor Song"]  # from the music details
    assert await titles({"search": "harbor -song"}) == []
    assert await titles({"mediaType": "writing", "author": ada.id}) == []


async def test_media_types_lists_enabled_plugins(api: Api) -> None:
    data = await api.gql("{ mediaTypes { key label } }")
    assert sorted(m["key"] for m in data["mediaTypes"]) == ["film", "image", "music", "writing"]


async def test_create_record_reports_every_problem_of_its_input_at_once(api: Api) -> None:
    ada = await api.sign_up("ada")
    data = await api.gql(CREATE_RECORD, {"input": {
        "title": " ", "tags": [f"t{i}" for i in range(21)],
        "details": {"music": {"durationSeconds": -5, "tempoBpm": 1000, "key": "H minor"}}}},
        token=ada.token)
    assert data["createRecord"]["errors"] == [
        {"field": "title", "code": "INVALID_INPUT", "message": "title must not be empty."},
        {"field": "tags", "code": "TOO_LONG", "message": "tags has 21 items; the maximum is 20."},
        {"field": "details.music.durationSeconds", "code": "INVALID_DETAILS",
         "message": "durationSeconds must be between 1 and 86400."},
        {"field": "details.music.tempoBpm", "code": "INVALID_DETAILS",
         "message": "tempoBpm must be between 20 and 400."},
        {"field": "details.music.key", "code": "INVALID_DETAILS",
         "message": "key: 'H minor' is not a musical key (e.g. 'C major', 'F# minor')."},
    ]
    film = await api.gql(CREATE_RECORD, {"input": {"title": "t", "details": {"film": {
        "durationSeconds": 0, "aspectRatio": "wide", "genre": "g" * 61}}}}, token=ada.token)
    assert [e["field"] for e in film["createRecord"]["errors"]] == [
        "details.film.durationSeconds", "details.film.genre", "details.film.aspectRatio"]
    assert await record_count(api) == 0


async def test_update_record_reports_a_conflict_with_the_other_problems(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Kept")
    data = await api.gql(UPDATE, {"input": {
        "id": record["id"], "expectedVersion": 7, "title": "", "description": "d" * 5001,
        "details": {"writing": {"form": "POEM", "text": " "}}}}, token=ada.token)
    assert [(e["field"], e["code"]) for e in data["updateRecord"]["errors"]] == [
        ("expectedVersion", "CONFLICT"), ("title", "INVALID_INPUT"), ("description", "TOO_LONG"),
        ("details.writing.text", "INVALID_DETAILS")]
    row = await api.hub.db.fetchrow("select title, version from records")
    assert (row["title"], row["version"]) == ("Kept", 1)
