"""Mutations of comments: post, reply, edit, delete, report.

Permission rules (hub/domain/conversations/service.py): a signed-in member comments on what
they may see (a draft record: its author; a compilation: its team), replies to a comment
they may see (not a deleted or hidden one: COMMENT_CLOSED), and edits or deletes only their
own comments; anyone signed in reports a comment they may see. A suspended member does none
of this (``SUSPENDED``, hub/api/suspension.py). New comments and replies count against
HUB_COMMENTS_PER_MINUTE besides HUB_MUTATIONS_PER_MINUTE (``RATE_LIMITED``), in the one
rate-limit statement every mutation costs.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from hub.api.conversations.types import Comment
from hub.api.errors import ERRORS_DESCRIPTION, UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.events import Event
from hub.core.relay import encode_id, input_pk, parse_id
from hub.domain.conversations import service, store

if TYPE_CHECKING:
    from hub.api.context import Context


@strawberry.enum(description="Why a comment is reported.")
class ReportReason(enum.Enum):
    SPAM = strawberry.enum_value("SPAM", description="Advertising, or the same text again "
                                 "and again.")
    HARASSMENT = strawberry.enum_value("HARASSMENT", description="It attacks or intimidates "
                                       "someone.")
    HATE = strawberry.enum_value("HATE", description="It demeans people for who they are.")
    OFF_TOPIC = strawberry.enum_value("OFF_TOPIC", description="It has nothing to do with its "
                                      "subject.")
    PERSONAL_DATA = strawberry.enum_value("PERSONAL_DATA", description="It exposes someone's "
                                          "private information.")
    OTHER = strawberry.enum_value("OTHER", description="Something else: say what in `text`.")


@strawberry.input(description="A new comment that starts a thread.")
class AddCommentInput:
    subject_id: strawberry.ID = strawberry.field(
        description="The global ID of a Record, Collaboration, Lesson or Compilation you may "
        "see (a compilation's comments are its team's editorial notes).")
    body: str = strawberry.field(description="Markdown (no raw HTML), 1 to 10,000 characters; "
                                 "@handle mentions must name members.")
    at_seconds: float | None = strawberry.field(
        default=None, description="A moment of a music or film record, in seconds within its "
        "duration; omitted or null: no moment.")
    quote: str | None = strawberry.field(
        default=None, description="A passage of a writing record's text, exactly as it reads "
        "at `quoteOffset` (at most 1,000 characters); omitted or null: no passage.")
    quote_offset: int | None = strawberry.field(
        default=None, description="Where `quote` starts in the text, in characters from 0; "
        "omitted or null only without `quote`.")


@strawberry.input(description="A reply in a comment's thread.")
class ReplyToCommentInput:
    comment_id: strawberry.ID = strawberry.field(
        description="The comment answered. A reply to a reply joins the thread of that "
        "reply's root comment (threads are one level deep).")
    body: str = strawberry.field(description="Markdown, as in `addComment`.")


@strawberry.input(description="A new body for your comment (the old one joins its history).")
class EditCommentInput:
    id: strawberry.ID = strawberry.field(description="Your comment's global ID.")
    body: str = strawberry.field(description="Markdown, as in `addComment`.")


@strawberry.input(description="Names a comment.")
class CommentRefInput:
    id: strawberry.ID = strawberry.field(description="The comment's global ID.")


@strawberry.input(description="A report of a comment to the moderators.")
class ReportCommentInput:
    id: strawberry.ID = strawberry.field(description="The comment's global ID.")
    reason: ReportReason = strawberry.field(description="Why.")
    text: str = strawberry.field(default="", description="More for the moderators, at most "
                                 "2,000 characters; omitted: none.")


@strawberry.type(description="The comment after the mutation, or the errors that stopped it.")
class CommentPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION,
                                               directives=sized_list(MAX_USER_ERRORS))
    comment: Comment | None = strawberry.field(default=None, description="The comment as it is "
                                               "now; null on errors.")


_SUBJECTS = tuple(store.SUBJECTS)


async def comment_of(tx: Executor, context: Context, pk: int) -> Comment:
    (row,) = await store.comments_by_ids(tx, [pk], context.viewer_id)
    return Comment.from_row(row)


def comment_event(kind: str, pk: int, context: Context) -> Event:
    # Committed events empty the response caches: comments on public subjects are public.
    return Event(f"comment.{kind}", encode_id("Comment", pk), context.viewer_global_id)


def _subject(global_id: str) -> tuple[str, int]:
    try:
        kind, _ = parse_id(global_id)
    except Exception:
        kind = ""
    if kind not in _SUBJECTS:
        raise InputProblem(ErrorCode.INVALID_ID, "subjectId must be the ID of a record, a "
                           "collaboration, a lesson or a compilation.", "subjectId")
    return kind, input_pk(global_id, kind, "subjectId")


async def add_comment(context: Context, input: AddCommentInput | ReplyToCommentInput,
                      ) -> CommentPayload:
    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        if isinstance(input, ReplyToCommentInput):
            parent = input_pk(input.comment_id, "Comment", "commentId")
            pk = await service.add_comment(tx, context.plugins, viewer, "", 0, input.body,
                                           service.Anchor(),
                                           reply_to=parent)
        else:
            kind, subject = _subject(input.subject_id)
            anchor = service.Anchor(input.at_seconds, input.quote, input.quote_offset)
            pk = await service.add_comment(tx, context.plugins, viewer, kind, subject,
                                           input.body, anchor,
                                           reply_to=None)
        return Outcome({"comment": await comment_of(tx, context, pk)},
                       [comment_event("added", pk, context)])

    limits = context.rate_limits
    also = (limits.comments_by_member,) if limits is not None else ()
    return await run_mutation(context, CommentPayload, work, also_limits=also)


async def change_comment(context: Context, id: str, body: str | None) -> CommentPayload:
    """Edit (a ``body``) or delete (None) the viewer's own comment."""
    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        pk = input_pk(id, "Comment", "id")
        if body is None:
            await service.delete_comment(tx, viewer, pk)
        else:
            await service.edit_comment(tx, viewer, pk, body)
        return Outcome({"comment": await comment_of(tx, context, pk)},
                       [comment_event("deleted" if body is None else "edited", pk, context)])

    return await run_mutation(context, CommentPayload, work)


async def report_comment(context: Context, input: ReportCommentInput) -> CommentPayload:
    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        pk = input_pk(input.id, "Comment", "id")
        await service.report_comment(tx, viewer, pk, input.reason.name, input.text)
        return Outcome({"comment": await comment_of(tx, context, pk)})

    return await run_mutation(context, CommentPayload, work)


@strawberry.type
class ConversationsMutation:
    @strawberry.mutation(description="Comment on a record, a collaboration, a lesson or a "
                         "compilation you may see, optionally at a moment (`atSeconds`) or a "
                         "passage (`quote`) of a record. Errors: NOT_FOUND (no such subject, "
                         "or not one you may see), INVALID_INPUT (empty), TOO_LONG, "
                         "UNKNOWN_MENTION, ANCHOR_OUT_OF_RANGE; RATE_LIMITED over "
                         "HUB_COMMENTS_PER_MINUTE.")
    async def add_comment(
        self, info: Info,
        input: Annotated[AddCommentInput, strawberry.argument(description="The comment.")],
    ) -> CommentPayload:
        return await add_comment(info.context, input)

    @strawberry.mutation(description="Reply in a comment's thread (one level deep: replying "
                         "to a reply answers its thread). COMMENT_CLOSED when the comment was "
                         "deleted or hidden; otherwise the errors of `addComment`.")
    async def reply_to_comment(
        self, info: Info,
        input: Annotated[ReplyToCommentInput, strawberry.argument(description="The reply.")],
    ) -> CommentPayload:
        return await add_comment(info.context, input)

    @strawberry.mutation(description="Change your comment's body; the old body is kept in "
                         "`previousBodies` (for you and the moderators) and `edited` turns "
                         "true. COMMENT_CLOSED once deleted.")
    async def edit_comment(
        self, info: Info,
        input: Annotated[EditCommentInput, strawberry.argument(description="The new body.")],
    ) -> CommentPayload:
        return await change_comment(info.context, input.id, input.body)

    @strawberry.mutation(description="Delete your comment: it stays as a tombstone (`deleted`, "
                         "no content) so its replies keep their place.")
    async def delete_comment(
        self, info: Info,
        input: Annotated[CommentRefInput, strawberry.argument(description="The comment.")],
    ) -> CommentPayload:
        return await change_comment(info.context, input.id, None)

    @strawberry.mutation(description="Report a comment you may see to the moderators (their "
                         "`moderationQueue`). Reporting it again replaces your report.")
    async def report_comment(
        self, info: Info,
        input: Annotated[ReportCommentInput, strawberry.argument(description="The report.")],
    ) -> CommentPayload:
        return await report_comment(info.context, input)
