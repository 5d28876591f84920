"""Review with four eyes, fuller: an assignee (``assignReviewer``, ``viewer { reviewQueue }``),
review comments per item (``addReviewComment``, or sent with ``approveCompilation`` and
``returnCompilation``; read by the editors team only) and ``changesSinceReview`` — through the
real HTTP app against PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.api import Api, Member
from tests.compilations.test_compilations_edit import connect, event
from tests.compilations_api import (
    ADD_EDITOR,
    MOVE_ITEM,
    PUBLISH,
    REMOVE_ITEM,
    SUBMIT,
    add,
    create,
    editors,
    step,
    story,
)
from tests.graphql_api.test_compiled import both_ways

ERRORS = "errors { field message code }"
ASSIGN = f"""
mutation Assign($input: AssignReviewerInput!) {{
  assignReviewer(input: $input) {{ compilation {{ version assignee {{ handle }} }} {ERRORS} }}
}}"""
COMMENT = f"""
mutation Comment($input: AddReviewCommentInput!) {{
  addReviewComment(input: $input) {{ compilation {{ status }} {ERRORS} }}
}}"""
APPROVE = f"""
mutation Approve($id: ID!, $comments: [ReviewCommentInput!]) {{
  approveCompilation(input: {{id: $id}}, comments: $comments) {{
    compilation {{ status }} {ERRORS}
  }}
}}"""
RETURN = f"""
mutation Return($id: ID!, $reason: String!, $comments: [ReviewCommentInput!]) {{
  returnCompilation(input: {{id: $id, reason: $reason, comments: $comments}}) {{
    compilation {{ status }} {ERRORS}
  }}
}}"""
COMMENTS = """
query Comments($id: ID!) {
  compilation(id: $id) {
    reviewComments { totalCount edges { node {
      body kind itemId recordId record { title } author { handle } } } }
    items { reviewComments { edges { node { body kind } } } }
  }
}"""
QUEUE = """
query Queue { viewer { handle reviewQueue { totalCount edges { node { title status } } } } }"""
CHANGES = """
query Changes($id: ID!) {
  compilation(id: $id) {
    changesSinceReview {
      since review { __typename actor { handle } ... on CompilationReturned { comment } }
      items { kind record { title } fromPosition toPosition fromWeight toWeight }
      settingsChanged
      events { __typename }
    }
  }
}"""
HISTORY = """
query History($id: ID!) {
  compilation(id: $id) { historyConnection(first: 100) { edges { node { action event {
    __typename actor { handle }
    ... on CompilationReviewerAssigned { member { handle } }
    ... on CompilationReviewCommented { recordId record { title } }
  } } } } }
}"""


async def in_review(api: Api) -> tuple[Member, Member, dict[str, Any], list[dict[str, Any]]]:
    """eddie's compilation of two stories, erin on its team, submitted by eddie."""
    eddie, erin = await editors(api)
    writer = await api.sign_up("wendy")
    compilation = await create(api, eddie)
    items = [await add(api, eddie, compilation, await story(api, writer, title))
             for title in ("First Light", "Low Tide")]
    await api.gql(ADD_EDITOR, {"input": {"compilationId": compilation["id"],
                                         "memberId": erin.id}}, token=eddie.token)
    assert (await step(api, SUBMIT, eddie, compilation["id"]))["errors"] == []
    return eddie, erin, compilation, items


async def assign(api: Api, member: Member, compilation_id: str, reviewer: Member) -> dict[str, Any]:
    data = await api.gql(ASSIGN, {"input": {"compilationId": compilation_id,
                                            "memberId": reviewer.id}}, token=member.token)
    return data["assignReviewer"]


async def comment(api: Api, member: Member, compilation_id: str, body: str,
                  item_id: str | None = None) -> dict[str, Any]:
    data = await api.gql(COMMENT, {"input": {"compilationId": compilation_id, "itemId": item_id,
                                             "body": body}}, token=member.token)
    return data["addReviewComment"]


# --- the assignee and the review queue ------------------------------------------------------------


async def test_the_submitter_assigns_another_editor_who_sees_it_in_their_queue(api: Api) -> None:
    eddie, erin, compilation, _ = await in_review(api)
    payload = await assign(api, eddie, compilation["id"], erin)
    assert payload == {"compilation": {"version": 6, "assignee": {"handle": "erin"}},
                       "errors": []}

    body, statements = await both_ways(api, QUEUE, token=erin.token)
    assert body["data"]["viewer"]["reviewQueue"] == {"totalCount": 1, "edges": [
        {"node": {"title": "Harbor Stories", "status": "IN_REVIEW"}}]}
    assert statements == 2  # the session's lookup, then one statement
    mine = await api.gql(QUEUE, token=eddie.token)
    assert mine["viewer"]["reviewQueue"] == {"totalCount": 0, "edges": []}
    # Someone else's queue is theirs alone.
    other = await api.gql('query { member(handle: "erin") { reviewQueue { totalCount } } }',
                          token=eddie.token)
    assert other["member"]["reviewQueue"] is None

    # Approved: out of the queue (the queue is what waits for review).
    approve = await api.gql(APPROVE, {"id": compilation["id"]}, token=erin.token)
    assert approve["approveCompilation"]["errors"] == []
    after = await api.gql(QUEUE, token=erin.token)
    assert after["viewer"]["reviewQueue"]["totalCount"] == 0


async def test_the_assignee_is_another_editor_of_the_team_while_in_review(api: Api) -> None:
    eddie, erin, compilation, _ = await in_review(api)
    outsider = await api.sign_up("olga", "EDITOR")
    writer = await api.sign_up("walt")

    assert (await assign(api, eddie, compilation["id"], eddie))["errors"] == [{
        "field": "memberId", "code": "OWN_SUBMISSION",
        "message": "The reviewer must be another editor than the one who submitted it."}]
    for member in (outsider, writer):
        assert (await assign(api, eddie, compilation["id"], member))["errors"] == [{
            "field": "memberId", "code": "NOT_AN_EDITOR",
            "message": "The reviewer must be an editor of this compilation's team (add them "
            "first)."}]
    # Only the team assigns.
    errors = await api.errors(ASSIGN, {"input": {"compilationId": compilation["id"],
                                                 "memberId": erin.id}}, token=outsider.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    # Only while IN_REVIEW.
    draft = await create(api, eddie, title="Not yet")
    assert (await assign(api, eddie, draft["id"], erin))["errors"] == [{
        "field": "compilationId", "code": "INVALID_STATE",
        "message": "A reviewer is assigned while the compilation is IN_REVIEW; it is DRAFT."}]
    # Nothing was written by the refusals.
    read = await api.gql("query C($id: ID!) { compilation(id: $id) { version assignee { handle } } }",
                         {"id": compilation["id"]}, token=eddie.token)
    assert read["compilation"] == {"version": 5, "assignee": None}


async def test_an_assignee_who_leaves_the_team_is_no_longer_assigned(api: Api) -> None:
    eddie, erin, compilation, _ = await in_review(api)
    await assign(api, eddie, compilation["id"], erin)
    data = await api.gql(
        f"""mutation R($input: RemoveCompilationEditorInput!) {{
          removeCompilationEditor(input: $input) {{ compilation {{ assignee {{ handle }} }}
          {ERRORS} }} }}""",
        {"input": {"compilationId": compilation["id"], "memberId": erin.id}}, token=eddie.token)
    assert data["removeCompilationEditor"] == {"compilation": {"assignee": None}, "errors": []}
    assert (await api.gql(QUEUE, token=erin.token))["viewer"]["reviewQueue"]["totalCount"] == 0


# --- review comments --------------------------------------------------------------------------------


async def test_a_reviewer_comments_per_item_and_approves_with_a_comment(api: Api) -> None:
    eddie, erin, compilation, items = await in_review(api)
    before = api.statements()
    assert await comment(api, erin, compilation["id"], "Tighten the opening.",
                         items[0]["id"]) == {"compilation": {"status": "IN_REVIEW"},
                                             "errors": []}
    # session, shared rate limit, lock, team, item, the comment with its history entry (one
    # statement), the event for the team's subscriptions (one insert); the payload's compilation
    assert api.statements() - before == 7
    approve = await api.gql(APPROVE, {"id": compilation["id"], "comments": [
        {"itemId": items[1]["id"], "body": "Lovely ending."},
        {"body": "Good to go."}]}, token=erin.token)
    assert approve["approveCompilation"] == {"compilation": {"status": "APPROVED"}, "errors": []}

    body, statements = await both_ways(api, COMMENTS, {"id": compilation["id"]},
                                       token=eddie.token)
    data = body["data"]["compilation"]
    assert statements == 2
    assert data["reviewComments"]["totalCount"] == 3
    nodes = [edge["node"] for edge in data["reviewComments"]["edges"]]
    assert [(n["body"], n["kind"], n["record"], n["author"]["handle"]) for n in nodes] == [
        ("Tighten the opening.", "COMMENT", {"title": "First Light"}, "erin"),
        ("Lovely ending.", "APPROVE", {"title": "Low Tide"}, "erin"),
        ("Good to go.", "APPROVE", None, "erin"),
    ]
    assert nodes[0]["itemId"] == items[0]["id"] and nodes[2]["itemId"] is None
    assert [[e["node"]["body"] for e in item["reviewComments"]["edges"]]
            for item in data["items"]] == [["Tighten the opening."], ["Lovely ending."]]

    history = await api.gql(HISTORY, {"id": compilation["id"]}, token=eddie.token)
    events = [e["node"]["event"] for e in
              history["compilation"]["historyConnection"]["edges"]]
    commented = [e for e in events if e["__typename"] == "CompilationReviewCommented"]
    assert [(e["actor"]["handle"], e["record"]) for e in commented] == [
        ("erin", {"title": "First Light"}), ("erin", {"title": "Low Tide"}), ("erin", None)]


async def test_comments_are_for_the_team_only(api: Api) -> None:
    eddie, erin, compilation, items = await in_review(api)
    await comment(api, erin, compilation["id"], "Check the credits.", items[0]["id"])
    outsider = await api.sign_up("olga", "EDITOR")
    admin = await api.sign_up("ada", "ADMIN")

    body, _ = await both_ways(api, COMMENTS, {"id": compilation["id"]}, token=outsider.token)
    assert body["data"]["compilation"]["reviewComments"] is None
    assert body["data"]["compilation"]["items"][0]["reviewComments"] is None
    body, _ = await both_ways(api, COMMENTS, {"id": compilation["id"]}, token=admin.token)
    assert body["data"]["compilation"]["reviewComments"]["totalCount"] == 1
    errors = await api.errors(COMMENT, {"input": {"compilationId": compilation["id"],
                                                  "body": "Me too"}}, token=outsider.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"

    # Published, the compilation is everyone's to read, its review notes still the team's.
    approve = await api.gql(APPROVE, {"id": compilation["id"]}, token=erin.token)
    assert approve["approveCompilation"]["errors"] == []
    assert (await step(api, PUBLISH, eddie, compilation["id"]))["errors"] == []
    for token in (None, (await api.sign_up("wes")).token):
        body, _ = await both_ways(api, COMMENTS, {"id": compilation["id"]}, token=token)
        assert body["data"]["compilation"]["reviewComments"] is None
    # The history says a comment was written, not what it says.
    history = await api.gql(HISTORY, {"id": compilation["id"]})
    actions = [e["node"]["action"] for e in history["compilation"]["historyConnection"]["edges"]]
    assert "review_comment" in actions


async def test_comments_only_in_review_or_with_a_decision(api: Api) -> None:
    eddie, erin, compilation, items = await in_review(api)
    other = await create(api, eddie, title="Other")
    writer = await api.sign_up("walt")
    foreign = await add(api, eddie, other, await story(api, writer, "Elsewhere"))

    assert (await comment(api, erin, compilation["id"], "  "))["errors"] == [{
        "field": "body", "code": "INVALID_INPUT", "message": "body must not be empty."}]
    assert (await comment(api, erin, compilation["id"], "x", foreign["id"]))["errors"] == [{
        "field": "itemId", "code": "NOT_FOUND", "message": "No such item in this compilation."}]
    assert (await comment(api, eddie, other["id"], "Draft note"))["errors"] == [{
        "field": "compilationId", "code": "INVALID_STATE",
        "message": "Review comments are written while the compilation is IN_REVIEW (or sent "
        "with approveCompilation and returnCompilation); it is DRAFT."}]

    # A bad comment refuses the whole decision: nothing is written.
    before = await api.gql(HISTORY, {"id": compilation["id"]}, token=eddie.token)
    data = await api.gql(RETURN, {"id": compilation["id"], "reason": "Reorder", "comments": [
        {"itemId": items[0]["id"], "body": "Move this down."},
        {"itemId": foreign["id"], "body": "Not ours."}]}, token=erin.token)
    assert data["returnCompilation"] == {"compilation": None, "errors": [{
        "field": "comments.1.itemId", "code": "NOT_FOUND",
        "message": "No such item in this compilation."}]}
    assert await api.gql(HISTORY, {"id": compilation["id"]}, token=eddie.token) == before
    body, _ = await both_ways(api, COMMENTS, {"id": compilation["id"]}, token=eddie.token)
    assert body["data"]["compilation"]["reviewComments"]["totalCount"] == 0

    # The same return, with good comments, stores them as RETURN comments.
    data = await api.gql(RETURN, {"id": compilation["id"], "reason": "Reorder", "comments": [
        {"itemId": items[0]["id"], "body": "Move this down."}]}, token=erin.token)
    assert data["returnCompilation"] == {"compilation": {"status": "DRAFT"}, "errors": []}
    body, _ = await both_ways(api, COMMENTS, {"id": compilation["id"]}, token=eddie.token)
    assert [e["node"]["kind"] for e in body["data"]["compilation"]["reviewComments"]["edges"]] == [
        "RETURN"]


async def test_approving_with_comments_costs_two_statements_per_comment(api: Api) -> None:
    eddie, erin, first, items = await in_review(api)
    second = await create(api, eddie, title="Second")
    writer = await api.sign_up("walt")
    more = [await add(api, eddie, second, await story(api, writer, title))
            for title in ("Night Ferry", "Passing")]
    await api.gql(ADD_EDITOR, {"input": {"compilationId": second["id"], "memberId": erin.id}},
                  token=eddie.token)
    assert (await step(api, SUBMIT, eddie, second["id"]))["errors"] == []
    counts = []
    for compilation, its_items in ((first, items[:1]), (second, more + more)):
        before = api.statements()
        data = await api.gql(APPROVE, {"id": compilation["id"], "comments": [
            {"itemId": item["id"], "body": "Fine."} for item in its_items]}, token=erin.token)
        assert data["approveCompilation"]["errors"] == []
        counts.append(api.statements() - before)
    # per comment: its item's lookup, then the comment with its history entry (one statement)
    assert counts[1] - counts[0] == 3 * 2, counts


# --- what changed since the last review ---------------------------------------------------------------


async def test_changes_since_the_last_review_are_netted_from_the_history(api: Api) -> None:
    eddie, erin, compilation, items = await in_review(api)
    never = await api.gql(CHANGES, {"id": compilation["id"]}, token=eddie.token)
    changes = never["compilation"]["changesSinceReview"]
    assert changes["since"] is None and changes["review"] is None
    assert [c["kind"] for c in changes["items"]] == ["ADDED", "ADDED"]

    data = await api.gql(RETURN, {"id": compilation["id"], "reason": "Reorder it"},
                         token=erin.token)
    assert data["returnCompilation"]["errors"] == []
    writer = await api.sign_up("walt")
    extra = await add(api, eddie, compilation, await story(api, writer, "Night Ferry"))
    passing = await add(api, eddie, compilation, await story(api, writer, "Passing"))
    await api.gql(REMOVE_ITEM, {"input": {"itemId": passing["id"]}}, token=eddie.token)
    await api.gql(REMOVE_ITEM, {"input": {"itemId": items[0]["id"]}}, token=eddie.token)
    await api.gql(MOVE_ITEM, {"input": {"itemId": extra["id"], "position": 1}},
                  token=eddie.token)
    await api.gql(
        f"""mutation W($input: UpdateCompilationItemInput!) {{
          updateCompilationItem(input: $input) {{ {ERRORS} }} }}""",
        {"input": {"itemId": items[1]["id"], "weight": "2.5"}}, token=eddie.token)
    await api.gql(
        f"""mutation U($input: UpdateCompilationInput!) {{
          updateCompilation(input: $input) {{ {ERRORS} }} }}""",
        {"input": {"id": compilation["id"], "title": "Harbor Nights"}}, token=eddie.token)

    data = await api.gql(CHANGES, {"id": compilation["id"]}, token=erin.token)
    changes = data["compilation"]["changesSinceReview"]
    assert changes["since"] is not None
    assert changes["review"] == {"__typename": "CompilationReturned", "actor": {"handle": "erin"},
                                 "comment": "Reorder it"}
    # "Passing" came and went: no change. "Night Ferry" was added (its move is part of that).
    assert changes["items"] == [
        {"kind": "ADDED", "record": {"title": "Night Ferry"}, "fromPosition": None,
         "toPosition": None, "fromWeight": None, "toWeight": None},
        {"kind": "REMOVED", "record": {"title": "First Light"}, "fromPosition": None,
         "toPosition": None, "fromWeight": None, "toWeight": None},
        {"kind": "REWEIGHTED", "record": {"title": "Low Tide"}, "fromPosition": None,
         "toPosition": None, "fromWeight": "1", "toWeight": "2.5"},
    ]
    assert changes["settingsChanged"] == ["title"]
    assert [e["__typename"] for e in changes["events"]] == [
        "CompilationItemAdded", "CompilationItemAdded", "CompilationItemRemoved",
        "CompilationItemRemoved", "CompilationItemMoved", "CompilationItemReweighted",
        "CompilationSettingsChanged"]


async def test_the_changes_since_review_read_in_a_fixed_number_of_statements(api: Api) -> None:
    eddie, erin, compilation, _ = await in_review(api)
    data = await api.gql(RETURN, {"id": compilation["id"], "reason": "More, please"},
                         token=erin.token)
    assert data["returnCompilation"]["errors"] == []
    writer = await api.sign_up("walt")
    counts = []
    for title in ("Three", "Four", "Five"):
        await add(api, eddie, compilation, await story(api, writer, title))
        before = api.statements()
        changes = (await api.gql(CHANGES, {"id": compilation["id"]}, token=erin.token))[
            "compilation"]["changesSinceReview"]
        counts.append(api.statements() - before)
        assert changes["items"][-1]["record"] == {"title": title}
    # the session, the compilation, its whole history (one statement), then one batch each
    # for the members and the records named, however long the history
    assert len(set(counts)) == 1, counts


async def test_the_team_hears_of_assignments_and_comments_live(api: Api) -> None:
    eddie, erin, compilation, items = await in_review(api)
    ws = await connect(api, eddie)
    try:
        op = await ws.subscribe("""subscription ($id: ID!) { compilationUpdated(id: $id) {
          change itemId version compilation { assignee { handle } } } }""",
                                {"id": compilation["id"]})
        await asyncio.sleep(0.2)  # the subscription registers with the listener
        await assign(api, eddie, compilation["id"], erin)
        assigned = event(await ws.next(op))
        assert assigned == {"change": "REVIEW_CHANGED", "itemId": None, "version": 6,
                            "compilation": {"assignee": {"handle": "erin"}}}
        await comment(api, erin, compilation["id"], "Check the credits.", items[1]["id"])
        commented = event(await ws.next(op))
        # A comment changes nothing of the compilation: its version stays, so an editor's
        # pending edit is not made stale by a note.
        assert (commented["change"], commented["itemId"], commented["version"]) == (
            "REVIEW_CHANGED", items[1]["id"], 6)
    finally:
        await ws.close()
