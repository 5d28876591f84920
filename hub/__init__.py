"""recordhub: a federated GraphQL content hub for collaborative media.

Plugin authors need only this module: ``from hub import hookimpl, MediaType, DetailsError``.
"""

from hub.hookspecs import hookimpl
from hub.plugins import DetailsError, MediaType, SchemaAdditions

__all__ = ["DetailsError", "MediaType", "SchemaAdditions", "hookimpl"]
__version__ = "0.1.0"
