"""Subscriptions of the collaborations slice: a collaboration's changes and new contributions,
from the outbox events its writes emit (hub/domain/collaborations/service.py), checked against
the viewer's right to see them at subscribe time and again for every event."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from strawberry.types import Info

from hub.api.collaborations.types import (
    Collaboration,
    Contribution,
    load_collaboration,
    load_contribution,
)
from hub.api.context import Context
from hub.api.streams import After, event_stream
from hub.core.errors import CodedError
from hub.core.events import Event
from hub.core.relay import decode_id, encode_id, try_decode_id

COLLABORATION_KINDS = frozenset({
    "collaboration.opened", "collaboration.closed", "collaboration.completed",
    "collaboration.archived", "contribution.offered", "contribution.shortlisted",
    "contribution.accepted", "contribution.declined", "contribution.withdrawn",
})
CONTRIBUTION_KINDS = frozenset({"contribution.offered"})


def _collaboration_of(event: Event) -> str:
    return str(event.payload.get("collaboration") or event.subject)


@strawberry.type(description="A collaboration changed: its status, or one of its "
                 "contributions was offered or decided.")
class CollaborationUpdatedEvent:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this event.")
    occurred_at: dt.datetime = strawberry.field(description="When the change was committed.")
    kind: str = strawberry.field(description="What happened: `collaboration.opened`, "
                                 "`.closed`, `.completed`, `.archived`, `contribution.offered`, "
                                 "`.shortlisted`, `.accepted`, `.declined` or `.withdrawn`.")
    collaboration: Collaboration = strawberry.field(description="The collaboration, as it is "
                                                    "now.")
    contribution: Contribution | None = strawberry.field(description="The contribution, for a "
                                                         "contribution event; null otherwise.")


@strawberry.type(description="A record was offered to a collaboration.")
class ContributionAddedEvent:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this event.")
    occurred_at: dt.datetime = strawberry.field(description="When the offer was committed.")
    contribution: Contribution = strawberry.field(description="The new contribution.")


async def _visible(context: Context, global_id: str, argument: str) -> int:
    pk = decode_id(global_id, "Collaboration")
    if await load_collaboration(context, pk) is None:
        raise CodedError(f"{argument}: no collaboration {global_id!r} is visible to you.",
                         code="NOT_FOUND")
    return pk


async def _contribution(context: Context, event: Event) -> Contribution | None:
    pk = try_decode_id(event.subject, "Contribution")
    return await load_contribution(context, pk) if pk else None


@strawberry.type
class CollaborationsSubscription:
    @strawberry.subscription(description="Changes of one collaboration: opened, closed, "
                             "completed, archived, and its contributions offered or decided.")
    async def collaboration_updated(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The collaboration.")],
        after: After = None,
    ) -> AsyncGenerator[CollaborationUpdatedEvent, None]:
        context: Context = info.context
        pk = await _visible(context, id, "id")
        wanted = encode_id("Collaboration", pk)

        async def render(ctx: Context, event: Event) -> CollaborationUpdatedEvent | None:
            collaboration = await load_collaboration(ctx, pk)
            if collaboration is None:
                return None
            contribution = await _contribution(ctx, event)
            return CollaborationUpdatedEvent(
                cursor=encode_id("Event", event.id or 0), occurred_at=event.occurred_at,
                kind=event.kind, collaboration=collaboration, contribution=contribution)

        return await event_stream(context, COLLABORATION_KINDS, after,
                                  lambda e: _collaboration_of(e) == wanted, render,
                                  group=("collaborationUpdated", pk))

    @strawberry.subscription(description="Records offered to one collaboration, as they are.")
    async def contribution_added(
        self, info: Info,
        collaboration_id: Annotated[strawberry.ID, strawberry.argument(
            description="The collaboration.")],
        after: After = None,
    ) -> AsyncGenerator[ContributionAddedEvent, None]:
        context: Context = info.context
        pk = await _visible(context, collaboration_id, "collaborationId")
        wanted = encode_id("Collaboration", pk)

        async def render(ctx: Context, event: Event) -> ContributionAddedEvent | None:
            contribution = await _contribution(ctx, event)
            if contribution is None:
                return None
            return ContributionAddedEvent(cursor=encode_id("Event", event.id or 0),
                                          occurred_at=event.occurred_at, contribution=contribution)

        return await event_stream(context, CONTRIBUTION_KINDS, after,
                                  lambda e: _collaboration_of(e) == wanted, render,
                                  group=("contributionAdded", pk))
