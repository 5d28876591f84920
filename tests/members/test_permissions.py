"""Who sees what, from every side: anonymous, the author, another member, an editor, an admin.

A draft (and an unpublished or deleted record) must not be readable by anyone but its author
through any path: `record`, `node`, `nodes`, `records`, search, counts, lineage, `_entities`.
Where it is part of someone's lineage it shows as a tombstone (credit, no content).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import Api, Member

READ_PATHS = """
query Paths($id: ID!, $remix: ID!, $author: ID!, $reps: [_Any!]!) {
  record(id: $id) { title }
  node(id: $id) { id }
  nodes(ids: [$id]) { id }
  feed: records(filter: {author: $author}) { totalCount nodes { title } }
  search: records(filter: {search: "secretword"}) { totalCount nodes { title } }
  member(handle: "author") { records { totalCount nodes { title } } }
  remix: record(id: $remix) {
    sources(first: 5) { edges { tombstone node { title } author { handle } } }
    ancestors { tombstone record { title } }
    lineageGraph(direction: ANCESTORS) { nodes { title tombstone author { handle } } }
    contributors { member { handle } }
  }
  _entities(representations: $reps) { ... on Record { title } }
}
"""


@pytest.fixture
async def cast(api: Api) -> dict[str, Member]:
    return {
        "author": await api.sign_up("author"),
        "other": await api.sign_up("other"),
        "editor": await api.sign_up("editor", role="EDITOR"),
        "admin": await api.sign_up("admin", role="ADMIN"),
    }


async def read_everything(api: Api, cast: dict[str, Member], viewer: str | None,
                          draft: dict[str, Any], remix: dict[str, Any]) -> dict[str, Any]:
    _, body = await api.post(READ_PATHS, {
        "id": draft["id"], "remix": remix["id"], "author": cast["author"].id,
        "reps": [{"__typename": "Record", "id": draft["id"]}],
    }, token=cast[viewer].token if viewer else None)
    return body


@pytest.mark.parametrize("viewer", [None, "other", "editor", "admin"])
async def test_a_draft_is_invisible_to_everyone_but_its_author(
    api: Api, cast: dict[str, Member], viewer: str | None,
) -> None:
    author = cast["author"]
    draft = await api.create_record(author, "Draft with secretword")
    remix = await api.create_record(author, "Public remix", publish=True, sources=[draft["id"]])
    body = await read_everything(api, cast, viewer, draft, remix)
    data = body["data"]
    assert data["record"] is None and data["node"] is None and data["nodes"] == [None]
    assert data["feed"] == {"totalCount": 1, "nodes": [{"title": "Public remix"}]}
    assert data["search"] == {"totalCount": 0, "nodes": []}
    assert data["member"]["records"] == {"totalCount": 1, "nodes": [{"title": "Public remix"}]}
    # In the remix's lineage the draft is a tombstone: its author keeps the credit.
    lineage = data["remix"]
    assert lineage["sources"]["edges"] == [
        {"tombstone": True, "node": None, "author": {"handle": "author"}}]
    assert lineage["ancestors"] == [{"tombstone": True, "record": None}]
    assert {"title": None, "tombstone": True, "author": {"handle": "author"}} in \
        lineage["lineageGraph"]["nodes"]
    assert {c["member"]["handle"] for c in lineage["contributors"]} == {"author"}
    assert data["_entities"] == [None]
    assert all(e["extensions"]["code"] == "NOT_FOUND" for e in body["errors"])
    assert "secretword" not in str(body)


async def test_the_author_sees_the_draft_everywhere_it_belongs(
    api: Api, cast: dict[str, Member],
) -> None:
    author = cast["author"]
    draft = await api.create_record(author, "Draft with secretword")
    remix = await api.create_record(author, "Public remix", publish=True, sources=[draft["id"]])
    data = (await read_everything(api, cast, "author", draft, remix))["data"]
    assert data["record"] == {"title": "Draft with secretword"}
    assert data["node"] == {"id": draft["id"]} and data["nodes"] == [{"id": draft["id"]}]
    assert data["member"]["records"]["totalCount"] == 2
    assert data["remix"]["ancestors"] == [
        {"tombstone": False, "record": {"title": "Draft with secretword"}}]
    # The public feed and search stay public-only, even for the author.
    assert data["feed"]["totalCount"] == 1 and data["search"]["totalCount"] == 0


async def test_no_role_escalation(api: Api, cast: dict[str, Member]) -> None:
    set_role = """mutation($h: String!) { setRole(input: {handle: $h, role: ADMIN}) {
        errors { code } } }"""
    for who in ("author", "editor"):
        errors = await api.errors(set_role, {"h": who}, token=cast[who].token)
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    # The profile has no role to set: asking is a validation error, not a silent no-op.
    errors = await api.errors('mutation { updateProfile(input: {role: ADMIN}) { errors { code } } }',
                              token=cast["other"].token)
    assert "role" in errors[0]["message"]
    roles = {r["handle"]: r["role"] for r in await api.hub.db.fetch("select handle, role from members")}
    assert roles == {"author": "MEMBER", "other": "MEMBER", "editor": "EDITOR", "admin": "ADMIN"}
