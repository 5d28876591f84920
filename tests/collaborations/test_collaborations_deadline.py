"""A collaboration closes by itself at its deadline, and the search of calls covers their
briefs and needs. Through the HTTP app against PostgreSQL; the compiled path and the
executor read the same."""

from __future__ import annotations

from typing import Any

from tests.api import Api
from tests.collaborations_api import (
    ACCEPT,
    CLOSE,
    COMPLETE,
    MUSIC,
    decide,
    later,
    need_of,
    offer,
    opened,
)
from tests.graphql_api.test_compiled import both_ways

STATUS = """query Status($id: ID!) { collaboration(id: $id) { status deadline } }"""
LIST = """query List($filter: CollaborationFilter) {
  collaborations(filter: $filter, first: 10) { totalCount nodes { title status } } }"""


async def past_deadline(api: Api, collaboration_id: str) -> None:
    """Time passes: the deadline (and its steps') is a second ago. Nothing else is written:
    no job runs, the row still says OPEN."""
    from hub.core.relay import decode_id

    pk = decode_id(collaboration_id, "Collaboration")
    await api.hub.db.execute(
        "update collaborations set deadline = now() - interval '1 second' where id = $1", pk)
    await api.hub.db.execute("update collaboration_steps set deadline = now() - interval "
                             "'1 second' where collaboration_id = $1", pk)


async def test_an_open_collaboration_past_its_deadline_reads_as_closed(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    call = await opened(api, ada, title="Lighthouse call")
    await opened(api, ada, title="Later call", deadline=later(60))
    poem = await api.create_record(bob, "Lighthouse verses", publish=True)
    offered = (await offer(api, bob, need_of(call), poem["id"]))["contribution"]["id"]
    await past_deadline(api, call["id"])

    body, _ = await both_ways(api, STATUS, {"id": call["id"]})
    assert body["data"]["collaboration"]["status"] == "CLOSED"
    assert await api.hub.db.fetchval(
        "select count(*) from collaborations where status = 'OPEN'") == 2  # nothing written

    async def listed(**filter: Any) -> list[dict[str, str]]:
        body, _ = await both_ways(api, LIST, {"filter": filter})
        return body["data"]["collaborations"]["nodes"]

    assert await listed(status="OPEN") == [{"title": "Later call", "status": "OPEN"}]
    assert await listed(status="CLOSED") == [{"title": "Lighthouse call", "status": "CLOSED"}]

    # As a closed collaboration: no new offers (the deadline named), no closing twice …
    other = await api.create_record(bob, "More verses", publish=True)
    refused = await offer(api, bob, need_of(call), other["id"])
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("needId", "DEADLINE_PASSED")]
    data = await api.gql(CLOSE, {"id": call["id"]}, token=ada.token)
    assert [e["code"] for e in data["closeCollaboration"]["errors"]] == ["INVALID_STATE"]
    # … but the owners still decide on what was offered in time, and complete it.
    accepted = await decide(api, ACCEPT, ada, offered)
    assert accepted["errors"] == [] and accepted["contribution"]["status"] == "ACCEPTED"
    song = await api.create_record(ada, "The Lighthouse (song)", details=MUSIC, publish=True)
    data = await api.gql(COMPLETE, {"id": call["id"], "results": [song["id"]]},
                         token=ada.token)
    assert data["completeCollaboration"]["errors"] == []
    assert data["completeCollaboration"]["collaboration"]["status"] == "COMPLETED"


async def test_an_explicitly_closed_collaboration_refuses_offers_as_not_open(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    call = await opened(api, ada)
    await api.gql(CLOSE, {"id": call["id"]}, token=ada.token)
    poem = await api.create_record(bob, "Lighthouse verses", publish=True)
    refused = await offer(api, bob, need_of(call), poem["id"])
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("needId", "NOT_OPEN")]


UPDATE_NEED = """mutation($needId: ID!, $description: String!) {
  updateCollaborationNeed(input: {needId: $needId, description: $description}) {
    errors { code } } }"""


async def test_the_search_covers_title_brief_and_the_needs_skills_and_descriptions(
    api: Api,
) -> None:
    ada = await api.sign_up("ada")
    call = await opened(api, ada, title="Harbour song", brief="About a **lighthouse keeper**.",
                        steps=[{"title": "Music", "deadline": later(5), "needs": [
                            {"mediaType": "music", "skill": "accordion", "count": 1,
                             "description": "A slow waltz."}]}])
    await opened(api, ada, title="Other call", brief="Nothing alike.")

    async def found(search: str) -> list[str]:
        body, statements = await both_ways(api, LIST, {"filter": {"search": search}})
        assert statements == 1
        return [node["title"] for node in body["data"]["collaborations"]["nodes"]]

    assert await found("harbour") == ["Harbour song"]  # title
    assert await found("keeper") == ["Harbour song"]  # brief
    assert await found("accordion") == ["Harbour song"]  # a need's skill
    assert await found("waltz") == ["Harbour song"]  # a need's description
    assert await found("accordion -waltz") == []
    data = await api.gql(UPDATE_NEED, {"needId": need_of(call), "description": "A jig."},
                         token=ada.token)
    assert data["updateCollaborationNeed"]["errors"] == []
    assert await found("waltz") == []  # the search follows the needs as they change
    assert await found("jig") == ["Harbour song"]


async def test_the_search_is_capped_like_every_search(api: Api) -> None:
    for search, limit in (("x" * 201, 200), (" ".join(["w"] * 21), 20)):
        _, body = await api.post(LIST, {"filter": {"search": search}})
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["limit"] == limit
        assert body["data"] is None
