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
import enum
import functools
from collections.abc import AsyncGenerator, Callable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from hub.api.classes.types import Class, Submission, load_submission
from hub.api.context import Context
from hub.api.live import LiveField, Seen, Subject, live_subscription
from hub.api.nodes import has_node_resolver, resolve_node
from hub.api.records.types import Record, RecordStatus, load_record
from hub.api.streams import After, Allowed, _cursor, _not_found, event_stream
from hub.core.errors import BadRequest, Forbidden, Unauthenticated
from hub.core.events import Event
from hub.core.relay import decode_id, encode_id, try_decode_id

if TYPE_CHECKING:
    from hub.api.compilations.types import Compilation

EDITORIAL_ROLES = frozenset({"EDITOR", "ADMIN"})
COMPILATION_KINDS = frozenset({"compilation.status_changed", "compilation.changed"})
CompilationRef = Annotated["Compilation", strawberry.lazy("hub.api.compilations.types")]
REMIX_KINDS = frozenset({"remix.created", "record.remixed"})
SUBMISSION_KINDS = frozenset({"lesson.submission_added", "submission.created"})
PUBLISHED_KINDS = frozenset({"record.published"})


@functools.lru_cache(maxsize=64)
def of_media_type(media_type: str | None) -> Callable[[Event], bool]:
    """Whether a ``recordPublished(mediaType:)`` subscription takes a publication event: one
    function per media type, shared by every subscription (Strawberry's and the light path's,
    hub/api/realtime/light.py), no closure per socket."""
    if media_type is None:
        return lambda event: True
    return lambda event: event.payload.get("mediaType") == media_type


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


@strawberry.enum(description="What changed in a compilation (`compilationUpdated`).")
class CompilationChange(enum.Enum):
    STATUS_CHANGED = strawberry.enum_value("STATUS_CHANGED", description="Its status changed "
                                           "(submitted, approved, returned, published…).")
    DETAILS_CHANGED = strawberry.enum_value("DETAILS_CHANGED", description="Its title, "
                                            "description or target settings changed.")
    ITEM_ADDED = strawberry.enum_value("ITEM_ADDED", description="An item was added.")
    ITEM_MOVED = strawberry.enum_value("ITEM_MOVED", description="An item moved; others shifted.")
    ITEM_UPDATED = strawberry.enum_value("ITEM_UPDATED", description="An item's weight or note "
                                         "changed.")
    ITEM_REMOVED = strawberry.enum_value("ITEM_REMOVED", description="An item was removed.")
    EDITORS_CHANGED = strawberry.enum_value("EDITORS_CHANGED", description="An editor joined "
                                            "or left its team.")
    REVIEW_CHANGED = strawberry.enum_value("REVIEW_CHANGED", description="A reviewer was "
                                           "assigned, or a review comment written.")
    DELETED = strawberry.enum_value("DELETED", description="The DRAFT was deleted; no more "
                                    "events follow.")


@strawberry.type(description="A compilation changed: its status, its details, its items or its "
                 "team. Two editors on one compilation see each other's changes through it.")
class CompilationUpdatedEvent:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this event.")
    occurred_at: dt.datetime = strawberry.field(description="When the change was committed.")
    compilation_id: strawberry.ID = strawberry.field(description="The compilation's global ID.")
    status: str | None = strawberry.field(description="Its status after the change (a "
                                          "`CompilationStatus` name); null only if the stored "
                                          "event lacks it.")
    previous_status: str | None = strawberry.field(description="Its status before a status "
                                                   "change; null for the other changes and if "
                                                   "the stored event lacks it.")
    change: CompilationChange = strawberry.field(description="What changed.")
    item_id: strawberry.ID | None = strawberry.field(
        description="The item added, moved, updated or removed; null for other changes.")
    version: int | None = strawberry.field(
        description="The compilation's `version` after the change (null on events from before "
        "versions): one you already have means the change is yours or already seen.")
    compilation: CompilationRef | None = strawberry.field(
        description="The compilation as it is when the event is delivered (not as of the "
        "change: a later one may show already); null after DELETED.")


@strawberry.type(description="A learner submitted a record to a lesson of a class.")
class LessonSubmissionAddedEvent:
    cursor: str = strawberry.field(description="Pass as `after` to resume after this event.")
    occurred_at: dt.datetime = strawberry.field(description="When the change was committed.")
    submission: Submission = strawberry.field(description="The new submission.")


# --- the stream every field shares ------------------------------------------------------------


# --- the fields -------------------------------------------------------------------------------

async def _visible_record(context: Context, global_id: Any) -> Record | None:
    pk = try_decode_id(str(global_id), "Record") if global_id else None
    return await load_record(context, pk) if pk else None


def _source_of(event: Event) -> str:
    return str(event.payload.get("source") or event.subject)


def _change(event: Event) -> CompilationChange:
    return CompilationChange(event.payload.get("change", "STATUS_CHANGED"))


# --- how each field's payloads compile (hub/api/live): what its render reads and checks ------

RECORD_PUBLISHED = LiveField(
    "RecordPublishedEvent",
    {"record": Subject("record", lambda event: event.subject, probe="status")},
    # Hidden or unpublished again by delivery time: not sent.
    sends=lambda event, seen, _: (seen["record"] or {}).get("status") == "PUBLISHED")

REMIX_CREATED = LiveField(
    "RemixCreatedEvent",
    {"remix": Subject("record", lambda event: event.payload.get("remix")),
     "source": Subject("record", _source_of)},
    # A draft remix, or a source hidden since: not sent.
    sends=lambda event, seen, _: seen["remix"] is not None and seen["source"] is not None)


def _compilation_values(event: Event) -> dict[str, Any]:
    item = event.payload.get("item")
    change = _change(event)
    return {"compilationId": str(event.subject), "status": event.payload.get("status"),
            "previousStatus": event.payload.get("previousStatus"), "change": change.name,
            "itemId": str(item) if item else None, "version": event.payload.get("version"),
            **({"compilation": None} if change is CompilationChange.DELETED else {})}


COMPILATION_UPDATED = LiveField(
    "CompilationUpdatedEvent",
    {"compilation": Subject("node", lambda event: event.subject, on="Compilation")},
    # After DELETED the compilation is null; before, one the viewer may not see is not sent.
    sends=lambda event, seen, _: _change(event) is CompilationChange.DELETED
    or seen["compilation"] is not None,
    values=_compilation_values)


def _of_class(event: Event, seen: Seen, class_pk: int) -> bool:
    lesson = (seen["submission"] or {}).get("lesson") or {}
    return try_decode_id(str((lesson.get("class") or {}).get("id")), "Class") == class_pk


LESSON_SUBMISSION_ADDED = LiveField(
    "LessonSubmissionAddedEvent",
    {"submission": Subject("node", lambda event: event.subject, on="Submission",
                           probe="lesson { class { id } }")},
    sends=_of_class)  # a submission not visible, or of another class: not sent


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
            description="Only records of this media type (`music`…); null: every "
            "media type.")] = None,
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

        # Compiled (most documents): every group's payload of an event from one statement.
        return await event_stream(
            context, PUBLISHED_KINDS, after, of_media_type(media_type), render,
            group=("recordPublished", media_type),
            batched=live_subscription(info, RECORD_PUBLISHED))

    @strawberry.subscription(description="New remixes of one record (`of`), or of any of your "
                             "records when `of` is omitted (sign in for that).")
    async def remix_created(
        self, info: Info,
        of: Annotated[strawberry.ID | None, strawberry.argument(
            description="The source record; it must be visible to you. Omitted or "
            "null: remixes of any of your records (sign in).")] = None,
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

        # Without `of`, the events are the viewer's own: the viewer is part of every group.
        return await event_stream(context, REMIX_KINDS, after, accepts, render, allowed,
                                  group=("remixCreated", of),
                                  batched=live_subscription(info, REMIX_CREATED, allowed=allowed))

    @strawberry.subscription(description="Changes of one compilation — status, title and "
                             "settings, items (added, moved, reweighted, removed), team — for "
                             "editors and admins (compilations are editorial work).")
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
            change = _change(event)
            compilation = None
            if change is not CompilationChange.DELETED:
                compilation = await resolve_node(ctx, event.subject) if checked else None
                if checked and compilation is None:
                    return None
            item = event.payload.get("item")
            return CompilationUpdatedEvent(
                cursor=_cursor(event.id or 0), occurred_at=event.occurred_at,
                compilation_id=strawberry.ID(event.subject), status=event.payload.get("status"),
                previous_status=event.payload.get("previousStatus"), change=change,
                item_id=strawberry.ID(item) if item else None,
                version=event.payload.get("version"), compilation=compilation)

        # Compiled where the compilations slice checks what is visible (``checked``).
        batched = live_subscription(info, COMPILATION_UPDATED, allowed=_editor) if checked \
            else None
        return await event_stream(context, COMPILATION_KINDS, after,
                                  lambda e: e.subject == str(id), render, allowed=_editor,
                                  group=("compilationUpdated", str(id)), batched=batched)

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

        return await event_stream(
            context, SUBMISSION_KINDS, after, accepts, render,
            group=("lessonSubmissionAdded", class_pk),
            batched=live_subscription(info, LESSON_SUBMISSION_ADDED, arguments=class_pk))
