"""``submitCompilation``, ``approveCompilation``, ``returnCompilation``,
``archiveCompilation``: the review workflow (hub/domain/compilations/workflow.py allows only
its transitions; INVALID_STATE otherwise). ``approveCompilation`` needs an editor other than
the submitter (OWN_SUBMISSION) and pins the version of every item's record; a return needs a
reason. Both may carry review comments (per item or on the whole compilation), stored with the
decision, all or nothing.

``assignReviewer`` and ``addReviewComment``: the fuller review of
hub/domain/compilations/review.py (an assignee of the team other than the submitter; comments
while IN_REVIEW, read by the team only)."""

from __future__ import annotations

from typing import Any

import strawberry

from hub.api.compilations.mutations.common import (
    CompilationPayload,
    changed_event,
    payload,
    require_editorial,
    require_team,
    status_event,
)
from hub.api.context import Context
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.events import Event
from hub.core.relay import encode_id, input_pk
from hub.core.validation import clean_text
from hub.domain.compilations import review, service, store, workflow
from hub.domain.compilations.service import MAX_COMMENT, MAX_REASON


@strawberry.input(description="A review comment: on one item, or on the whole compilation.")
class ReviewCommentInput:
    item_id: strawberry.ID | None = strawberry.field(
        default=None, description="The item commented on (an item of this compilation); null "
        "or omitted: a comment on the whole compilation.")
    body: str = strawberry.field(description=f"The comment (required, ≤ {MAX_COMMENT:,}).")


@strawberry.input(description="Sends a compilation back to DRAFT.")
class ReturnCompilationInput:
    id: strawberry.ID = strawberry.field(description="The compilation.")
    reason: str = strawberry.field(description=f"What to change (required, ≤ {MAX_REASON:,}).")
    comments: list[ReviewCommentInput] | None = strawberry.field(
        default=None, description=f"Review comments sent with the return, per item or on the "
        f"whole compilation (at most {review.MAX_COMMENTS}); null or omitted: none.")


@strawberry.input(description="Names the editor of a compilation's team asked to review it.")
class AssignReviewerInput:
    compilation_id: strawberry.ID = strawberry.field(description="The compilation IN_REVIEW.")
    member_id: strawberry.ID = strawberry.field(description="An editor of its team other than "
                                                "the one who submitted it.")


@strawberry.input(description="A review comment on a compilation IN_REVIEW or on one of its "
                  "items.")
class AddReviewCommentInput:
    compilation_id: strawberry.ID = strawberry.field(description="The compilation IN_REVIEW.")
    item_id: strawberry.ID | None = strawberry.field(
        default=None, description="The item commented on; null or omitted: a comment on the "
        "whole compilation.")
    body: str = strawberry.field(description=f"The comment (required, ≤ {MAX_COMMENT:,}).")


async def transition(
    tx: Executor, context: Context, row: Any, action: str, reason: str = "",
    details: dict[str, Any] | None = None,
) -> tuple[Any, Event]:
    """Move the locked ``row`` by ``action`` (the team only); the updated row and its event."""
    viewer = await require_team(tx, context, row)
    updated = await service.transition(tx, row, viewer, action, reason, details)
    return updated, status_event(context, updated, row["status"])


async def _comment_item(tx: Executor, row: Any, global_id: Any, field: str) -> Any:
    """The item a comment names (None for the whole compilation): one of ``row``'s items."""
    if global_id is None or global_id is strawberry.UNSET:
        return None
    item = await store.item_by_id(tx, input_pk(global_id, "CompilationItem", field))
    if item is None or item["compilation_id"] != row["id"]:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such item in this compilation.", field)
    return item


async def _store_comments(tx: Executor, row: Any, viewer: int,
                          comments: list[ReviewCommentInput] | None, kind: str) -> None:
    """Check every comment, then store them (all or none: a bad one rolls back the decision)."""
    if not comments:
        return
    if len(comments) > review.MAX_COMMENTS:
        raise InputProblem(ErrorCode.TOO_LONG, f"At most {review.MAX_COMMENTS} comments at once.",
                           "comments")
    checked = []
    for n, comment in enumerate(comments):
        body = clean_text(comment.body, f"comments.{n}.body", max_length=MAX_COMMENT,
                          required=True)
        checked.append((await _comment_item(tx, row, comment.item_id, f"comments.{n}.itemId"),
                        body))
    for item, body in checked:
        await review.add_comment(tx, row["id"], item, viewer, body, kind)


async def change_status(
    context: Context, global_id: str, action: str, reason: str = "",
    comments: list[ReviewCommentInput] | None = None,
) -> CompilationPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await service.locked(tx, global_id)
        if action == "approve":
            await require_team(tx, context, row)
            if row["status"] == workflow.IN_REVIEW and row["submitted_by"] == context.viewer_id:
                raise InputProblem(ErrorCode.OWN_SUBMISSION, "You submitted this compilation; "
                                   "another editor must approve it.")
            if row["status"] == workflow.IN_REVIEW:
                await store.pin_versions(tx, row["id"])
        if action == "submit":
            await require_team(tx, context, row)
            if not await store.item_count(tx, row["id"]) and row["status"] == workflow.DRAFT:
                raise InputProblem(ErrorCode.INVALID_STATE, "Add items before submitting.")
        clean_reason = reason
        if action == "return":
            clean_reason = clean_text(reason, "reason", max_length=MAX_REASON, required=True)
        updated, event = await transition(tx, context, row, action, clean_reason)
        # After the transition, which refused a decision the workflow does not allow.
        await _store_comments(tx, row, context.require_viewer(), comments, action.upper())
        return Outcome(payload(context, updated), [event])

    return await run_mutation(context, CompilationPayload, work)


async def assign_reviewer(context: Context, input: AssignReviewerInput) -> CompilationPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await service.locked(tx, input.compilation_id, "compilationId")
        viewer = await require_team(tx, context, row)
        member = input_pk(input.member_id, "Member", "memberId")
        if row["status"] != workflow.IN_REVIEW:
            raise InputProblem(ErrorCode.INVALID_STATE, "A reviewer is assigned while the "
                               f"compilation is IN_REVIEW; it is {row['status']}.",
                               "compilationId")
        if not await store.is_editor(tx, row["id"], member):
            raise InputProblem(ErrorCode.NOT_AN_EDITOR, "The reviewer must be an editor of "
                               "this compilation's team (add them first).", "memberId")
        if member == row["submitted_by"]:
            raise InputProblem(ErrorCode.OWN_SUBMISSION, "The reviewer must be another editor "
                               "than the one who submitted it.", "memberId")
        updated = await review.set_assignee(tx, row["id"], member)
        gid = encode_id("Member", member)
        await store.add_history(tx, row["id"], viewer, "assign_reviewer", None, None, gid,
                                {"member": gid})
        return Outcome(payload(context, updated),
                       [changed_event(context, updated, "REVIEW_CHANGED")])

    return await run_mutation(context, CompilationPayload, work)


async def add_review_comment(context: Context,
                             input: AddReviewCommentInput) -> CompilationPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await service.locked(tx, input.compilation_id, "compilationId")
        viewer = await require_team(tx, context, row)
        if row["status"] != workflow.IN_REVIEW:
            raise InputProblem(ErrorCode.INVALID_STATE, "Review comments are written while the "
                               f"compilation is IN_REVIEW (or sent with approveCompilation and "
                               f"returnCompilation); it is {row['status']}.", "compilationId")
        body = clean_text(input.body, "body", max_length=MAX_COMMENT, required=True)
        item = await _comment_item(tx, row, input.item_id, "itemId")
        await review.add_comment(tx, row["id"], item, viewer, body, "COMMENT")
        # A comment is no change to the compilation: its version stays (an editor's pending
        # edit is not made stale by a note), but the team sees it live.
        return Outcome(payload(context, row),
                       [changed_event(context, row, "REVIEW_CHANGED",
                                      item["id"] if item is not None else None)])

    return await run_mutation(context, CompilationPayload, work)

