"""Errors: typed payload errors for expected problems, coded GraphQL errors for auth, and
masking for everything unexpected.

Plain Python, for every layer: the API layer shows them to clients (hub/api/errors.py: the
``UserError`` type, the ``ErrorCode`` enum, masking). Three kinds, as the API contract says:

* Expected problems with a mutation's input (bad input, conflicts) are **payload errors**:
  the service raises :class:`InputProblem`, the mutation rolls back and returns
  ``errors: [UserError!]!`` with ``field``, ``message`` and ``code``.
* Authentication, permission and request-shape failures are **GraphQL errors** with
  ``extensions.code`` (:class:`Unauthenticated`, :class:`Forbidden`, :class:`BadRequest`).
* Anything else is a bug: the client sees "Internal server error" and an ``errorId``; the log
  carries the same id with the stack trace (hub/api/errors.py).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

log = logging.getLogger("hub.core.errors")

INTERNAL_MESSAGE = "Internal server error"


class ErrorCode(enum.Enum):
    """Machine-readable reason of a payload error or a GraphQL error (the API's ``ErrorCode``
    enum, hub/api/errors.py)."""

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
    # Collaborations
    NOT_OPEN = "NOT_OPEN"
    DEADLINE_PASSED = "DEADLINE_PASSED"
    NEED_FILLED = "NEED_FILLED"
    LAST_OWNER = "LAST_OWNER"
    ALREADY_OFFERED = "ALREADY_OFFERED"
    WRONG_MEDIA_TYPE = "WRONG_MEDIA_TYPE"
    # Pagination
    INVALID_CURSOR = "INVALID_CURSOR"


@dataclass(frozen=True)
class Problem:
    """An expected problem with a write's input (a payload's ``UserError`` in the API):
    ``field`` is the camelCase path of the input field at fault, or None for the whole input."""

    field: str | None
    message: str
    code: ErrorCode


class InputProblem(Exception):
    """Raised by services for expected problems; mutations turn it into payload errors."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.errors = [Problem(field=field, message=message, code=code)]

    @classmethod
    def many(cls, errors: list[Problem]) -> InputProblem:
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
