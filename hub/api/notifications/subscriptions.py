"""``notificationAdded``: your notifications as they are written (or a group of yours grows),
from every hub instance, through the outbox (hub/domain/notifications/service.py writes the
``notification.added`` events in the transaction of the change)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from hub.api.context import Context
from hub.api.notifications.types import Notification, load_notification
from hub.api.streams import After, _cursor, event_stream
from hub.core.events import Event
from hub.core.relay import encode_id, try_decode_id
from hub.domain.notifications.service import ADDED

KINDS = frozenset({ADDED})


@strawberry.type(description="A notification was written to your inbox, or grew.")
class NotificationAddedEvent:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this event.")
    occurred_at: dt.datetime = strawberry.field(description="When the change was committed.")
    notification: Notification = strawberry.field(description="The notification, as it is "
                                                  "when delivered.")


def _signed_in(context: Context) -> None:
    context.require_viewer()


@strawberry.type
class NotificationsSubscription:
    @strawberry.subscription(description="Your notifications as they arrive (sign in): the "
                             "same ones `viewer { notifications }` lists, after your "
                             "preferences. Marking them read sends nothing.")
    async def notification_added(
        self, info: Info, after: After = None,
    ) -> AsyncGenerator[NotificationAddedEvent, None]:
        context: Context = info.context
        me = encode_id("Member", context.require_viewer())

        async def render(ctx: Context, event: Event) -> NotificationAddedEvent | None:
            pk = try_decode_id(event.subject, "Notification")
            notification = await load_notification(ctx, pk) if pk else None
            if notification is None:
                return None
            return NotificationAddedEvent(cursor=_cursor(event.id or 0),
                                          occurred_at=event.occurred_at,
                                          notification=notification)

        # The events are the viewer's own: the viewer is part of every group.
        return await event_stream(context, KINDS, after,
                                  lambda e: e.payload.get("recipient") == me, render,
                                  _signed_in, group=("notificationAdded",))
