"""The compiled path's side of the GraphQL view: the ``data`` of a request from one statement,
or None to let the ordinary executor answer it (hub/app.py tries this first and makes the
HTTP response)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web
from cross_web import parse_content_type

from hub.compiled.plan import NotCompilable
from hub.compiled.stored import is_refusal
from hub.errors import is_database_outage
from hub.limits import LimitExceeded, check, measure
from hub.trusted_documents import DocumentRefused

if TYPE_CHECKING:
    from hub.app import Hub

log = logging.getLogger("hub.compiled")


async def compiled_data(hub: Hub, request: web.Request, viewer_id: int | None) -> bytes | None:
    """The JSON of ``data`` for a compilable query (a JSON POST, or a GET with ``query``), or
    None.

    None whenever anything would make the ordinary path answer differently: a body it would
    refuse or word an error about, a document refused or limited, arguments a resolver
    refuses, or a failing statement (the ordinary path then reports the outage as usual).
    """
    if hub.compiled is None:
        return None
    if request.method == "POST" and is_json_body(request.headers.get("Content-Type")):
        body = _body(await request.read())
    elif request.method == "GET" and "query" in request.query:
        body = _query_string(request)
    else:
        return None
    if body is None:
        return None
    query, variables, operation_name, extensions = body
    if hub.documents.active:
        try:
            query = hub.documents.resolve({"query": query, "extensions": extensions})["query"]
        except DocumentRefused:
            return None
    if not isinstance(query, str):
        return None
    plan = hub.compiled.plan(query, operation_name)
    if plan is None:
        return None
    try:
        measures = measure(hub.compiled.schema, plan.document, variables, operation_name)
        if measures is not None:
            check(measures, hub.settings.security)
        statement, parameters = hub.compiled.statement(plan, variables, viewer_id)
    except (LimitExceeded, NotCompilable):
        return None
    except Exception:  # a bug in a twin must not cost the answer the executor can give
        log.exception("compiling %s failed; answering through the executor",
                      operation_name or "an operation")
        return None
    try:
        data = await hub.db.fetchval(statement, *parameters)
    except Exception as error:
        # An outage is the executor's to report (503), a stored value that does not fit its
        # type the executor's to serialize or word; anything else is a twin's bug, to fix.
        level = logging.DEBUG if is_database_outage(error) or is_refusal(error) \
            else logging.WARNING
        log.log(level, "compiled statement failed, answering through the executor: %r", error)
        return None
    return data.encode()


def is_json_body(content_type: str | None) -> bool:
    """Whether a POST with this ``Content-Type`` carries a GraphQL request as JSON: its media
    type is ``application/json`` in any letter case (media types are case-insensitive, RFC
    9110), whatever its parameters (RFC 8259 defines none: a charset changes nothing). The one
    rule of both paths: the view shows Strawberry this verdict (hub/app.py)."""
    media_type, _ = parse_content_type(content_type or "")
    return media_type == "application/json"


Request = tuple[Any, dict[str, Any], str | None, Any]


def _body(raw: bytes) -> Request | None:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(body, dict):
        return None  # batches, and bodies the ordinary path refuses
    return _checked(body)


def _query_string(request: web.Request) -> Request | None:
    """GET /graphql?query=…&variables=<JSON>&operationName=…&extensions=<JSON>."""
    body: dict[str, Any] = {"query": request.query.get("query"),
                            "operationName": request.query.get("operationName")}
    for name in ("variables", "extensions"):
        if name in request.query:
            try:
                body[name] = orjson.loads(request.query[name])
            except orjson.JSONDecodeError:
                return None
    return _checked(body)


def _checked(body: dict[str, Any]) -> Request | None:
    # Anything but the expected types (`"variables": 0`, say) is the executor's to refuse.
    variables = body.get("variables")
    variables = {} if variables is None else variables
    operation_name = body.get("operationName")
    extensions = body.get("extensions")
    if not isinstance(variables, dict) or not isinstance(operation_name, str | None) \
            or not isinstance(extensions, dict | None):
        return None
    return body.get("query"), variables, operation_name, extensions
