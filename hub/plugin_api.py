"""Everything a plugin imports, re-exported by ``hub``: ``from hub import hookimpl, MediaType``.

The hooks themselves are documented in :mod:`hub.hookspecs`; this module holds the marker a
plugin decorates its hooks with, the errors it raises and the plain, read-only data it
declares, receives and returns. Nothing here reaches into the hub's domain or API layers, so
that a plugin depends on this one module and the hub is free to change behind it.

Kept free of heavy imports: ``import hub`` loads this module.

(Over 400 lines: on purpose, it is the plugin author's one page of data types, read top to
bottom.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import pluggy

from hub.core.events import Event

__all__ = [
    "AcceptedMedia", "Artifact", "BookPreview", "CompilationSnapshot", "Contributor", "Deliveries",
    "DetailsError", "Event",
    "ExtractedMedia", "ItemSnapshot", "MediaError", "MediaFileSnapshot", "MediaType",
    "PreviewChapter", "PreviewClip", "PreviewMarker", "Problem",
    "PublishingTarget", "SampleCompilation", "SampleRecord", "SchemaAdditions", "TimelinePreview",
    "hookimpl",
]

hookimpl = pluggy.HookimplMarker("recordhub")
"""Decorate each hook implementation with ``@hookimpl`` (the hook is named by the function)."""


# --- errors a plugin raises ---------------------------------------------------------------------


class DetailsError(ValueError):
    """Raised by ``hub_normalize_details`` for invalid details: the client gets one
    ``INVALID_DETAILS`` payload error per problem, all at once.

    ``DetailsError(message, field)`` is one problem; ``DetailsError.many([...])`` several
    (check every field, collect a ``DetailsError`` for each one that is wrong, raise them
    together). ``field`` names the input field as the schema does: camelCase
    (``tempoBpm``; a Python name such as ``tempo_bpm`` is converted), a dotted path into
    nested input (``credits.0.role``), or None for the details as a whole. Messages name
    fields the same way.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems: list[DetailsError] = [self]

    @classmethod
    def many(cls, problems: Iterable[DetailsError]) -> DetailsError:
        """One error carrying every problem in ``problems`` (at least one)."""
        problems = list(problems)
        if not problems:
            raise ValueError("DetailsError.many needs at least one problem")
        error = cls("; ".join(problem.message for problem in problems), problems[0].field)
        error.problems = [p for problem in problems for p in problem.problems]
        return error


class MediaError(DetailsError):
    """Raised by ``hub_extract_metadata`` for a file the plugin refuses (corrupt, an image
    bomb, unreadable): the client gets an ``INVALID_FILE`` payload error and nothing is kept."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "file")


# --- start-up declarations ----------------------------------------------------------------------


@dataclass(frozen=True)
class MediaType:
    """A media type declared by a plugin through ``hub_media_types``.

    ``key`` names it (lower-case, ``[a-z][a-z0-9_]{1,30}``: ``Record.mediaType`` and the field
    of the ``@oneOf`` ``RecordDetailsInput``); ``details_type`` is a ``@strawberry.type`` (a
    member of the ``RecordDetails`` union, fields optional or defaulted) and ``input_type`` a
    ``@strawberry.input``. ``plugin`` is filled in by the hub: the plugin that declared it,
    the only one its keyed hooks are called on.
    """

    key: str
    label: str
    description: str
    details_type: type
    input_type: type
    plugin: str = ""


@dataclass(frozen=True)
class AnchorSpan:
    """What a comment on a record of your media type may point into (``hub_comment_anchors``):
    ``duration_seconds`` for a moment (``Comment.atSeconds``, from 0 to it), ``text`` for a
    passage (``Comment.quote`` at ``quoteOffset``, checked against it); ``None`` for none."""

    duration_seconds: float | None = None
    text: str | None = None


@dataclass(frozen=True)
class PublishingTarget:
    """A publishing target declared by a plugin through ``hub_publishing_targets``.

    ``key`` names the target (``Compilation.target``, and the field of the ``@oneOf``
    ``CompilationSettingsInput``); ``settings_type`` is a ``@strawberry.type`` (a member of the
    ``CompilationSettings`` union, fields optional or defaulted) and ``settings_input_type`` a
    ``@strawberry.input``. ``accepted_media_types`` lists the record media-type keys the target
    can publish (empty: any); ``credit_roles`` the roles its credits name (e.g. ``"editor"``).
    ``check_settings``, when given, is called with the settings JSON (keyed by the input
    type's Python field names) before it is stored; it raises :class:`DetailsError` (``field``
    named as the schema names it: ``frameRate``) for values the input type cannot refuse by
    itself, which the client gets as ``INVALID_INPUT`` errors on ``settings.<key>.<field>``.
    ``plugin`` is filled in by the hub, as for :class:`MediaType`.
    """

    key: str
    label: str
    description: str
    settings_type: type
    settings_input_type: type
    accepted_media_types: tuple[str, ...] = ()
    credit_roles: tuple[str, ...] = ()
    check_settings: Callable[[dict[str, Any]], None] | None = None
    plugin: str = ""


@dataclass(frozen=True)
class SchemaAdditions:
    """Extra root fields and types declared by a plugin through ``hub_schema_additions``:
    ``query`` and ``mutation`` are Strawberry types whose fields join the root ``Query`` and
    ``Mutation``; ``types`` are included in the schema as they are."""

    query: type | None = None
    mutation: type | None = None
    types: tuple[type, ...] = ()
    plugin: str = ""


# --- media files --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptedMedia:
    """What a media type accepts as files (``hub_media_accepts``).

    ``mime_types`` are exact types (``"image/png"``) or families (``"audio/*"``), matched
    against the type sniffed from the file's bytes, never the client's word. ``max_bytes`` is
    the largest file accepted for this media type.
    """

    mime_types: tuple[str, ...]
    max_bytes: int

    def allows(self, mime_type: str) -> bool:
        """Whether a file sniffed as ``mime_type`` is one of these types or families."""
        family = mime_type.split("/", 1)[0] + "/*"
        return mime_type in self.mime_types or family in self.mime_types


@dataclass(frozen=True)
class ExtractedMedia:
    """What ``hub_extract_metadata`` found in a file.

    ``metadata`` is shown as ``MediaFile.metadata`` (JSON-ready: numbers, strings, lists).
    ``details`` are values for the record's details, keyed by the details type's Python field
    names; the hub copies each one only where the record's value is empty (None, "" or []),
    so the member's own values always win. ``thumbnail`` is an optional small preview (PNG or
    JPEG bytes) that the hub stores as a blob of its own (``MediaFile.thumbnailUrl``).
    """

    metadata: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    thumbnail: bytes | None = None


# --- publishing ---------------------------------------------------------------------------------
# A publishing target sees a compilation only as a CompilationSnapshot: plain, read-only data
# the hub assembles (items in order with their records, authors, lineage contributors and
# media files), so a plugin never touches SQL and never sees what the hub did not mean to show.


@dataclass(frozen=True)
class Contributor:
    """A member credited in an item: its author (depth 0) or the author of a lineage source
    (depth 1 = a direct source, 2 = a source's source…), each member once at their nearest
    depth. ``record_title`` is ``"[removed]"`` when that record is not public (its author's
    draft, unpublished, deleted): publications credit the author, never hidden content."""

    handle: str
    display_name: str
    depth: int
    record_title: str


@dataclass(frozen=True)
class MediaFileSnapshot:
    """A file attached to an item's record. ``data`` holds the bytes when the hub loaded them
    (only for rendering, and only for files up to the hub's limit), else ``None``. ``url`` is
    where anyone downloads the file (the record is public, so its files are): absolute when
    the hub knows its address (a publish, a preview: the request's origin), else a path such
    as ``/media/<sha256>``; write it into timelines and playlists so an editing program finds
    the media."""

    filename: str
    mime_type: str
    size: int
    sha256: str
    metadata: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None
    url: str = ""


@dataclass(frozen=True)
class ItemSnapshot:
    """One item of a compilation, in order (``position`` is 1-based).

    ``details`` is the record's stored details dict, keyed by its media-type plugin's Python
    field names (what that plugin's ``hub_normalize_details`` returned).
    ``available`` is False when the record was unpublished or deleted since it was added.
    ``weight`` is a decimal in plain notation (``"2.5"``, ``"10"``).
    """

    id: str
    position: int
    note: str
    weight: str
    record_id: str
    title: str
    description: str
    media_type: str
    details: dict[str, Any]
    license: str
    author_handle: str
    author_display_name: str
    available: bool
    contributors: tuple[Contributor, ...] = ()
    media: tuple[MediaFileSnapshot, ...] = ()


@dataclass(frozen=True)
class CompilationSnapshot:
    """What a publishing target sees of a compilation.

    ``settings`` is the target's settings dict (keyed by the settings type's Python field
    names); ``editors`` are display names, the creator first; ``version`` is the version the
    render will become (1 for the first publication).
    """

    id: str
    title: str
    description: str
    target: str
    settings: dict[str, Any]
    items: tuple[ItemSnapshot, ...]
    editors: tuple[str, ...] = ()
    version: int = 1

    def contributors(self) -> list[Contributor]:
        """Every member credited anywhere in the compilation, once each at their nearest
        depth, in order of first appearance."""
        seen: dict[str, Contributor] = {}
        for item in self.items:
            for person in item.contributors:
                known = seen.get(person.handle)
                if known is None or person.depth < known.depth:
                    seen[person.handle] = person
        return list(seen.values())


@dataclass(frozen=True)
class Problem:
    """Something that blocks publishing (``hub_compilation_problems``). ``code`` is a short
    upper-case word (``WRONG_MEDIA_TYPE``, ``TOO_LONG``…); ``item_id`` the item's global ID
    when the problem is one item's."""

    code: str
    message: str
    item_id: str | None = None


@dataclass(frozen=True)
class Artifact:
    """A file a target rendered (``hub_render_compilation``): its ``name`` (a plain file name
    such as ``"book.epub"``), its MIME type, and either ``data`` (bytes) or ``path`` (a file
    the hub reads and then may delete)."""

    name: str
    mime_type: str
    data: bytes | None = None
    path: Path | None = None

    def read(self) -> bytes:
        """The artifact's bytes, from ``data`` or else from the file at ``path``."""
        if self.data is not None:
            return self.data
        if self.path is None:
            raise ValueError(f"artifact {self.name!r} has neither data nor path")
        return self.path.read_bytes()


# --- previews (hub_preview_publication) -----------------------------------------------------------


@dataclass(frozen=True)
class PreviewChapter:
    """One page of a book preview: its ``title``, its body as an HTML fragment (the hub
    sanitizes it: text, headings, paragraphs, lists, emphasis, figures whose images are the
    hub's ``/media/`` files; anything else is dropped, so never rely on scripts, styles or
    attributes) and the ``credits`` of the piece (the item's contributors, author first;
    empty for pages such as the credits page)."""

    title: str
    html: str
    credits: tuple[Contributor, ...] = ()
    item_id: str | None = None


@dataclass(frozen=True)
class BookPreview:
    """A paged preview (a book, a zine…): its pages in reading order."""

    chapters: tuple[PreviewChapter, ...]


@dataclass(frozen=True)
class PreviewClip:
    """A clip of a timeline preview: where it starts and how long it runs (seconds), its
    ``track`` (``"Video"``, ``"Music"``…), and the ``media_url`` an editing program loads
    (``None`` when the record has no file)."""

    title: str
    start_seconds: float
    duration_seconds: float
    track: str
    item_id: str | None = None
    media_url: str | None = None


@dataclass(frozen=True)
class PreviewMarker:
    """A named point of a timeline preview (a script's place in the cut)."""

    title: str
    at_seconds: float
    item_id: str | None = None


@dataclass(frozen=True)
class TimelinePreview:
    """A timeline preview (a TV cut, a radio show…): the clips of every track, the markers,
    the runtime and the target runtime with its tolerance (``None``: no target)."""

    clips: tuple[PreviewClip, ...]
    markers: tuple[PreviewMarker, ...]
    total_seconds: float
    target_seconds: float | None = None
    tolerance_seconds: float | None = None


# --- demo data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleRecord:
    """A published demo record offered to ``hub_sample_compilation`` as a possible item.

    ``id`` identifies it to the seed (return it in :attr:`SampleCompilation.items`);
    ``details`` is its stored details dict, keyed by its media-type plugin's Python field names.
    """

    id: int
    media_type: str
    details: dict[str, Any]


@dataclass(frozen=True)
class SampleCompilation:
    """A demo compilation a target plugin made of offered records (``hub_sample_compilation``).

    ``items`` are :attr:`SampleRecord.id` values, in the compilation's order, each once;
    ``settings`` is the target's settings dict, keyed by the settings type's Python field
    names; ``title`` names the compilation (``None``: the seed names it).
    """

    items: tuple[int, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    title: str | None = None


# --- notifications ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    """One notification in a digest (``hub_notify``): ``kind`` is a ``NotificationKind`` name,
    ``text`` a sentence for people ("3 members hearted Harbor Lights."), already limited to
    what the recipient may see (a record no longer visible to them is "a record no longer
    available"); ``occurred_at`` an aware datetime."""

    kind: str
    text: str
    occurred_at: datetime


@dataclass(frozen=True)
class Digest:
    """One member's notifications not yet sent by email, newest first (``hub_notify``).

    ``member_id`` is the member's global ID; ``address`` the email address they gave
    (``setNotificationEmail``); ``items`` at most :data:`DIGEST_MAX_ITEMS` notifications, and
    ``more`` how many others there are; ``unsubscribe_url`` a one-click link served by the hub
    (GET shows a confirmation, POST — RFC 8058's ``List-Unsubscribe-Post`` — unsubscribes):
    put it in the message and in its ``List-Unsubscribe`` header."""

    member_id: str
    handle: str
    display_name: str
    address: str
    items: tuple[DigestItem, ...]
    more: int
    unsubscribe_url: str


DIGEST_MAX_ITEMS = 50


# --- events -------------------------------------------------------------------------------------


class Deliveries(Protocol):
    """Where a ``hub_event`` implementation records what it delivered, for one event: the
    ``deliveries`` argument of the hook (take it by naming it; a hook without it is called
    as before).

    The record is a table of the hub's database (``event_deliveries``), shared by every hub
    instance and kept across restarts for ``HUB_DELIVERY_RETENTION_HOURS`` (7 days): a plugin
    that sends each event to several endpoints (the webhook plugin's URLs) records each
    endpoint that accepted it, and on a retry — by this instance after a failure, by another
    after a crash or a restart — sends only to the ones that did not.
    """

    async def delivered(self) -> frozenset[str]:
        """The endpoints recorded as having accepted this event (by any instance)."""
        ...

    async def record(self, endpoint: str) -> None:
        """Record that ``endpoint`` accepted this event (recording it twice is harmless)."""
        ...

    def idempotency_key(self, endpoint: str) -> str:
        """A key naming this event's delivery to ``endpoint``: the same on every attempt,
        instance and restart, different for every other (endpoint, event); send it along so
        the receiver can drop a repeat (delivery stays at least once: a hub that stops
        between a receiver's answer and :meth:`record` sends again)."""
        ...
