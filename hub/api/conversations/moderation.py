"""Moderation of comments: the report queue, hiding and restoring, suspending members, and the
log of every act.

Permission rules: ``moderationQueue`` and ``moderationLog`` are for moderators (MODERATOR,
ADMIN) only — anyone else reads an empty list (the rule is in the listing's SQL,
hub/domain/conversations/rules.py). ``hideComment``: a moderator any comment, a record's
author the comments under their record. ``restoreComment``, ``suspendMember`` and
``unsuspendMember``: moderators only (FORBIDDEN otherwise). A suspended member reads but every
mutation refuses them (``SUSPENDED``, hub/api/suspension.py). Every act is one row of the log.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from hub.api.compiled.derive import twin
from hub.api.compiled.listing import ListingTwin
from hub.api.conversations import twins
from hub.api.conversations.mutations import CommentPayload, ReportReason, comment_event, comment_of
from hub.api.conversations.types import Comment, load_comment
from hub.api.errors import ERRORS_DESCRIPTION, UserError
from hub.api.federation import MAX_USER_ERRORS, priced_connection, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.api.nodes import node_resolver
from hub.api.relay import After, Before, Connection, First, Last, Node, connection_from_rows
from hub.core.db import Executor
from hub.core.pages import root_count, root_page
from hub.core.relay import PageArgs, encode_id, input_pk
from hub.core.rules import Listing, Table
from hub.domain.conversations import rules, service, store
from hub.domain.members.loaders import MemberByIdLoader

if TYPE_CHECKING:
    from hub.api.context import Context
    from hub.api.members.types import Member

MemberRef = Annotated["Member", strawberry.lazy("hub.api.members.types")]


async def _member(info: Info, pk: int | None) -> Member | None:
    from hub.api.members.types import Member

    if pk is None:
        return None
    row = await info.context.loader(MemberByIdLoader).load(pk)
    return Member.from_row(row) if row is not None else None


@strawberry.type(description="A member's report of a comment, waiting in the moderators' queue.")
class CommentReport(Node):
    table: ClassVar[Table] = rules.REPORTS

    id: strawberry.ID = strawberry.field(description="The report's opaque global ID.")
    reason: ReportReason = strawberry.field(description="Why it was reported.")
    text: str = strawberry.field(description="What the reporter added (may be empty).")
    created_at: dt.datetime = strawberry.field(description="When it was reported (last).")
    comment_pk: strawberry.Private[int]
    reporter_pk: strawberry.Private[int]

    @strawberry.field(description="The comment reported; null when you may no longer see it "
                      "(its subject became invisible to you).", metadata=twin(twins.COMMENT))
    async def comment(self, info: Info) -> Comment | None:
        return await load_comment(info.context, self.comment_pk)

    @strawberry.field(description="Who reported it.", metadata=twin(twins.REPORTER))
    async def reporter(self, info: Info) -> MemberRef:
        member = await _member(info, self.reporter_pk)
        assert member is not None  # comment_reports.reporter_id references members
        return member

    @classmethod
    def from_row(cls, row: Any) -> CommentReport:
        return cls(id=strawberry.ID(encode_id("CommentReport", row["id"])),
                   reason=ReportReason(row["reason"]), text=row["text"],
                   created_at=row["created_at"], comment_pk=row["comment_id"],
                   reporter_pk=row["reporter_id"])


@node_resolver("CommentReport")
async def load_report(context: Context, pk: int) -> CommentReport | None:
    row = await store.moderated_row(context.db, rules.QUEUE, pk, context.viewer_id)
    return CommentReport.from_row(row) if row is not None else None


@strawberry.enum(description="What a moderation act did.")
class ModerationActionKind(enum.Enum):
    HIDE = strawberry.enum_value("HIDE", description="A comment was hidden.")
    RESTORE = strawberry.enum_value("RESTORE", description="A hidden comment was shown again.")
    SUSPEND = strawberry.enum_value("SUSPEND", description="A member was suspended.")
    UNSUSPEND = strawberry.enum_value("UNSUSPEND", description="A member's suspension ended.")


@strawberry.type(description="One moderation act, as the log keeps it (never changed).")
class ModerationAction(Node):
    table: ClassVar[Table] = rules.LOG

    id: strawberry.ID = strawberry.field(description="The act's opaque global ID.")
    action: ModerationActionKind = strawberry.field(description="What was done.")
    reason: str = strawberry.field(description="Why, as the moderator wrote it (may be empty).")
    created_at: dt.datetime = strawberry.field(description="When.")
    actor_pk: strawberry.Private[int]
    comment_pk: strawberry.Private[int | None]
    member_pk: strawberry.Private[int | None]

    @strawberry.field(description="Who did it (a moderator, or a record's author hiding a "
                      "comment under their record).", metadata=twin(twins.ACTOR))
    async def actor(self, info: Info) -> MemberRef:
        member = await _member(info, self.actor_pk)
        assert member is not None  # moderation_log.actor_id references members
        return member

    @strawberry.field(description="The comment hidden or restored; null for a suspension, or "
                      "when you may not see it.", metadata=twin(twins.LOGGED_COMMENT))
    async def comment(self, info: Info) -> Comment | None:
        return await load_comment(info.context, self.comment_pk) if self.comment_pk else None

    @strawberry.field(description="The member suspended, or whose comment it was; null only "
                      "for an act on a comment whose author is not recorded (never, today).",
                      metadata=twin(twins.LOGGED_MEMBER))
    async def member(self, info: Info) -> MemberRef | None:
        return await _member(info, self.member_pk)

    @classmethod
    def from_row(cls, row: Any) -> ModerationAction:
        return cls(id=strawberry.ID(encode_id("ModerationAction", row["id"])),
                   action=ModerationActionKind(row["action"]), reason=row["reason"],
                   created_at=row["created_at"], actor_pk=row["actor_id"],
                   comment_pk=row["comment_id"], member_pk=row["member_id"])


@node_resolver("ModerationAction")
async def load_action(context: Context, pk: int) -> ModerationAction | None:
    row = await store.moderated_row(context.db, rules.MODERATION_LOG, pk, context.viewer_id)
    return ModerationAction.from_row(row) if row is not None else None


async def _root_list(info: Info, listing: Listing, build: Any, first: int | None,
                     after: str | None, last: int | None, before: str | None) -> Any:
    context = info.context
    page = PageArgs.of(first, after, last, before)
    order = listing.default_order
    rows = await root_page(context.db, listing, context.viewer_id, order, page, {})
    return connection_from_rows(rows, page, listing.orderings[order], build,
                                count=lambda: root_count(context.db, listing, context.viewer_id,
                                                         {}))


@strawberry.type
class ModerationQuery:
    @strawberry.field(description="Open reports of comments, oldest first: the moderators' "
                      "queue (a report leaves it when its comment is hidden or restored). "
                      "Empty unless you are a MODERATOR or an ADMIN.",
                      metadata=twin(ListingTwin(rules.QUEUE)), directives=priced_connection())
    async def moderation_queue(self, info: Info, first: First = None, after: After = None,
                               last: Last = None, before: Before = None,
                               ) -> Connection[CommentReport]:
        return await _root_list(info, rules.QUEUE, CommentReport.from_row, first, after, last,
                                before)

    @strawberry.field(description="Every moderation act, newest first. Empty unless you are a "
                      "MODERATOR or an ADMIN.", metadata=twin(ListingTwin(rules.MODERATION_LOG)),
                      directives=priced_connection())
    async def moderation_log(self, info: Info, first: First = None, after: After = None,
                             last: Last = None, before: Before = None,
                             ) -> Connection[ModerationAction]:
        return await _root_list(info, rules.MODERATION_LOG, ModerationAction.from_row, first,
                                after, last, before)


@strawberry.input(description="A comment to hide or restore, and why.")
class ModerateCommentInput:
    id: strawberry.ID = strawberry.field(description="The comment's global ID.")
    reason: str = strawberry.field(default="", description="Why, for the log (at most 2,000 "
                                   "characters); omitted: none.")


@strawberry.input(description="A member to suspend or reinstate, and why.")
class SuspendMemberInput:
    member_id: strawberry.ID = strawberry.field(description="The member's global ID.")
    reason: str = strawberry.field(default="", description="Why, for the log (at most 2,000 "
                                   "characters); omitted: none.")


@strawberry.type(description="The member after the change, or the errors that stopped it.")
class SuspensionPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION,
                                               directives=sized_list(MAX_USER_ERRORS))
    member: MemberRef | None = strawberry.field(default=None, description="The member; null "
                                                "on errors.")


async def _hide(context: Context, input: ModerateCommentInput, hidden: bool) -> CommentPayload:
    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        pk = input_pk(input.id, "Comment", "id")
        await service.set_hidden(tx, viewer, pk, hidden, service.checked_reason(input.reason))
        return Outcome({"comment": await comment_of(tx, context, pk)},
                       [comment_event("hidden" if hidden else "restored", pk, context)])

    return await run_mutation(context, CommentPayload, work)


async def _suspend(context: Context, input: SuspendMemberInput,
                   suspended: bool) -> SuspensionPayload:
    from hub.api.members.types import Member
    from hub.domain.members.store import members_by_ids

    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        pk = input_pk(input.member_id, "Member", "memberId")
        await service.set_suspended(tx, viewer, pk, suspended,
                                    service.checked_reason(input.reason))
        (row,) = await members_by_ids(tx, [pk])
        return Outcome({"member": Member.from_row(row)})

    return await run_mutation(context, SuspensionPayload, work)


@strawberry.type
class ModerationMutation:
    @strawberry.mutation(description="Hide a comment: others see a tombstone (`hidden`, no "
                         "content), its author and the moderators still see it. Moderators "
                         "hide any comment (resolving its reports); a record's author those "
                         "under their record. FORBIDDEN otherwise.")
    async def hide_comment(
        self, info: Info,
        input: Annotated[ModerateCommentInput, strawberry.argument(description="Which, why.")],
    ) -> CommentPayload:
        return await _hide(info.context, input, hidden=True)

    @strawberry.mutation(description="Show a hidden comment again (moderators only), resolving "
                         "its reports.")
    async def restore_comment(
        self, info: Info,
        input: Annotated[ModerateCommentInput, strawberry.argument(description="Which, why.")],
    ) -> CommentPayload:
        return await _hide(info.context, input, hidden=False)

    @strawberry.mutation(description="Suspend a member (moderators only, not yourself): they "
                         "keep reading, but every mutation refuses them with SUSPENDED. "
                         "Idempotent.")
    async def suspend_member(
        self, info: Info,
        input: Annotated[SuspendMemberInput, strawberry.argument(description="Whom, why.")],
    ) -> SuspensionPayload:
        return await _suspend(info.context, input, suspended=True)

    @strawberry.mutation(description="End a member's suspension (moderators only). Idempotent.")
    async def unsuspend_member(
        self, info: Info,
        input: Annotated[SuspendMemberInput, strawberry.argument(description="Whom, why.")],
    ) -> SuspensionPayload:
        return await _suspend(info.context, input, suspended=False)

