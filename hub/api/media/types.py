"""GraphQL types of the media slice: ``MediaFile`` and the ``Record.media`` resolver.

Who sees a file is who sees its record (``hub.records.types.visible``). A published record's
files have plain URLs; a draft's or an unpublished record's get signed URLs that expire
(see :mod:`hub.media.routes`), and only its author sees the record at all.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from hub.api.context import Context
from hub.domain.media.loaders import MediaByRecordIdLoader
from hub.domain.media.urls import media_path


@strawberry.type(description="A file attached to a record: audio, an image, a text, a video.")
class MediaFile:
    url: str = strawberry.field(description="Where to download it (Range requests, ETag). For a "
                                "record that is not published, a signed URL valid for 1–2 hours.")
    mime_type: str = strawberry.field(description="The type read from the file's bytes, "
                                      "e.g. `audio/wav`, `image/png`, `text/plain`.")
    size: int = strawberry.field(description="Size in bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the bytes, lower-case hex: the same "
                                   "file uploaded twice is stored once.")
    filename: str = strawberry.field(description="The file name the uploader gave (no path).")
    metadata: JSON = strawberry.field(description="What the media-type plugin read from the "
                                      "file, e.g. `{durationSeconds, sampleRate}` or `{width, "
                                      "height}`.")
    thumbnail_url: str | None = strawberry.field(description="A small preview image "
                                                 "(images); null when the plugin made none.")


def _base_url(context: Context) -> str:
    request = context.request
    return str(request.url.origin()) if request is not None else ""


def media_file(context: Context, row: Any, *, public: bool) -> MediaFile:
    base = _base_url(context)
    thumbnail = row["thumbnail_sha256"]
    return MediaFile(
        url=base + media_path(context.settings, row["sha256"], public=public),
        mime_type=row["mime_type"], size=row["size"], sha256=row["sha256"],
        filename=row["filename"], metadata=row["metadata"],
        thumbnail_url=base + media_path(context.settings, thumbnail, public=public)
        if thumbnail else None,
    )


async def resolve_media(root: Any, info: Info) -> list[MediaFile]:
    context: Context = info.context
    if root.tombstone:
        return []
    rows = await context.loader(MediaByRecordIdLoader).load(root.pk)
    public = root.status.value == "PUBLISHED"
    return [media_file(context, row, public=public) for row in rows]
