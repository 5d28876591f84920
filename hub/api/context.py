"""The per-request context: the database, the plugins, the viewer, the DataLoaders.

Resolvers reach it as ``info.context``. DataLoaders are created lazily, one per class per
request (:meth:`Context.loader`), so batching never crosses requests and caches never leak
between viewers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import asyncpg
from aiohttp import web

from hub.core.config import Settings
from hub.core.db import Database
from hub.core.errors import Unauthenticated
from hub.core.pages import CountsLoader, PagesLoader
from hub.core.ratelimit import RateLimits
from hub.core.relay import encode_id
from hub.core.rules import Listing
from hub.plugins import HubPlugins

if TYPE_CHECKING:
    from hub.api.compiled import CompiledQueries
    from hub.api.operation import Prepared
    from hub.domain.community.views import ViewBuffer
    from hub.realtime.listener import EventBus

log = logging.getLogger("hub.api.context")

L = TypeVar("L")


@dataclass(slots=True)  # one per request, and one per open WebSocket for hours
class Context:
    db: Database
    plugins: HubPlugins
    settings: Settings
    viewer_row: asyncpg.Record | None = None
    token_hash: bytes | None = None
    request: web.Request | None = None
    response: web.StreamResponse | None = None
    rate_limits: RateLimits | None = None
    # WebSocket connections: the ``connection_init`` payload (Strawberry sets it) and the
    # process's event listener, which subscriptions read from.
    connection_params: dict[str, Any] | None = None
    events: EventBus | None = None
    # The operation as the HTTP front door prepared it (parsed, limited, validated): the
    # executor reuses it instead of preparing again (hub/api/operation.py).
    prepared: Prepared | None = None
    # This process's view buffer (recordViewed); None where no app runs (scripts, the seed).
    views: ViewBuffer | None = None
    # The compiled path's plans (hub/api/compiled); None when compiled queries are off.
    compiled: CompiledQueries | None = None
    _loaders: dict[Any, Any] = field(default_factory=dict)
    # Objects a list resolver loaded in bulk because the selection asked for them, so their
    # fields resolve synchronously (see hub/selection.py): {(type name, pk): object}.
    preloaded: dict[tuple[str, int], Any] = field(default_factory=dict)

    @property
    def viewer_id(self) -> int | None:
        return self.viewer_row["id"] if self.viewer_row else None

    @property
    def viewer_global_id(self) -> str | None:
        """The viewer's member ID as clients see it (the ``actor`` of events)."""
        return encode_id("Member", self.viewer_row["id"]) if self.viewer_row else None

    @property
    def viewer_role(self) -> str | None:
        return self.viewer_row["role"] if self.viewer_row else None

    @property
    def is_admin(self) -> bool:
        return self.viewer_role == "ADMIN"

    def require_viewer(self) -> int:
        """The signed-in member's id; an UNAUTHENTICATED error for anonymous requests."""
        if self.viewer_row is None:
            raise Unauthenticated()
        return self.viewer_row["id"]

    def loader(self, loader_class: type[L]) -> L:
        """This request's instance of ``loader_class`` (constructed with the database and
        the viewer's id: what a loader returns may depend on who reads)."""
        instance = self._loaders.get(loader_class)
        if instance is None:
            # Every loader takes (db, viewer); type[L] cannot say so without a protocol per L.
            instance = loader_class(self.db, self.viewer_id)  # type: ignore[call-arg]
            self._loaders[loader_class] = instance
        return instance

    def pages(self, listing: Listing) -> PagesLoader:
        """This request's loader of ``listing``'s pages (hub/core/pages.py)."""
        key = ("pages", id(listing))
        instance = self._loaders.get(key)
        if instance is None:
            instance = self._loaders[key] = PagesLoader(self.db, self.viewer_id, listing)
        return instance

    def counts(self, listing: Listing) -> CountsLoader:
        """This request's loader of ``listing``'s ``totalCount``s."""
        key = ("counts", id(listing))
        instance = self._loaders.get(key)
        if instance is None:
            instance = self._loaders[key] = CountsLoader(self.db, self.viewer_id, listing)
        return instance

    def forget_loaded(self) -> None:
        """Drop cached loads after a write, so the payload shows the new state."""
        self._loaders.clear()
        self.preloaded.clear()
