"""GraphQL types of the members slice.

Permission rules: a member's public profile (handle, display name, bio, skills, role, records)
is visible to everyone; ``Member.records`` includes drafts only when the viewer is that member.
Nothing about passwords or sessions is ever exposed. ``Member.subscription``,
``Member.enrollments`` and ``Member.payoutsConnection`` (with the deprecated ``Member.payouts``)
are private: shown to the member themself and to ADMINs, null for everyone else.
``Member.classesTeaching`` is public (drafts only for their instructors and ADMINs), see
hub/classes/types.py.

(Over 400 lines: ``Member`` gathers the fields other slices add to a member — records,
classes, payouts, follows, activity, the inbox — as thin resolvers over their slices' rules;
Strawberry needs a type's fields on one class.)
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from hub.api.classes import twins as classes_twins
from hub.api.collaborations import twins as collaboration_twins
from hub.api.collaborations.types import CollaborationRole
from hub.api.compilations import review as compilation_review
from hub.api.compilations import twins as compilation_twins
from hub.api.compiled.derive import Reference, twin
from hub.api.federation import UNCAPPED_LIST_SIZE, priced_connection, sized_list
from hub.api.members import twins
from hub.api.members.subscription import MemberSubscription
from hub.api.nodes import node_resolver
from hub.api.notifications import twins as notification_twins
from hub.api.notifications import types as notification_types
from hub.api.notifications.types import Notification
from hub.api.records import twins as record_twins
from hub.api.relay import After, Before, Connection, First, Last, Node, connection_from_rows
from hub.core.pages import CountKey, PageKey
from hub.core.relay import PageArgs, encode_id
from hub.core.rules import Listing, Table
from hub.domain.community import rules as community
from hub.domain.community.loaders import FollowsByMemberIdLoader
from hub.domain.conversations.rules import MODERATOR_ROLES
from hub.domain.members import rules
from hub.domain.members.loaders import MemberByIdLoader
from hub.domain.members.rules import MEMBERS
from hub.domain.members.subscriptions import SubscriptionByMemberIdLoader
from hub.domain.records import rules as record_rules

if TYPE_CHECKING:
    from hub.api.classes.types import Class, Enrollment
    from hub.api.collaborations.types import Collaboration
    from hub.api.compilations.types import Compilation, MemberPayout
    from hub.api.context import Context
    from hub.api.records.types import Record, RecordOrder


@strawberry.enum(description="What a member may do beyond posting: EDITORs run compilations, "
                 "ADMINs moderate and manage roles.")
class Role(enum.Enum):
    MEMBER = strawberry.enum_value("MEMBER", description="Everyone: posts records, remixes, "
                                   "enrolls in classes and teaches them.")
    EDITOR = strawberry.enum_value("EDITOR", description="A member who may also create and "
                                   "review compilations and propose their payouts.")
    MODERATOR = strawberry.enum_value(
        "MODERATOR", description="A member who may also work the comments' report queue, hide "
        "and restore comments and suspend members (conversations).")
    ADMIN = strawberry.enum_value("ADMIN", description="A member who may also give roles, set "
                                  "subscriptions and see every member's private fields.")


@strawberry.federation.type(keys=["id"], description="A person in the community.")
class Member(Node):
    table: ClassVar[Table] = rules.MEMBERS  # the plain fields named like its columns

    id: strawberry.ID = strawberry.field(
        description="The member's opaque global ID (also accepted by `node(id:)`).")
    handle: str = strawberry.field(description="Unique, case-insensitive name (@handle).")
    display_name: str = strawberry.field(description="The name shown on the member's pages.")
    bio: str = strawberry.field(description="A few words about the member.")
    skills: list[str] = strawberry.field(description="What the member does (lower-case labels).")
    role: Role = strawberry.field(description="MEMBER, EDITOR, MODERATOR or ADMIN.")
    created_at: dt.datetime = strawberry.field(description="When the member signed up.")
    pk: strawberry.Private[int]
    suspended_at: strawberry.Private[dt.datetime | None] = None

    @strawberry.field(description="Whether moderators suspended the member (they read but do "
                      "not write); null unless you are this member or a moderator (MODERATOR, "
                      "ADMIN).", metadata=twin(twins.SUSPENDED))
    def suspended(self, info: Info) -> bool | None:
        context: Context = info.context
        # The request's own row of the viewer: what the twin's SQL reads too.
        if context.viewer_id != self.pk and context.viewer_role not in MODERATOR_ROLES:
            return None
        return self.suspended_at is not None

    @strawberry.field(description="The member's records, newest first; drafts too when you "
                      "are this member.", directives=priced_connection(),
                      metadata=twin(record_twins.BY_AUTHOR))
    async def records(
        self, info: Info,
        order_by: Annotated[
            Annotated[RecordOrder, strawberry.lazy("hub.api.records.types")] | None,
            strawberry.argument(description="The order; NEWEST when null."),
        ] = None,
        first: First = None, after: After = None, last: Last = None, before: Before = None,
    ) -> Connection[Annotated[Record, strawberry.lazy("hub.api.records.types")]]:
        from hub.api.records.types import Record

        context: Context = info.context
        order = order_by.name if order_by else "NEWEST"
        page = PageArgs.of(first, after, last, before)
        rows = await context.pages(record_rules.BY_AUTHOR).load(PageKey(self.pk, order, page))
        return connection_from_rows(
            rows, page, record_rules.ORDERINGS[order],
            lambda row: Record.from_row(row, context),
            count=lambda: context.counts(record_rules.BY_AUTHOR).load(CountKey(self.pk)),
        )

    @strawberry.field(description="Collaborations the member owns (OWNER) or offered records "
                      "to (CONTRIBUTOR), newest first; drafts only when you own them too.",
                      metadata=twin(collaboration_twins.BY_MEMBER), directives=priced_connection())
    async def collaborations(
        self, info: Info,
        role: Annotated[CollaborationRole, strawberry.argument(
            description="How the member takes part.")] = CollaborationRole.OWNER,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Collaboration, strawberry.lazy("hub.api.collaborations.types")]]:
        from hub.api.collaborations.queries import member_collaborations

        return await member_collaborations(info, self.pk, role, first, after, last, before)

    @strawberry.field(description="The members who follow this one, newest follow first.",
                      directives=priced_connection(), metadata=twin(twins.FOLLOWERS))
    async def followers(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[Member]:
        return await _follow_list(info.context, community.FOLLOWERS, self.pk,
                                  PageArgs.of(first, after, last, before))

    @strawberry.field(description="The members this one follows, newest follow first.",
                      directives=priced_connection(), metadata=twin(twins.FOLLOWING))
    async def following(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[Member]:
        return await _follow_list(info.context, community.FOLLOWING, self.pk,
                                  PageArgs.of(first, after, last, before))

    @strawberry.field(description="How many members follow this one.",
                      metadata=twin(twins.FOLLOWER_COUNT))
    async def follower_count(self, info: Info) -> int:
        row = await info.context.loader(FollowsByMemberIdLoader).load(self.pk)
        return int(row["follower_count"])

    @strawberry.field(description="How many members this one follows.",
                      metadata=twin(twins.FOLLOWING_COUNT))
    async def following_count(self, info: Info) -> int:
        row = await info.context.loader(FollowsByMemberIdLoader).load(self.pk)
        return int(row["following_count"])

    @strawberry.field(description="Whether you follow this member; false when anonymous.",
                      metadata=twin(twins.VIEWER_FOLLOWS))
    async def viewer_follows(self, info: Info) -> bool:
        if info.context.viewer_id is None:
            return False
        row = await info.context.loader(FollowsByMemberIdLoader).load(self.pk)
        return bool(row["viewer_follows"])

    @strawberry.field(description="What happened among the members and collaborations you "
                      "follow: newly published records and remixes of the members, calls opened "
                      "by the collaborations (and by those the members own), newest first. Null "
                      "unless you are this member (read it as `viewer { activity }`).",
                      directives=priced_connection(), metadata=twin(twins.ACTIVITY))
    async def activity(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[Activity] | None:
        return await activity_of(info.context, self.pk, PageArgs.of(first, after, last, before))

    @strawberry.field(description=notification_types.INBOX_DESCRIPTION,
                      directives=priced_connection(), metadata=twin(notification_twins.INBOX))
    async def notifications(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None, unread_only: notification_types.UnreadOnly = False,
    ) -> Connection[Notification] | None:
        return await notification_types.inbox_of(
            info.context, self.pk, PageArgs.of(first, after, last, before), unread_only)

    @strawberry.field(description=notification_types.UNREAD_DESCRIPTION,
                      metadata=twin(notification_twins.UNREAD_COUNT))
    async def unread_notification_count(self, info: Info) -> int | None:
        return await notification_types.unread_count_of(info.context, self.pk)

    @strawberry.field(description=notification_types.PREFERENCES_DESCRIPTION,
                      metadata=notification_types.PREFERENCES_NO_TWIN,
                      directives=sized_list(len(notification_types.NotificationKind)))
    async def notification_preferences(
        self, info: Info,
    ) -> list[notification_types.NotificationPreference] | None:
        return await notification_types.preferences_of(info.context, self.pk)

    @strawberry.field(description=notification_types.EMAIL_DESCRIPTION,
                      metadata=notification_types.EMAIL_NO_TWIN)
    async def notification_email(self, info: Info) -> str | None:
        return await notification_types.email_of(info.context, self.pk)

    @strawberry.field(description="The member's subscription; null unless you are this member "
                      "or an admin.")
    async def subscription(
        self, info: Info,
    ) -> MemberSubscription | None:
        context: Context = info.context
        if context.viewer_id != self.pk and not context.is_admin:
            return None
        return MemberSubscription.from_row(
            await context.loader(SubscriptionByMemberIdLoader).load(self.pk)
        )

    @strawberry.field(description="Classes the member teaches, newest first (drafts only for "
                      "their instructors and admins).", directives=priced_connection(),
                      metadata=twin(classes_twins.TAUGHT_BY))
    async def classes_teaching(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Class, strawberry.lazy("hub.api.classes.types")]]:
        from hub.api.classes.types import classes_teaching

        return await classes_teaching(info.context, self.pk, PageArgs.of(first, after, last, before))

    @strawberry.field(description="The classes the member takes, newest enrollment first; null "
                      "unless you are this member or an admin.", directives=priced_connection(),
                      metadata=twin(classes_twins.ENROLLMENTS_OF_MEMBER))
    async def enrollments(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Enrollment, strawberry.lazy("hub.api.classes.types")]] | None:
        from hub.api.classes.types import enrollments_of

        return await enrollments_of(info.context, self.pk, PageArgs.of(first, after, last, before))

    @strawberry.field(description="What the member is owed from compilations' payout proposals, "
                      "newest first, each with its breakdown; null unless you are this member "
                      "or an admin.", directives=sized_list(UNCAPPED_LIST_SIZE),
                      deprecation_reason="Use `payoutsConnection`: it pages, and has "
                      "`totalCount`.")
    async def payouts(
        self, info: Info,
    ) -> list[Annotated[MemberPayout, strawberry.lazy("hub.api.compilations.types")]] | None:
        from hub.api.compilations.types import member_payouts

        return await member_payouts(info.context, self.pk)

    @strawberry.field(description="What the member is owed from compilations' payout "
                      "proposals, one line per proposal, newest proposal first, a page at a "
                      "time; each with its breakdown and its proposal (whose status says "
                      "whether the amount is final). Private: null unless you are this member "
                      "or an ADMIN (null for anonymous viewers too).",
                      directives=priced_connection(), metadata=twin(compilation_twins.PAYOUTS_OF_MEMBER))
    async def payouts_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[MemberPayout, strawberry.lazy("hub.api.compilations.types")]] | None:
        from hub.api.compilations.types import member_payouts_connection

        return await member_payouts_connection(info.context, self.pk,
                                               PageArgs.of(first, after, last, before))

    @strawberry.field(description="The review queue assigned to the member: compilations "
                      "IN_REVIEW whose assignee they are, newest first. Null unless you are "
                      "this member (read it as `viewer { reviewQueue }`).",
                      directives=priced_connection(), metadata=twin(compilation_review.REVIEW_QUEUE))
    async def review_queue(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Compilation, strawberry.lazy("hub.api.compilations.types")]] | None:
        from hub.api.compilations.review import review_queue

        return await review_queue(info.context, self.pk, PageArgs.of(first, after, last, before))

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID, **_representation: Any,
    ) -> Member | None:
        from hub.core.relay import decode_id

        return await load_member(info.context, decode_id(id, "Member"))

    @classmethod
    def from_row(cls, row: Any) -> Member:
        return cls(
            id=strawberry.ID(encode_id("Member", row["id"])),
            pk=row["id"],
            handle=row["handle"],
            display_name=row["display_name"],
            bio=row["bio"],
            skills=list(row["skills"]),
            role=Role(row["role"]),
            created_at=row["created_at"],
            suspended_at=row.get("suspended_at"),
        )


async def _follow_list(
    context: Context, listing: Listing, member_pk: int, page: PageArgs,
) -> Connection[Member]:
    """``Member.followers`` or ``Member.following``, newest follow first."""
    rows = await context.pages(listing).load(PageKey(member_pk, "NEWEST", page))
    return connection_from_rows(rows, page, listing.orderings["NEWEST"], Member.from_row,
                                count=lambda: context.counts(listing).load(CountKey(member_pk)))


async def preload_members(context: Context, pks: Iterable[int]) -> None:
    """Load these members in one statement, for fields that then resolve synchronously
    (:func:`member_now_or_later`)."""
    missing = sorted({pk for pk in pks if ("Member", pk) not in context.preloaded})
    if missing:
        for row in await context.loader(MemberByIdLoader).load_many(missing):
            if row is not None:
                context.preloaded[("Member", row["id"])] = Member.from_row(row)


def member_now_or_later(context: Context, pk: int) -> Member | Awaitable[Member | None]:
    """The member, synchronously when preloaded; otherwise an awaitable (graphql-core awaits
    whatever a resolver returns), batched by the DataLoader."""
    member = context.preloaded.get(("Member", pk))
    return member if member is not None else load_member(context, pk)


@node_resolver("Member")
async def load_member(context: Context, pk: int) -> Member | None:
    row = await context.loader(MemberByIdLoader).load(pk)
    return Member.from_row(row) if row is not None else None


# --- activity (hub/domain/community): what the members you follow publish ---------------------


@strawberry.enum(description="What happened, in an activity feed.")
class ActivityKind(enum.Enum):
    RECORD_PUBLISHED = strawberry.enum_value(
        "RECORD_PUBLISHED", description="A member you follow published a record.")
    REMIX_PUBLISHED = strawberry.enum_value(
        "REMIX_PUBLISHED", description="A member you follow published a remix (a record with "
        "sources).")
    COLLABORATION_OPENED = strawberry.enum_value(
        "COLLABORATION_OPENED", description="A collaboration you follow, or one a member you "
        "follow owns, opened its call (`collaboration`).")


@strawberry.type(description="Something that happened among the members and collaborations "
                 "you follow.")
class Activity:
    table: ClassVar[Table] = community.ACTIVITY_ROW  # kind and occurred_at, read from the row

    kind: ActivityKind = strawberry.field(description="What happened.")
    occurred_at: dt.datetime = strawberry.field(description="When it happened (a record's "
                                                "first publication, a call's opening).")
    actor_pk: strawberry.Private[int]
    row: strawberry.Private[Any]

    @strawberry.field(description="The member who did it (a call's creator).",
                      metadata=twin(Reference(MEMBERS, "actor_id")))
    async def actor(
        self, info: Info,
    ) -> Annotated[Member, strawberry.lazy("hub.api.members.types")]:
        member = await load_member(info.context, self.actor_pk)
        assert member is not None  # records.author_id and collaborations.created_by reference members
        return member

    @strawberry.field(description="The record published; null for a collaboration's call.",
                      metadata=twin(twins.ACTIVITY_RECORD))
    def record(self, info: Info,
               ) -> Annotated[Record, strawberry.lazy("hub.api.records.types")] | None:
        from hub.api.records.types import Record

        if self.row["collaboration_id"] is not None:
            return None
        return Record.from_row(self.row, info.context)

    @strawberry.field(description="The collaboration whose call opened; null for a record.",
                      metadata=twin(twins.ACTIVITY_COLLABORATION))
    async def collaboration(
        self, info: Info,
    ) -> Annotated[Collaboration, strawberry.lazy("hub.api.collaborations.types")] | None:
        from hub.api.collaborations.types import load_collaboration

        pk = self.row["collaboration_id"]
        return await load_collaboration(info.context, pk) if pk is not None else None

    @classmethod
    def from_row(cls, row: Any) -> Activity:
        return cls(kind=ActivityKind(row["kind"]), occurred_at=row["occurred_at"],
                   actor_pk=row["actor_id"], row=row)


async def activity_of(context: Context, member_pk: int, page: PageArgs,
                      ) -> Connection[Activity] | None:
    """``Member.activity``: null unless the viewer is this member (community.OWN_ACTIVITY)."""
    if context.viewer_id != member_pk:
        return None
    listing = community.ACTIVITY
    rows = await context.pages(listing).load(PageKey(member_pk, "NEWEST", page))
    return connection_from_rows(rows, page, listing.orderings["NEWEST"], Activity.from_row,
                                count=lambda: context.counts(listing).load(CountKey(member_pk)))
