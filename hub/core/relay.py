"""Relay conventions without GraphQL: opaque global IDs, page arguments and cursors (the
``Node`` interface and connection types are hub/api/relay.py; keyset orders hub/core/rules.py).

Global IDs are ``base64url("<Type>:<primary key>")``. Clients must treat them as opaque; the
hub decodes them with :func:`decode_id`, which names the problem when one is malformed or of
the wrong type.

Pagination is keyset, never OFFSET: a cursor encodes the sort key of its row, and the next
page is ``WHERE (sort key) < (cursor)`` on an index. ``first``/``last`` are capped
(:data:`MAX_PAGE_SIZE`); without either, a page holds :data:`DEFAULT_PAGE_SIZE` items.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from hub.core.errors import BadRequest, ErrorCode, InputProblem
from hub.core.validation import unfit_character

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


# --- global IDs -------------------------------------------------------------------------------


def encode_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


# The primary key as encode_id writes it: ASCII digits, no sign, space, underscore or leading
# zero (Python's int() would also take "1_0", " 10 " and Arabic-Indic digits).
_CANONICAL_PK = re.compile(r"[1-9][0-9]{0,18}", re.ASCII)
MAX_ID_LENGTH = 200


def parse_id(global_id: str) -> tuple[str, int]:
    """Split a global ID into (type name, primary key); :class:`BadRequest` when malformed.

    Only the form :func:`encode_id` produces is accepted, so one object has one ID."""
    text = global_id.strip()
    try:
        if len(text) > MAX_ID_LENGTH:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        type_name, _, pk_text = raw.partition(":")
        if not type_name or not _CANONICAL_PK.fullmatch(pk_text):
            raise ValueError("not canonical")
        pk = int(pk_text)
        if pk > 2**63 - 1 or encode_id(type_name, pk) != text.rstrip("="):
            raise ValueError("not canonical")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadRequest(f"{_quoted(global_id)} is not a valid ID.", code="INVALID_ID") from None
    return type_name, pk


def _quoted(text: str, limit: int = 60) -> str:
    """``text`` for an error message: repr'd (so NUL and lone surrogates are escaped) and
    shortened (a megabyte of input need not come back)."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def decode_id(global_id: str, expected_type: str) -> int:
    """The primary key of ``global_id``, which must name an ``expected_type``."""
    type_name, pk = parse_id(global_id)
    if type_name != expected_type:
        raise BadRequest(
            f"ID {_quoted(global_id)} is a {type_name}, expected a {expected_type}.",
            code="INVALID_ID",
        )
    return pk


def input_pk(global_id: str, expected_type: str, field: str) -> int:
    """The primary key of an ID given in a mutation's input; a malformed ID, or one of
    another type, is an ``INVALID_ID`` payload error on ``field`` (nothing is written)."""
    pk = try_decode_id(global_id, expected_type)
    if pk is None:
        raise InputProblem(
            ErrorCode.INVALID_ID, f"{_quoted(global_id)} is not a {expected_type.lower()} ID.", field
        )
    return pk


def try_decode_id(global_id: str, expected_type: str) -> int | None:
    """Like :func:`decode_id`, returning None instead of raising (for mutation input checks)."""
    try:
        return decode_id(global_id, expected_type)
    except BadRequest:
        return None


# --- pages and cursors ----------------------------------------------------------------------


@dataclass(frozen=True)
class PageArgs:
    """Validated ``first``/``after``/``last``/``before``."""

    limit: int
    forward: bool
    after: tuple[Any, ...] | None
    before: tuple[Any, ...] | None

    @classmethod
    def of(
        cls, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> PageArgs:
        if first is not None and last is not None:
            raise BadRequest("Pass either first or last, not both.")
        for name, value in (("first", first), ("last", last)):
            if value is not None and value < 0:
                raise BadRequest(f"{name} must not be negative (got {value}).")
            if value is not None and value > MAX_PAGE_SIZE:
                raise BadRequest(
                    f"{name}: {value} is above the maximum page size of {MAX_PAGE_SIZE}.",
                    limit=MAX_PAGE_SIZE,
                )
        forward = last is None
        limit = (first if forward else last)
        return cls(
            limit=DEFAULT_PAGE_SIZE if limit is None else limit,
            forward=forward,
            after=decode_cursor(after, "after") if after else None,
            before=decode_cursor(before, "before") if before else None,
        )


def encode_cursor(values: Sequence[Any]) -> str:
    encoded = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    return base64.urlsafe_b64encode(orjson.dumps(encoded)).decode().rstrip("=")


def decode_cursor(cursor: str, argument: str) -> tuple[Any, ...]:
    """The key values of a cursor made by :func:`encode_cursor`; ``INVALID_CURSOR`` when it is
    not one (each value is checked against its ordering's type by :func:`cursor_value`)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = orjson.loads(raw)
    except (binascii.Error, orjson.JSONDecodeError, ValueError):
        raise InvalidCursor(f"{argument}: {_quoted(cursor)} is not a cursor from this API.") from None
    if not isinstance(values, list) or not 0 < len(values) <= 4 or not all(
            type(value) in (str, int) for value in values):  # no lists: keys are hashed
        raise InvalidCursor(f"{argument}: {_quoted(cursor)} is not a cursor from this API.")
    return tuple(values)


class InvalidCursor(BadRequest):
    """A cursor this API did not make, or one of another ordering (``INVALID_CURSOR``)."""

    code = "INVALID_CURSOR"


@dataclass(frozen=True)
class Ordering:
    """A keyset order: SQL expressions with their casts, and the row aliases holding them.

    The SELECT must expose each key as ``_k0``, ``_k1``… so cursors can be built from rows.
    All keys sort in the same direction so one row comparison selects the next page.
    """

    expressions: tuple[str, ...]
    casts: tuple[str, ...]
    descending: bool

    def select_keys(self) -> str:
        return ", ".join(f"{expr} as _k{i}" for i, expr in enumerate(self.expressions))

    def key_of(self, row: Any) -> tuple[Any, ...]:
        return tuple(row[f"_k{i}"] for i in range(len(self.expressions)))

    def page_sql(self, page: PageArgs, params: list[Any]) -> tuple[list[str], str, str]:
        """(conditions, ORDER BY, LIMIT) for ``page``; appends cursor values to ``params``."""
        conditions = []
        for cursor, wants_greater in ((page.after, not self.descending),
                                      (page.before, self.descending)):
            if cursor is None:
                continue
            if len(cursor) != len(self.expressions):
                raise InvalidCursor(FOREIGN_CURSOR)
            placeholders = []
            for value, cast in zip(cursor, self.casts, strict=True):
                params.append(cursor_value(value, cast))
                placeholders.append(f"${len(params)}::{cast}")
            op = ">" if wants_greater else "<"
            conditions.append(
                f"({', '.join(self.expressions)}) {op} ({', '.join(placeholders)})"
            )
        descending = self.descending if page.forward else not self.descending
        direction = "desc" if descending else "asc"
        order_by = ", ".join(f"{expr} {direction}" for expr in self.expressions)
        return conditions, order_by, str(page.limit + 1)


FOREIGN_CURSOR = "The cursor does not belong to this ordering."
INT64 = range(-(2**63), 2**63)


def cursor_value(value: Any, cast: str) -> Any:
    """A cursor's key value as the parameter of type ``cast`` (``timestamptz``, ``bigint`` or
    ``text``); ``INVALID_CURSOR`` for anything :func:`encode_cursor` cannot have written, so
    that PostgreSQL never sees a value it refuses (a date or integer out of its range, NUL)."""
    parsed: Any
    if cast == "timestamptz":
        parsed = _moment(value)
    elif cast == "bigint":
        parsed = value if type(value) is int and value in INT64 else None
    else:
        parsed = value if isinstance(value, str) and unfit_character(value) is None else None
    if parsed is None:
        raise InvalidCursor(FOREIGN_CURSOR)
    return parsed


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
        # A naive moment is taken as UTC (encode_cursor never writes one); the conversion
        # fails for a moment whose UTC date falls outside the years 1 to 9999.
        return moment.replace(tzinfo=moment.tzinfo or dt.UTC).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
