"""Errors: typed payload errors for expected problems, coded GraphQL errors for auth, and
masking for everything unexpected.

Three kinds, as the API contract says:

* Expected problems with a mutation's input (bad input, conflicts) are **payload errors**:
  the service raises :class:`InputProblem`, the mutation rolls back and returns
  ``errors: [UserError!]!`` with ``field``, ``message`` and ``code``.
* Authentication, permission and request-shape failures are **GraphQL errors** with
  ``extensions.code`` (:class:`Unauthenticated`, :class:`Forbidden`, :class:`BadRequest`).
* Anything else is a bug: the client sees "Internal server error" and an ``errorId``; the log
  carries the same id with the stack trace (:class:`MaskUnexpectedErrors`).
"""

from __future__ import annotations

import enum
import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

log = logging.getLogger("hub.core.errors")

INTERNAL_MESSAGE = "Internal server error"


@strawberry.enum(description="Machine-readable reason of a payload error or a GraphQL error.")
class ErrorCode(enum.Enum):
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_DETAILS = "INVALID_DETAILS"
    MEDIA_TYPE_NOT_ENABLED = "MEDIA_TYPE_NOT_ENABLED"
    HANDLE_TAKEN = "HANDLE_TAKEN"
    INVALID_HANDLE = "INVALID_HANDLE"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOO_LONG = "TOO_LONG"
    CONFLICT = "CONFLICT"
    NOT_FOUND = "NOT_FOUND"
    INVALID_ID = "INVALID_ID"
    INVALID_STATE = "INVALID_STATE"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    # Media files
    INVALID_FILE = "INVALID_FILE"
    UNSUPPORTED_FILE_TYPE = "UNSUPPORTED_FILE_TYPE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    CYCLE = "CYCLE"
    SELF_SOURCE = "SELF_SOURCE"
    SOURCE_NOT_PUBLISHED = "SOURCE_NOT_PUBLISHED"
    TOO_MANY_SOURCES = "TOO_MANY_SOURCES"
    SOURCE_LOCKED = "SOURCE_LOCKED"
    # Class Projects
    SUBSCRIPTION_REQUIRED = "SUBSCRIPTION_REQUIRED"
    ALREADY_ENROLLED = "ALREADY_ENROLLED"
    NOT_ENROLLED = "NOT_ENROLLED"
    INVALID_POSITION = "INVALID_POSITION"
    INVALID_VIDEO = "INVALID_VIDEO"
    NOT_YOUR_RECORD = "NOT_YOUR_RECORD"
    RECORD_NOT_PUBLISHED = "RECORD_NOT_PUBLISHED"
    ALREADY_SUBMITTED = "ALREADY_SUBMITTED"
    # Compilations and payouts
    TARGET_NOT_ENABLED = "TARGET_NOT_ENABLED"
    NOT_AN_EDITOR = "NOT_AN_EDITOR"
    OWN_SUBMISSION = "OWN_SUBMISSION"
    PUBLISHING_BLOCKED = "PUBLISHING_BLOCKED"
    INVALID_MONEY = "INVALID_MONEY"
    UNKNOWN_CURRENCY = "UNKNOWN_CURRENCY"
    WINDOW_OPEN = "WINDOW_OPEN"
    WINDOW_CLOSED = "WINDOW_CLOSED"
    OWN_PROPOSAL = "OWN_PROPOSAL"
    CHANGED_SINCE_APPROVAL = "CHANGED_SINCE_APPROVAL"
    # Pagination
    INVALID_CURSOR = "INVALID_CURSOR"


@strawberry.type(description="An expected problem with a mutation's input; nothing was written.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase path, e.g. `details.music.tempoBpm`), "
        "or null when the problem is the whole request."
    )
    message: str = strawberry.field(description="A sentence for a person.")
    code: ErrorCode = strawberry.field(description="A stable code for programs.")


class InputProblem(Exception):
    """Raised by services for expected problems; mutations turn it into payload errors."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.errors = [UserError(field=field, message=message, code=code)]

    @classmethod
    def many(cls, errors: list[UserError]) -> InputProblem:
        problem = cls(errors[0].code, errors[0].message, errors[0].field)
        problem.errors = list(errors)
        return problem


class CodedError(GraphQLError):
    """A GraphQL error that carries ``extensions.code``; never masked."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, code: str | None = None, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code or self.code, **extensions})


class Unauthenticated(CodedError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "You need to sign in to do this.") -> None:
        super().__init__(message)


class Forbidden(CodedError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "You are not allowed to do this.") -> None:
        super().__init__(message)


class BadRequest(CodedError):
    """Arguments that are well-typed but unacceptable (a page size over the cap, a malformed
    global ID in a query argument)."""

    code = "BAD_USER_INPUT"


def is_expected(error: GraphQLError) -> bool:
    """Expected errors reach the client as they are: GraphQL's own (syntax, validation,
    variables) and our coded ones. Everything else gets masked."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


def is_database_outage(error: BaseException | None) -> bool:
    """PostgreSQL unreachable or restarting: a condition to retry, not a bug."""
    import asyncpg

    while error is not None:
        if isinstance(error, (asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError,
                              asyncpg.ConnectionDoesNotExistError, ConnectionError)):
            return True
        if isinstance(error, asyncpg.InterfaceError) and "closed" in str(error):
            return True
        if isinstance(error, OSError) and _raised_by_asyncpg(error):
            return True  # e.g. the server's Unix socket vanished while it restarts
        error = error.__cause__ or error.__context__
    return False


def _raised_by_asyncpg(error: BaseException) -> bool:
    # A disk or upload error is an OSError too; only the driver's ones mean "no database".
    traceback = error.__traceback__
    while traceback is not None:
        if "asyncpg" in traceback.tb_frame.f_code.co_filename:
            return True
        traceback = traceback.tb_next
    return False


UNAVAILABLE_MESSAGE = "The database is unavailable right now; retry in a few seconds."

TIMEOUT_MESSAGE = ("The operation took too long and was stopped (the hub's statement timeout); "
                   "ask for less: smaller pages, fewer generations, a narrower search.")


def is_statement_timeout(error: BaseException | None) -> bool:
    """PostgreSQL cancelled the statement (``statement_timeout``): the request asked for too
    much, not a bug."""
    import asyncpg

    while error is not None:
        if isinstance(error, asyncpg.QueryCanceledError):
            return True
        error = error.__cause__ or error.__context__
    return False


def is_input_rejected(error: BaseException | None) -> bool:
    """PostgreSQL refused a value the request sent (SQLSTATE class 22, data exception: invalid
    text representation, numeric value out of range…): the caller's input, not a bug."""
    import asyncpg

    return isinstance(error, asyncpg.PostgresError) and str(
        getattr(error, "sqlstate", "") or ""
    ).startswith("22")


def tag_unexpected(errors: list[GraphQLError]) -> None:
    """Give each unexpected error an id and log it with its stack, once. A database outage
    is logged as a warning without a stack: it is expected to happen and to pass."""
    for error in errors:
        if is_expected(error) or getattr(error, "hub_error_id", None):
            continue
        if is_database_outage(error.original_error):
            error.hub_error_id = "unavailable"  # type: ignore[attr-defined]
            log.warning("database unavailable at %s: %r",
                        ".".join(map(str, error.path or ())), error.original_error)
            continue
        if is_statement_timeout(error.original_error):
            error.hub_error_id = "timeout"  # type: ignore[attr-defined]
            log.warning("statement timeout at %s: %r",
                        ".".join(map(str, error.path or ())), error.original_error)
            continue
        error_id = uuid.uuid4().hex[:16]
        error.hub_error_id = error_id  # type: ignore[attr-defined]
        original = error.original_error
        log.error(
            "unexpected error %s at %s: %r", error_id, ".".join(map(str, error.path or ())),
            original, exc_info=(type(original), original, original.__traceback__) if original else None,
        )


class MaskUnexpectedErrors(SchemaExtension):
    """Replaces every unexpected error with "Internal server error" and its ``errorId``, and
    in production drops "Did you mean …?" suggestions (they help attackers map the schema).

    Errors are replaced, never edited: validation errors come from a cache shared by every
    request, and a hub in development must still see its suggestions.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        tag_unexpected(result.errors)
        settings = getattr(self.execution_context.context, "settings", None)
        production = settings is not None and settings.is_production
        result.errors = [
            _without_suggestion(_masked(error)) if production else _masked(error)
            for error in result.errors
        ]


_SUGGESTION = re.compile(r" Did you mean .*\?$")


def _without_suggestion(error: GraphQLError) -> GraphQLError:
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(message, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path, extensions=error.extensions)


def _masked(error: GraphQLError) -> GraphQLError:
    error_id = getattr(error, "hub_error_id", None)
    if error_id is None:
        return error
    if error_id == "unavailable":
        return GraphQLError(
            UNAVAILABLE_MESSAGE, nodes=error.nodes, source=error.source,
            positions=error.positions, path=error.path,
            extensions={"code": "SERVICE_UNAVAILABLE", "retryable": True},
        )
    if error_id == "timeout":
        return GraphQLError(
            TIMEOUT_MESSAGE, nodes=error.nodes, source=error.source, positions=error.positions,
            path=error.path, extensions={"code": "TIMEOUT"},
        )
    return GraphQLError(
        INTERNAL_MESSAGE, nodes=error.nodes, source=error.source, positions=error.positions,
        path=error.path, extensions={"code": "INTERNAL_SERVER_ERROR", "errorId": error_id},
    )
