"""Collaborations: an open call in steps, members' offers, the owners' decisions, credits.

Every rule is exercised through the HTTP app against PostgreSQL; a refused write leaves the
database as it was."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from hub.api.schema import build_schema
from hub.core.config import Settings
from hub.plugins import HubPlugins
from tests.api import Api, Member
from tests.collaborations_api import (
    ACCEPT,
    ARCHIVE,
    CLOSE,
    COLLABORATION,
    COMPLETE,
    CREATE,
    DECLINE,
    MUSIC,
    OPEN,
    SHORTLIST,
    WITHDRAW,
    create,
    decide,
    later,
    need_of,
    offer,
    opened,
    song_call,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Room for the concurrent accepts of the race test to really run at once.
    return replace(settings, pool_max_size=12)


async def rows(api: Api, table: str) -> int:
    return await api.hub.db.fetchval(f"select count(*) from {table}")


async def test_a_draft_is_its_owners_only_and_its_brief_is_rendered_safely(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    collaboration = await create(api, ada, brief="Hi <script>alert(1)</script> "
                                 "[map](https://example.org/map)")
    assert collaboration["status"] == "DRAFT"
    assert collaboration["owners"] == [{"handle": "ada"}]
    assert collaboration["tags"] == ["sea", "song"]
    assert collaboration["briefHtml"] == (
        '<p>Hi &lt;script&gt;alert(1)&lt;/script&gt; '
        '<a href="https://example.org/map" rel="nofollow ugc">map</a></p>\n')
    assert [step["title"] for step in collaboration["steps"]] == ["Lyrics", "Music"]
    assert collaboration["steps"][1]["needs"][0] | {"id": None} == {
        "id": None, "mediaType": "music", "skill": "piano", "count": 2,
        "description": "A tune for the lyrics.", "filled": 0, "remaining": 2}
    assert collaboration["openSlots"] == 3
    for token in (None, bob.token):
        assert (await api.gql(COLLABORATION, {"id": collaboration["id"]}, token=token)) == {
            "collaboration": None}
    seen = await api.gql(COLLABORATION, {"id": collaboration["id"]}, token=ada.token)
    assert seen["collaboration"]["title"] == "A song about the lighthouse"


async def test_creation_reports_every_problem_at_once_and_writes_nothing(api: Api) -> None:
    ada = await api.sign_up("ada")
    call = song_call(title=" ", deadline=later(-1), steps=[
        {"title": "Lyrics", "deadline": later(40), "needs": [
            {"mediaType": "opera", "count": 0}]}])
    data = await api.gql(CREATE, {"input": call}, token=ada.token)
    errors = {(e["field"], e["code"]) for e in data["createCollaboration"]["errors"]}
    assert errors == {
        ("title", "INVALID_INPUT"), ("deadline", "DEADLINE_PASSED"),
        ("steps.0.needs.0.mediaType", "MEDIA_TYPE_NOT_ENABLED"),
        ("steps.0.needs.0.count", "INVALID_INPUT"),
    }
    # The step's deadline is checked against a valid collaboration deadline only.
    call = song_call(steps=[{"title": "Late", "deadline": later(40), "needs": []}])
    data = await api.gql(CREATE, {"input": call}, token=ada.token)
    assert [(e["field"], e["code"]) for e in data["createCollaboration"]["errors"]] == [
        ("steps.0.deadline", "INVALID_INPUT")]
    assert await rows(api, "collaborations") == 0
    assert await rows(api, "collaboration_steps") == 0


async def test_status_moves_only_forward_and_only_by_owners(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    empty = await create(api, ada, steps=[])
    data = await api.gql(OPEN, {"id": empty["id"]}, token=ada.token)
    assert [e["code"] for e in data["openCollaboration"]["errors"]] == ["INVALID_STATE"]
    collaboration = await opened(api, ada)
    errors = await api.errors(CLOSE, {"id": collaboration["id"]}, token=bob.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    data = await api.gql(OPEN, {"id": collaboration["id"]}, token=ada.token)
    assert data["openCollaboration"]["errors"][0]["code"] == "INVALID_STATE"
    data = await api.gql(CLOSE, {"id": collaboration["id"]}, token=ada.token)
    assert data["closeCollaboration"]["collaboration"]["status"] == "CLOSED"
    data = await api.gql(ARCHIVE, {"id": collaboration["id"]}, token=ada.token)
    assert data["archiveCollaboration"]["collaboration"]["status"] == "ARCHIVED"
    data = await api.gql(OPEN, {"id": collaboration["id"]}, token=ada.token)
    assert data["openCollaboration"]["errors"][0]["code"] == "INVALID_STATE"
    # Opened, it is everyone's to see.
    seen = await api.gql(COLLABORATION, {"id": collaboration["id"]})
    assert seen["collaboration"]["status"] == "ARCHIVED"


OWNER = """
mutation Owner($id: ID!, $member: ID!) {
  add: addCollaborationOwner(input: {id: $id, member: $member}) {
    collaboration { owners { handle } } errors { field code } }
}
"""
REMOVE_OWNER = """
mutation Remove($id: ID!, $member: ID!) {
  removeCollaborationOwner(input: {id: $id, member: $member}) {
    collaboration { owners { handle } } errors { field code } }
}
"""


async def test_co_owners_share_the_work_and_the_last_owner_stays(api: Api) -> None:
    ada = await api.sign_up("ada")
    cyd = await api.sign_up("cyd")
    collaboration = await create(api, ada)
    data = await api.gql(OWNER, {"id": collaboration["id"], "member": cyd.id}, token=ada.token)
    assert data["add"]["collaboration"]["owners"] == [{"handle": "ada"}, {"handle": "cyd"}]
    # The co-owner sees the draft and may open it.
    data = await api.gql(OPEN, {"id": collaboration["id"]}, token=cyd.token)
    assert data["openCollaboration"]["collaboration"]["status"] == "OPEN"
    data = await api.gql(REMOVE_OWNER, {"id": collaboration["id"], "member": ada.id},
                         token=cyd.token)
    assert data["removeCollaborationOwner"]["collaboration"]["owners"] == [{"handle": "cyd"}]
    data = await api.gql(REMOVE_OWNER, {"id": collaboration["id"], "member": cyd.id},
                         token=cyd.token)
    assert data["removeCollaborationOwner"]["errors"] == [
        {"field": "member", "code": "LAST_OWNER"}]
    assert await rows(api, "collaboration_owners") == 1


async def test_offers_follow_the_rules_and_a_refusal_writes_nothing(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    draft = await create(api, ada)
    collaboration = await opened(api, ada)
    lyrics = need_of(collaboration)
    poem = await api.create_record(bob, "Lighthouse verses", publish=True)
    unpublished = await api.create_record(bob, "Not yet")
    song = await api.create_record(bob, "A tune", details=MUSIC, publish=True)
    ada_poem = await api.create_record(ada, "Ada's verses", publish=True)

    async def refused(need_id: str, record_id: str, member: Member = bob) -> list[Any]:
        payload = await offer(api, member, need_id, record_id)
        assert payload["contribution"] is None
        return [(e["field"], e["code"]) for e in payload["errors"]]

    assert await refused(need_of(draft), poem["id"]) == [("needId", "NOT_FOUND")]
    assert await refused(need_of(draft), ada_poem["id"], ada) == [("needId", "NOT_OPEN")]
    assert await refused(lyrics, ada_poem["id"]) == [("recordId", "NOT_YOUR_RECORD")]
    assert await refused(lyrics, unpublished["id"]) == [("recordId", "RECORD_NOT_PUBLISHED")]
    assert await refused(lyrics, song["id"]) == [("recordId", "WRONG_MEDIA_TYPE")]
    offered = await offer(api, bob, lyrics, poem["id"], note="For the chorus.")
    assert offered["errors"] == []
    assert offered["contribution"]["status"] == "OFFERED"
    assert offered["contribution"]["note"] == "For the chorus."
    assert await refused(lyrics, poem["id"]) == [("recordId", "ALREADY_OFFERED")]
    await api.hub.db.execute("update collaboration_steps set deadline = now() - interval '1s'")
    other = await api.create_record(bob, "More verses", publish=True)
    assert await refused(lyrics, other["id"]) == [("needId", "DEADLINE_PASSED")]
    assert await rows(api, "contributions") == 1


async def test_owners_decide_and_the_contributor_sees_the_reason(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    eve = await api.sign_up("eve")
    collaboration = await opened(api, ada)
    tune = need_of(collaboration, 1)
    first = await api.create_record(bob, "Tune one", details=MUSIC, publish=True)
    second = await api.create_record(eve, "Tune two", details=MUSIC, publish=True)
    third = await api.create_record(eve, "Tune three", details=MUSIC, publish=True)
    one = (await offer(api, bob, tune, first["id"]))["contribution"]["id"]
    two = (await offer(api, eve, tune, second["id"]))["contribution"]["id"]
    three = (await offer(api, eve, tune, third["id"]))["contribution"]["id"]

    errors = await api.errors(ACCEPT, {"id": one}, token=bob.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    shortlisted = await decide(api, SHORTLIST, ada, one)
    assert shortlisted["contribution"]["status"] == "SHORTLISTED"
    accepted = await decide(api, ACCEPT, ada, one)
    assert accepted["contribution"]["status"] == "ACCEPTED"
    assert accepted["contribution"]["need"] == {"id": tune, "filled": 1, "remaining": 1}
    declined = await decide(api, DECLINE, ada, three, reason="Too fast for the words.")
    assert declined["contribution"]["status"] == "DECLINED"
    again = await decide(api, ACCEPT, ada, three)
    assert again["errors"][0]["code"] == "INVALID_STATE"
    assert (await decide(api, ACCEPT, ada, two))["contribution"]["need"]["remaining"] == 0
    # A full need takes no more.
    fourth = await api.create_record(bob, "Tune four", details=MUSIC, publish=True)
    four = (await offer(api, bob, tune, fourth["id"]))["contribution"]["id"]
    assert (await decide(api, ACCEPT, ada, four))["errors"] == [
        {"field": "id", "message": "Every slot of this need is filled; decline or raise the "
         "need's count.", "code": "NEED_FILLED"}]

    reasons = """query Reasons($id: ID!) { collaboration(id: $id) {
        contributions(status: DECLINED) { nodes { declineReason contributor { handle } } } } }"""
    for member, reason in ((eve, "Too fast for the words."), (ada, "Too fast for the words."),
                           (bob, None), (None, None)):
        data = await api.gql(reasons, {"id": collaboration["id"]},
                             token=member.token if member else None)
        assert data["collaboration"]["contributions"]["nodes"] == [
            {"declineReason": reason, "contributor": {"handle": "eve"}}]

    # Withdrawing an accepted contribution: a tombstone that keeps the credit, the slot reopens.
    withdrawn = await decide(api, WITHDRAW, eve, two)
    assert withdrawn["contribution"]["status"] == "WITHDRAWN"
    assert withdrawn["contribution"]["credited"] is True
    assert withdrawn["contribution"]["need"]["remaining"] == 1
    data = await api.gql(COLLABORATION, {"id": collaboration["id"]})
    assert data["collaboration"]["credits"] == [{"handle": "bob"}, {"handle": "eve"}]
    assert (await decide(api, ACCEPT, ada, four))["contribution"]["status"] == "ACCEPTED"


async def test_concurrent_accepts_never_overfill_a_need(api: Api) -> None:
    ada = await api.sign_up("ada")
    collaboration = await opened(api, ada)
    tune = need_of(collaboration, 1)  # count 2
    offers = []
    for i in range(10):
        member = await api.sign_up(f"player{i}")
        record = await api.create_record(member, f"Tune {i}", details=MUSIC, publish=True)
        offers.append((await offer(api, member, tune, record["id"]))["contribution"]["id"])
    answers = await asyncio.gather(*(decide(api, ACCEPT, ada, pk) for pk in offers))
    codes = sorted(a["errors"][0]["code"] if a["errors"] else "ACCEPTED" for a in answers)
    assert codes == ["ACCEPTED"] * 2 + ["NEED_FILLED"] * 8
    assert await api.hub.db.fetchval("select filled from collaboration_needs where count = 2") == 2
    assert await api.hub.db.fetchval(
        "select count(*) from contributions where status = 'ACCEPTED'") == 2


LINEAGE = """
query Lineage($id: ID!) { record(id: $id) {
  sources { nodes { title } } contributors { member { handle } depth }
  contributions { nodes { status collaboration { title } } } } }
"""


async def test_a_later_step_builds_on_earlier_picks_and_lineage_credits_the_chain(
    api: Api,
) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    eve = await api.sign_up("eve")
    collaboration = await opened(api, ada)
    poem = await api.create_record(bob, "Lighthouse verses", publish=True)
    lyrics = (await offer(api, bob, need_of(collaboration), poem["id"]))["contribution"]["id"]
    await decide(api, ACCEPT, ada, lyrics)
    tune = await api.create_record(eve, "Lighthouse tune", details=MUSIC, publish=True)
    music = (await offer(api, eve, need_of(collaboration, 1), tune["id"]))["contribution"]["id"]
    before = await api.gql(LINEAGE, {"id": tune["id"]})
    assert before["record"]["sources"]["nodes"] == []  # sources are written on acceptance
    await decide(api, ACCEPT, ada, music)
    data = await api.gql(LINEAGE, {"id": tune["id"]})
    assert data["record"]["sources"]["nodes"] == [{"title": "Lighthouse verses"}]
    assert data["record"]["contributors"] == [
        {"member": {"handle": "eve"}, "depth": 0}, {"member": {"handle": "bob"}, "depth": 1}]
    assert data["record"]["contributions"]["nodes"] == [
        {"status": "ACCEPTED", "collaboration": {"title": "A song about the lighthouse"}}]
    # A source must be an earlier pick.
    other = await api.create_record(eve, "Another tune", details=MUSIC, publish=True)
    refused = await offer(api, eve, need_of(collaboration, 1), other["id"],
                          sources=[other["id"]])
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("sources.0", "INVALID_INPUT")]


async def test_completion_names_results_and_credits_survive_unpublishing(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    collaboration = await opened(api, ada)
    poem = await api.create_record(bob, "Lighthouse verses", publish=True)
    lyrics = (await offer(api, bob, need_of(collaboration), poem["id"]))["contribution"]["id"]
    await decide(api, ACCEPT, ada, lyrics)
    song = await api.create_record(ada, "The Lighthouse (song)", details=MUSIC, publish=True,
                                   sources=[poem["id"]])
    data = await api.gql(COMPLETE, {"id": collaboration["id"], "results": []}, token=ada.token)
    assert data["completeCollaboration"]["errors"][0]["code"] == "INVALID_INPUT"
    data = await api.gql(COMPLETE, {"id": collaboration["id"], "results": [song["id"]]},
                         token=ada.token)
    assert data["completeCollaboration"]["collaboration"] == {
        "id": collaboration["id"], "status": "COMPLETED",
        "results": [{"title": "The Lighthouse (song)"}], "credits": [{"handle": "bob"}]}
    await api.gql("""mutation($id: ID!) { unpublishRecord(input: {id: $id}) { errors { code } } }""",
                  {"id": poem["id"]}, token=bob.token)
    query = """query($id: ID!) { collaboration(id: $id) { credits { handle }
        contributions { nodes { record { title } contributor { handle } credited } } } }"""
    data = await api.gql(query, {"id": collaboration["id"]})
    assert data["collaboration"] == {"credits": [{"handle": "bob"}], "contributions": {"nodes": [
        {"record": None, "contributor": {"handle": "bob"}, "credited": True}]}}


LIST = """
query List($filter: CollaborationFilter, $orderBy: CollaborationOrder!) {
  collaborations(filter: $filter, orderBy: $orderBy, first: 10) {
    totalCount nodes { title openSlots } } }
"""


async def test_finding_calls_by_filter_and_order(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    await create(api, ada, title="Draft call")
    await opened(api, ada, title="Song call", deadline=later(40))
    film = await opened(api, ada, title="Film call", tags=["film"], brief="A lighthouse keeper",
                        deadline=later(35), steps=[{"title": "Shoot", "deadline": later(5),
                                                    "needs": [{"mediaType": "film",
                                                               "skill": "camera", "count": 5}]}])
    await api.gql(CLOSE, {"id": film["id"]}, token=ada.token)

    async def titles(order: str = "DEADLINE", **filter: Any) -> list[str]:
        data = await api.gql(LIST, {"filter": filter, "orderBy": order})
        listed = data["collaborations"]
        assert listed["totalCount"] == len(listed["nodes"])
        return [node["title"] for node in listed["nodes"]]

    assert await titles() == ["Film call", "Song call"]
    assert await titles("NEWEST") == ["Film call", "Song call"]
    assert await titles("MOST_NEEDED") == ["Film call", "Song call"]
    assert await titles(status="OPEN") == ["Song call"]
    assert await titles(mediaType="film") == ["Film call"]
    assert await titles(skill="PIANO") == ["Song call"]
    assert await titles(tag="film") == ["Film call"]
    assert await titles(search="keeper") == ["Film call"]
    assert await titles(search="tune") == ["Song call"]  # the needs' words are searched
    assert await titles(needsOpen=False) == []
    mine = """query Mine($handle: String!, $role: CollaborationRole!) { member(handle: $handle) {
        collaborations(role: $role) { nodes { title } } } }"""
    data = await api.gql(mine, {"handle": "ada", "role": "OWNER"}, token=ada.token)
    assert [n["title"] for n in data["member"]["collaborations"]["nodes"]] == [
        "Film call", "Song call", "Draft call"]
    data = await api.gql(mine, {"handle": "ada", "role": "OWNER"})
    assert len(data["member"]["collaborations"]["nodes"]) == 2
    song = (await api.gql(LIST, {"filter": {"status": "OPEN"}, "orderBy": "NEWEST"}))
    assert song["collaborations"]["nodes"][0]["title"] == "Song call"
    poem = await api.create_record(bob, "Verses", publish=True)
    call = (await api.gql("""{ collaborations(filter: {status: OPEN}) { nodes { steps {
        needs { id } } } } }"""))["collaborations"]["nodes"][0]
    await offer(api, bob, call["steps"][0]["needs"][0]["id"], poem["id"])
    data = await api.gql(mine, {"handle": "bob", "role": "CONTRIBUTOR"})
    assert [n["title"] for n in data["member"]["collaborations"]["nodes"]] == ["Song call"]


async def test_changes_are_events_in_the_outbox(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    collaboration = await opened(api, ada)
    poem = await api.create_record(bob, "Verses", publish=True)
    one = (await offer(api, bob, need_of(collaboration), poem["id"]))["contribution"]["id"]
    await decide(api, ACCEPT, ada, one)
    await api.gql(CLOSE, {"id": collaboration["id"]}, token=ada.token)
    events = await api.hub.db.fetch(
        "select kind, subject, payload from events where kind like 'collaboration.%' "
        "or kind like 'contribution.%' order by id")
    assert [e["kind"] for e in events] == ["collaboration.opened", "contribution.offered",
                                           "contribution.accepted", "collaboration.closed"]
    assert events[0]["subject"] == collaboration["id"]
    assert events[1]["subject"] == one


def test_every_collaboration_type_field_argument_and_value_is_described(
    plugins: HubPlugins,
) -> None:
    schema = build_schema(plugins)._schema
    missing = []
    for name, graphql_type in schema.type_map.items():
        if not any(word in name for word in ("Collaboration", "Contribution", "NeedInput",
                                             "StepInput")):
            continue
        if name.endswith("Edge"):
            continue  # the generic edge of every connection (hub/api/relay.py)
        if not graphql_type.description:
            missing.append(name)
        for value_name, value in getattr(graphql_type, "values", {}).items():
            if not value.description and name != "ErrorCode":
                missing.append(f"{name}.{value_name}")
        for field_name, field in getattr(graphql_type, "fields", {}).items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
            for argument_name, argument in getattr(field, "args", {}).items():
                if not argument.description:
                    missing.append(f"{name}.{field_name}({argument_name})")
    roots = [(root, field_name) for root in ("Query", "Mutation", "Subscription")
             for field_name in schema.type_map[root].fields  # type: ignore[union-attr]
             if "ollaboration" in field_name or "ontribution" in field_name]
    for root, field_name in roots:
        field = schema.type_map[root].fields[field_name]  # type: ignore[union-attr]
        missing += [f"{root}.{field_name}({a})" for a, arg in field.args.items()
                    if not arg.description]
    for type_name, field_name in (("Member", "collaborations"), ("Record", "contributions")):
        field = schema.type_map[type_name].fields[field_name]  # type: ignore[union-attr]
        missing += [f"{type_name}.{field_name}({a})" for a, arg in field.args.items()
                    if not arg.description]
    assert len(roots) >= 20 and missing == []


ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Collaboration { id title status owners { handle } }
  }
}
"""
NODE = """query Node($id: ID!) { node(id: $id) { ... on Collaboration { title } } }"""


async def test_a_collaboration_is_a_federated_entity_and_a_node(api: Api) -> None:
    ada = await api.sign_up("ada")
    draft = await create(api, ada, title="Draft call")
    call = await opened(api, ada, title="Open call")
    refs = [{"__typename": "Collaboration", "id": call["id"]},
            {"__typename": "Collaboration", "id": draft["id"]}]
    status, body = await api.post(ENTITIES, {"representations": refs})
    assert status == 200
    assert body["data"]["_entities"][0] == {"id": call["id"], "title": "Open call",
                                            "status": "OPEN", "owners": [{"handle": "ada"}]}
    assert body["data"]["_entities"][1] is None  # a draft is not told to anyone else
    assert [e["path"] for e in body["errors"]] == [["_entities", 1]]
    data = await api.gql(ENTITIES, {"representations": refs[1:]}, token=ada.token)
    assert data["_entities"][0]["title"] == "Draft call"
    assert (await api.gql(NODE, {"id": call["id"]})) == {"node": {"title": "Open call"}}
    assert (await api.gql(NODE, {"id": draft["id"]})) == {"node": None}


IMPORT = """
mutation Import($collaborationId: ID!, $compilationId: ID!) {
  importCollaborationResults(input: {collaborationId: $collaborationId,
                                     compilationId: $compilationId}) {
    imported compilation { items { record { title } note } } errors { field code }
  }
}
"""


async def test_an_editor_imports_a_completed_collaborations_results_in_one_step(
    api: Api,
) -> None:
    from tests.compilations_api import create as create_compilation

    ada = await api.sign_up("ada")
    eddie = await api.sign_up("eddie", "EDITOR")
    collaboration = await opened(api, ada)
    song = await api.create_record(ada, "The Lighthouse (song)", details=MUSIC, publish=True)
    compilation = await create_compilation(api, eddie, title="Sea songs")
    ids = {"collaborationId": collaboration["id"], "compilationId": compilation["id"]}
    data = await api.gql(IMPORT, ids, token=eddie.token)
    assert data["importCollaborationResults"]["errors"] == [
        {"field": "collaborationId", "code": "INVALID_STATE"}]
    await api.gql(COMPLETE, {"id": collaboration["id"], "results": [song["id"]]},
                  token=ada.token)
    errors = await api.errors(IMPORT, ids, token=ada.token)  # not an editor
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    data = await api.gql(IMPORT, ids, token=eddie.token)
    assert data["importCollaborationResults"] == {"imported": 1, "errors": [], "compilation": {
        "items": [{"record": {"title": "The Lighthouse (song)"},
                   "note": "From the collaboration “A song about the lighthouse”."}]}}
    again = await api.gql(IMPORT, ids, token=eddie.token)
    assert again["importCollaborationResults"]["imported"] == 0
    assert await rows(api, "compilation_items") == 1
    # The compilation's other editors hear of the items once (compilationUpdated), not of the
    # import that added nothing.
    changes = await api.hub.db.fetch(
        "select payload->>'change' as change from events where kind = 'compilation.changed'")
    assert [c["change"] for c in changes] == ["ITEM_ADDED"]


UPDATE = """
mutation Update($input: UpdateCollaborationInput!) {
  updateCollaboration(input: $input) { collaboration { title briefHtml deadline }
                                       errors { field code } } }
"""
STEPS = """
mutation Steps($id: ID!, $step: StepInput!) {
  addCollaborationStep(input: {collaborationId: $id, step: $step}) {
    collaboration { steps { id title needs { id count } } } errors { field code } } }
"""
NEED = """
mutation Need($stepId: ID!, $needId: ID!, $count: Int!) {
  added: addCollaborationNeed(input: {stepId: $stepId, need: {mediaType: "image", count: 1}}) {
    collaboration { openSlots } errors { field code } }
  changed: updateCollaborationNeed(input: {needId: $needId, count: $count}) {
    collaboration { openSlots } errors { field code } }
}
"""
REMOVE_NEED = """
mutation Remove($needId: ID!) { removeCollaborationNeed(input: {needId: $needId}) {
  collaboration { openSlots } errors { field code } } }
"""


async def test_owners_change_the_call_and_its_steps_within_the_rules(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    collaboration = await opened(api, ada)
    data = await api.gql(UPDATE, {"input": {"id": collaboration["id"], "title": "New title",
                                            "brief": "*soon*"}}, token=ada.token)
    assert data["updateCollaboration"]["collaboration"]["briefHtml"] == "<p><em>soon</em></p>\n"
    data = await api.gql(UPDATE, {"input": {"id": collaboration["id"], "title": "",
                                            "deadline": later(-2)}}, token=ada.token)
    assert {(e["field"], e["code"]) for e in data["updateCollaboration"]["errors"]} == {
        ("title", "INVALID_INPUT"), ("deadline", "DEADLINE_PASSED")}
    errors = await api.errors(UPDATE, {"input": {"id": collaboration["id"], "title": "Mine"}},
                              token=bob.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"

    data = await api.gql(STEPS, {"id": collaboration["id"], "step": {
        "title": "Cover", "deadline": later(25), "needs": [{"mediaType": "image"}]}},
        token=ada.token)
    steps = data["addCollaborationStep"]["collaboration"]["steps"]
    assert [step["title"] for step in steps] == ["Lyrics", "Music", "Cover"]
    lyrics = need_of(collaboration)
    poem = await api.create_record(bob, "Verses", publish=True)
    offered = await offer(api, bob, lyrics, poem["id"])
    await decide(api, ACCEPT, ada, offered["contribution"]["id"])
    data = await api.gql(NEED, {"stepId": steps[2]["id"], "needId": lyrics, "count": 0},
                         token=ada.token)
    assert data["added"]["collaboration"]["openSlots"] == 4  # 0 + 2 + 1 + the new 1
    assert data["changed"]["errors"] == [{"field": "count", "code": "INVALID_INPUT"}]
    data = await api.gql(REMOVE_NEED, {"needId": lyrics}, token=ada.token)
    assert data["removeCollaborationNeed"]["errors"] == [
        {"field": "needId", "code": "INVALID_STATE"}]
    data = await api.gql(REMOVE_NEED, {"needId": steps[2]["needs"][0]["id"]}, token=ada.token)
    assert data["removeCollaborationNeed"]["collaboration"]["openSlots"] == 3
    assert (await api.gql(COLLABORATION, {"id": collaboration["id"]}))["collaboration"][
        "title"] == "New title"
