"""Follows (members and collaborations) and the activity feed built on them, through the HTTP
app: the rules from each side, bad input, paging both ways, statement counts."""

from __future__ import annotations

from typing import Any

from tests.api import Api, Member
from tests.community.test_hearts import members_with_tokens

FOLLOW = """
mutation Follow($input: FollowInput!) {
  follow(input: $input) {
    member { handle followerCount viewerFollows }
    collaboration { title followerCount viewerFollows }
    errors { field message code }
  }
}
"""

UNFOLLOW = """
mutation Unfollow($input: FollowInput!) {
  unfollow(input: $input) {
    member { handle followerCount viewerFollows }
    collaboration { title followerCount viewerFollows }
    errors { field message code }
  }
}
"""

PROFILE = """
query Profile($handle: String!, $first: Int, $after: String, $last: Int, $before: String) {
  member(handle: $handle) {
    followerCount followingCount viewerFollows
    followers(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { handle } }
      pageInfo { hasNextPage hasPreviousPage }
    }
    following(first: 5) { totalCount nodes { handle } }
  }
}
"""

ACTIVITY = """
query Activity($first: Int, $after: String) {
  viewer {
    activity(first: $first, after: $after) {
      totalCount
      edges { cursor node { kind actor { handle } record { title heartCount } } }
      pageInfo { hasNextPage }
    }
  }
}
"""


async def _follow(api: Api, who: Member, whom: Member) -> dict[str, Any]:
    data = await api.gql(FOLLOW, {"input": {"memberId": whom.id}}, token=who.token)
    return dict(data["follow"])


async def test_following_a_member_is_idempotent_and_public(api: Api) -> None:
    june, ada, bo = await api.sign_up("june"), await api.sign_up("ada"), await api.sign_up("bob")

    first = await _follow(api, ada, june)
    again = await _follow(api, ada, june)
    await _follow(api, bo, june)

    assert first == again == {
        "member": {"handle": "june", "followerCount": 1, "viewerFollows": True},
        "collaboration": None, "errors": []}
    profile = (await api.gql(PROFILE, {"handle": "june"}))["member"]
    assert profile == {
        "followerCount": 2, "followingCount": 0, "viewerFollows": False,
        "followers": {"totalCount": 2,
                      "edges": [{"cursor": profile["followers"]["edges"][0]["cursor"],
                                 "node": {"handle": "bob"}},
                                {"cursor": profile["followers"]["edges"][1]["cursor"],
                                 "node": {"handle": "ada"}}],
                      "pageInfo": {"hasNextPage": False, "hasPreviousPage": False}},
        "following": {"totalCount": 0, "nodes": []}}
    ada_profile = (await api.gql(PROFILE, {"handle": "ada"}, token=ada.token))["member"]
    assert ada_profile["following"] == {"totalCount": 1, "nodes": [{"handle": "june"}]}

    gone = (await api.gql(UNFOLLOW, {"input": {"memberId": june.id}},
                          token=ada.token))["unfollow"]
    twice = (await api.gql(UNFOLLOW, {"input": {"memberId": june.id}},
                           token=ada.token))["unfollow"]
    assert gone == twice == {
        "member": {"handle": "june", "followerCount": 1, "viewerFollows": False},
        "collaboration": None, "errors": []}


async def test_follows_that_are_refused_write_nothing(api: Api) -> None:
    june = await api.sign_up("june")

    async def refused(input: dict[str, Any]) -> list[tuple[str, str]]:
        payload = (await api.gql(FOLLOW, {"input": input}, token=june.token))["follow"]
        assert payload["member"] is None and payload["collaboration"] is None
        return [(e["field"], e["code"]) for e in payload["errors"]]

    assert await refused({"memberId": june.id}) == [("memberId", "SELF_FOLLOW")]
    assert await refused({"memberId": "TWVtYmVyOjk5OTk5"}) == [("memberId", "NOT_FOUND")]
    assert await refused({"memberId": "garbage"}) == [("memberId", "INVALID_ID")]
    assert await refused({"memberId": ""}) == [("memberId", "INVALID_ID")]
    assert await refused({"collaborationId": ""}) == [("collaborationId", "INVALID_ID")]
    assert await refused({"collaborationId": june.id}) == [("collaborationId", "INVALID_ID")]
    both = await api.errors(FOLLOW, {"input": {"memberId": june.id, "collaborationId": june.id}},
                            token=june.token)
    assert "exactly one" in both[0]["message"]
    anonymous = await api.errors(FOLLOW, {"input": {"memberId": june.id}})
    assert anonymous[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await api.hub.db.fetchval("select count(*) from member_follows") == 0


CREATE_COLLABORATION = """
mutation Create($input: CreateCollaborationInput!) {
  createCollaboration(input: $input) { collaboration { id } errors { code } }
}
"""


async def test_following_a_collaboration_you_may_see(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    created = (await api.gql(CREATE_COLLABORATION, {"input": {
        "title": "Night songs", "deadline": "2099-01-01T00:00:00Z",
        "steps": [{"title": "Words", "deadline": "2098-01-01T00:00:00Z",
                   "needs": [{"mediaType": "writing"}]}]}},
        token=june.token))["createCollaboration"]
    draft = created["collaboration"]["id"]

    hidden = (await api.gql(FOLLOW, {"input": {"collaborationId": draft}},
                            token=ada.token))["follow"]
    assert hidden["errors"] == [{"field": "collaborationId", "message": "No such collaboration.",
                                 "code": "NOT_FOUND"}]
    own = (await api.gql(FOLLOW, {"input": {"collaborationId": draft}},
                         token=june.token))["follow"]
    assert own == {"member": None, "errors": [], "collaboration": {
        "title": "Night songs", "followerCount": 1, "viewerFollows": True}}
    opening = await api.gql("mutation($id: ID!) { openCollaboration(input: {id: $id}) "
                            "{ errors { code } } }", {"id": draft}, token=june.token)
    assert opening["openCollaboration"]["errors"] == []
    opened = (await api.gql(FOLLOW, {"input": {"collaborationId": draft}},
                            token=ada.token))["follow"]
    assert opened["collaboration"] == {"title": "Night songs", "followerCount": 2,
                                       "viewerFollows": True}


async def test_followers_page_both_ways_compiled_and_executed_alike(api: Api) -> None:
    june = await api.sign_up("june")
    fans = await members_with_tokens(api, "fan", 5)
    for fan in fans:
        await _follow(api, fan, june)
    newest_first = [fan.handle for fan in reversed(fans)]

    first = (await api.gql(PROFILE, {"handle": "june", "first": 2}))["member"]["followers"]
    after = (await api.gql(PROFILE, {"handle": "june", "first": 10,
                                     "after": first["edges"][-1]["cursor"]}))["member"]["followers"]
    last = (await api.gql(PROFILE, {"handle": "june", "last": 2}))["member"]["followers"]

    assert [e["node"]["handle"] for e in first["edges"]] == newest_first[:2]
    assert first["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False}
    assert [e["node"]["handle"] for e in after["edges"]] == newest_first[2:]
    assert [e["node"]["handle"] for e in last["edges"]] == newest_first[-2:]
    assert last["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}
    with api.executor_only():
        executed = (await api.gql(PROFILE, {"handle": "june", "last": 2}))["member"]["followers"]
    assert executed == last


async def test_activity_shows_what_the_members_you_follow_publish(api: Api) -> None:
    june, ada, bo = await api.sign_up("june"), await api.sign_up("ada"), await api.sign_up("bob")
    song = await api.create_record(june, "Harbor Lights", publish=True)
    await api.create_record(june, "Still a draft")
    await api.create_record(bo, "Not followed", publish=True)
    await api.create_record(june, "Harbor Lights, slowed", publish=True, sources=[song["id"]])
    await _follow(api, ada, june)

    activity = (await api.gql(ACTIVITY, {"first": 10}, token=ada.token))["viewer"]["activity"]

    assert activity["totalCount"] == 2
    assert [e["node"] for e in activity["edges"]] == [
        {"kind": "REMIX_PUBLISHED", "actor": {"handle": "june"},
         "record": {"title": "Harbor Lights, slowed", "heartCount": 0}},
        {"kind": "RECORD_PUBLISHED", "actor": {"handle": "june"},
         "record": {"title": "Harbor Lights", "heartCount": 0}},
    ]
    page = (await api.gql(ACTIVITY, {"first": 1, "after": activity["edges"][0]["cursor"]},
                          token=ada.token))["viewer"]["activity"]
    assert [e["node"]["record"]["title"] for e in page["edges"]] == ["Harbor Lights"]
    with api.executor_only():
        executed = (await api.gql(ACTIVITY, {"first": 10}, token=ada.token))["viewer"]["activity"]
    assert executed == activity


async def test_activity_is_the_members_own(api: Api) -> None:
    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    await _follow(api, ada, june)
    query = '{ member(handle: "ada") { activity(first: 5) { totalCount } } }'
    assert (await api.gql(query, token=june.token))["member"] == {"activity": None}
    assert (await api.gql(query))["member"] == {"activity": None}
    assert (await api.gql(query, token=ada.token))["member"] == {"activity": {"totalCount": 0}}
    assert (await api.gql(ACTIVITY, {}))["viewer"] is None


async def test_a_profile_with_its_follows_is_one_statement(api: Api) -> None:
    june = await api.sign_up("june")
    for fan in await members_with_tokens(api, "fan", 3):
        await _follow(api, fan, june)
    before = api.statements()
    await api.gql(PROFILE, {"handle": "june", "first": 20})
    assert api.statements() - before == 1
    with api.executor_only():
        before = api.statements()
        await api.gql(PROFILE, {"handle": "june", "first": 20})
        # The member; its counts and viewerFollows; each list's page and count.
        assert api.statements() - before == 6


async def test_the_demo_community_hearts_and_follows(api: Api) -> None:
    from hub.seed.demo import seed_demo

    counts = await seed_demo(api.hub.db, api.hub.plugins)
    assert counts["hearts"] > 100 and counts["follows"] > 48

    data = await api.gql("""{
      member(handle: "ada") { followerCount followers(first: 3) { totalCount } }
      records(first: 3, orderBy: FRESH) { nodes { heartCount } }
    }""")
    ada = data["member"]
    assert ada["followerCount"] == ada["followers"]["totalCount"] > 0
    # The freshest records of the demo are hearted ones.
    assert all(node["heartCount"] > 0 for node in data["records"]["nodes"])


CALLS = """
query Calls($first: Int, $after: String) {
  viewer {
    activity(first: $first, after: $after) {
      totalCount
      edges { cursor node { kind actor { handle } record { title } collaboration { title } } }
    }
  }
}
"""


async def test_activity_shows_the_calls_of_collaborations_and_members_you_follow(
    api: Api,
) -> None:
    from tests.collaborations_api import create, opened

    june, ada, bo = await api.sign_up("june"), await api.sign_up("ada"), await api.sign_up("bob")
    followed_call = await opened(api, bo, title="Harbor song")  # ada follows the call itself
    june_call = await opened(api, june, title="June's chorus")  # ada follows june
    await create(api, june, title="June's draft")  # drafts never show
    await opened(api, bo, title="Unfollowed")
    await api.create_record(june, "Verses", publish=True)
    follow = "mutation F($id: ID!) { follow(input: {collaborationId: $id}) { errors { code } } }"
    await api.gql(follow, {"id": followed_call["id"]}, token=ada.token)
    await api.gql(follow, {"id": june_call["id"]}, token=ada.token)  # and june: listed once
    await _follow(api, ada, june)
    activity = (await api.gql(CALLS, {"first": 10}, token=ada.token))["viewer"]["activity"]
    nodes = [edge["node"] for edge in activity["edges"]]
    assert activity["totalCount"] == 3
    assert sorted(((n["kind"], n["actor"]["handle"], (n["record"] or {}).get("title"),
                    (n["collaboration"] or {}).get("title")) for n in nodes), key=str) == sorted([
        ("COLLABORATION_OPENED", "bob", None, "Harbor song"),
        ("COLLABORATION_OPENED", "june", None, "June's chorus"),
        ("RECORD_PUBLISHED", "june", "Verses", None)], key=str)
    # Keyset pages over both kinds, newest first, the same compiled and executed.
    page = (await api.gql(CALLS, {"first": 1, "after": activity["edges"][0]["cursor"]},
                          token=ada.token))["viewer"]["activity"]
    assert [edge["node"] for edge in page["edges"]] == nodes[1:2]
    with api.executor_only():
        executed = (await api.gql(CALLS, {"first": 10}, token=ada.token))["viewer"]["activity"]
    assert executed == activity
