"""The aiohttp application: routes, the GraphQL view, start-up and shutdown.

Routes: ``/graphql`` (POST; GET for queries; GraphiQL in development; WebSocket),
``/healthz`` (the process answers), ``/readyz`` (the database answers).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from strawberry.aiohttp.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse

from hub.config import Settings
from hub.context import Context
from hub.db import Database
from hub.db.embedded import resolve_database_url
from hub.db.migrate import migrate
from hub.members import auth
from hub.members import store as member_store
from hub.plugins import HubPlugins, create_plugins
from hub.schema import HubSchema, build_schema

log = logging.getLogger("hub.app")

GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json"


@dataclass
class Hub:
    """What one running hub holds: its settings, database, plugins and schema."""

    settings: Settings
    db: Database
    plugins: HubPlugins
    schema: HubSchema


HUB = web.AppKey("hub", Hub)
VIEWER = web.RequestKey("hub_viewer", object)
TOKEN_HASH = web.RequestKey("hub_token_hash", object)
ACCEPT = web.ResponseKey("hub_accept", str)


class HubGraphQLView(GraphQLView):
    """Strawberry's aiohttp view with the hub's authentication, context and JSON encoding."""

    def __init__(self, hub: Hub) -> None:
        super().__init__(
            schema=hub.schema,
            graphql_ide=None if hub.settings.is_production else "graphiql",
            allow_queries_via_get=True,
        )
        self.hub = hub

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        token = auth.bearer_token(request.headers.get("Authorization"))
        request[TOKEN_HASH] = None
        request[VIEWER] = None
        if token is not None:
            token_hash = auth.token_hash(token) if token else b""
            row = await member_store.member_by_session(self.hub.db, token_hash) if token else None
            if row is None:
                return _unauthenticated(
                    "The token is invalid or has expired. Log in again, or send no "
                    "Authorization header to browse anonymously."
                )
            request[TOKEN_HASH] = token_hash
            request[VIEWER] = row
        return await super().__call__(request)

    async def get_context(self, request: web.Request, response: Any) -> Context:  # type: ignore[override]
        return Context(
            db=self.hub.db, plugins=self.hub.plugins, settings=self.hub.settings,
            viewer_row=request.get(VIEWER), token_hash=request.get(TOKEN_HASH),  # type: ignore[arg-type]
            request=request, response=response,
        )

    def encode_json(self, data: object) -> bytes:  # type: ignore[override]
        return orjson.dumps(data)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: web.Response,
    ) -> web.Response:
        sub_response.body = orjson.dumps(response_data)
        # GraphQL over HTTP: answer in the newer media type to clients that ask for it.
        wants_new_type = GRAPHQL_RESPONSE_TYPE in sub_response.get(ACCEPT, "")
        sub_response.content_type = GRAPHQL_RESPONSE_TYPE if wants_new_type else "application/json"
        return sub_response

    async def get_sub_response(self, request: web.Request) -> web.Response:
        response = web.Response()
        response[ACCEPT] = request.headers.get("Accept", "")
        return response


def _unauthenticated(message: str) -> web.Response:
    body = {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    return web.Response(
        status=401, body=orjson.dumps(body), content_type="application/json",
        headers={"WWW-Authenticate": 'Bearer realm="recordhub"'},
    )


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
    plugins = plugins or create_plugins(settings.disabled_plugins)
    schema = build_schema(plugins, production=settings.is_production)
    dsn = database_url or await resolve_database_url(settings.database_url, settings.data_dir)
    if run_migrations:
        await migrate(dsn)
    db = await Database.connect(
        dsn, min_size=settings.pool_min_size, max_size=settings.pool_max_size,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
    return Hub(settings=settings, db=db, plugins=plugins, schema=schema)


def create_app(hub: Hub) -> web.Application:
    """The aiohttp application serving ``hub``; closing the app closes the pool."""
    app = web.Application(client_max_size=1024 * 1024)
    app[HUB] = hub
    view = HubGraphQLView(hub)
    app.router.add_route("*", "/graphql", view)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if not hub.settings.is_production:
        app.router.add_get("/", index)

    async def close_pool(app: web.Application) -> None:
        await app[HUB].db.close()

    app.on_cleanup.append(close_pool)
    return app
