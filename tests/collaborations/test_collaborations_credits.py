"""A collaboration's credits, through lineage, and importing its results into a compilation
under the compilations slice's own rules. Through the HTTP app against PostgreSQL; the
credits read the same compiled and by the executor."""

from __future__ import annotations

from tests.api import Api
from tests.collaborations_api import ACCEPT, COMPLETE, MUSIC, decide, need_of, offer, opened
from tests.compilations_api import create as create_compilation
from tests.graphql_api.test_compiled import both_ways

CREDITS = """query Credits($id: ID!) { collaboration(id: $id) { credits { handle } } }"""
UNPUBLISH = """mutation($id: ID!) { unpublishRecord(input: {id: $id}) { errors { code } } }"""


async def test_credits_are_the_accepted_contributors_then_their_sources_authors(
    api: Api,
) -> None:
    ada = await api.sign_up("ada")  # the owner
    bob = await api.sign_up("bob")
    eve = await api.sign_up("eve")
    cyd = await api.sign_up("cyd")
    dan = await api.sign_up("dan")
    collaboration = await opened(api, ada)
    shanty = await api.create_record(cyd, "Old shanty", publish=True)
    poem = await api.create_record(bob, "Lighthouse verses", publish=True,
                                   sources=[shanty["id"]])
    lyrics = (await offer(api, bob, need_of(collaboration), poem["id"]))["contribution"]["id"]
    await decide(api, ACCEPT, ada, lyrics)
    tune = await api.create_record(eve, "Lighthouse tune", details=MUSIC, publish=True)
    music = (await offer(api, eve, need_of(collaboration, 1), tune["id"]))["contribution"]["id"]
    await decide(api, ACCEPT, ada, music)
    ids = {"id": collaboration["id"]}

    body, _ = await both_ways(api, CREDITS, ids)
    # Accepted contributors in order of acceptance; then cyd, whose shanty the poem remixes
    # (one generation up from the poem, two from the tune built on it).
    assert body["data"]["collaboration"]["credits"] == [
        {"handle": "bob"}, {"handle": "eve"}, {"handle": "cyd"}]

    # A result made by the owner from dan's recording credits dan (the result's sources),
    # not the owner (who contributed nothing).
    recording = await api.create_record(dan, "Foghorn recording", details=MUSIC, publish=True)
    song = await api.create_record(ada, "The Lighthouse (song)", details=MUSIC, publish=True,
                                   sources=[tune["id"], recording["id"]])
    data = await api.gql(COMPLETE, {"id": collaboration["id"], "results": [song["id"]]},
                         token=ada.token)
    assert data["completeCollaboration"]["errors"] == []
    expected = [{"handle": "bob"}, {"handle": "eve"}, {"handle": "cyd"}, {"handle": "dan"}]
    assert data["completeCollaboration"]["collaboration"]["credits"] == expected

    # Tombstones keep their credit: an unpublished source still credits its author.
    await api.gql(UNPUBLISH, {"id": shanty["id"]}, token=cyd.token)
    await api.gql(UNPUBLISH, {"id": recording["id"]}, token=dan.token)
    body, statements = await both_ways(api, CREDITS, ids)
    assert body["data"]["collaboration"]["credits"] == expected
    assert statements == 1


async def test_a_collaboration_without_accepted_contributions_credits_no_one(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    collaboration = await opened(api, ada)
    poem = await api.create_record(bob, "Lighthouse verses", publish=True)
    await offer(api, bob, need_of(collaboration), poem["id"])  # offered, never accepted
    body, _ = await both_ways(api, CREDITS, {"id": collaboration["id"]})
    assert body["data"]["collaboration"]["credits"] == []


IMPORT = """
mutation Import($collaborationId: ID!, $compilationId: ID!) {
  importCollaborationResults(input: {collaborationId: $collaborationId,
                                     compilationId: $compilationId}) {
    imported compilation { items { record { title } } } errors { field code }
  }
}
"""
SUBMIT = """mutation($id: ID!) { submitCompilation(input: {id: $id}) { errors { code } } }"""


async def completed(api: Api) -> tuple[dict[str, str], str]:
    """A completed collaboration of ada's with one result, and eddie (an EDITOR) with an
    empty DRAFT compilation: the import's ids, and eddie's token."""
    ada = await api.sign_up("ada")
    eddie = await api.sign_up("eddie", "EDITOR")
    collaboration = await opened(api, ada)
    song = await api.create_record(ada, "The Lighthouse (song)", details=MUSIC, publish=True)
    data = await api.gql(COMPLETE, {"id": collaboration["id"], "results": [song["id"]]},
                         token=ada.token)
    assert data["completeCollaboration"]["errors"] == []
    compilation = await create_compilation(api, eddie, title="Sea songs")
    return {"collaborationId": collaboration["id"], "compilationId": compilation["id"]}, \
        eddie.token


async def items(api: Api) -> int:
    return await api.hub.db.fetchval("select count(*) from compilation_items")


async def test_the_import_keeps_a_compilation_within_its_500_items(api: Api) -> None:
    ids, eddie = await completed(api)
    # Fill the compilation to its cap with 500 published records (written directly: the
    # cap, not the 500 mutations, is what is tested).
    await api.hub.db.execute(
        """with made as (
               insert into records (author_id, media_type, title, license, status,
                                    published_at)
               select m.id, 'writing', 'Filler ' || g, 'CC-BY-4.0', 'PUBLISHED', now()
               from members m, generate_series(1, 500) g where m.handle = 'eddie'
               returning id)
           insert into compilation_items (compilation_id, record_id, position, added_by)
           select c.id, made.id, row_number() over (order by made.id), c.created_by
           from made, compilations c""")
    data = await api.gql(IMPORT, ids, token=eddie)
    assert data["importCollaborationResults"] == {
        "imported": 0, "compilation": None,
        "errors": [{"field": "compilationId", "code": "TOO_LONG"}]}
    assert await items(api) == 500


async def test_the_import_changes_only_a_draft_compilation_of_the_editors_team(
    api: Api,
) -> None:
    ids, eddie = await completed(api)
    other = await api.sign_up("olga", "EDITOR")  # an editor, not on this compilation's team
    errors = await api.errors(IMPORT, ids, token=other.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert await items(api) == 0
    data = await api.gql(IMPORT, ids, token=eddie)
    assert data["importCollaborationResults"]["imported"] == 1
    submitted = await api.gql(SUBMIT, {"id": ids["compilationId"]}, token=eddie)
    assert submitted["submitCompilation"]["errors"] == []
    data = await api.gql(IMPORT, ids, token=eddie)  # in review now: items are frozen
    assert data["importCollaborationResults"]["errors"] == [
        {"field": "compilationId", "code": "INVALID_STATE"}]
    assert await items(api) == 1
