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
    # Compilations, edited in the studio
    LAST_EDITOR = "LAST_EDITOR"
    ARCHIVE_INSTEAD = "ARCHIVE_INSTEAD"
    # Hearts and follows
    OWN_RECORD = "OWN_RECORD"
    SELF_FOLLOW = "SELF_FOLLOW"
    # Conversations
    UNKNOWN_MENTION = "UNKNOWN_MENTION"
    ANCHOR_OUT_OF_RANGE = "ANCHOR_OUT_OF_RANGE"
    COMMENT_CLOSED = "COMMENT_CLOSED"


# What each code means, for the API's ``ErrorCode`` enum (hub/api/errors.py reads it; a test
# fails on a code without one). "Payload error": in a mutation payload's ``errors``, nothing was
# written. "GraphQL error": the response's top-level ``errors``, as ``extensions.code``.
ERROR_CODE_DESCRIPTIONS: dict[ErrorCode, str] = {
    ErrorCode.INVALID_INPUT: "A value of the input is not acceptable (out of range, badly "
    "formed, missing a time zone…); `field` names it, `message` says what is expected.",
    ErrorCode.INVALID_DETAILS: "The record's `details` are wrong: not exactly one media type, "
    "not the record's media type, or a field the media-type plugin refused (`field` names it, "
    "e.g. `details.music.tempoBpm`).",
    ErrorCode.MEDIA_TYPE_NOT_ENABLED: "The details name a media type whose plugin this hub "
    "does not run (see `mediaTypes`).",
    ErrorCode.HANDLE_TAKEN: "Another member has this handle (handles are case-insensitive).",
    ErrorCode.INVALID_HANDLE: "A handle is 3 to 30 letters, digits or underscores.",
    ErrorCode.WEAK_PASSWORD: "The password is too short or too easy to guess.",
    ErrorCode.INVALID_CREDENTIALS: "The handle or the password is wrong (the same code for "
    "both, so log-in attempts cannot discover which handles exist).",
    ErrorCode.TOO_LONG: "A text has more characters, or a list more items, than allowed; the "
    "message gives the maximum.",
    ErrorCode.CONFLICT: "Someone changed the object since you read it (`expectedVersion` is not "
    "its current `version`), or it already is in the state asked for (e.g. already a source, "
    "already an editor). For a version conflict, the payload carries the current object: merge "
    "your change into it and send it again with its `version`.",
    ErrorCode.NOT_FOUND: "No such object, or one you may not see (someone else's draft is "
    "NOT_FOUND, never FORBIDDEN, so its existence does not leak).",
    ErrorCode.INVALID_ID: "A global ID is malformed or names another type than the argument "
    "takes (payload error or GraphQL error, depending on where the ID was sent).",
    ErrorCode.INVALID_STATE: "The object is not in a state that allows this (deleted, not "
    "published yet, archived, still in review…); the message says which state it is in.",
    ErrorCode.FORBIDDEN: "GraphQL error: you are signed in but may not do this (not the "
    "author, not an instructor, not an EDITOR or ADMIN…).",
    ErrorCode.UNAUTHENTICATED: "GraphQL error: this needs a signed-in member, or the token "
    "sent is invalid or expired (log in again, or send no Authorization header to browse "
    "anonymously).",
    ErrorCode.INVALID_FILE: "An upload is not a usable file (not sent as a multipart part, "
    "empty, unreadable, or a bad file name).",
    ErrorCode.UNSUPPORTED_FILE_TYPE: "The file's contents are of a type the record's media "
    "type does not accept (or it takes no files); the message lists the accepted types.",
    ErrorCode.FILE_TOO_LARGE: "The file has more bytes than the media type accepts; the "
    "message gives the maximum.",
    ErrorCode.CYCLE: "Naming this source would make a cycle: the source is already made, "
    "directly or through other remixes, from this record.",
    ErrorCode.SELF_SOURCE: "A record cannot be its own source.",
    ErrorCode.SOURCE_NOT_PUBLISHED: "A source must be published (or your own) and not "
    "deleted.",
    ErrorCode.TOO_MANY_SOURCES: "A record names at most HUB_MAX_SOURCES direct sources "
    "(default 50).",
    ErrorCode.SOURCE_LOCKED: "Once this record or a remix of it is published, its sources "
    "stay credited: they can be added, not removed.",
    ErrorCode.SUBSCRIPTION_REQUIRED: "Class Projects need an active subscription "
    "(`Member.subscription.isActive`).",
    ErrorCode.ALREADY_ENROLLED: "You are already enrolled in this class.",
    ErrorCode.NOT_ENROLLED: "You are not enrolled in this class.",
    ErrorCode.INVALID_POSITION: "A lesson position is outside 1 to the class's lesson count.",
    ErrorCode.INVALID_VIDEO: "A lesson's video must be a published film record.",
    ErrorCode.NOT_YOUR_RECORD: "Only your own records can be submitted to a lesson.",
    ErrorCode.RECORD_NOT_PUBLISHED: "The record must be published (and not deleted) first.",
    ErrorCode.ALREADY_SUBMITTED: "This record is already submitted to this lesson.",
    ErrorCode.TARGET_NOT_ENABLED: "No enabled plugin publishes to this publishing target.",
    ErrorCode.NOT_AN_EDITOR: "Only EDITORs and ADMINs can join a compilation's editors.",
    ErrorCode.OWN_SUBMISSION: "You submitted this compilation for review; another editor must "
    "approve or return it (four eyes).",
    ErrorCode.PUBLISHING_BLOCKED: "The publishing target's plugin refused the compilation; one "
    "error per problem it found.",
    ErrorCode.INVALID_MONEY: "A money amount or share is not a valid decimal for it (negative, "
    "too many places, out of range).",
    ErrorCode.UNKNOWN_CURRENCY: "The currency is not one the hub pays in (an ISO 4217 code "
    "such as EUR).",
    ErrorCode.WINDOW_OPEN: "The payout proposal's comment window is still open; it can be "
    "finalized after it closes.",
    ErrorCode.WINDOW_CLOSED: "The payout proposal's comment window has closed.",
    ErrorCode.OWN_PROPOSAL: "You proposed this payout; another editor must finalize it.",
    ErrorCode.CHANGED_SINCE_APPROVAL: "An item's record changed after the compilation was "
    "approved; publishing sent the compilation back to IN_REVIEW (the one failure that "
    "writes).",
    ErrorCode.INVALID_CURSOR: "GraphQL error: `after`/`before` (or a subscription's `after`) "
    "is not a cursor this hub gave out. (A subscription cursor older than the hub keeps events "
    "for answers CURSOR_EXPIRED: reload and subscribe without `after`.)",
    ErrorCode.NOT_OPEN: "The collaboration is not OPEN (a draft, closed, completed or archived "
    "call takes no offers and no decisions).",
    ErrorCode.DEADLINE_PASSED: "The step's (or the collaboration's) deadline has passed, or a "
    "deadline given is in the past.",
    ErrorCode.NEED_FILLED: "The need already has as many accepted contributions as its "
    "`count`; decline or withdraw one first.",
    ErrorCode.LAST_OWNER: "A collaboration keeps at least one owner: the last cannot be "
    "removed.",
    ErrorCode.ALREADY_OFFERED: "This record was already offered to this need.",
    ErrorCode.WRONG_MEDIA_TYPE: "The record's media type is not the one the need asks for.",
    ErrorCode.LAST_EDITOR: "A compilation keeps at least one editor: the last cannot be "
    "removed from its team.",
    ErrorCode.ARCHIVE_INSTEAD: "Only a DRAFT compilation can be deleted; one that was "
    "submitted, approved or published is archived instead (archiveCompilation).",
    ErrorCode.OWN_RECORD: "You cannot heart your own record.",
    ErrorCode.SELF_FOLLOW: "You cannot follow yourself.",
    ErrorCode.UNKNOWN_MENTION: "The comment mentions handles no member has; the message lists "
    "them (nothing was written).",
    ErrorCode.ANCHOR_OUT_OF_RANGE: "A comment's anchor does not fit its subject: `atSeconds` "
    "outside the record's duration (or a record without one), a `quote` the record's text does "
    "not read at `quoteOffset`, or an anchor on anything but a record.",
    ErrorCode.COMMENT_CLOSED: "The comment was deleted (or hidden): it takes no replies and no "
    "edits.",
}


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


class Suspended(CodedError):
    """A suspended member tried to change something: they may read, not write."""

    code = "SUSPENDED"

    def __init__(self) -> None:
        super().__init__("Your account is suspended by the moderators: you may read, but not "
                         "change anything.")


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
