"""recordhub: a federated GraphQL content hub for collaborative media.

Plugin authors need only this module: ``from hub import hookimpl, MediaType, DetailsError``
(and, for media files, ``AcceptedMedia``, ``ExtractedMedia``, ``MediaError``; for publishing
targets, ``PublishingTarget``, ``Problem``, ``Artifact``, the ``CompilationSnapshot`` they
read and the previews they return: ``BookPreview``, ``TimelinePreview`` and their parts; for
comments anchored in a record, ``AnchorSpan``).
Every name is defined in :mod:`hub.plugin_api`; the hooks are documented in
:mod:`hub.hookspecs`.
"""

from hub.plugin_api import (
    AcceptedMedia,
    AnchorSpan,
    Artifact,
    BookPreview,
    CompilationSnapshot,
    Contributor,
    Deliveries,
    DetailsError,
    Digest,
    DigestItem,
    Event,
    ExtractedMedia,
    ItemSnapshot,
    MediaError,
    MediaFileSnapshot,
    MediaType,
    PreviewChapter,
    PreviewClip,
    PreviewMarker,
    Problem,
    PublishingTarget,
    SampleCompilation,
    SampleRecord,
    SchemaAdditions,
    TimelinePreview,
    hookimpl,
)

__all__ = [
    "AcceptedMedia",
    "AnchorSpan",
    "Artifact",
    "BookPreview",
    "CompilationSnapshot",
    "Contributor",
    "Deliveries",
    "DetailsError",
    "Digest",
    "DigestItem",
    "Event",
    "ExtractedMedia",
    "ItemSnapshot",
    "MediaError",
    "MediaFileSnapshot",
    "MediaType",
    "PreviewChapter",
    "PreviewClip",
    "PreviewMarker",
    "Problem",
    "PublishingTarget",
    "SampleCompilation",
    "SampleRecord",
    "SchemaAdditions",
    "TimelinePreview",
    "hookimpl",
]
__version__ = "0.1.0"
