"""The GraphQL ``Subscription`` type: change events, live from every hub instance.

Each field checks its arguments and the viewer's right to see the subject when the client
subscribes (an unknown or invisible subject is an error then, not silence later), and checks
visibility again for every event before it is sent, with the same loaders and rules as
queries: a draft never leaves the hub, a private class's submissions neither. The viewer is
the socket's, kept current (hub/realtime/sessions.py): after logOut nothing more is sent, and a
field only editors may follow ends with FORBIDDEN when the viewer stops being one.

Every event carries a ``cursor``; passing the last one seen as ``after`` replays what was
missed (within ``HUB_EVENT_RETENTION_HOURS``) and then continues live, without gaps or
duplicates: the live subscription starts first and buffers, the replay runs, and live events
the replay already delivered are skipped by id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from hub.api.classes.types import Class, Submission, load_submission
from hub.api.context import Context
from hub.api.nodes import has_node_resolver, resolve_node
from hub.api.records.types import Record, RecordStatus, load_record
from hub.core.errors import BadRequest, CodedError, Forbidden, Unauthenticated
from hub.core.events import Event
from hub.core.relay import decode_id, encode_id, try_decode_id
from hub.realtime import outbox
from hub.realtime.listener import FellBehind, Stopping, ViewerChanged
from hub.realtime.sessions import socket_session, viewer_is_current

T = TypeVar("T")
Render = Callable[[Context, Event], Awaitable[T | None]]
Allowed = Callable[[Context], None]

REPLAY_BATCH = 500
EDITORIAL_ROLES = frozenset({"EDITOR", "ADMIN"})
REMIX_KINDS = frozenset({"remix.created", "record.remixed"})
SUBMISSION_KINDS = frozenset({"lesson.submission_added", "submission.created"})


def _cursor(event_id: int) -> str:
    return encode_id("Event", event_id)


def _resume_hint(last_id: int) -> str:
    return f'after: "{_cursor(last_id)}" to resume' if last_id else "no `after`"


def _not_found(message: str) -> CodedError:
    return CodedError(message, code="NOT_FOUND")


# --- event types ----------------------------------------------------------------------------


@strawberry.type(description="A record was published (or published again).")
class RecordPublishedEvent:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this event.")
    occurred_at: dt.datetime = strawberry.field(description="When the change was committed.")
    record: Record = strawberry.field(description="The record, as it is now.")


@strawberry.type(description="A record was made from another one.")
class RemixCreatedEvent:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this event.")
    occurred_at: dt.datetime = strawberry.field(description="When the change was committed.")
    remix: Record = strawberry.field(description="The new record.")
    source: Record = strawberry.field(description="The record it was made from.")


@strawberry.type(description="A compilation's review or publishing status changed.")
class CompilationUpdatedEvent:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this event.")
    occurred_at: dt.datetime = strawberry.field(description="When the change was committed.")
    compilation_id: strawberry.ID = strawberry.field(description="The compilation's global ID.")
    status: str | None = strawberry.field(description="Its new status.")
    previous_status: str | None = strawberry.field(description="Its status before.")


@strawberry.type(description="A learner submitted a record to a lesson of a class.")
class LessonSubmissionAddedEvent:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this event.")
    occurred_at: dt.datetime = strawberry.field(description="When the change was committed.")
    submission: Submission = strawberry.field(description="The new submission.")


# --- the stream every field shares ------------------------------------------------------------


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
    allowed: Allowed | None = None,
) -> AsyncGenerator[T, None]:
    """Validate ``after`` now (errors reach the client as a subscribe error), then stream.
    ``allowed`` raises when the viewer may not follow the stream: it is called again before
    each event once the viewer changed (a role change), which ends the subscription."""
    bus = context.events
    if bus is None:
        raise BadRequest("Subscriptions are served over WebSocket by a running hub.")
    after_id = await _check_cursor(context, after) if after else None
    # Live first, so nothing committed during the replay is missed; duplicates are skipped.
    subscriber = bus.subscribe(lambda event: event.kind in kinds and accepts(event))
    session = socket_session(context)
    if session is not None:  # told when the socket's viewer changes or its session ends
        session.subscribers.add(subscriber)
    return _stream(context, kinds, after_id, accepts, render, subscriber, allowed)


async def _stream(
    context: Context, kinds: frozenset[str], after_id: int | None,
    accepts: Callable[[Event], bool], render: Render[T], subscriber: Any,
    allowed: Allowed | None,
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
            except Stopping as stopping:
                raise BadRequest(
                    "This hub instance is restarting; reconnect and subscribe again with "
                    f"{_resume_hint(max(last, stopping.last_id or 0))}.",
                    code="SERVER_RESTARTING") from None
            except FellBehind as behind:
                raise BadRequest(
                    "This subscription fell behind (the client reads too slowly) and was "
                    f"ended; subscribe again with {_resume_hint(max(last, behind.last_id or 0))}.",
                    code="SUBSCRIBER_TOO_SLOW") from None
            if (event.id or 0) <= last:
                continue  # already sent by the replay
            last = event.id or last
            await _still_allowed(context, allowed)
            if item := await _rendered(context, event, render):
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


# --- the fields -------------------------------------------------------------------------------

After = Annotated[str | None, strawberry.argument(
    description="The `cursor` of the last event you received: replays what you missed (kept "
    "for HUB_EVENT_RETENTION_HOURS), then goes on live.")]


async def _visible_record(context: Context, global_id: Any) -> Record | None:
    pk = try_decode_id(str(global_id), "Record") if global_id else None
    return await load_record(context, pk) if pk else None


def _source_of(event: Event) -> str:
    return str(event.payload.get("source") or event.subject)


def _signed_in(context: Context) -> None:
    context.require_viewer()


def _editor(context: Context) -> None:
    """Who may follow compilations: checked at subscribe, and again when the role changes."""
    if context.viewer_row is None:
        raise Unauthenticated()
    if context.viewer_role not in EDITORIAL_ROLES:
        raise Forbidden("Only editors and admins can follow compilations.")


@strawberry.type(description="Change events, delivered from every hub instance.")
class RealtimeSubscription:
    @strawberry.subscription(description="Records as they are published, optionally of one "
                             "media type. Drafts never appear.")
    async def record_published(
        self, info: Info,
        media_type: Annotated[str | None, strawberry.argument(
            description="Only records of this media type (`music`…).")] = None,
        after: After = None,
    ) -> AsyncGenerator[RecordPublishedEvent, None]:
        context: Context = info.context
        if media_type is not None and media_type not in context.plugins.media_types:
            raise BadRequest(f"mediaType: {media_type!r} is not an enabled media type.")

        async def render(ctx: Context, event: Event) -> RecordPublishedEvent | None:
            record = await _visible_record(ctx, event.subject)
            if record is None or record.status is not RecordStatus.PUBLISHED:
                return None
            return RecordPublishedEvent(cursor=_cursor(event.id or 0),
                                        occurred_at=event.occurred_at, record=record)

        return await event_stream(
            context, frozenset({"record.published"}), after,
            lambda e: media_type is None or e.payload.get("mediaType") == media_type, render)

    @strawberry.subscription(description="New remixes of one record (`of`), or of any of your "
                             "records when `of` is omitted (sign in for that).")
    async def remix_created(
        self, info: Info,
        of: Annotated[strawberry.ID | None, strawberry.argument(
            description="The source record; it must be visible to you.")] = None,
        after: After = None,
    ) -> AsyncGenerator[RemixCreatedEvent, None]:
        context: Context = info.context
        allowed: Allowed | None = None
        if of is not None:
            decode_id(of, "Record")
            if await _visible_record(context, of) is None:
                raise _not_found(f"of: no record {of!r} is visible to you.")
            of_id = str(of)
            accepts: Callable[[Event], bool] = lambda e: _source_of(e) == of_id  # noqa: E731
        else:
            me = encode_id("Member", context.require_viewer())
            accepts = lambda e: e.payload.get("sourceAuthor") == me  # noqa: E731
            allowed = _signed_in

        async def render(ctx: Context, event: Event) -> RemixCreatedEvent | None:
            remix = await _visible_record(ctx, event.payload.get("remix"))
            source = await _visible_record(ctx, _source_of(event))
            if remix is None or source is None:
                return None  # a draft remix, or a source hidden since
            return RemixCreatedEvent(cursor=_cursor(event.id or 0), occurred_at=event.occurred_at,
                                     remix=remix, source=source)

        return await event_stream(context, REMIX_KINDS, after, accepts, render, allowed)

    @strawberry.subscription(description="Status changes of one compilation (editors and "
                             "admins: compilations are editorial work).")
    async def compilation_updated(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(
            description="The compilation's global ID.")],
        after: After = None,
    ) -> AsyncGenerator[CompilationUpdatedEvent, None]:
        context: Context = info.context
        _editor(context)
        decode_id(id, "Compilation")
        # The compilations slice registers its node resolver (and visibility) when it exists.
        checked = has_node_resolver("Compilation")
        if checked and await resolve_node(context, id) is None:
            raise _not_found(f"id: no compilation {id!r} is visible to you.")

        async def render(ctx: Context, event: Event) -> CompilationUpdatedEvent | None:
            if checked and await resolve_node(ctx, event.subject) is None:
                return None
            return CompilationUpdatedEvent(
                cursor=_cursor(event.id or 0), occurred_at=event.occurred_at,
                compilation_id=strawberry.ID(event.subject), status=event.payload.get("status"),
                previous_status=event.payload.get("previousStatus"))

        return await event_stream(context, frozenset({"compilation.status_changed"}), after,
                                  lambda e: e.subject == str(id), render, allowed=_editor)

    @strawberry.subscription(description="Submissions to the lessons of one class; the class "
                             "must be visible to you.")
    async def lesson_submission_added(
        self, info: Info,
        class_id: Annotated[strawberry.ID, strawberry.argument(
            description="The class's global ID.")],
        after: After = None,
    ) -> AsyncGenerator[LessonSubmissionAddedEvent, None]:
        context: Context = info.context
        class_pk = decode_id(class_id, "Class")
        if not isinstance(await resolve_node(context, class_id), Class):
            raise _not_found(f"classId: no class {class_id!r} is visible to you.")

        def accepts(event: Event) -> bool:
            named = event.payload.get("class")
            return named is None or named == str(class_id)

        async def render(ctx: Context, event: Event) -> LessonSubmissionAddedEvent | None:
            pk = try_decode_id(event.subject, "Submission")
            submission = await load_submission(ctx, pk) if pk else None
            if submission is None or submission.class_pk != class_pk:
                return None
            return LessonSubmissionAddedEvent(cursor=_cursor(event.id or 0),
                                              occurred_at=event.occurred_at, submission=submission)

        return await event_stream(context, SUBMISSION_KINDS, after, accepts, render)
