"""recordhub: a federated GraphQL content hub for collaborative media.

Plugin authors need only this module: ``from hub import hookimpl, MediaType, DetailsError``
(and, for media files, ``AcceptedMedia``, ``ExtractedMedia``, ``MediaError``; for publishing
targets, ``PublishingTarget``, ``Problem``, ``Artifact`` and the ``CompilationSnapshot`` they
read). Every name is defined in :mod:`hub.plugin_api`; the hooks are documented in
:mod:`hub.hookspecs`.
"""

from hub.plugin_api import (
    AcceptedMedia,
    Artifact,
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
    Problem,
    PublishingTarget,
    SampleCompilation,
    SampleRecord,
    SchemaAdditions,
    hookimpl,
)

__all__ = [
    "AcceptedMedia",
    "Artifact",
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
    "Problem",
    "PublishingTarget",
    "SampleCompilation",
    "SampleRecord",
    "SchemaAdditions",
    "hookimpl",
]
__version__ = "0.1.0"
