"""The compiled path's side of the GraphQL view: the response body of a prepared operation
from one statement, or None to let the ordinary executor answer it (the front door,
hub/http/view.py, tries this first and makes the HTTP response).

A statement that fails because of the request itself is answered here and never run again by
the executor (which would take as long, or fail the same way): a statement timeout is a
``TIMEOUT`` error, a value PostgreSQL refuses (SQLSTATE class 22) a ``BAD_USER_INPUT`` error;
both are logged without a stack trace. A database outage is left to the executor to report
(503), and anything else is a twin's bug: logged as a warning, answered by the executor.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson
from cross_web import parse_content_type

from hub.api.compiled.plan import NotCompilable
from hub.api.compiled.stored import is_refusal
from hub.core.errors import TIMEOUT_MESSAGE, is_database_outage, is_input_rejected, is_statement_timeout

if TYPE_CHECKING:
    from hub.api.operation import Prepared
    from hub.http.app import Hub

log = logging.getLogger("hub.api.compiled")


@dataclass(frozen=True)
class CompiledAnswer:
    """A compiled response body; ``ok``: its statement answered (no error in the body), so it
    may be kept by the response cache (hub/http/response_cache.py); ``fresh_since``: every
    commit before this ``time.monotonic()`` instant is in it (infinity: read on the primary;
    earlier when a replica answered, hub/core/db/replicas.py)."""

    body: bytes
    ok: bool
    fresh_since: float = float("inf")


async def compiled_answer(hub: Hub, prepared: Prepared, viewer_id: int | None,
                          ) -> CompiledAnswer | None:
    """The compiled answer to an operation the front door prepared (hub/http/view.py: the
    body read, trusted documents resolved, the document parsed, limited and validated, each
    once), or None to let the executor answer it with that same preparation.

    None whenever anything would make the ordinary path answer differently: a document refused
    or limited, arguments a resolver refuses, or a statement that failed for a reason that is
    not the request's (the ordinary path then reports the outage as usual).
    """
    if hub.compiled is None:
        return None
    operation_name, variables = prepared.operation_name, prepared.variables or {}
    plan = hub.compiled.plan_for(prepared)
    if plan is None:
        return None  # the executor words the refusal
    try:
        statement, parameters = hub.compiled.statement(plan, variables, viewer_id,
                                                       prepared.variable_values)
    except NotCompilable:
        return None
    except Exception:  # a bug in a twin must not cost the answer the executor can give
        log.exception("compiling %s failed; answering through the executor",
                      operation_name or "an operation")
        return None
    fresh_since = float("inf")
    try:
        if hub.replicas is None:
            data = await hub.db.fetchval(statement, *parameters)
        else:
            data, fresh_since = await hub.replicas.fetchval(viewer_id, statement, *parameters)
    except Exception as error:
        failed = _failed(error, operation_name)
        return CompiledAnswer(failed, ok=False) if failed is not None else None
    return CompiledAnswer(b'{"data":' + data.encode() + b"}", ok=True, fresh_since=fresh_since)


def _failed(error: Exception, operation_name: str | None) -> bytes | None:
    """The answer to a failed statement, or None for the executor to answer."""
    name = operation_name or "an operation"
    if is_statement_timeout(error):
        log.warning("compiled statement of %s timed out: %r", name, error)
        return _error_body(TIMEOUT_MESSAGE, "TIMEOUT")
    if is_input_rejected(error):
        log.info("compiled statement of %s refused its input: %r", name, error)
        return _error_body(
            f"An argument was refused: {getattr(error, 'message', None) or error}.",
            "BAD_USER_INPUT",
        )
    # An outage is the executor's to report (503); anything else is a twin's bug, to fix.
    # A stored value that does not fit its type is the executor's to serialize or word.
    level = logging.DEBUG if is_database_outage(error) or is_refusal(error) else logging.WARNING
    log.log(level, "compiled statement failed, answering through the executor: %r", error)
    return None


def _error_body(message: str, code: str) -> bytes:
    # No `path`: one statement answers every root field at once.
    return orjson.dumps({"data": None, "errors": [{"message": message,
                                                   "extensions": {"code": code}}]})



def is_json_body(content_type: str | None) -> bool:
    """Whether a POST with this ``Content-Type`` carries a GraphQL request as JSON: its media
    type is ``application/json`` in any letter case (media types are case-insensitive, RFC
    9110), whatever its parameters (RFC 8259 defines none: a charset changes nothing). The one
    rule of both paths: the view shows Strawberry this verdict (hub/http/view.py)."""
    return media_type(content_type) == "application/json"


@functools.lru_cache(maxsize=256)  # a handful of distinct headers in practice; bounded anyway
def media_type(content_type: str | None) -> str:
    """The media type of a ``Content-Type`` header, without parameters. Each request asks
    several times (the front door, Strawberry's adapter, the scalar-body check), and parsing
    goes through the email package: remembered per header value."""
    return parse_content_type(content_type or "")[0]
