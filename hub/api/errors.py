"""How errors reach GraphQL clients: the ``UserError`` type and ``ErrorCode`` enum of payloads,
and the masking of every unexpected error (an ``errorId`` the log also carries).

The errors themselves are plain Python (hub/core/errors.py), raised by every layer.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from hub.core.errors import (
    ERROR_CODE_DESCRIPTIONS,
    INTERNAL_MESSAGE,
    TIMEOUT_MESSAGE,
    UNAVAILABLE_MESSAGE,
    ErrorCode,
    Problem,
    is_database_outage,
    is_expected,
    is_statement_timeout,
)

log = logging.getLogger("hub.api.errors")

strawberry.enum(ErrorCode, description="Machine-readable reason of a payload error (a mutation "
                "payload's `errors`: nothing was written) or of a GraphQL error (the response's "
                "top-level `errors`, as `extensions.code`). New codes may be added: treat an "
                "unknown one as a generic failure and show its `message`.")
# Each value's meaning is written beside the codes (hub/core/errors.py, plain Python).
for _value in ErrorCode.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = ERROR_CODE_DESCRIPTIONS.get(ErrorCode(_value.value))


# The `errors` field of every mutation payload.
ERRORS_DESCRIPTION = (
    "Why nothing was written: the expected problems with the input (bad values, conflicts, "
    "wrong states), each with the input field at fault and a code. Empty when the mutation "
    "succeeded. Authentication, permission and request-shape failures, and unexpected ones, "
    "are GraphQL errors instead (the response's top-level `errors`, with `extensions.code`)."
)


@strawberry.type(description="An expected problem with a mutation's input; nothing was written.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase path, e.g. `details.music.tempoBpm`), "
        "or null when the problem is the whole request."
    )
    message: str = strawberry.field(description="A sentence for a person.")
    code: ErrorCode = strawberry.field(description="A stable code for programs.")

    @classmethod
    def of(cls, problem: Problem) -> UserError:
        return cls(field=problem.field, message=problem.message, code=problem.code)


def user_errors(problems: list[Problem]) -> list[UserError]:
    return [UserError.of(problem) for problem in problems]


def tag_unexpected(errors: list[GraphQLError]) -> None:
    """Give each unexpected error an id and log it with its stack, once. A database outage
    is logged as a warning without a stack: it is expected to happen and to pass."""
    # ``hub_error_id`` is our attribute on graphql-core's GraphQLError (read by _masked), hence
    # the attr-defined ignores below.
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
        errors = result.errors if result is not None else None
        if result is None or not errors:
            return
        settings = getattr(self.execution_context.context, "settings", None)
        result.errors = client_errors(errors, settings is not None and settings.is_production)


def client_errors(errors: list[GraphQLError], production: bool) -> list[GraphQLError]:
    """``errors`` as a client may see them: unexpected ones logged once and masked, and in
    production no "Did you mean …?". Also what answers outside Strawberry's operation use
    (the light subscriptions, hub/api/realtime/light.py)."""
    tag_unexpected(errors)
    return [_without_suggestion(_masked(error)) if production else _masked(error)
            for error in errors]


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
