"""recordhub: a federated GraphQL content hub for collaborative media.

Plugin authors need only this module: ``from hub import hookimpl, MediaType, DetailsError``
(and, for media files, ``AcceptedMedia``, ``ExtractedMedia``, ``MediaError``; for publishing
targets, ``PublishingTarget``, ``Problem``, ``Artifact`` and the ``CompilationSnapshot`` they read).
"""

from hub.hookspecs import hookimpl
from hub.plugin_api.compilations import (
    Artifact,
    CompilationSnapshot,
    Contributor,
    ItemSnapshot,
    MediaFileSnapshot,
    Problem,
    PublishingTarget,
)
from hub.plugin_api.media import AcceptedMedia, ExtractedMedia, MediaError
from hub.plugins import DetailsError, MediaType, SchemaAdditions

__all__ = [
    "AcceptedMedia",
    "Artifact",
    "CompilationSnapshot",
    "Contributor",
    "DetailsError",
    "ExtractedMedia",
    "ItemSnapshot",
    "MediaError",
    "MediaFileSnapshot",
    "MediaType",
    "Problem",
    "PublishingTarget",
    "SchemaAdditions",
    "hookimpl",
]
__version__ = "0.1.0"
