"""Mutations of the notifications slice: marking read, preferences per kind."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from hub.api.context import Context
from hub.api.errors import ERRORS_DESCRIPTION, UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.api.notifications.types import Notification, NotificationKind, NotificationPreference
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.relay import input_pk
from hub.domain.notifications import digest, store

MAX_IDS = 100  # notifications marked by ids in one call (`all: true` has no limit)


@strawberry.input(one_of=True, description="Which notifications to mark read: exactly one.")
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description=f"Your notifications' global IDs (at most "
        f"{MAX_IDS}); omitted or null when `all` is given.")
    all: bool | None = strawberry.field(
        default=strawberry.UNSET, description="true: every unread notification of yours; "
        "omitted or null when `ids` is given.")


@strawberry.type(description="How many were marked, and how many stay unread; or the errors "
                 "that stopped it (then nothing was marked).")
class MarkNotificationsReadPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION,
                                               directives=sized_list(MAX_USER_ERRORS))
    marked: int | None = strawberry.field(
        default=None, description="How many unread ones were marked read now; null on errors.")
    unread_count: int | None = strawberry.field(
        default=None, description="Your unread notifications now; null on errors.")
    notifications: list[Notification] | None = strawberry.field(
        default=None, description="The notifications named by `ids`, as they are now; null "
        "on errors and for `all`.", directives=sized_list(MAX_IDS))


@strawberry.input(description="Whether one kind of notification reaches your inbox and your "
                  "email digest.")
class SetNotificationPreferenceInput:
    kind: NotificationKind = strawberry.field(description="The kind.")
    inbox: bool = strawberry.field(description="false: none of this kind is written for you.")
    email: bool = strawberry.field(description="false: the email digest leaves this kind out.")


@strawberry.type(description="The preference as it is now, or the errors that stopped it.")
class NotificationPreferencePayload:
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION,
                                               directives=sized_list(MAX_USER_ERRORS))
    preference: NotificationPreference | None = strawberry.field(
        default=None, description="The preference saved; null on errors.")


async def mark_read(context: Context, input: MarkNotificationsReadInput,
                    ) -> MarkNotificationsReadPayload:
    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        ids: list[int] | None = None
        if isinstance(input.ids, list):
            if len(input.ids) > MAX_IDS:
                raise InputProblem(ErrorCode.INVALID_INPUT, f"At most {MAX_IDS} ids at once; "
                                   "use `all: true` for every one.", "ids")
            ids = [input_pk(global_id, "Notification", "ids") for global_id in input.ids]
            owners = await store.recipients_of(tx, ids)
            # Someone else's notification reads as missing: whose it is is not yours to know.
            foreign = [global_id for global_id, pk in zip(input.ids, ids, strict=True)
                       if owners.get(pk) != viewer]
            if foreign:
                raise InputProblem(ErrorCode.NOT_FOUND, "No notification of yours "
                                   f"{', '.join(map(repr, foreign))}: nothing was marked.",
                                   "ids")
        elif input.all is not True:
            raise InputProblem(ErrorCode.INVALID_INPUT, "all: give true (or name `ids`).", "all")
        marked = await store.mark_read(tx, viewer, ids)
        unread = await tx.fetchval("select count(*) from notifications "
                                   "where recipient_id = $1 and read_at is null", viewer)
        rows = await store.notifications_by_ids(tx, ids) if ids is not None else None
        by_id = {row["id"]: row for row in rows or []}
        return Outcome({"marked": marked, "unread_count": unread,
                        "notifications": None if ids is None else
                        [Notification.from_row(by_id[pk]) for pk in dict.fromkeys(ids)]})

    return await run_mutation(context, MarkNotificationsReadPayload, work)


async def set_preference(context: Context, input: SetNotificationPreferenceInput,
                         ) -> NotificationPreferencePayload:
    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        await store.set_preference(tx, viewer, str(input.kind.value), input.inbox, input.email)
        return Outcome({"preference": NotificationPreference(
            kind=input.kind, inbox=input.inbox, email=input.email)})

    return await run_mutation(context, NotificationPreferencePayload, work)


@strawberry.input(description="Where your daily email digest goes.")
class SetNotificationEmailInput:
    address: str | None = strawberry.field(
        description="An email address (at most 254 characters, with an @); null stops the "
        "digest and forgets the address. Giving one after unsubscribing subscribes again.")


@strawberry.type(description="Your digest's address as it is now, or the errors that stopped "
                 "the change.")
class NotificationEmailPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION,
                                               directives=sized_list(MAX_USER_ERRORS))
    address: str | None = strawberry.field(
        default=None, description="The address saved; null on errors or when you cleared it.")


def _address(value: str) -> str:
    address = value.strip()
    local, at, domain = address.rpartition("@")
    if (not at or not local or "." not in domain or len(address) > digest.MAX_ADDRESS
            or any(c.isspace() or c in "<>,;\"" for c in address)):
        raise InputProblem(ErrorCode.INVALID_INPUT, "address: give one email address, like "
                           "ada@example.org.", "address")
    return address


async def set_email(context: Context, input: SetNotificationEmailInput,
                    ) -> NotificationEmailPayload:
    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        address = _address(input.address) if input.address is not None else None
        await digest.set_address(tx, viewer, address)
        return Outcome({"address": address})

    return await run_mutation(context, NotificationEmailPayload, work)


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(description="Mark notifications of yours read: some by `ids`, or "
                         "`all`. Naming one that is not yours (or does not exist) is NOT_FOUND "
                         "and marks nothing.")
    async def mark_notifications_read(
        self, info: Info,
        input: Annotated[MarkNotificationsReadInput, strawberry.argument(
            description="Which ones.")],
    ) -> MarkNotificationsReadPayload:
        return await mark_read(info.context, input)

    @strawberry.mutation(description="Choose whether a kind of notification reaches your inbox "
                         "(and live `notificationAdded`) and your email digest. Every kind is on "
                         "for both until you choose.")
    async def set_notification_preference(
        self, info: Info,
        input: Annotated[SetNotificationPreferenceInput, strawberry.argument(
            description="The kind and your choice.")],
    ) -> NotificationPreferencePayload:
        return await set_preference(info.context, input)

    @strawberry.mutation(description="Give the address of your daily email digest (sent when "
                         "the hub has a digest plugin, e.g. hub_email_digest), or clear it. "
                         "Each email carries a one-click unsubscribe link.")
    async def set_notification_email(
        self, info: Info,
        input: Annotated[SetNotificationEmailInput, strawberry.argument(
            description="The address.")],
    ) -> NotificationEmailPayload:
        return await set_email(info.context, input)
