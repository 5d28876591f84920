"""The ``Decimal`` scalar: money amounts, shares, percentages and weights.

Strawberry's own ``Decimal`` prints ``str(value)``, which is ``1E+1`` for a normalised ten,
and parses anything ``decimal.Decimal`` accepts (``NaN``, ``Infinity``, ``1e999999999``).
This one replaces it (``StrawberryConfig.scalar_map`` in hub/schema.py):

* **out**: a string in plain notation, never an exponent (``"10"``, ``"0.000001"``,
  ``"12.50"``): the digits the value carries, as given;
* **in**: a string in plain notation (``"12.50"``, ``"-3"``; no exponent, no spaces) or a
  JSON/GraphQL number (``12.5``, ``1e3``: a number is unambiguous), finite, with at most
  :data:`MAX_DIGITS` digits and :data:`MAX_SCALE` places either side of the point. Anything
  else is a GraphQL error naming the value and the rule.

Fields check their own ranges and places (e.g. a weight is positive, at most 6 places).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import FloatValueNode, IntValueNode, StringValueNode, ValueNode
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

from hub.core.numbers import plain

MAX_DIGITS = 40
MAX_SCALE = 40
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
DESCRIPTION = (
    "An exact decimal number, as a string in plain notation (`\"1250.00\"`, `\"0.5\"`, "
    "`\"10\"`; never an exponent). Accepted as such a string or as a number; at most "
    f"{MAX_DIGITS} digits."
)


def _refuse(value: Any, why: str) -> StrawberryInputCoercionError:
    shown = value if len(str(value)) <= 60 else f"{str(value)[:60]}…"
    return StrawberryInputCoercionError(f"Decimal cannot represent {shown!r}: {why}")


def _bounded(number: Decimal, value: Any) -> Decimal:
    if not number.is_finite():
        raise _refuse(value, "it must be a finite number.")
    digits, exponent = len(number.as_tuple().digits), number.as_tuple().exponent
    if digits > MAX_DIGITS or not -MAX_SCALE <= int(exponent) <= MAX_SCALE:
        raise _refuse(value, f"at most {MAX_DIGITS} digits and {MAX_SCALE} decimal places.")
    return number


def _from_text(text: str) -> Decimal:
    if len(text) > MAX_DIGITS + 2 or not _PLAIN.fullmatch(text):
        raise _refuse(text, "give a decimal in plain notation, e.g. \"1250.00\" (digits, an "
                      "optional minus sign and decimal point; no exponent, no spaces).")
    return _bounded(Decimal(text), text)


def _from_number_text(text: str, value: Any) -> Decimal:
    try:
        return _bounded(Decimal(text), value)
    except InvalidOperation:
        raise _refuse(value, "not a number.") from None


def parse_value(value: Any) -> Decimal:
    """A variable's value: a plain-notation string, or a JSON number."""
    if isinstance(value, str):
        return _from_text(value)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _refuse(value, "expected a decimal string such as \"1250.00\" or a number.")
    if isinstance(value, int) and abs(value) >= 10**MAX_DIGITS:
        raise _refuse(value, f"at most {MAX_DIGITS} digits.")
    # repr of a float is its shortest round-trip form: 0.1 arrives as "0.1", not 0.1000…0555.
    return _from_number_text(repr(value) if isinstance(value, float) else str(value), value)


def parse_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Decimal:
    """A literal in the document: its text as written (a float literal stays exact)."""
    if isinstance(node, StringValueNode):
        return _from_text(node.value)
    if isinstance(node, IntValueNode | FloatValueNode):
        if len(node.value) > MAX_DIGITS + 8:
            raise _refuse(node.value, f"at most {MAX_DIGITS} digits.")
        return _from_number_text(node.value, node.value)
    raise _refuse(getattr(node, "value", node.kind), "expected a decimal string or a number.")


def serialize(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"Decimal fields hold decimal.Decimal values, not {type(value).__name__}")
    return plain(value)


DECIMAL = ScalarDefinition(
    name="Decimal", description=DESCRIPTION, specified_by_url=None, serialize=serialize,
    parse_value=parse_value, parse_literal=parse_literal, origin=Decimal,
)


# --- DateTime ---------------------------------------------------------------------------------

DATETIME_DESCRIPTION = (
    "A date and time in ISO 8601 (RFC 3339), always in UTC: "
    "`2026-11-30T21:05:09.123456+00:00` (fractional seconds only when not zero). Inputs take "
    "ISO 8601 with an offset (`Z` or `+01:00`) and are converted to UTC."
)


def serialize_datetime(value: dt.datetime) -> str:
    """Out: ISO 8601 in UTC. Every stored time is a ``timestamptz`` (asyncpg answers it in UTC,
    so this is Strawberry's ``isoformat`` for them); an aware value in another zone is
    converted; a naive one is taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC).isoformat()
    return value.astimezone(dt.UTC).isoformat()


# The same parsing as Strawberry's DateTime (its definition, with our description and output).
DATETIME = dataclasses.replace(DateTimeDefinition, description=DATETIME_DESCRIPTION,
                               serialize=serialize_datetime)
