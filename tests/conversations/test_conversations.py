"""Comments through the HTTP app: threads, anchors, Markdown and mentions, editing and
deleting, who sees what (by the subject's own rule), bad input, floods, and the statements a
page of comments costs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from hub.core.config import Settings
from tests.api import Api, Member

ADD = """
mutation Add($input: AddCommentInput!) {
  addComment(input: $input) {
    comment { id body bodyHtml atSeconds quote quoteOffset author { handle }
              mentions { handle } deleted hidden edited }
    errors { field message code }
  }
}
"""

REPLY = """
mutation Reply($id: ID!, $body: String!) {
  replyToComment(input: {commentId: $id, body: $body}) {
    comment { id body } errors { field message code }
  }
}
"""

EDIT = """
mutation Edit($id: ID!, $body: String!) {
  editComment(input: {id: $id, body: $body}) {
    comment { id body edited editedAt previousBodies } errors { field message code }
  }
}
"""

DELETE = """
mutation Delete($id: ID!) {
  deleteComment(input: {id: $id}) {
    comment { id body bodyHtml deleted previousBodies } errors { field message code }
  }
}
"""

THREAD = """
query Thread($id: ID!, $order: CommentOrder, $first: Int, $after: String, $last: Int,
             $before: String) {
  record(id: $id) {
    comments(orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { body atSeconds quoteOffset deleted author { handle }
                            replies(first: 10) { totalCount nodes { body } } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""

SONG = {"music": {"durationSeconds": 215, "tempoBpm": 92, "key": "f# min"}}
STORY = {"writing": {"form": "STORY", "text": "The harbor lights went out one by one."}}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, security=replace(settings.security, comments_per_minute=1000))


async def add(api: Api, member: Member, subject: str, body: str, **anchor: Any,
              ) -> dict[str, Any]:
    data = await api.gql(ADD, {"input": {"subjectId": subject, "body": body, **anchor}},
                         token=member.token)
    return dict(data["addComment"])


async def comments_in_db(api: Api) -> int:
    count: int = await api.hub.db.fetchval("select count(*) from comments")
    return count


async def test_a_thread_on_a_published_record(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    song = await api.create_record(june, "Harbor Lights", details=SONG, publish=True)
    first = await add(api, ada, song["id"], "Love the *piano*, @june! See "
                      "[my cover](https://example.com/cover)")
    assert first["errors"] == []
    comment = first["comment"]
    assert comment["author"] == {"handle": "ada"}
    assert comment["mentions"] == [{"handle": "june"}]
    assert comment["bodyHtml"] == (
        '<p>Love the <em>piano</em>, @june! See <a href="https://example.com/cover" '
        'rel="nofollow ugc">my cover</a></p>\n')
    reply = (await api.gql(REPLY, {"id": comment["id"], "body": "Thank you!"},
                           token=june.token))["replyToComment"]
    assert reply["errors"] == []
    # A reply to a reply joins the root's thread: threads are one level deep.
    nested = (await api.gql(REPLY, {"id": reply["comment"]["id"], "body": "You're welcome"},
                            token=ada.token))["replyToComment"]
    assert nested["errors"] == []

    page = (await api.gql(THREAD, {"id": song["id"]}))["record"]["comments"]
    assert page["totalCount"] == 1
    assert page["edges"][0]["node"]["replies"] == {
        "totalCount": 2, "nodes": [{"body": "Thank you!"}, {"body": "You're welcome"}]}


async def test_markdown_is_rendered_safely(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    song = await api.create_record(june, "Harbor Lights", details=SONG, publish=True)
    payload = await add(api, ada, song["id"], "<script>alert(1)</script> "
                        "[x](javascript:alert(1)) # not a heading")
    html = payload["comment"]["bodyHtml"]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.replace("[x](javascript:alert(1))", "")
    assert "<h1>" not in html


async def test_unknown_mentions_are_listed_and_nothing_is_written(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    song = await api.create_record(june, "Harbor Lights", details=SONG, publish=True)
    payload = await add(api, ada, song["id"], "Hi @june, @nobody_here and @ghost!")
    assert payload == {"comment": None, "errors": [{
        "field": "body", "code": "UNKNOWN_MENTION",
        "message": "No member has the handle @nobody_here, @ghost."}]}
    many = " ".join(f"@ghost{i}" for i in range(25))
    payload = await add(api, ada, song["id"], many)
    assert payload["errors"][0]["message"].endswith("@ghost19 (and 5 more).")
    assert await comments_in_db(api) == 0


async def test_anchors_on_music_and_writing(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    song = await api.create_record(june, "Harbor Lights", details=SONG, publish=True)
    story = await api.create_record(june, "Lights Out", details=STORY, publish=True)
    late = await add(api, ada, song["id"], "The bridge!", atSeconds=120.5)
    early = await add(api, ada, song["id"], "The intro", atSeconds=3)
    await add(api, ada, song["id"], "Whole song: lovely")
    assert late["comment"]["atSeconds"] == 120.5 and early["errors"] == []
    passage = await add(api, ada, story["id"], "Beautiful image", quote="one by one",
                        quoteOffset=27)
    assert passage["errors"] == []
    assert passage["comment"]["quote"] == "one by one"

    in_order = (await api.gql(THREAD, {"id": song["id"], "order": "MEDIA_ORDER"}))
    bodies = [e["node"]["body"] for e in in_order["record"]["comments"]["edges"]]
    assert bodies == ["The intro", "The bridge!", "Whole song: lovely"]

    refused = [
        (song["id"], {"atSeconds": 215.5}, "atSeconds", "ANCHOR_OUT_OF_RANGE"),
        (song["id"], {"atSeconds": -1}, "atSeconds", "ANCHOR_OUT_OF_RANGE"),
        (story["id"], {"atSeconds": 1}, "atSeconds", "ANCHOR_OUT_OF_RANGE"),
        (story["id"], {"quote": "one by two", "quoteOffset": 27}, "quoteOffset",
         "ANCHOR_OUT_OF_RANGE"),
        (story["id"], {"quote": "one by one", "quoteOffset": 500}, "quoteOffset",
         "ANCHOR_OUT_OF_RANGE"),
        (song["id"], {"quote": "lights", "quoteOffset": 0}, "quote", "ANCHOR_OUT_OF_RANGE"),
        (story["id"], {"quote": "one"}, "quoteOffset", "INVALID_INPUT"),
    ]
    before = await comments_in_db(api)
    for subject, anchor, field, code in refused:
        payload = await add(api, ada, subject, "Here", **anchor)
        assert payload["comment"] is None, anchor
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)], anchor
    assert await comments_in_db(api) == before


async def test_bad_bodies_are_refused_and_nothing_is_written(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    song = await api.create_record(june, "Harbor Lights", details=SONG, publish=True)
    for body, code in [("", "INVALID_INPUT"), ("  \n\t ", "INVALID_INPUT"),
                       ("x" * 10_001, "TOO_LONG"), ("x" * 100_000, "TOO_LONG")]:
        payload = await add(api, ada, song["id"], body)
        assert payload["comment"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("body", code)]
    assert (await add(api, ada, song["id"], "x" * 10_000))["errors"] == []
    assert await comments_in_db(api) == 1


async def test_unknown_and_invisible_subjects_are_not_found(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    draft = await api.create_record(june, "Draft", details=SONG)
    other = draft["id"][:-2] + "zz"
    for subject, code in [(draft["id"], "NOT_FOUND"), ("UmVjb3JkOjk5OTk5", "NOT_FOUND"),
                          (june.id, "INVALID_ID"), (other, "INVALID_ID")]:
        payload = await add(api, ada, subject, "Hello")
        assert payload["comment"] is None
        assert [e["code"] for e in payload["errors"]] == [code], subject
    assert await comments_in_db(api) == 0


async def test_comments_on_a_draft_follow_the_drafts_rule(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    draft = await api.create_record(june, "Draft", details=SONG)
    note = await add(api, june, draft["id"], "Note to self: fix the bridge")
    assert note["errors"] == []
    comment = note["comment"]["id"]
    mine = (await api.gql(THREAD, {"id": draft["id"]}, token=june.token))["record"]
    assert mine["comments"]["totalCount"] == 1
    # Others do not see the draft, nor its comments, by any path.
    assert (await api.gql(THREAD, {"id": draft["id"]}, token=ada.token))["record"] is None
    node = "query($id: ID!) { node(id: $id) { id ... on Comment { body } } }"
    assert (await api.gql(node, {"id": comment}, token=ada.token))["node"] is None
    assert (await api.gql(node, {"id": comment}))["node"] is None
    assert (await api.gql(node, {"id": comment}, token=june.token))["node"]["body"]
    entities = ("query($reps: [_Any!]!) { _entities(representations: $reps) "
                "{ ... on Comment { body } } }")
    reps = {"reps": [{"__typename": "Comment", "id": comment}]}
    _, body = await api.post(entities, reps, token=ada.token)
    assert body["data"]["_entities"] == [None]
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await api.gql(entities, reps, token=june.token))["_entities"] == [
        {"body": "Note to self: fix the bridge"}]
    reply = (await api.gql(REPLY, {"id": comment, "body": "Hi"}, token=ada.token))
    assert [e["code"] for e in reply["replyToComment"]["errors"]] == ["NOT_FOUND"]


async def test_editing_keeps_history_for_the_author_only(api: Api) -> None:
    june, ada, bob = (await api.sign_up("june"), await api.sign_up("ada"),
                      await api.sign_up("bob"))
    song = await api.create_record(june, "Harbor Lights", details=SONG, publish=True)
    comment = (await add(api, ada, song["id"], "First take"))["comment"]["id"]
    edited = (await api.gql(EDIT, {"id": comment, "body": "Second take"},
                            token=ada.token))["editComment"]
    assert edited["errors"] == []
    assert edited["comment"]["edited"] is True and edited["comment"]["editedAt"]
    assert edited["comment"]["previousBodies"] == ["First take"]
    query = "query($id: ID!) { node(id: $id) { ... on Comment { body previousBodies } } }"
    assert (await api.gql(query, {"id": comment}, token=bob.token))["node"] == {
        "body": "Second take", "previousBodies": None}
    errors = await api.errors(EDIT, {"id": comment, "body": "Hijack"}, token=bob.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    empty = (await api.gql(EDIT, {"id": comment, "body": " "}, token=ada.token))["editComment"]
    assert [e["code"] for e in empty["errors"]] == ["INVALID_INPUT"]


async def test_deleting_leaves_a_tombstone(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    song = await api.create_record(june, "Harbor Lights", details=SONG, publish=True)
    comment = (await add(api, ada, song["id"], "Oops"))["comment"]["id"]
    await api.gql(REPLY, {"id": comment, "body": "What?"}, token=june.token)
    deleted = (await api.gql(DELETE, {"id": comment}, token=ada.token))["deleteComment"]
    assert deleted == {"errors": [], "comment": {
        "id": comment, "body": None, "bodyHtml": None, "deleted": True,
        "previousBodies": ["Oops"]}}
    page = (await api.gql(THREAD, {"id": song["id"]}))["record"]["comments"]
    node = page["edges"][0]["node"]
    assert (node["body"], node["deleted"], node["author"]) == (None, True, {"handle": "ada"})
    assert node["replies"]["nodes"] == [{"body": "What?"}]
    # No replies to a tombstone, no edits of one.
    reply = (await api.gql(REPLY, {"id": comment, "body": "Hello?"}, token=june.token))
    assert [e["code"] for e in reply["replyToComment"]["errors"]] == ["COMMENT_CLOSED"]
    edit = (await api.gql(EDIT, {"id": comment, "body": "Back"}, token=ada.token))
    assert [e["code"] for e in edit["editComment"]["errors"]] == ["COMMENT_CLOSED"]


async def test_keyset_pages_both_ways(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    song = await api.create_record(june, "Harbor Lights", details=SONG, publish=True)
    for i in range(5):
        await add(api, ada, song["id"], f"Comment {i}")
    first = (await api.gql(THREAD, {"id": song["id"], "first": 2}))["record"]["comments"]
    assert [e["node"]["body"] for e in first["edges"]] == ["Comment 0", "Comment 1"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = (await api.gql(THREAD, {"id": song["id"], "first": 2,
                                     "after": first["pageInfo"]["endCursor"]}))
    assert [e["node"]["body"] for e in second["record"]["comments"]["edges"]] == [
        "Comment 2", "Comment 3"]
    back = (await api.gql(THREAD, {"id": song["id"], "last": 2,
                                   "before": second["record"]["comments"]["pageInfo"]
                                   ["startCursor"]}))["record"]["comments"]
    assert [e["node"]["body"] for e in back["edges"]] == ["Comment 0", "Comment 1"]
    assert back["pageInfo"]["hasPreviousPage"] is False


PAGE = """
query Page($id: ID!, $first: Int!) {
  record(id: $id) {
    title
    comments(first: $first) {
      totalCount
      nodes { body bodyHtml atSeconds edited author { handle } mentions { handle }
              replies(first: 5) { totalCount nodes { body author { handle } } } }
    }
  }
}
"""


async def test_a_page_of_comments_is_one_statement_flat_in_page_size(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    song = await api.create_record(june, "Harbor Lights", details=SONG, publish=True)
    for i in range(12):
        comment = (await add(api, ada, song["id"], f"Comment {i} @june"))["comment"]["id"]
        await api.gql(REPLY, {"id": comment, "body": "Thanks"}, token=june.token)
    counts = []
    for first in (2, 10):
        before = api.statements()
        data = await api.gql(PAGE, {"id": song["id"], "first": first}, token=ada.token)
        counts.append(api.statements() - before)
        assert len(data["record"]["comments"]["nodes"]) == first
    # The viewer's session and the compiled statement, whatever the page size.
    assert counts == [2, 2]
    with api.executor_only():
        counts = []
        for first in (2, 10):
            before = api.statements()
            compiled = await api.gql(PAGE, {"id": song["id"], "first": first}, token=ada.token)
            counts.append(api.statements() - before)
        assert compiled == data
    assert counts[0] == counts[1]


async def test_comment_floods_are_rate_limited(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    song = await api.create_record(june, "Harbor Lights", details=SONG, publish=True)
    api.hub.rate_limits.comments_by_member = replace(api.hub.rate_limits.comments_by_member,
                                                     per_minute=3)
    for i in range(3):
        assert (await add(api, ada, song["id"], f"Comment {i}"))["errors"] == []
    status, body = await api.post(ADD, {"input": {"subjectId": song["id"], "body": "More"}},
                                  token=ada.token)
    assert status == 429
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert body["errors"][0]["message"].startswith("Too many comments")
    assert await comments_in_db(api) == 3
    # Other changes are still allowed.
    edited = await api.gql(EDIT, {"id": (await _first_comment(api, song["id"])),
                                  "body": "Edited"}, token=ada.token)
    assert edited["editComment"]["errors"] == []


async def _first_comment(api: Api, record: str) -> str:
    page = await api.gql("query($id: ID!) { record(id: $id) { comments(first: 1) "
                         "{ nodes { id } } } }", {"id": record})
    return str(page["record"]["comments"]["nodes"][0]["id"])


async def test_a_comment_costs_a_fixed_number_of_statements(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    song = await api.create_record(june, "Harbor Lights", details=SONG, publish=True)
    counts = []
    for anchor in ({}, {"atSeconds": 10}):
        before = api.statements()
        assert (await add(api, ada, song["id"], "Nice, @june", **anchor))["errors"] == []
        counts.append(api.statements() - before)
    # The session; the rate limits (mutations and comments: one statement); the subject's
    # visibility; the mentions; the insert; the comment read back; the outbox (one insert);
    # the notifications it causes (the comment's subject and mentions read once,
    # June's MENTIONED written in one statement); then the payload's author and mentions, one
    # batch, after the commit. An anchored comment reads the record's details too.
    assert counts == [10, 11]
