"""Notifications, through the HTTP app: each kind produced by its real mutation, in the same
transaction; never for the actor themself; preferences; grouping; visibility; marking read.

The inbox is `viewer { notifications(first, after, unreadOnly) unreadNotificationCount }`,
one compiled statement whatever the page size.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from hub.core.config import Settings
from hub.realtime.notices import sweep
from tests.api import Api, Member
from tests.collaborations_api import ACCEPT, DECLINE, decide, need_of, offer, opened
from tests.realtime.test_realtime import caught_up, connect, data, subscribed

INBOX = """
query Inbox($first: Int, $after: String, $unreadOnly: Boolean) {
  viewer {
    unreadNotificationCount
    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id kind read actorCount available
        actor { handle }
        record { title }
        collaboration { title }
        compilation { title }
      }
    }
  }
}
"""
HEART = """
mutation Heart($id: ID!) { heartRecord(input: {recordId: $id}) { errors { code } } }
"""
UNHEART = """
mutation Unheart($id: ID!) { unheartRecord(input: {recordId: $id}) { errors { code } } }
"""
MARK = """
mutation Mark($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) {
    marked unreadCount notifications { id read }
    errors { field message code }
  }
}
"""
PREFER = """
mutation Prefer($input: SetNotificationPreferenceInput!) {
  setNotificationPreference(input: $input) {
    preference { kind inbox email } errors { code }
  }
}
"""
PREFERENCES = "query { viewer { notificationPreferences { kind inbox email } } }"
UNPUBLISH = """
mutation Unpublish($id: ID!) { unpublishRecord(input: {id: $id}) { errors { code } } }
"""
ADDED = """
subscription { notificationAdded { cursor notification { kind actorCount record { title } } } }
"""


async def inbox(api: Api, member: Member, **variables: Any) -> dict[str, Any]:
    viewer: dict[str, Any] = (await api.gql(INBOX, variables, token=member.token))["viewer"]
    return viewer


def kinds(box: dict[str, Any]) -> list[str]:
    return [node["kind"] for node in box["notifications"]["nodes"]]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, pool_max_size=8)


async def test_hearts_are_one_notification_per_record_per_day_that_grows(api: Api) -> None:
    ada = await api.sign_up("ada")
    fans = [await api.sign_up(f"fan{i}") for i in range(3)]
    song = await api.create_record(ada, "Harbor Lights", publish=True)
    for fan in fans:
        assert (await api.gql(HEART, {"id": song["id"]}, token=fan.token))[
            "heartRecord"]["errors"] == []
    # Taken back and given again the same day: the same member, counted once.
    await api.gql(UNHEART, {"id": song["id"]}, token=fans[0].token)
    await api.gql(HEART, {"id": song["id"]}, token=fans[0].token)
    box = await inbox(api, ada)
    assert box["unreadNotificationCount"] == 1
    (node,) = box["notifications"]["nodes"]
    # "3 members hearted Harbor Lights": who hearted stays private.
    assert {k: node[k] for k in ("kind", "actorCount", "actor", "record", "read")} == {
        "kind": "RECORD_HEARTED", "actorCount": 3, "actor": None,
        "record": {"title": "Harbor Lights"}, "read": False}
    # Never for the actor themself: the fans' inboxes are empty.
    assert kinds(await inbox(api, fans[0])) == []


async def test_a_remix_notifies_the_source_author_and_reads_unavailable_once_hidden(
    api: Api,
) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    song = await api.create_record(ada, "Harbor Lights", publish=True)
    remix = await api.create_record(bob, "Harbor Lights (dub)", publish=True,
                                    sources=[song["id"]])
    await api.create_record(ada, "My own remix", publish=True, sources=[song["id"]])
    (node,) = (await inbox(api, ada))["notifications"]["nodes"]
    assert {k: node[k] for k in ("kind", "actor", "record", "available")} == {
        "kind": "RECORD_REMIXED", "actor": {"handle": "bob"},
        "record": {"title": "Harbor Lights (dub)"}, "available": True}
    # Bob takes the remix back to private: Ada's notification no longer shows it.
    assert (await api.gql(UNPUBLISH, {"id": remix["id"]}, token=bob.token))[
        "unpublishRecord"]["errors"] == []
    (node,) = (await inbox(api, ada))["notifications"]["nodes"]
    assert (node["record"], node["available"]) == (None, False)
    with api.executor_only():
        (same,) = (await inbox(api, ada))["notifications"]["nodes"]
    assert same == node


async def test_add_source_on_a_published_record_notifies_but_a_drafts_waits(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    song = await api.create_record(ada, "Harbor Lights", publish=True)
    cover = await api.create_record(bob, "Cover", publish=True)
    draft = await api.create_record(bob, "Sketch")
    add = """mutation Add($input: AddSourceInput!) {
               addSource(input: $input) { errors { code } } }"""
    for remix in (cover, draft):
        data = await api.gql(add, {"input": {"recordId": remix["id"], "sourceId": song["id"]}},
                             token=bob.token)
        assert data["addSource"]["errors"] == []
    # The draft's sources stay private until it is published: one notification, the cover's.
    assert [(n["kind"], n["record"]["title"]) for n in
            (await inbox(api, ada))["notifications"]["nodes"]] == [("RECORD_REMIXED", "Cover")]


async def test_contributions_accepted_and_declined_tell_the_contributor(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    call = await opened(api, ada)
    first = await api.create_record(bob, "Verses", publish=True)
    second = await api.create_record(bob, "More verses", publish=True)
    accepted = await offer(api, bob, need_of(call), first["id"])
    declined = await offer(api, bob, need_of(call), second["id"])
    await decide(api, ACCEPT, ada, accepted["contribution"]["id"])
    await decide(api, DECLINE, ada, declined["contribution"]["id"], reason="Not this time.")
    box = await inbox(api, bob)
    assert [(n["kind"], n["record"]["title"], n["collaboration"]["title"], n["actor"])
            for n in box["notifications"]["nodes"]] == [
        ("CONTRIBUTION_DECLINED", "More verses", call["title"], {"handle": "ada"}),
        ("CONTRIBUTION_ACCEPTED", "Verses", call["title"], {"handle": "ada"})]
    assert kinds(await inbox(api, ada)) == []


async def test_a_followed_collaboration_closing_within_a_day_is_told_once(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    call = await opened(api, ada)
    follow = "mutation F($id: ID!) { follow(input: {collaborationId: $id}) { errors { code } } }"
    assert (await api.gql(follow, {"id": call["id"]}, token=bob.token))["follow"]["errors"] == []
    db = api.hub.db
    async with db.transaction() as tx:
        assert await sweep(tx) == 0  # a week away: nothing yet
    await db.execute("update collaborations set deadline = now() + interval '3 hours'")
    for expected in (1, 0):  # told once per deadline
        async with db.transaction() as tx:
            assert await sweep(tx) == expected
    (node,) = (await inbox(api, bob))["notifications"]["nodes"]
    assert (node["kind"], node["actor"], node["actorCount"], node["collaboration"]) == (
        "FOLLOWED_COLLABORATION_CLOSING", None, 0, {"title": call["title"]})


async def test_preferences_turn_a_kind_off(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    prefs = (await api.gql(PREFERENCES, token=ada.token))["viewer"]["notificationPreferences"]
    assert {"kind": "RECORD_HEARTED", "inbox": True, "email": True} in prefs
    changed = await api.gql(PREFER, {"input": {"kind": "RECORD_HEARTED", "inbox": False,
                                               "email": False}}, token=ada.token)
    assert changed["setNotificationPreference"] == {
        "preference": {"kind": "RECORD_HEARTED", "inbox": False, "email": False}, "errors": []}
    song = await api.create_record(ada, "Harbor Lights", publish=True)
    await api.gql(HEART, {"id": song["id"]}, token=bob.token)
    await api.create_record(bob, "Dub", publish=True, sources=[song["id"]])
    assert kinds(await inbox(api, ada)) == ["RECORD_REMIXED"]


async def test_marking_read_own_ones_only(api: Api) -> None:
    ada, bob, cy = (await api.sign_up("ada"), await api.sign_up("bob"),
                    await api.sign_up("cyd"))
    songs = [await api.create_record(ada, f"Song {i}", publish=True) for i in range(3)]
    for song in songs:
        await api.gql(HEART, {"id": song["id"]}, token=bob.token)
    await api.gql(HEART, {"id": songs[0]["id"]}, token=ada.token)  # refused: her own
    theirs = await api.create_record(cy, "Cy record", publish=True)
    await api.gql(HEART, {"id": theirs["id"]}, token=bob.token)
    box = await inbox(api, ada)
    ids = [node["id"] for node in box["notifications"]["nodes"]]
    assert (len(ids), box["unreadNotificationCount"]) == (3, 3)
    cys = (await inbox(api, cy))["notifications"]["nodes"][0]["id"]
    # Someone else's among them: refused, and nothing was marked.
    refused = (await api.gql(MARK, {"input": {"ids": [ids[0], cys]}},
                             token=ada.token))["markNotificationsRead"]
    assert refused["marked"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("ids", "NOT_FOUND")]
    assert (await inbox(api, ada))["unreadNotificationCount"] == 3
    assert (await inbox(api, cy))["unreadNotificationCount"] == 1
    marked = (await api.gql(MARK, {"input": {"ids": [ids[0]]}},
                            token=ada.token))["markNotificationsRead"]
    assert marked == {"marked": 1, "unreadCount": 2, "errors": [],
                      "notifications": [{"id": ids[0], "read": True}]}
    unread = await inbox(api, ada, unreadOnly=True)
    assert [node["id"] for node in unread["notifications"]["nodes"]] == ids[1:]
    assert unread["notifications"]["totalCount"] == 2
    before = api.statements()
    everything = (await api.gql(MARK, {"input": {"all": True}},
                                token=ada.token))["markNotificationsRead"]
    # The session; the shared rate limit; the update; the unread count.
    assert api.statements() - before == 4
    assert (everything["marked"], everything["unreadCount"]) == (2, 0)
    # Another member's inbox is null, even by handle.
    other = "query { member(handle: \"ada\") { notifications { totalCount } " \
            "unreadNotificationCount } }"
    assert (await api.gql(other, token=bob.token))["member"] == {
        "notifications": None, "unreadNotificationCount": None}


async def test_the_inbox_is_one_statement_flat_in_page_size(api: Api) -> None:
    ada = await api.sign_up("ada")
    fans = [await api.sign_up(f"fan{i}") for i in range(3)]
    songs = [await api.create_record(ada, f"Song {i}", publish=True) for i in range(8)]
    for song in songs:
        for fan in fans:
            await api.gql(HEART, {"id": song["id"]}, token=fan.token)
    counts = []
    for first in (2, 8):
        before = api.statements()
        box = await inbox(api, ada, first=first)
        counts.append(api.statements() - before)
        assert len(box["notifications"]["nodes"]) == first
    assert counts == [2, 2]  # the session's lookup, then the compiled page
    page = await inbox(api, ada, first=5)
    rest = await inbox(api, ada, first=5, after=page["notifications"]["pageInfo"]["endCursor"])
    assert len(rest["notifications"]["nodes"]) == 3
    assert not rest["notifications"]["pageInfo"]["hasNextPage"]


async def test_notification_added_is_delivered_live_to_the_recipient_only(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    song = await api.create_record(ada, "Harbor Lights", publish=True)
    await caught_up(api)
    mine, theirs = await connect(api, ada), await connect(api, bob)
    try:
        added = await subscribed(mine, ADDED)
        not_mine = await subscribed(theirs, ADDED)
        await api.gql(HEART, {"id": song["id"]}, token=bob.token)
        event = data(await mine.next(added), "notificationAdded")
        assert event["notification"] == {"kind": "RECORD_HEARTED", "actorCount": 1,
                                         "record": {"title": "Harbor Lights"}}
        await theirs.nothing_for(not_mine, 0.3)
    finally:
        await mine.close()
        await theirs.close()


async def test_class_feedback_tells_the_learner(api: Api) -> None:
    from tests.classes.test_classes import FEEDBACK, SUBMIT, enrolled, published_class

    maya = await api.sign_up("maya")
    cls, lessons = await published_class(api, maya)
    learner = await enrolled(api, "learner", cls["id"])
    verse = await api.create_record(learner, "My verse", publish=True)
    submitted = await api.gql(SUBMIT, {"lessonId": lessons[0]["id"], "recordId": verse["id"]},
                              token=learner.token)
    submission = submitted["submitToLesson"]["submission"]["id"]
    await api.gql(FEEDBACK, {"submissionId": submission, "body": "Tighten bar two."},
                  token=maya.token)
    (node,) = (await inbox(api, learner))["notifications"]["nodes"]
    assert (node["kind"], node["actor"], node["record"]) == (
        "CLASS_FEEDBACK", {"handle": "maya"}, {"title": "My verse"})


async def test_a_compilation_returned_tells_its_team_but_who_returned_it(api: Api) -> None:
    from tests.compilations_api import ADD_EDITOR, RETURN, SUBMIT, add, create, step, story

    eddie, erin = await api.sign_up("edna", "EDITOR"), await api.sign_up("ezra", "EDITOR")
    writer = await api.sign_up("writer")
    draft = await create(api, eddie, title="Harbor Drafts")
    await add(api, eddie, draft, await story(api, writer, "Salt"))
    await api.gql(ADD_EDITOR, {"input": {"compilationId": draft["id"], "memberId": erin.id}},
                  token=eddie.token)
    assert (await step(api, SUBMIT, eddie, draft["id"]))["errors"] == []
    assert (await step(api, RETURN, erin, draft["id"], reason="Needs an ending."))[
        "errors"] == []
    (node,) = (await inbox(api, eddie))["notifications"]["nodes"]
    assert (node["kind"], node["actor"], node["compilation"]) == (
        "COMPILATION_RETURNED", {"handle": "ezra"}, {"title": "Harbor Drafts"})
    assert kinds(await inbox(api, erin)) == []  # he returned it himself


async def test_approval_and_payouts_tell_their_people(api: Api) -> None:
    from tests.compilations.test_compilations import FINALIZE, PROPOSE, published_book

    compilation, eddie, erin, ann, bob = await published_book(api)
    assert kinds(await inbox(api, eddie))[0] == "COMPILATION_APPROVED"
    data = await api.gql(PROPOSE, {"input": {"compilationId": compilation["id"],
                                             "pool": {"amount": "99.99", "currency": "EUR"}}},
                         token=eddie.token)
    proposal = data["proposePayout"]["proposal"]["id"]
    await api.hub.db.execute("update payout_proposals set window_closes_at = now() - "
                             "interval '1 s'")
    await api.gql(FINALIZE, {"id": proposal}, token=erin.token)
    for member in (ann, bob):
        box = await inbox(api, member)
        assert [(n["kind"], n["compilation"]["title"]) for n in box["notifications"]["nodes"]
                if n["kind"].startswith("PAYOUT")] == [
            ("PAYOUT_FINALIZED", "Harbor Stories"), ("PAYOUT_PROPOSED", "Harbor Stories")]
    # The proposer is credited too (editors' share) but is never told of their own proposal.
    assert "PAYOUT_PROPOSED" not in kinds(await inbox(api, eddie))
    assert "PAYOUT_FINALIZED" not in kinds(await inbox(api, erin))


async def test_the_demo_inboxes_and_the_bench_inbox_are_compiled(api: Api) -> None:
    """The demo community holds notifications of several kinds (hub/seed/notifications.py);
    the bench's inbox operation reads the fullest one in one statement, as the executor
    answers it."""
    from hub.seed.demo import DEMO_PASSWORD, seed_demo
    from tests.graphql_api.test_compiled import BENCH, both_ways

    await seed_demo(api.hub.db, api.hub.plugins)
    db = api.hub.db
    assert await db.fetchval("select count(distinct kind) from notifications") >= 3
    assert await db.fetchval("select count(*) from notifications where read_at is null") > 0
    handle = await db.fetchval(
        "select m.handle from notifications n join members m on m.id = n.recipient_id "
        "group by m.handle order by count(*) desc, m.handle limit 1")
    log_in = """mutation($input: LogInInput!) { logIn(input: $input) { token } }"""
    token = (await api.gql(log_in, {"input": {"handle": handle, "password": DEMO_PASSWORD}}))[
        "logIn"]["token"]
    body, statements = await both_ways(api, BENCH["inbox"], token=token)
    assert statements == 2  # the session's lookup, then the compiled inbox
    viewer = body["data"]["viewer"]
    assert len(viewer["notifications"]["nodes"]) == min(20, viewer["notifications"]["totalCount"])
    assert viewer["unreadNotificationCount"] > 0


COMMENT = """
mutation Comment($input: AddCommentInput!) {
  addComment(input: $input) { errors { code } }
}
"""


async def test_a_comment_tells_the_author_and_every_member_it_mentions(api: Api) -> None:
    """RECORD_COMMENTED for the record's author, MENTIONED for each member named (only that,
    for an author who is also named), nothing for the commenter on their own record; a
    mention on a draft reads as unavailable to a member who may not see it."""
    june, ada, bob = [await api.sign_up(h) for h in ("june", "ada", "bob")]
    song = await api.create_record(june, "Harbor Lights", publish=True)
    draft = await api.create_record(june, "Sketch")  # a draft: only June sees it

    async def comment(member: Member, record: dict[str, Any], body: str) -> None:
        answer = await api.gql(COMMENT, {"input": {"subjectId": record["id"], "body": body}},
                               token=member.token)
        assert answer["addComment"]["errors"] == []

    await comment(ada, song, "Lovely, @bob should hear this")
    await comment(ada, song, "@june the bridge!")
    await comment(june, song, "Thank you all")  # on her own record: nothing for her
    await comment(june, draft, "@ada what do you think of this idea?")

    assert kinds(await inbox(api, june)) == ["MENTIONED", "RECORD_COMMENTED"]
    box = await inbox(api, bob)
    assert kinds(box) == ["MENTIONED"]
    assert box["notifications"]["nodes"][0]["record"] == {"title": "Harbor Lights"}
    assert box["notifications"]["nodes"][0]["actor"] == {"handle": "ada"}
    hidden = (await inbox(api, ada))["notifications"]["nodes"]
    assert [(n["kind"], n["record"], n["available"]) for n in hidden] == [
        ("MENTIONED", None, False)]
