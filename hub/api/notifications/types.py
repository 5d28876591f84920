"""GraphQL types of the notifications slice: ``Notification``, its kinds, the preferences,
and the fields ``Member.notifications``/``unreadNotificationCount``/``notificationPreferences``
resolve with (hub/api/members/types.py declares them and calls these).

A member's notifications are theirs alone (null for anyone else). What one is about is shown
by that subject's own rule when it is read: ``record`` is null, and ``available`` false, once
the record is a draft again or deleted (hub/domain/notifications/rules.py).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from hub.api.compiled.derive import no_twin, twin
from hub.api.nodes import node_resolver, resolve_node
from hub.api.notifications import twins
from hub.api.relay import Connection, Node, connection_from_rows
from hub.core.pages import CountKey, PageKey
from hub.core.relay import PageArgs, encode_id
from hub.core.rules import Table
from hub.domain.notifications import digest, rules, store
from hub.domain.notifications.loaders import NotificationByIdLoader, UnreadCountLoader

if TYPE_CHECKING:
    from hub.api.collaborations.types import Collaboration
    from hub.api.compilations.types import Compilation
    from hub.api.context import Context
    from hub.api.members.types import Member
    from hub.api.records.types import Record

MemberRef = Annotated["Member", strawberry.lazy("hub.api.members.types")]
RecordRef = Annotated["Record", strawberry.lazy("hub.api.records.types")]
CollaborationRef = Annotated["Collaboration", strawberry.lazy("hub.api.collaborations.types")]
CompilationRef = Annotated["Compilation", strawberry.lazy("hub.api.compilations.types")]


@strawberry.enum(description="What a notification tells you.")
class NotificationKind(enum.Enum):
    RECORD_REMIXED = strawberry.enum_value(
        "RECORD_REMIXED", description="A record of yours was remixed: `record` is the remix.")
    RECORD_COMMENTED = strawberry.enum_value(
        "RECORD_COMMENTED", description="Someone commented on a record of yours.")
    MENTIONED = strawberry.enum_value(
        "MENTIONED", description="Someone mentioned you (`@handle`) in a comment.")
    RECORD_HEARTED = strawberry.enum_value(
        "RECORD_HEARTED", description="Members hearted a record of yours: one notification "
        "per record per day, whose `actorCount` grows (who hearted stays private: `actor` is "
        "null).")
    CONTRIBUTION_ACCEPTED = strawberry.enum_value(
        "CONTRIBUTION_ACCEPTED", description="A contribution of yours to a collaboration was "
        "accepted: `record` is the record offered.")
    CONTRIBUTION_DECLINED = strawberry.enum_value(
        "CONTRIBUTION_DECLINED", description="A contribution of yours was declined.")
    FOLLOWED_COLLABORATION_CLOSING = strawberry.enum_value(
        "FOLLOWED_COLLABORATION_CLOSING", description="A collaboration you follow closes "
        "within 24 hours (told once per deadline; `actor` is null).")
    CLASS_FEEDBACK = strawberry.enum_value(
        "CLASS_FEEDBACK", description="Feedback on a submission of yours to a class: `record` "
        "is the record submitted.")
    PAYOUT_PROPOSED = strawberry.enum_value(
        "PAYOUT_PROPOSED", description="A compilation's payout proposal credits you.")
    PAYOUT_FINALIZED = strawberry.enum_value(
        "PAYOUT_FINALIZED", description="A payout crediting you was finalized.")
    COMPILATION_RETURNED = strawberry.enum_value(
        "COMPILATION_RETURNED", description="A compilation you created or edit was returned "
        "to DRAFT from review.")
    COMPILATION_APPROVED = strawberry.enum_value(
        "COMPILATION_APPROVED", description="A compilation you created or edit was approved.")


@strawberry.type(description="Something that happened to your work, in your inbox "
                 "(`viewer { notifications }`). Only its recipient can read it.")
class Notification(Node):
    table: ClassVar[Table] = rules.NOTIFICATIONS  # the plain fields named like its columns

    id: strawberry.ID = strawberry.field(description="The notification's opaque global ID.")
    kind: NotificationKind = strawberry.field(description="What it tells.")
    created_at: dt.datetime = strawberry.field(
        description="When it happened; for a grouped kind, when its latest actor joined.")
    read: bool = strawberry.field(description="Whether you marked it read "
                                  "(`markNotificationsRead`); a grouped one that grows is "
                                  "unread again.")
    actor_count: int = strawberry.field(
        description="How many members it is about: 1, or the members of a group (\"12 members "
        "hearted …\"); 0 for the hub's own notices.")
    pk: strawberry.Private[int]
    row: strawberry.Private[Any]

    @strawberry.field(description="Whether you may still see everything it is about; false "
                      "when its record, collaboration or compilation is no longer visible to "
                      "you (those fields are then null).", metadata=twin(twins.AVAILABLE))
    async def available(self, info: Info) -> bool:
        if "_available" in self.row:
            return bool(self.row["_available"])
        loaded = await info.context.loader(NotificationByIdLoader).load(self.pk)
        return bool(loaded is not None and loaded["_available"])

    @strawberry.field(description="Who did it; null for kinds whose acts are private "
                      "(RECORD_HEARTED: count them with `actorCount`) and for the hub's "
                      "notices.", metadata=twin(twins.ACTOR))
    async def actor(self, info: Info) -> MemberRef | None:
        pk = self.row["actor_id"]
        if pk is None or self.row["kind"] in rules.ANONYMOUS_ACTORS:
            return None
        # Through the node registry: Member's slice declares the inbox fields (no cycle).
        member: Member | None = await resolve_node(info.context, encode_id("Member", pk))
        return member

    @strawberry.field(description="The record it is about; null when it is about no record "
                      "or the record is no longer visible to you (unavailable).",
                      metadata=twin(twins.RECORD))
    async def record(self, info: Info) -> RecordRef | None:
        from hub.api.records.types import load_record

        pk = self.row["record_id"]
        return await load_record(info.context, pk) if pk is not None else None

    @strawberry.field(description="The collaboration it is about; null when it is about none "
                      "or it is no longer visible to you.", metadata=twin(twins.COLLABORATION))
    async def collaboration(self, info: Info) -> CollaborationRef | None:
        from hub.api.collaborations.types import load_collaboration

        pk = self.row["collaboration_id"]
        return await load_collaboration(info.context, pk) if pk is not None else None

    @strawberry.field(description="The compilation it is about; null when it is about none "
                      "or it is no longer visible to you.", metadata=twin(twins.COMPILATION))
    async def compilation(self, info: Info) -> CompilationRef | None:
        from hub.api.compilations.types import load_compilation

        pk = self.row["compilation_id"]
        return await load_compilation(info.context, pk) if pk is not None else None

    @classmethod
    def from_row(cls, row: Any) -> Notification:
        return cls(id=strawberry.ID(encode_id("Notification", row["id"])), pk=row["id"],
                   kind=NotificationKind(row["kind"]), created_at=row["created_at"],
                   read=row["read_at"] is not None, actor_count=row["actor_count"], row=row)


@node_resolver("Notification")
async def load_notification(context: Context, pk: int) -> Notification | None:
    """Only its recipient may fetch it: anyone else gets null, as for an unknown ID."""
    if context.viewer_id is None:
        return None
    row = await context.loader(NotificationByIdLoader).load(pk)
    return Notification.from_row(row) if row is not None else None


@strawberry.type(description="Whether one kind of notification reaches you, and how.")
class NotificationPreference:
    kind: NotificationKind = strawberry.field(description="The kind.")
    inbox: bool = strawberry.field(description="Written to your inbox (and sent live); when "
                                   "false, none of this kind is written.")
    email: bool = strawberry.field(description="Carried by the daily email digest (when a "
                                   "digest plugin is installed and you gave an address).")

    @classmethod
    def from_row(cls, row: Any) -> NotificationPreference:
        return cls(kind=NotificationKind(row["kind"]), inbox=row["inbox"], email=row["email"])


# --- on Member ----------------------------------------------------------------------------------

INBOX_DESCRIPTION = ("Your notifications, newest first (a grouped one moves up as it grows); "
                     "null unless you are this member (read it as `viewer { notifications }`).")
UNREAD_DESCRIPTION = ("How many of your notifications are unread; null unless you are this "
                      "member.")
PREFERENCES_DESCRIPTION = ("Every kind of notification and whether it reaches your inbox and "
                           "your email digest; null unless you are this member.")
PREFERENCES_NO_TWIN = no_twin("a member's own settings, read on the settings page only")
UnreadOnly = Annotated[bool, strawberry.argument(
    description="Only the unread ones; false (the default) lists every one.")]


async def inbox_of(context: Context, member_pk: int, page: PageArgs, unread_only: bool,
                   ) -> Connection[Notification] | None:
    if context.viewer_id != member_pk:
        return None
    listing = rules.INBOX
    filters = tuple(sorted(listing.cleaned_filters({"unreadOnly": unread_only}).items()))
    rows = await context.pages(listing).load(PageKey(member_pk, "NEWEST", page, filters))
    return connection_from_rows(
        rows, page, listing.orderings["NEWEST"], Notification.from_row,
        count=lambda: context.counts(listing).load(CountKey(member_pk, filters)))


async def unread_count_of(context: Context, member_pk: int) -> int | None:
    if context.viewer_id != member_pk:
        return None
    row = await context.loader(UnreadCountLoader).load(member_pk)
    return int(row["unread_count"])


EMAIL_DESCRIPTION = ("Where your daily email digest goes; null when you gave no address or "
                     "unsubscribed (or unless you are this member).")
EMAIL_NO_TWIN = no_twin("a member's own settings, read on the settings page only")


async def email_of(context: Context, member_pk: int) -> str | None:
    if context.viewer_id != member_pk:
        return None
    row = await digest.address_of(context.db, member_pk)
    return None if row is None or row["unsubscribed_at"] is not None else str(row["address"])


async def preferences_of(context: Context, member_pk: int) -> list[NotificationPreference] | None:
    if context.viewer_id != member_pk:
        return None
    return [NotificationPreference.from_row(row)
            for row in await store.preferences_of(context.db, member_pk)]
