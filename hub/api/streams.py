"""Event streams for subscriptions: validate a resume cursor, replay what was missed, then
go on live without gaps or duplicates, checking the viewer before each event.

Every slice's subscription fields are built on :func:`event_stream` (hub/api/realtime/
subscriptions.py for records, remixes, compilations and submissions; each newer slice beside its
own types). This module names no slice, so any slice may import it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Hashable
from typing import Annotated, Any, TypeVar

import strawberry

from hub.api.context import Context
from hub.core.errors import BadRequest, CodedError
from hub.core.events import Event
from hub.core.relay import encode_id, try_decode_id
from hub.realtime import outbox
from hub.realtime.batches import Batched
from hub.realtime.direct import DirectSend, direct_sender
from hub.realtime.listener import FellBehind, Stopping, ViewerChanged
from hub.realtime.multiplex import Prebuilt
from hub.realtime.sessions import socket_session, viewer_is_current

T = TypeVar("T")
Render = Callable[[Context, Event], Awaitable[T | None]]
Allowed = Callable[[Context], None]

REPLAY_BATCH = 500


def _cursor(event_id: int) -> str:
    return encode_id("Event", event_id)


def _resume_hint(last_id: int) -> str:
    return f'after: "{_cursor(last_id)}" to resume' if last_id else "no `after`"


def _not_found(message: str) -> CodedError:
    return CodedError(message, code="NOT_FOUND")


def cut_off(behind: FellBehind, last: int = 0) -> BadRequest:
    """The error that ends a subscription the listener cut off: the hub stops
    (``SERVER_RESTARTING``) or the client reads too slowly (``SUBSCRIBER_TOO_SLOW``), naming
    the cursor to resume from (``last``: the last event it was sent, if the listener knows
    an older one)."""
    resume = _resume_hint(max(last, behind.last_id or 0))
    if isinstance(behind, Stopping):
        return BadRequest("This hub instance is restarting; reconnect and subscribe again "
                          f"with {resume}.", code="SERVER_RESTARTING")
    return BadRequest("This subscription fell behind (the client reads too slowly) and was "
                      f"ended; subscribe again with {resume}.", code="SUBSCRIBER_TOO_SLOW")


async def _replay(context: Context, kinds: frozenset[str], after: int) -> AsyncIterator[Event]:
    while True:
        rows = await context.db.fetch(
            f"select {outbox.COLUMNS} from events where id > $1 and kind = any($2::text[]) "
            f"order by id limit {REPLAY_BATCH}", after, list(kinds),
        )
        for row in rows:
            yield outbox.from_row(row)
        if len(rows) < REPLAY_BATCH:
            return
        after = rows[-1]["id"]


async def _check_cursor(context: Context, after: str) -> int:
    """The event id in ``after``; a clear error if it is malformed, foreign or expired."""
    event_id = try_decode_id(after, "Event")
    if event_id is None:
        raise BadRequest(f"after: {after!r} is not an event cursor (use an event's `cursor`).",
                         code="INVALID_CURSOR")
    row = await context.db.fetchrow(
        "select pruned_through, (select coalesce(max(id), 0) from events) as newest "
        "from event_retention")
    if row is not None and event_id > row["newest"]:
        raise BadRequest(f"after: {after!r} is not a cursor of this hub.", code="INVALID_CURSOR")
    if row is not None and event_id < row["pruned_through"]:
        hours = context.settings.event_retention_hours
        raise BadRequest(
            f"after: events after {after!r} are no longer kept (the hub keeps {hours} hours); "
            "reload the data and subscribe without `after`.", code="CURSOR_EXPIRED")
    return event_id


async def event_stream(
    context: Context, kinds: frozenset[str], after: str | None,
    accepts: Callable[[Event], bool], render: Render[T],
    allowed: Allowed | None = None, group: Hashable | None = None,
    batched: Batched | None = None,
) -> AsyncGenerator[T, None]:
    """Validate ``after`` now (errors reach the client as a subscribe error), then stream.
    ``allowed`` raises when the viewer may not follow the stream: it is called again before
    each event once the viewer changed (a role change), which ends the subscription.

    ``group`` names what ``render`` depends on besides the viewer and the event — the field
    and its arguments, e.g. ``("recordPublished", media_type)``: live events are then rendered
    once per (group, viewer) and the payload shared (hub/realtime/multiplex.py). Without it,
    every subscription renders its own. ``batched``: live payloads are built by one statement
    for many groups as the listener reads the event (hub/realtime/batches.py, hub/api/live/),
    ``render`` only where that batch has no answer for this subscription."""
    bus = context.events
    if bus is None:
        raise BadRequest("Subscriptions are served over WebSocket by a running hub.")
    after_id = await _check_cursor(context, after) if after else None
    # Live first, so nothing committed during the replay is missed; duplicates are skipped.
    subscriber = bus.subscribe(lambda event: event.kind in kinds and accepts(event))
    subscriber.batch = batched
    direct = direct_sender(context.response, context.request) if batched is not None else None
    subscriber.direct = direct
    session = socket_session(context)
    if session is not None:  # told when the socket's viewer changes or its session ends
        session.subscribers.add(subscriber)
    return _stream(context, kinds, after_id, accepts, render, subscriber, allowed, group,
                   batched, direct)


async def _stream(
    context: Context, kinds: frozenset[str], after_id: int | None,
    accepts: Callable[[Event], bool], render: Render[T], subscriber: Any,
    allowed: Allowed | None, group: Hashable | None, batched: Batched | None,
    direct: DirectSend | None,
) -> AsyncGenerator[T, None]:
    assert context.events is not None
    last = after_id or 0
    try:
        if after_id is not None:
            async for event in _replay(context, kinds, after_id):
                last = event.id or last
                await _still_allowed(context, allowed)
                if accepts(event) and (item := await _rendered(context, event, render)):
                    yield item
        while True:
            try:
                event = await subscriber.next()
            except ViewerChanged:
                await _still_allowed(context, allowed)
                continue
            except FellBehind as behind:  # or Stopping
                raise cut_off(behind, last) from None
            if (event.id or 0) <= last:
                continue  # already sent by the replay
            last = event.id or last
            await _still_allowed(context, allowed)
            item = await _shared(context, event, render, group, batched)
            if direct is not None and isinstance(item, Prebuilt):
                if not await direct.send(item):
                    return  # completed by the client, or the socket closed
            elif item:
                yield item
    finally:
        context.events.unsubscribe(subscriber)
        if (session := socket_session(context)) is not None:
            session.subscribers.discard(subscriber)


async def _still_allowed(context: Context, allowed: Allowed | None) -> None:
    """Before each event: the socket's session still holds (a logged-out socket is closed;
    this ends its subscriptions without a word more), and the viewer, reloaded if it changed,
    may still follow the stream."""
    await viewer_is_current(context)
    if allowed is not None:
        allowed(context)


async def _rendered(context: Context, event: Event, render: Render[T]) -> T | None:
    # Loads are cached per connection; an event is news, so read the current state.
    context.forget_loaded()
    return await render(context, event)


async def _shared(context: Context, event: Event, render: Render[T],
                  group: Hashable | None, batched: Batched | None = None) -> T | None:
    """The payload of a live ``event``: built by its batch (``batched``), else rendered once
    for every subscription of ``group`` with this viewer, or by this subscription alone
    without a group."""
    if batched is not None and context.events is not None and event.id:
        found, payload = await context.events.batches.result(event.id, batched.group())
        if found:
            built: T | None = payload  # a Prebuilt: the executor sends its data as it is
            return built
    # Also when another subscription of the group renders: this context may execute the
    # group's selection (hub/api/multiplex.py), and must not answer from older loads.
    context.forget_loaded()
    if group is None or context.events is None:
        return await render(context, event)
    key = (group, viewer_class(context), event.id)
    shared: T | None = await context.events.builds.get(key, lambda: render(context, event))
    return shared


def viewer_class(context: Context) -> tuple[int, str] | None:
    """Who a payload is built for: None (anonymous) or the member and role — everything
    visibility depends on (loaders take the viewer's id; rules read the role)."""
    row = context.viewer_row
    return None if row is None else (row["id"], row["role"])


After = Annotated[str | None, strawberry.argument(
    description="The `cursor` of the last event you received: replays what you missed (kept "
    "for HUB_EVENT_RETENTION_HOURS), then goes on live. Omitted or null: live events only, "
    "from now.")]
