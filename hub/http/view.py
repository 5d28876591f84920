"""The GraphQL view of ``/graphql`` and its one front door (:meth:`HubGraphQLView._prepare`):
CSRF and the viewer, then the body read with one rule, trusted documents resolved, the operation
parsed, limited and validated (hub/api/operation.py) — each once — then the compiled path
(hub/http/compiled.py) or, when it declines, the executor with the same preparation. Also the
view's HTTP rules: GraphQL over HTTP media types and status codes, CSRF, refused bodies.

(Over 400 lines: the front door is one class whose steps override Strawberry's view; its
small HTTP helpers stay beside the steps that use them so that one request's path reads top
to bottom in one file.)
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import orjson
from aiohttp import web
from cross_web import AiohttpHTTPRequestAdapter, HTTPException
from graphql import OperationDefinitionNode
from strawberry.aiohttp.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData

from hub.api.context import Context
from hub.api.operation import Prepared
from hub.core.db.pool import WRITER
from hub.core.errors import UNAVAILABLE_MESSAGE, is_database_outage
from hub.core.tracing import request_span
from hub.core.validation import unfit_character
from hub.domain.media.storage import uploads_dir
from hub.domain.media.upload import UploadRefused, parse_multipart_request
from hub.domain.members import auth
from hub.domain.members import store as member_store
from hub.http import graphiql
from hub.http.compiled import compiled_answer, is_json_body, media_type
from hub.http.cors import CorsPolicy
from hub.http.response_cache import cache_key, entity_tag, matches
from hub.http.serving import is_websocket_upgrade
from hub.http.sockets import HubTransportWSHandler
from hub.http.trusted_documents import DocumentRefused
from hub.realtime.service import TextWebSocketAdapter, authenticate_connection
from hub.realtime.sessions import LegacyWSHandler

if TYPE_CHECKING:
    from hub.http.app import Hub

log = logging.getLogger("hub.http.app")

GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json"

VIEWER = web.RequestKey("hub_viewer", object)
TOKEN_HASH = web.RequestKey("hub_token_hash", object)
# What the front door read and prepared (HubGraphQLView._prepare), for the executor to reuse.
REQUEST_DATA = web.RequestKey("hub_request_data", object)
PREPARED = web.RequestKey("hub_prepared", Prepared)
ACCEPT = web.ResponseKey("hub_accept", str)
# How the request was answered, for /metrics: "compiled" (one statement), "cache" (the
# response cache: no statement), "executor" (the resolvers), or (unset) "refused" before
# either (CSRF, a bad token, a refused body or upload).
PATH = web.RequestKey("hub_path", str)


class BodyRefused(Exception):
    """A body that is no GraphQL request at all (a JSON string, JSON nested too deeply):
    answered 400 with a JSON error, before anything reads it as a request."""

    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HubRequestAdapter(AiohttpHTTPRequestAdapter):
    """Strawberry's request adapter, showing the view a body's type as the hub reads it.

    Strawberry takes a body for JSON when its media type contains ``application/json`` in
    lower case; the hub's rule (the compiled path's) is :func:`is_json_body`. So a JSON body
    shows as exactly ``application/json``, any other but multipart as none at all (refused).
    """

    @property
    def content_type(self) -> str | None:
        header = self.headers.get("content-type")
        if is_json_body(header):
            return "application/json"
        return header if media_type(header) == "multipart/form-data" else None


class HubGraphQLView(GraphQLView):
    """Strawberry's aiohttp view with the hub's authentication, context and JSON encoding."""

    request_adapter_class = HubRequestAdapter
    websocket_adapter_class = TextWebSocketAdapter
    # Both protocols check a signed-in socket's session before each operation.
    # (Strawberry types these attributes as handlers of a None context; ours carry the hub's.)
    graphql_transport_ws_handler_class = HubTransportWSHandler  # type: ignore[assignment]
    graphql_ws_handler_class = LegacyWSHandler  # type: ignore[assignment]

    def __init__(self, hub: Hub) -> None:
        super().__init__(
            schema=hub.schema,
            graphql_ide=None if hub.settings.is_production else "graphiql",
            allow_queries_via_get=True,
            max_subscriptions_per_connection=hub.settings.ws_max_subscriptions,
            multipart_uploads_enabled=True,
        )
        self.hub = hub
        self.cors = CorsPolicy.for_settings(hub.settings)

    async def render_graphql_ide(self, request: web.Request) -> web.Response:
        # The hub's GraphiQL page, its assets served from the package (hub/http/graphiql.py)
        # instead of Strawberry's, which loads them from a CDN.
        return graphiql.page()

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        # Pages on the CORS origins may open a WebSocket (the token travels in
        # connection_init, never in a cookie, but the check costs nothing), and so may the
        # hub's own pages (the studio, hub/http/studio): the same origin is never cross-site.
        return self.cors.allows(origin) or _same_origin(request, origin)

    # (The base types the context None, as get_context below.)
    async def on_ws_connect(self, context: Context) -> dict[str, object]:  # type: ignore[override]
        return await authenticate_connection(self.hub.db, context, self.hub.realtime)

    async def create_websocket_response(
        self, request: web.Request, subprotocol: str | None,
    ) -> web.WebSocketResponse:
        # Protocol-level pings keep idle connections open through proxies and find dead peers.
        # No permessage-deflate: browsers offer it, and each socket that takes it holds a zlib
        # compressor and decompressor (hundreds of KB) for frames of a few hundred bytes.
        ws = web.WebSocketResponse(protocols=[subprotocol] if subprotocol else [],
                                   heartbeat=self.hub.settings.ws_heartbeat_seconds,
                                   compress=False)
        await ws.prepare(request)
        return ws

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        metrics = self.hub.metrics
        if is_websocket_upgrade(request):
            refusal = await self._refusal(request)
            if refusal is not None:
                return refusal
            request[PATH] = "executor"
            # Straight to Strawberry's handler: each coroutine between aiohttp and the socket's
            # read loop keeps its frame for as long as the socket is open.
            with metrics.websockets.track_inprogress():
                return await super().__call__(request)
        started = time.perf_counter()
        if self.hub.tracer is None:
            response = await self._answer(request)
        else:
            response = await self._traced(request)
        if request.method == "GET" and _carries_operation(request) \
                and "Cache-Control" not in response.headers:
            # Only the compiled path's anonymous answers are public (_public_response).
            response.headers["Cache-Control"] = NOT_STORED
        metrics.observe_request(_operation_name(request), request.get(PATH, "refused"),
                                time.perf_counter() - started)
        return response

    async def _traced(self, request: web.Request) -> web.StreamResponse:
        """``_answer`` inside a span (hub/core/tracing.py): the statements are its children."""
        with request_span(self.hub.tracer, request.method) as span:
            response = await self._answer(request)
            name = _operation_name(request)
            span.update_name(f"graphql {name}" if name else "graphql")
            span.set_attribute("graphql.operation.name", name or "")
            span.set_attribute("hub.path", request.get(PATH, "refused"))
            span.set_attribute("http.response.status_code", response.status)
            return response

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        refusal = await self._refusal(request)
        if refusal is not None:
            return refusal
        try:
            return await self._authenticated(request)
        except (DocumentRefused, BodyRefused) as refused:
            return _error_response(refused.status, refused.code, refused.message)
        except Exception as error:
            return _unavailable(error)

    async def _refusal(self, request: web.Request) -> web.StreamResponse | None:
        """The answer refusing ``request`` before any GraphQL (a cross-site request, a token
        that is not a session's, the database down for the session lookup); None once the
        token's viewer is noted on the request (HTTP requests and WebSocket upgrades alike)."""
        refusal = csrf_refusal(request)
        if refusal is not None:
            return _error_response(400, "CSRF_PREVENTED", refusal)
        try:
            return await self._note_viewer(request)
        except Exception as error:
            return _unavailable(error)

    async def _note_viewer(self, request: web.Request) -> web.StreamResponse | None:
        """Note the bearer token's member on the request (None: anonymous); a 401 when the
        token is no session's."""
        token = auth.bearer_token(request.headers.get("Authorization"))
        request[TOKEN_HASH] = None
        request[VIEWER] = None
        # Whom this request writes for (read-your-writes with replicas, hub/core/db/replicas.py);
        # set on every request: a keep-alive connection's requests may share one task.
        WRITER.set(None)
        if token is None:
            return None
        token_hash = auth.token_hash(token)
        # An empty token ("Bearer ") is no session's either.
        row = await member_store.member_by_session(self.hub.db, token_hash) if token else None
        if row is None:
            return _error_response(
                401, "UNAUTHENTICATED",
                "The token is invalid or has expired. Log in again, or send no "
                "Authorization header to browse anonymously.",
                {"WWW-Authenticate": 'Bearer realm="recordhub"'},
            )
        request[TOKEN_HASH] = token_hash
        request[VIEWER] = row
        WRITER.set(row["id"])
        return None

    async def parse_http_body(self, request_adapter: Any) -> Any:
        # Read once: the front door (_prepare) read this request's body already.
        done = request_adapter.request.get(REQUEST_DATA)
        if isinstance(done, Exception):
            raise done
        if done is not None:
            return done
        request_data: GraphQLRequestData | list[GraphQLRequestData] | None = \
            await _plain_json_post(request_adapter.request)
        if request_data is None:
            await _refuse_scalar_body(request_adapter)
            request_data = await super().parse_http_body(request_adapter)
        if not isinstance(request_data, list):
            _refuse_unfit_operation_name(request_data.operation_name)
        if self.hub.documents.active and not isinstance(request_data, list):
            resolved = self.hub.documents.resolve(
                {"query": request_data.query, "extensions": request_data.extensions}
            )
            request_data.query = resolved["query"]
        return request_data

    async def parse_multipart(self, request_adapter: Any) -> dict[str, Any]:
        # Uploads stream to disk (hub/media/upload.py); Strawberry's parser reads them into memory.
        try:
            request = await parse_multipart_request(
                request_adapter.request, uploads_dir(self.hub.settings),
                max_file_bytes=self.hub.settings.max_upload_bytes,
                max_json_bytes=self.hub.settings.security.max_body_bytes,
                max_request_bytes=self.hub.settings.max_upload_request_bytes,
            )
        except UploadRefused as refused:
            raise HTTPException(refused.status, refused.message) from None
        except RecursionError:
            raise BodyRefused(TOO_DEEP) from None
        if not isinstance(request, dict | list):  # a list is a batch, which Strawberry words
            raise BodyRefused("The `operations` part must be a JSON object: {\"query\": …}.")
        return request

    def decode_json(self, data: str | bytes) -> object:
        try:
            return json.loads(data)
        except RecursionError:
            raise BodyRefused(TOO_DEEP) from None

    async def _authenticated(self, request: web.Request) -> web.StreamResponse:
        """Answer a request whose viewer is noted (:meth:`_refusal`)."""
        viewer: Any = request[VIEWER]  # an asyncpg row, or None
        if request.method == "POST" and request.content_type == "multipart/form-data":
            return await self._upload(request, viewer)
        prepared = await self._prepare(request)
        if prepared is not None:
            answered = await self._compiled(request, prepared, viewer)
            if answered is not None:
                return answered
        request[PATH] = "executor"
        return await super().__call__(request)

    async def _compiled(self, request: web.Request, prepared: Prepared, viewer: Any,
                        ) -> web.Response | None:
        """The compiled answer, from the response cache when an anonymous GET's answer is kept
        there (hub/http/response_cache.py); None to let the executor answer."""
        cache = self.hub.response_cache
        key = self._cache_key(request, prepared) if viewer is None else None
        if key is not None:
            kept = cache.get(key)
            if kept is not None:
                request[PATH] = "cache"
                return _public_response(request, kept.body, kept.etag,
                                        self.hub.settings.cache_max_age)
        generation = cache.generation  # read before the statement: see ResponseCache.put
        answer = await compiled_answer(self.hub, prepared,
                                       viewer["id"] if viewer is not None else None)
        if answer is None:
            return None
        request[PATH] = "compiled"
        content_type = _response_type(request.headers.get("Accept", ""))
        if request.method != "GET":
            return web.Response(body=answer.body, content_type=content_type)
        if viewer is not None or not answer.ok:
            return web.Response(body=answer.body, content_type=content_type)  # not stored
        if answer.fresh_since < cache.invalidated_at:
            key = None  # a replica's answer older than a write the cache was told of
        etag = cache.put(key, answer.body, generation).etag if key is not None \
            else entity_tag(answer.body)
        return _public_response(request, answer.body, etag,
                                self.hub.settings.cache_max_age)

    def _cache_key(self, request: web.Request, prepared: Prepared) -> bytes | None:
        """The response cache's key of an anonymous GET, or None when it is not kept."""
        data = request.get(REQUEST_DATA)
        # Only compiled answers are kept: with the compiled path off, nothing is served either.
        if request.method != "GET" or not self.hub.response_cache.enabled \
                or self.hub.compiled is None or data is None or isinstance(data, Exception | list):
            return None
        query = getattr(data, "query", None)
        if not isinstance(query, str):
            return None
        return cache_key(query, prepared.operation_name, prepared.variables)

    async def _prepare(self, request: web.Request) -> Prepared | None:
        """The front door, for a JSON POST or a GET with ``query``: the body read with the
        view's own rule (:meth:`parse_http_body`: trusted documents resolved there), then the
        operation prepared (parsed, limited, validated, its text checked: hub/api/operation.py)
        — each once. Both are kept on the request: the executor, when the compiled path
        declines, reuses them (:meth:`parse_http_body`, :meth:`get_context`). None when there
        is nothing to compile (a refused body, a batch): the executor answers."""
        if not ((request.method == "POST" and is_json_body(request.headers.get("Content-Type")))
                or (request.method == "GET" and _carries_operation(request))):
            return None
        try:
            data = await self.parse_http_body(self.request_adapter_class(request))
        except Exception as refused:  # the executor's path raises it again, and answers it
            request[REQUEST_DATA] = refused
            return None
        request[REQUEST_DATA] = data
        # A batch, no query, or an operationName that is no name: the executor words it.
        if isinstance(data, list) or not isinstance(data.query, str) \
                or not isinstance(data.operation_name, str | None):
            return None
        prepared = self.hub.operations.prepare(data.query, data.operation_name, data.variables,
                                               self.hub.settings.security)
        request[PREPARED] = prepared
        return prepared

    async def _upload(self, request: web.Request, viewer: Any) -> web.StreamResponse:
        # Decided from the headers, before a byte of the body is read: an anonymous, oversized
        # or one-too-many upload never reaches the disk.
        try:
            slot = self.hub.uploads.admit(request, viewer["id"] if viewer is not None else None,
                                          self.hub.settings)
        except UploadRefused as refused:
            return _error_response(refused.status, refused.code, refused.message, refused.headers)
        with slot:
            request[PATH] = "executor"
            return await super().__call__(request)

    # Strawberry's view is typed with a None context unless parametrised; ours is the hub's.
    async def get_context(self, request: web.Request, response: Any) -> Context:  # type: ignore[override]
        return Context(
            db=self.hub.db, plugins=self.hub.plugins, settings=self.hub.settings,
            viewer_row=request.get(VIEWER), token_hash=request.get(TOKEN_HASH),
            request=request, response=response, rate_limits=self.hub.rate_limits,
            events=self.hub.realtime.bus if self.hub.realtime else None,
            prepared=request.get(PREPARED), views=self.hub.views, compiled=self.hub.compiled,
        )

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: web.Response,
    ) -> web.Response:
        # GraphQL over HTTP: answer in the newer media type to clients that ask for it, with
        # its status codes: a request that never executed (parse, validation, variables,
        # limits) is a 400 without `data`. Old clients keep application/json and 200.
        wants_new_type = _response_type(sub_response.get(ACCEPT, "")) == GRAPHQL_RESPONSE_TYPE
        if isinstance(response_data, dict):
            if wants_new_type and _is_request_error(response_data):
                response_data = cast(GraphQLHTTPResponse,  # the same keys, less one
                                     {k: v for k, v in response_data.items() if k != "data"})
                sub_response.set_status(400)
            retry_after = _retry_after(response_data)
            if retry_after is not None:
                sub_response.set_status(429)
                sub_response.headers["Retry-After"] = str(retry_after)
            elif _database_unavailable(response_data):
                sub_response.set_status(503)
                sub_response.headers["Retry-After"] = "2"
        sub_response.body = orjson.dumps(response_data)
        sub_response.content_type = _response_type(sub_response.get(ACCEPT, ""))
        return sub_response

    async def get_sub_response(self, request: web.Request) -> web.Response:
        response = web.Response()
        response[ACCEPT] = request.headers.get("Accept", "")
        return response


TOO_DEEP = "The JSON body is nested too deeply."
# GET answers no cache may keep: signed-in answers, the executor's, errors and refusals.
NOT_STORED = "private, no-store"


def _carries_operation(request: web.Request) -> bool:
    """A GET with an operation: its text, or only a persisted document's hash."""
    return "query" in request.query or "extensions" in request.query


def _public_response(request: web.Request, body: bytes, etag: str, max_age: int) -> web.Response:
    """An anonymous GET's compiled answer, which any cache may keep ``max_age`` seconds and
    then revalidate: ``304 Not Modified`` without a body when ``If-None-Match`` names it.
    ``Vary``: a signed-in request is never given the anonymous answer, and the media type
    follows ``Accept`` (each media type has its own tag)."""
    content_type = _response_type(request.headers.get("Accept", ""))
    if content_type == GRAPHQL_RESPONSE_TYPE:
        etag = etag[:-1] + '-g"'
    headers = {"Cache-Control": f"public, max-age={max_age}", "ETag": etag,
               "Vary": "Accept, Authorization"}
    if matches(request.headers.get("If-None-Match"), etag):
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type=content_type, headers=headers)


def _operation_name(request: web.Request) -> str | None:
    """The operation's name as sent (``operationName``), else the name in its document."""
    prepared = request.get(PREPARED)
    if prepared is None:
        return None
    if prepared.operation_name is not None:
        return prepared.operation_name
    if prepared.document is None:
        return None
    for definition in prepared.document.definitions:
        if isinstance(definition, OperationDefinitionNode) and definition.name is not None:
            return definition.name.value
    return None


# A run of 19 digits, which orjson may read as a float (past 64 bits) where json.loads keeps
# an int. Found by mapping every digit to "0" and everything else to " ": ten times faster
# than a regular expression on a request body.
_DIGITS = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
_LONG_NUMBER = b"0" * 19


async def _plain_json_post(request: web.Request) -> GraphQLRequestData | None:
    """The request of a JSON POST whose body is exactly one well-formed GraphQL request, read
    with orjson; None for anything else, which Strawberry's general parser then reads (and
    refuses in its words).

    Most requests are this case, and the general parser costs more than the statement the
    compiled path answers them with (media-type parsing, stream transports, the standard
    library's JSON). Only bodies both parsers read alike take this path: orjson refuses
    what json.loads would accept with another meaning (lone surrogates, NaN, a byte order
    mark), and numbers past 64 bits, which orjson reads as floats, go the general way."""
    if request.method != "POST" or not is_json_body(request.headers.get("Content-Type")):
        return None
    accept = request.headers.get("Accept", "")
    if "multipart" in accept or "event-stream" in accept:  # a stream transport's protocol
        return None
    body = await request.read()
    if _LONG_NUMBER in body.translate(_DIGITS):
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict:
        return None
    query, variables = data.get("query"), data.get("variables")
    name, extensions = data.get("operationName"), data.get("extensions")
    if not (isinstance(query, str) and isinstance(variables, dict | None)
            and isinstance(name, str | None) and isinstance(extensions, dict | None)):
        return None
    return GraphQLRequestData(query=query, variables=variables, operation_name=name,
                              extensions=extensions, protocol="http")


async def _refuse_scalar_body(request_adapter: Any) -> None:
    """Valid JSON that starts with neither ``{`` nor ``[`` is a string, a number or a literal:
    no GraphQL request (Strawberry would take it for one and fail)."""
    if request_adapter.method != "POST" or not is_json_body(request_adapter.content_type):
        return
    if (await request_adapter.get_body()).lstrip()[:1] not in (b"{", b"["):
        raise BodyRefused('The body must be a JSON object: {"query": "…", "variables": {…}}.')


def _refuse_unfit_operation_name(name: Any) -> None:
    # Strawberry would quote it in a plain-text refusal that cannot encode a lone surrogate.
    reason = unfit_character(name) if isinstance(name, str) else None
    if reason is not None:
        raise BodyRefused(f"operationName contains {reason}.")


def _response_type(accept: str) -> str:
    """GraphQL over HTTP: the newer media type for clients that ask for it."""
    return GRAPHQL_RESPONSE_TYPE if GRAPHQL_RESPONSE_TYPE in accept else "application/json"


def _unavailable(error: Exception) -> web.Response:
    """The 503 of a database outage met before GraphQL ran (GraphQL reports its own); any
    other error is raised again."""
    if not is_database_outage(error):
        raise error
    log.warning("database unavailable: %r", error)
    return _error_response(503, "SERVICE_UNAVAILABLE", UNAVAILABLE_MESSAGE, {"Retry-After": "2"})


def _error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None,
) -> web.Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json",
                        headers=headers)


def _errors(response: GraphQLHTTPResponse) -> list[dict[str, Any]]:
    """The response's errors (formatted GraphQL errors: dicts; Strawberry types them object)."""
    return [error for error in response.get("errors") or () if isinstance(error, dict)]


def _is_request_error(response: GraphQLHTTPResponse) -> bool:
    errors = _errors(response)
    return bool(errors) and response.get("data") is None and all(
        "path" not in error for error in errors
    )


def _database_unavailable(response: GraphQLHTTPResponse) -> bool:
    return any((error.get("extensions") or {}).get("code") == "SERVICE_UNAVAILABLE"
               for error in _errors(response))


def _retry_after(response: GraphQLHTTPResponse) -> int | None:
    for error in _errors(response):
        extensions = error.get("extensions") or {}
        if extensions.get("code") == "RATE_LIMITED":
            return int(extensions.get("retryAfter", 60))
    return None


def _same_origin(request: web.Request, origin: str) -> bool:
    """``origin`` is the host the request was sent to (its scheme may differ behind a proxy
    that ends TLS; the host and port are the page's own)."""
    return urlsplit(origin).netloc.lower() == request.host.lower()


# Headers a browser only sends after a CORS preflight: their presence proves the request is
# not a "simple" cross-site request forged by another page.
PREFLIGHT_HEADERS = ("graphql-require-preflight", "apollo-require-preflight",
                     "x-apollo-operation-name", "x-requested-with")
SIMPLE_CONTENT_TYPES = ("", "application/x-www-form-urlencoded", "multipart/form-data",
                        "text/plain")


def csrf_refusal(request: web.Request) -> str | None:
    """Why a GET or multipart request must be refused as possible CSRF, or None.

    GET requests that carry an operation and every multipart request (uploads) need a
    header a browser cannot send cross-site without a preflight: one of
    ``GraphQL-Require-Preflight``, ``Apollo-Require-Preflight``, ``X-Apollo-Operation-Name``,
    ``X-Requested-With``, or a non-simple ``Content-Type`` such as ``application/json``.
    """
    carries_operation = request.method == "GET" and "query" in request.query
    if not carries_operation and request.method != "POST":
        return None
    if request.method == "POST" and request.content_type != "multipart/form-data":
        return None
    if any(request.headers.get(name) for name in PREFLIGHT_HEADERS):
        return None
    declared = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if request.method == "GET" and declared not in SIMPLE_CONTENT_TYPES:
        return None
    return ("This request could be a cross-site request forgery: send it with a "
            "GraphQL-Require-Preflight: 1 header (or Apollo-Require-Preflight, "
            "X-Requested-With), or as a JSON POST.")
