"""The publishing-target part of the plugin API, re-exported from ``hub``.

A publishing target (``hub_book``, ``hub_tv``…) sees a compilation only as a
:class:`CompilationSnapshot`: plain, read-only data the hub assembles (items in order with
their records, authors, lineage contributors and media files), so a plugin never touches SQL
and never sees anything the hub did not mean to show it.

Kept free of heavy imports: ``import hub`` loads this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PublishingTarget:
    """A publishing target declared by a plugin through ``hub_publishing_targets``.

    ``key`` names the target (``Compilation.target``, and the field of the ``@oneOf``
    ``CompilationSettingsInput``); ``settings_type`` is a ``@strawberry.type`` (a member of the
    ``CompilationSettings`` union, fields optional or defaulted) and ``settings_input_type`` a
    ``@strawberry.input``. ``accepted_media_types`` lists the record media-type keys the target
    can publish (empty: any); ``credit_roles`` the roles its credits name (e.g. ``"editor"``).
    """

    key: str
    label: str
    description: str
    settings_type: type
    settings_input_type: type
    accepted_media_types: tuple[str, ...] = ()
    credit_roles: tuple[str, ...] = ()
    plugin: str = ""


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
    (only for rendering, and only for files up to the hub's limit), else ``None``."""

    filename: str
    mime_type: str
    size: int
    sha256: str
    metadata: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None


@dataclass(frozen=True)
class ItemSnapshot:
    """One item of a compilation, in order (``position`` is 1-based).

    ``details`` is the record's stored details dict (keyed by the media-type plugin's Python
    field names, e.g. ``{"form": "STORY", "text": "…", "word_count": 812}``).
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
        if self.data is not None:
            return self.data
        if self.path is None:
            raise ValueError(f"artifact {self.name!r} has neither data nor path")
        return self.path.read_bytes()
