"""The media-file part of the plugin API, re-exported from ``hub``.

Kept free of heavy imports: ``import hub`` loads this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.plugins import DetailsError


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


class MediaError(DetailsError):
    """Raised by ``hub_extract_metadata`` for a file the plugin refuses (corrupt, an image
    bomb, unreadable): the client gets an ``INVALID_FILE`` payload error and nothing is kept."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "file")
