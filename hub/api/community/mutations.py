"""Mutations of hearts, views and follows.

Permission rules: hearting and following need a signed-in member. You heart a published
record you may see, not your own (``OWN_RECORD``); a draft, an unpublished, a deleted or an
unknown record is ``NOT_FOUND`` (someone else's draft must not leak). You follow any member but
yourself (``SELF_FOLLOW``) and any collaboration you may see (a draft only if you own it).
Hearting, unhearting, following and unfollowing are idempotent: doing it twice is no error
and no second row. ``recordViewed`` is open to everyone, anonymous readers included, and
writes nothing itself (hub/domain/community/views.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from hub.api.errors import ERRORS_DESCRIPTION, UserError, user_errors
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.api.records.types import Record, load_record
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.relay import input_pk
from hub.domain.community import store
from hub.domain.community.views import anonymous_viewer, member_viewer
from hub.domain.media.urls import secret_key
from hub.domain.notifications.rules import RECORD_HEARTED
from hub.domain.notifications.service import heart_group, notify
from hub.domain.records import store as records

if TYPE_CHECKING:
    from hub.api.collaborations.types import Collaboration
    from hub.api.context import Context
    from hub.api.members.types import Member


@strawberry.input(description="Names a record to heart, unheart or count a view of.")
class RecordRefInput:
    record_id: strawberry.ID = strawberry.field(description="The record's global ID.")


@strawberry.type(description="The record after the mutation, or the errors that stopped it.")
class HeartPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION,
                                               directives=sized_list(MAX_USER_ERRORS))
    record: Record | None = strawberry.field(
        default=None, description="The record, with its `heartCount` and `viewerHearted` as "
        "they are now; null on errors.")


@strawberry.type(description="The record viewed, or why the view was not taken.")
class RecordViewedPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION,
                                               directives=sized_list(MAX_USER_ERRORS))
    record: Record | None = strawberry.field(default=None,
                                             description="The record; null on errors.")


@strawberry.input(one_of=True, description="Whom or what to follow or unfollow: exactly one.")
class FollowInput:
    member_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A member's global ID (not your own); omitted or null when "
                    "`collaborationId` is given.")
    collaboration_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A collaboration's global ID; omitted or null when `memberId` "
                    "is given.")


@strawberry.type(description="What you follow (or stopped following), or the errors that "
                 "stopped the change.")
class FollowPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION,
                                               directives=sized_list(MAX_USER_ERRORS))
    member: Annotated[Member, strawberry.lazy("hub.api.members.types")] | None = \
        strawberry.field(default=None, description="The member named, with their counts as "
                         "they are now; null on errors or when a collaboration was named.")
    collaboration: Annotated[
        Collaboration, strawberry.lazy("hub.api.collaborations.types")] | None = \
        strawberry.field(default=None, description="The collaboration named; null on errors "
                         "or when a member was named.")


# --- hearts -------------------------------------------------------------------------------------


async def _heartable(tx: Executor, context: Context, global_id: str, viewer: int,
                     ) -> tuple[int, int]:
    """The record's pk and author if ``viewer`` may heart it, else the payload error saying
    why."""
    pk = input_pk(global_id, "Record", "recordId")
    row = await store.record_to_heart(tx, pk, viewer)
    if row is None or not row["_visible"]:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such record.", "recordId")
    if row["author_id"] == viewer:
        raise InputProblem(ErrorCode.OWN_RECORD, "You cannot heart your own record.",
                           "recordId")
    if not row["_published"]:
        # Visible but not published: only the author sees it, and that was refused above.
        raise InputProblem(ErrorCode.NOT_FOUND, "No such record.", "recordId")
    return pk, row["author_id"]


async def _record_of(tx: Executor, context: Context, pk: int) -> Record:
    (row,) = await records.records_by_ids(tx, [pk], context.viewer_id)
    return Record.from_row(row, context)


async def heart_record(context: Context, input: RecordRefInput, hearted: bool) -> HeartPayload:
    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        pk, author = await _heartable(tx, context, input.record_id, viewer)
        events = []
        if hearted:
            if await store.add_heart(tx, pk, viewer):
                # The author hears of it: grouped, one notification per record per day.
                events = await notify(tx, [author], RECORD_HEARTED, actor_id=viewer,
                                      record_id=pk, group_key=heart_group(pk))
        else:
            await store.remove_heart(tx, pk, viewer)
        return Outcome({"record": await _record_of(tx, context, pk)}, events)

    return await run_mutation(context, HeartPayload, work)


# --- views --------------------------------------------------------------------------------------


async def record_viewed(context: Context, input: RecordRefInput) -> RecordViewedPayload:
    """One read of the record (a statement), then a set insertion: no write per request."""
    try:
        pk = input_pk(input.record_id, "Record", "recordId")
        record = await load_record(context, pk)
        if record is None:
            raise InputProblem(ErrorCode.NOT_FOUND, "No such record.", "recordId")
    except InputProblem as problem:
        return RecordViewedPayload(errors=user_errors(problem.errors))
    # Only a published record's readers count, and not its author.
    if (context.views is not None and record.status.name == "PUBLISHED"
            and record.author_pk != context.viewer_id):
        context.views.add(pk, _viewer_key(context))
    return RecordViewedPayload(errors=[], record=record)


def _viewer_key(context: Context) -> bytes:
    if context.viewer_id is not None:
        return member_viewer(context.viewer_id)
    request = context.request
    address = (request.remote if request is not None else None) or "unknown"
    agent = request.headers.get("User-Agent", "") if request is not None else ""
    return anonymous_viewer(secret_key(context.settings), address, agent)


# --- follows ------------------------------------------------------------------------------------


async def follow(context: Context, input: FollowInput, following: bool) -> FollowPayload:
    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        # @oneOf: exactly one is given, and not null (it may be any text, '' included).
        if isinstance(input.member_id, str):
            return Outcome({"member": await _follow_member(tx, context, viewer,
                                                           input.member_id, following)})
        assert isinstance(input.collaboration_id, str)
        return Outcome({"collaboration": await _follow_collaboration(
            tx, viewer, input.collaboration_id, following)})

    return await run_mutation(context, FollowPayload, work)


async def _follow_member(tx: Executor, context: Context, viewer: int, global_id: str,
                         following: bool) -> Member:
    from hub.api.members.types import Member
    from hub.domain.members.store import members_by_ids

    pk = input_pk(global_id, "Member", "memberId")
    if pk == viewer:
        raise InputProblem(ErrorCode.SELF_FOLLOW, "You cannot follow yourself.", "memberId")
    rows = await members_by_ids(tx, [pk])
    if not rows:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such member.", "memberId")
    if following:
        await store.follow_member(tx, viewer, pk)
    else:
        await store.unfollow_member(tx, viewer, pk)
    return Member.from_row(rows[0])


async def _follow_collaboration(tx: Executor, viewer: int, global_id: str,
                                following: bool) -> Collaboration:
    from hub.api.collaborations.types import Collaboration
    from hub.domain.collaborations.loaders import collaborations_by_ids

    pk = input_pk(global_id, "Collaboration", "collaborationId")
    if not await store.collaboration_visible(tx, pk, viewer):
        raise InputProblem(ErrorCode.NOT_FOUND, "No such collaboration.", "collaborationId")
    if following:
        await store.follow_collaboration(tx, viewer, pk)
    else:
        await store.unfollow_collaboration(tx, viewer, pk)
    (row,) = await collaborations_by_ids(tx, [pk], viewer)
    return Collaboration.from_row(row)


@strawberry.type
class CommunityMutation:
    @strawberry.mutation(description="Heart a published record of someone else's (idempotent: "
                         "hearting it again changes nothing). Refused on your own record "
                         "(OWN_RECORD) and on records you may not see or that are not published "
                         "(NOT_FOUND).")
    async def heart_record(
        self, info: Info,
        input: Annotated[RecordRefInput, strawberry.argument(description="The record.")],
    ) -> HeartPayload:
        return await heart_record(info.context, input, hearted=True)

    @strawberry.mutation(description="Take your heart back (idempotent: no error when there "
                         "was none). The same refusals as `heartRecord`.")
    async def unheart_record(
        self, info: Info,
        input: Annotated[RecordRefInput, strawberry.argument(description="The record.")],
    ) -> HeartPayload:
        return await heart_record(info.context, input, hearted=False)

    @strawberry.mutation(description="Count a view of a record: send it when the record's page "
                         "is shown. Counted once per viewer (member, or anonymous address and "
                         "browser) per record per day, for published records and not for their "
                         "author; open to anonymous readers. The count feeds `orderBy: FRESH` "
                         "and `UNDERSEEN`.")
    async def record_viewed(
        self, info: Info,
        input: Annotated[RecordRefInput, strawberry.argument(description="The record.")],
    ) -> RecordViewedPayload:
        return await record_viewed(info.context, input)

    @strawberry.mutation(description="Follow a member (not yourself: SELF_FOLLOW) or a "
                         "collaboration you may see (idempotent).")
    async def follow(
        self, info: Info,
        input: Annotated[FollowInput, strawberry.argument(description="Whom or what.")],
    ) -> FollowPayload:
        return await follow(info.context, input, following=True)

    @strawberry.mutation(description="Stop following a member or a collaboration (idempotent).")
    async def unfollow(
        self, info: Info,
        input: Annotated[FollowInput, strawberry.argument(description="Whom or what.")],
    ) -> FollowPayload:
        return await follow(info.context, input, following=False)
