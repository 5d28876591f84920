"""Moderation through the HTTP app: reports and the moderators' queue, hiding and restoring
(a record's author under their record, moderators anywhere), suspended members who read but
do not write, and the log of every act — each from every side."""

from __future__ import annotations

from typing import Any

from tests.api import Api, Member

SONG = {"music": {"durationSeconds": 215}}

ADD = """
mutation Add($subject: ID!, $body: String!) {
  addComment(input: {subjectId: $subject, body: $body}) {
    comment { id } errors { field message code }
  }
}
"""

REPORT = """
mutation Report($id: ID!, $reason: ReportReason!, $text: String!) {
  reportComment(input: {id: $id, reason: $reason, text: $text}) {
    comment { id } errors { field code }
  }
}
"""

HIDE = """
mutation Hide($id: ID!) {
  hideComment(input: {id: $id, reason: "Rude"}) {
    comment { id body hidden } errors { field code }
  }
}
"""

RESTORE = """
mutation Restore($id: ID!) {
  restoreComment(input: {id: $id}) { comment { id body hidden } errors { field code } }
}
"""

SUSPEND = """
mutation Suspend($id: ID!) {
  suspendMember(input: {memberId: $id, reason: "Flooding"}) {
    member { handle suspended } errors { field code }
  }
}
"""

UNSUSPEND = """
mutation Unsuspend($id: ID!) {
  unsuspendMember(input: {memberId: $id}) { member { handle } errors { field code } }
}
"""

QUEUE = """
{
  moderationQueue(first: 10) {
    totalCount
    nodes { reason text reporter { handle } comment { body author { handle } } }
  }
}
"""

LOG = """
{
  moderationLog(first: 10) {
    totalCount
    nodes { action reason actor { handle } member { handle } comment { hidden } }
  }
}
"""

COMMENT = "query($id: ID!) { node(id: $id) { ... on Comment { body bodyHtml hidden } } }"


async def _setup(api: Api) -> tuple[Member, Member, Member, str, str]:
    """june's song, a comment of troll's under it; mo the moderator."""
    june, troll = await api.sign_up("june"), await api.sign_up("troll")
    mo = await api.sign_up("moss", role="MODERATOR")
    song = (await api.create_record(june, "Harbor Lights", details=SONG, publish=True))["id"]
    added = await api.gql(ADD, {"subject": song, "body": "Boring."}, token=troll.token)
    return june, troll, mo, song, added["addComment"]["comment"]["id"]


async def _node(api: Api, comment: str, member: Member | None) -> Any:
    return (await api.gql(COMMENT, {"id": comment},
                          token=member.token if member else None))["node"]


async def test_reports_reach_the_queue_of_moderators_only(api: Api) -> None:
    june, troll, mo, _, comment = await _setup(api)
    reported = await api.gql(REPORT, {"id": comment, "reason": "HARASSMENT", "text": "Mean"},
                             token=june.token)
    assert reported["reportComment"]["errors"] == []
    # Reporting again replaces the report: still one in the queue.
    await api.gql(REPORT, {"id": comment, "reason": "SPAM", "text": "Again"}, token=june.token)
    queue = (await api.gql(QUEUE, token=mo.token))["moderationQueue"]
    assert queue == {"totalCount": 1, "nodes": [{
        "reason": "SPAM", "text": "Again", "reporter": {"handle": "june"},
        "comment": {"body": "Boring.", "author": {"handle": "troll"}}}]}
    for member in (june, troll, None):
        empty = await api.gql(QUEUE, token=member.token if member else None)
        assert empty["moderationQueue"] == {"totalCount": 0, "nodes": []}
    errors = await api.errors(REPORT, {"id": comment, "reason": "SPAM", "text": ""})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_records_author_hides_comments_under_it(api: Api) -> None:
    june, troll, mo, _, comment = await _setup(api)
    bystander = await api.sign_up("bystander")
    errors = await api.errors(HIDE, {"id": comment}, token=bystander.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    hidden = (await api.gql(HIDE, {"id": comment}, token=june.token))["hideComment"]
    # june is the record's author, not the comment's: she sees the tombstone too.
    assert hidden == {"errors": [], "comment": {"id": comment, "body": None, "hidden": True}}
    # A tombstone for others; its author and the moderators still read it.
    assert await _node(api, comment, bystander) == {"body": None, "bodyHtml": None,
                                                    "hidden": True}
    assert await _node(api, comment, None) == {"body": None, "bodyHtml": None, "hidden": True}
    assert (await _node(api, comment, troll))["body"] == "Boring."
    assert (await _node(api, comment, mo))["body"] == "Boring."
    # Its author may not edit what was judged (deleting it stays theirs).
    edit = await api.gql("mutation($id: ID!) { editComment(input: {id: $id, body: \"Nice.\"}) "
                         "{ errors { code } } }", {"id": comment}, token=troll.token)
    assert edit["editComment"]["errors"] == [{"code": "COMMENT_CLOSED"}]
    # Restoring is the moderators'.
    errors = await api.errors(RESTORE, {"id": comment}, token=june.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    restored = (await api.gql(RESTORE, {"id": comment}, token=mo.token))["restoreComment"]
    assert restored["comment"] == {"id": comment, "body": "Boring.", "hidden": False}
    # A hidden comment takes no replies.
    await api.gql(HIDE, {"id": comment}, token=mo.token)
    reply = await api.gql("mutation($id: ID!) { replyToComment(input: {commentId: $id, "
                          "body: \"Hey\"}) { errors { code } } }", {"id": comment},
                          token=june.token)
    assert reply["replyToComment"]["errors"] == [{"code": "COMMENT_CLOSED"}]


async def test_moderators_hide_resolving_reports_and_every_act_is_logged(api: Api) -> None:
    june, troll, mo, _, comment = await _setup(api)
    await api.gql(REPORT, {"id": comment, "reason": "SPAM", "text": ""}, token=june.token)
    await api.gql(HIDE, {"id": comment}, token=mo.token)
    assert (await api.gql(QUEUE, token=mo.token))["moderationQueue"]["totalCount"] == 0
    await api.gql(SUSPEND, {"id": troll.id}, token=mo.token)
    log = (await api.gql(LOG, token=mo.token))["moderationLog"]
    assert log == {"totalCount": 2, "nodes": [
        {"action": "SUSPEND", "reason": "Flooding", "actor": {"handle": "moss"},
         "member": {"handle": "troll"}, "comment": None},
        {"action": "HIDE", "reason": "Rude", "actor": {"handle": "moss"},
         "member": {"handle": "troll"}, "comment": {"hidden": True}}]}
    for member in (june, troll, None):
        empty = await api.gql(LOG, token=member.token if member else None)
        assert empty["moderationLog"] == {"totalCount": 0, "nodes": []}


async def test_suspended_members_read_but_do_not_write(api: Api) -> None:
    june, troll, mo, song, comment = await _setup(api)
    errors = await api.errors(SUSPEND, {"id": troll.id}, token=june.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    errors = await api.errors(SUSPEND, {"id": mo.id}, token=mo.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    suspended = (await api.gql(SUSPEND, {"id": troll.id}, token=mo.token))["suspendMember"]
    assert suspended == {"errors": [], "member": {"handle": "troll", "suspended": True}}
    # Whether a member is suspended: for that member and the moderators only.
    who = "query($h: String!) { member(handle: $h) { suspended } }"
    assert (await api.gql(who, {"h": "troll"}, token=troll.token))["member"] == {
        "suspended": True}
    assert (await api.gql(who, {"h": "troll"}, token=june.token))["member"] == {
        "suspended": None}
    assert (await api.gql(who, {"h": "troll"}))["member"] == {"suspended": None}
    before = await api.hub.db.fetchval("select count(*) from comments")
    # Every mutation is refused, not only comments: the check is where mutations execute.
    for operation, variables in [
        (ADD, {"subject": song, "body": "Still boring."}),
        ("mutation($id: ID!) { heartRecord(input: {recordId: $id}) { errors { code } } }",
         {"id": song}),
        ("mutation { updateProfile(input: {bio: \"hi\"}) { errors { code } } }", {}),
    ]:
        _status, body = await api.post(operation, variables, token=troll.token)
        assert body["errors"][0]["extensions"]["code"] == "SUSPENDED", operation
        assert body["data"] is None
    assert await api.hub.db.fetchval("select count(*) from comments") == before
    # Reading goes on.
    assert (await _node(api, comment, troll))["body"] == "Boring."
    await api.gql(UNSUSPEND, {"id": troll.id}, token=mo.token)
    again = await api.gql(ADD, {"subject": song, "body": "Sorry."}, token=troll.token)
    assert again["addComment"]["errors"] == []


async def test_unknown_comments_and_members(api: Api) -> None:
    _, _, mo, _, _ = await _setup(api)
    missing = "Q29tbWVudDo5OTk5OQ"  # Comment:99999
    for operation, variables in [(HIDE, {"id": missing}), (RESTORE, {"id": missing}),
                                 (REPORT, {"id": missing, "reason": "SPAM", "text": ""})]:
        data = await api.gql(operation, variables, token=mo.token)
        (payload,) = data.values()
        assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"], operation
    data = await api.gql(SUSPEND, {"id": "TWVtYmVyOjk5OTk5"}, token=mo.token)
    assert [e["code"] for e in data["suspendMember"]["errors"]] == ["NOT_FOUND"]
    assert await api.hub.db.fetchval("select count(*) from moderation_log") == 0
