"""The aiohttp application: routes, the GraphQL view, start-up and shutdown.

Routes: ``/graphql`` (POST; GET for queries; GraphiQL in development; WebSocket),
``/healthz`` (the process answers), ``/readyz`` (the database answers), ``/metrics``
(Prometheus; hub/http/metrics.py says who may read it), ``/studio`` (the editorial studio,
hub/http/studio).

``/graphql`` is the GraphQL view of hub/http/view.py, the one front door: the body read,
trusted documents resolved, the operation parsed, limited and validated — each once — then the
compiled path or the executor.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

from hub.api.compiled import CompiledQueries
from hub.api.operation import Operations, operations_of
from hub.api.schema import HubSchema, build_schema
from hub.api.twins import twins
from hub.core.config import Settings
from hub.core.db import Database
from hub.core.db.embedded import resolve_database_url
from hub.core.db.migrate import migrate
from hub.core.db.pool import install_tracer
from hub.core.db.replicas import Replicas
from hub.core.metrics import Metrics
from hub.core.ratelimit import RateLimits
from hub.core.tracing import tracer_from_env
from hub.domain.community.views import ViewBuffer
from hub.domain.media.upload import discard_uploads
from hub.domain.notifications.digest import UNSUBSCRIBE_PATH
from hub.http.cors import cors_middleware
from hub.http.graphiql import add_graphiql_routes
from hub.http.lineage_svg import lineage_svg_view
from hub.http.media import add_media_routes
from hub.http.metrics import lag_watcher, metrics_site, metrics_view, register_readings
from hub.http.publications import add_publication_routes
from hub.http.response_cache import ResponseCache
from hub.http.serving import body_deadline, not_for_sockets
from hub.http.studio import add_studio_routes
from hub.http.trusted_documents import DocumentGate, load_manifest
from hub.http.unsubscribe import unsubscribe_view
from hub.http.upload_admission import UploadGate
from hub.http.view import HubGraphQLView
from hub.plugins import HubPlugins, create_plugins
from hub.realtime.service import Realtime

log = logging.getLogger("hub.http.app")


@dataclass
class Hub:
    """What one running hub holds: its settings, database, plugins and schema, and the
    per-process protections built from its settings."""

    settings: Settings
    db: Database
    plugins: HubPlugins
    schema: HubSchema
    # Read replicas for compiled reads (HUB_DATABASE_REPLICA_URLS); None: the primary only.
    replicas: Replicas | None = None
    rate_limits: RateLimits = field(init=False)
    # What /metrics reports (hub/core/metrics.py, hub/http/metrics.py).
    metrics: Metrics = field(init=False, default_factory=Metrics)
    documents: DocumentGate = field(init=False)
    # Multipart uploads in progress, by member and address (hub/media/admission.py).
    uploads: UploadGate = field(init=False, default_factory=UploadGate)
    # Started with the app (create_app): event listener for subscriptions, plugin dispatcher.
    realtime: Realtime | None = field(default=None, init=False)
    # One-statement answers for read-only operations (None when HUB_COMPILED_QUERIES=false).
    compiled: CompiledQueries | None = field(default=None, init=False)
    # Views recorded by this process, written in batches (hub/domain/community/views.py).
    views: ViewBuffer = field(init=False)
    # Compiled answers of anonymous reads (hub/http/response_cache.py).
    response_cache: ResponseCache = field(init=False)
    # An OpenTelemetry tracer when traces are exported (hub/core/tracing.py); set by trace_with.
    tracer: Any = field(default=None, init=False)

    def __post_init__(self) -> None:
        security = self.settings.security
        self.response_cache = ResponseCache(self.settings.cache_entries, self.settings.cache_bytes,
                                            self.settings.cache_seconds)
        # This instance's own writes: dropped at commit, before the mutation answers.
        self.db.on_events_committed.append(self.response_cache.invalidate)
        if self.replicas is not None:
            self.db.on_member_commit = self.replicas.note_write
        self.rate_limits = RateLimits(security.login_attempts_per_minute,
                                      security.mutations_per_minute, self.metrics.refused,
                                      comments_per_minute=security.comments_per_minute)
        register_readings(self)
        manifest = load_manifest(security.trusted_documents) if security.trusted_documents else None
        self.documents = DocumentGate(manifest, security.persisted_queries)
        self.views = ViewBuffer(self.db, self.settings.view_flush_ms)
        if self.settings.compiled_queries:
            self.compiled = CompiledQueries(self.schema._schema, twins(self.schema._schema, self.plugins))

    def trace_with(self, tracer: Any) -> None:
        """Trace requests and every pool's statements with ``tracer`` (None: stop)."""
        self.tracer = tracer
        install_tracer(self.db.counter, tracer)
        for replica in self.replicas.replicas if self.replicas is not None else ():
            install_tracer(replica.db.counter, tracer)

    @property
    def operations(self) -> Operations:
        """Where this hub's operations are prepared (parsed, limited, validated) once per
        request; its ``counts`` say how much of that work was done."""
        return operations_of(self.schema._schema)


HUB = web.AppKey("hub", Hub)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"}, dumps=lambda v: orjson.dumps(v).decode())


async def readyz(request: web.Request) -> web.Response:
    db = request.app[HUB].db
    try:
        async with asyncio.timeout(2):
            await db.fetchval("select 1")
    except Exception as error:  # any failure means "not ready"; the reason goes to the body
        return web.json_response({"status": "unavailable", "database": repr(error)}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


async def index(request: web.Request) -> web.Response:
    raise web.HTTPFound("/graphql")


async def create_hub(
    settings: Settings, *, database_url: str | None = None, plugins: HubPlugins | None = None,
    run_migrations: bool = True,
) -> Hub:
    """Connect to the database (embedded unless configured), migrate, load the plugins."""
    plugins = plugins or create_plugins(settings.disabled_plugins, only=settings.enabled_plugins)
    schema = build_schema(plugins)
    dsn = database_url or await resolve_database_url(settings.database_url, settings.data_dir)
    if run_migrations:
        await migrate(dsn)
    session_settings = {
        "hub.heart_min_account_age": f"{settings.heart_min_account_age_hours} hours"}
    db = await Database.connect(
        dsn, min_size=settings.pool_min_size, max_size=settings.pool_max_size,
        statement_timeout_ms=settings.statement_timeout_ms,
        read_statement_timeout_ms=settings.read_statement_timeout_ms,
        session_settings=session_settings,
    )
    replicas = None
    if settings.database_replica_urls:
        replicas = await Replicas.connect(
            db, settings.database_replica_urls, max_lag_ms=settings.replica_max_lag_ms,
            max_size=settings.pool_max_size, statement_timeout_ms=settings.statement_timeout_ms,
            read_statement_timeout_ms=settings.read_statement_timeout_ms,
            session_settings=session_settings,
        )
    hub = Hub(settings=settings, db=db, plugins=plugins, schema=schema, replicas=replicas)
    tracer = tracer_from_env(os.environ)
    if tracer is not None:
        hub.trace_with(tracer)
    return hub


def create_app(hub: Hub) -> web.Application:
    """The aiohttp application serving ``hub``; closing the app closes the pool."""
    app = web.Application(
        client_max_size=hub.settings.security.max_body_bytes,
        middlewares=[not_for_sockets(body_deadline(hub.settings.security.body_timeout_s)),
                     not_for_sockets(cors_middleware(hub.settings)),
                     not_for_sockets(discard_uploads)],
    )
    app[HUB] = hub
    view = HubGraphQLView(hub)
    app.router.add_route("*", "/graphql", view)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    metrics = metrics_view(hub)
    if metrics is not None:
        app.router.add_get("/metrics", metrics)
    app.router.add_get("/records/{id}/lineage.svg", lineage_svg_view(hub))
    unsubscribe = unsubscribe_view(hub)
    app.router.add_get(UNSUBSCRIBE_PATH, unsubscribe)
    app.router.add_post(UNSUBSCRIBE_PATH, unsubscribe)
    add_media_routes(app, hub.settings, hub.db)
    add_publication_routes(app, hub.settings, hub.db)
    add_studio_routes(app)
    if not hub.settings.is_production:
        app.router.add_get("/", index)
        add_graphiql_routes(app)

    async def start_realtime(app: web.Application) -> None:
        hub = app[HUB]
        hub.realtime = Realtime(hub.db, hub.plugins, hub.settings)
        lag_watcher(hub)
        # Every instance's writes: dropped when the listener reads their events.
        hub.realtime.bus.watch(lambda _event: hub.response_cache.invalidate())
        await hub.realtime.start()

    async def stop_realtime(app: web.Application) -> None:
        # On shutdown (before open WebSockets are closed): subscribers are told to resume.
        realtime = app[HUB].realtime
        if realtime is not None:
            await realtime.stop()
            app[HUB].realtime = None

    async def close_pool(app: web.Application) -> None:
        hub = app[HUB]
        if hub.replicas is not None:
            await hub.replicas.close()
        await hub.db.close()

    async def start_views(app: web.Application) -> None:
        await app[HUB].views.start()

    async def stop_views(app: web.Application) -> None:
        # Before the pool closes: the views buffered since the last flush are written.
        await app[HUB].views.stop()

    start_metrics, stop_metrics = metrics_site(hub)
    app.on_startup.append(start_realtime)
    app.on_startup.append(start_views)
    app.on_startup.append(start_metrics)
    app.on_cleanup.append(stop_metrics)
    app.on_shutdown.append(stop_realtime)
    app.on_cleanup.append(stop_realtime)
    app.on_cleanup.append(stop_views)
    app.on_cleanup.append(close_pool)
    return app
