"""GraphQL types of the fuller review (hub/domain/compilations/review.py says the rules):
review comments, the changes since the last review, and the reads behind
``Compilation.assignee``, ``Compilation.reviewComments``, ``CompilationItem.reviewComments``,
``Compilation.changesSinceReview`` and ``Member.reviewQueue``.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from hub.api.compilations import twins
from hub.api.compilations.history import CompilationHistoryEvent, event_of
from hub.api.compiled.derive import Reference, twin
from hub.api.compiled.listing import GuardedListing
from hub.api.compiled.plan import Column
from hub.api.federation import UNCAPPED_LIST_SIZE, sized_list
from hub.api.relay import Connection
from hub.core.relay import PageArgs, encode_id, try_decode_id
from hub.core.rules import Table
from hub.domain.compilations import loaders
from hub.domain.compilations import review as rules
from hub.domain.members.rules import MEMBERS

if TYPE_CHECKING:
    from hub.api.compilations.types import Compilation
    from hub.api.context import Context
    from hub.api.members.types import Member
    from hub.api.records.types import Record

MemberRef = Annotated["Member", strawberry.lazy("hub.api.members.types")]
RecordRef = Annotated["Record", strawberry.lazy("hub.api.records.types")]

# The compiled twins (hub/api/compiled/): the comment lists are null unless the viewer is on
# the compilation's team (or ADMIN); the queue unless the member is the viewer.
COMMENTS_OF_COMPILATION = GuardedListing(rules.COMMENT_PAGES, rules.TEAM_OF_COMPILATION)
COMMENTS_OF_ITEM = GuardedListing(rules.ITEM_COMMENT_PAGES, rules.TEAM_OF_ITEM)
REVIEW_QUEUE = GuardedListing(rules.REVIEW_QUEUE, rules.OWN)
ASSIGNEE = Reference(MEMBERS, "assignee_id")
AUTHOR = Reference(MEMBERS, "author_id")
ITEM_ID = Column("(case when {row}.item_id is not null "
                 "then to_json(hub_global_id('CompilationItem', {row}.item_id)) end)")
RECORD_ID = Column("(case when {row}.record_id is not null "
                   "then to_json(hub_global_id('Record', {row}.record_id)) end)")


@strawberry.enum(description="Which step of a review a comment was written in.")
class ReviewCommentKind(enum.Enum):
    COMMENT = strawberry.enum_value("COMMENT", description="During the review "
                                    "(`addReviewComment`).")
    APPROVE = strawberry.enum_value("APPROVE", description="Sent with the approval.")
    RETURN = strawberry.enum_value("RETURN", description="Sent with the return to DRAFT.")


@strawberry.type(description="A reviewer's comment on a compilation or on one of its items; "
                 "read by the compilation's editors team (and ADMINs) only.")
class ReviewComment:
    table: ClassVar[Table] = rules.COMMENTS  # the plain fields named like its columns
    body: str = strawberry.field(description="The comment.")
    kind: ReviewCommentKind = strawberry.field(description="Written during the review, or "
                                               "sent with the approval or the return.")
    created_at: dt.datetime = strawberry.field(description="When it was written.")
    item_id: strawberry.ID | None = strawberry.field(
        description="The item commented on; null for a comment on the whole compilation and "
        "once the item was removed (`recordId` still names its record).",
        metadata=twin(ITEM_ID))
    record_id: strawberry.ID | None = strawberry.field(
        description="The global ID of the commented item's record; null for a comment on the "
        "whole compilation.", metadata=twin(RECORD_ID))
    author_pk: strawberry.Private[int]
    record_pk: strawberry.Private[int | None]

    @strawberry.field(description="Who wrote it.", metadata=twin(AUTHOR))
    async def author(self, info: Info) -> MemberRef:
        from hub.api.members.types import load_member

        member = await load_member(info.context, self.author_pk)
        assert member is not None, "review comments reference members"
        return member

    @strawberry.field(description="The commented item's record; null for a comment on the "
                      "whole compilation, or when the record is no longer visible to you.",
                      metadata=twin(twins.VisibleRecord()))
    async def record(self, info: Info) -> RecordRef | None:
        from hub.api.records.types import load_record

        return await load_record(info.context, self.record_pk) if self.record_pk else None

    @classmethod
    def from_row(cls, row: Any) -> ReviewComment:
        item, record = row["item_id"], row["record_id"]
        return cls(body=row["body"], kind=ReviewCommentKind(row["kind"]),
                   created_at=row["created_at"], author_pk=row["author_id"], record_pk=record,
                   item_id=strawberry.ID(encode_id("CompilationItem", item)) if item else None,
                   record_id=strawberry.ID(encode_id("Record", record)) if record else None)


@strawberry.enum(description="How an item changed since the last review.")
class CompilationItemChangeKind(enum.Enum):
    ADDED = strawberry.enum_value("ADDED", description="Added since.")
    REMOVED = strawberry.enum_value("REMOVED", description="Removed since.")
    MOVED = strawberry.enum_value("MOVED", description="Moved to another place.")
    REWEIGHTED = strawberry.enum_value("REWEIGHTED", description="Its weight changed.")
    NOTE_CHANGED = strawberry.enum_value("NOTE_CHANGED", description="Its note changed.")


@strawberry.type(description="One change to an item since the last review, netted over the "
                 "history (an item added and removed since is no change).")
class CompilationItemChange:
    kind: CompilationItemChangeKind = strawberry.field(description="What changed.")
    record_id: strawberry.ID = strawberry.field(description="The global ID of the item's "
                                                "record.")
    from_position: int | None = strawberry.field(description="Its 1-based place at the first "
                                                 "move since; null unless MOVED.")
    to_position: int | None = strawberry.field(description="Its place after the last move "
                                               "since; null unless MOVED.")
    from_weight: Decimal | None = strawberry.field(description="Its weight at the review; null "
                                                   "unless REWEIGHTED.")
    to_weight: Decimal | None = strawberry.field(description="Its weight now; null unless "
                                                 "REWEIGHTED.")

    @strawberry.field(description="The record; null when it is no longer visible to you.")
    async def record(self, info: Info) -> RecordRef | None:
        from hub.api.records.types import load_record

        pk = try_decode_id(self.record_id, "Record")
        return await load_record(info.context, pk) if pk else None


@strawberry.type(description="What changed since the compilation was last approved or "
                 "returned, derived from its typed history: the reviewer reads this instead of "
                 "the whole compilation again.")
class CompilationChangesSinceReview:
    since: dt.datetime | None = strawberry.field(description="When the last review (approval "
                                                 "or return) was; null when it was never "
                                                 "reviewed (every change since its creation "
                                                 "is listed).")
    review: CompilationHistoryEvent | None = strawberry.field(
        description="The last review (`CompilationApproved` or `CompilationReturned`, with who "
        "and the return's reason); null when it was never reviewed.")
    items: list[CompilationItemChange] = strawberry.field(
        description="The items added, removed, moved, reweighted or re-noted since, netted: "
        "added ones first, then removed, moved, reweighted, re-noted.",
        directives=sized_list(UNCAPPED_LIST_SIZE))
    settings_changed: list[str] = strawberry.field(
        description="The fields `updateCompilation` changed since (`title`, `description`, "
        "`settings.<target>.<field>`), each once.")
    events: list[CompilationHistoryEvent] = strawberry.field(
        description="The history entries behind it (item and settings changes), oldest first.",
        directives=sized_list(UNCAPPED_LIST_SIZE))


# --- reads ---------------------------------------------------------------------------------------


async def on_team(context: Context, compilation_pk: int) -> bool:
    """Whether the viewer reads the compilation's review comments: its editors team (through
    the batched editors loader) and ADMINs (rules.TEAM_OF_COMPILATION, in SQL)."""
    if context.viewer_id is None:
        return False
    if context.is_admin:
        return True
    team = await context.loader(loaders.EditorsByCompilationIdLoader).load(compilation_pk)
    return any(row["member_id"] == context.viewer_id for row in team)


async def review_comments(context: Context, compilation_pk: int, page: PageArgs,
                          item_pk: int | None = None) -> Connection[ReviewComment] | None:
    """The review comments of the compilation (of one of its items, given ``item_pk``), null
    for viewers off its team."""
    from hub.api.compilations.payouts import list_page

    if not await on_team(context, compilation_pk):
        return None
    if item_pk is None:
        return await list_page(context, rules.COMMENT_PAGES, compilation_pk, page,
                               ReviewComment.from_row)
    return await list_page(context, rules.ITEM_COMMENT_PAGES, item_pk, page,
                           ReviewComment.from_row)


async def changes_since_review(context: Context, compilation_pk: int,
                               ) -> CompilationChangesSinceReview:
    rows = await context.loader(loaders.HistoryByCompilationIdLoader).load(compilation_pk)
    found = rules.changes_since_review(rows)
    return CompilationChangesSinceReview(
        since=found.review["at"] if found.review is not None else None,
        review=event_of(found.review) if found.review is not None else None,
        items=[CompilationItemChange(
            kind=CompilationItemChangeKind(c.kind), record_id=strawberry.ID(c.record),
            from_position=c.from_position, to_position=c.to_position,
            from_weight=c.from_weight.normalize() if c.from_weight is not None else None,
            to_weight=c.to_weight.normalize() if c.to_weight is not None else None)
            for c in found.items],
        settings_changed=found.settings, events=[event_of(row) for row in found.entries])


async def review_queue(context: Context, member_pk: int,
                       page: PageArgs) -> Connection[Compilation] | None:
    """``Member.reviewQueue``: the member's own (null for anyone else)."""
    from hub.api.compilations.payouts import list_page
    from hub.api.compilations.types import Compilation

    if context.viewer_id != member_pk:
        return None
    return await list_page(context, rules.REVIEW_QUEUE, member_pk, page,
                           lambda row: Compilation.from_row(row, context))
