"""Stored JSON as a GraphQL output type, in SQL: what graphql-core makes of the value the
executor reads, or a refusal.

A plugin's details are JSON; the executor decodes them (orjson) and graphql-core serializes each
value for its field's type — ``146`` in a ``Float`` field is ``146.0``, ``2**31`` in an ``Int``
field an error, ``null`` in a non-null field an error that nulls the parent. The statement
passes a value already in its type's form (what the plugins store) as it is, after a check
written into it; any other goes to ``hub_gql_value`` (migration 0009), which serializes it as
graphql-core does where it can be sure of the result and raises :data:`REFUSED` otherwise: a
statement that raises it is answered by the executor (hub/http/compiled.py), so a compiled
answer is always the executor's.
"""

from __future__ import annotations

import enum

import orjson
from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLScalarType,
)

from hub.api.compiled.plan import literal

# The SQLSTATE of hub_refuse(): a stored value the GraphQL type would not serialize as the SQL
# helpers can; the request is answered by the executor.
REFUSED = "RH001"

# Each scalar's stored form, which needs no conversion: its JSON kind, and a condition on the
# value {v} of that kind (or None).
STORED_FORM = {
    "String": ("string", None),
    "ID": ("string", None),
    "Boolean": ("boolean", None),
    # An integer of 32 bits; 3.0 would be the executor's 3.
    "Int": ("number", "scale({v}::numeric) = 0 and abs({v}::numeric) <= 2147483647"),
    # A decimal with a fraction: read as the double orjson reads (146 would be 146.0).
    "Float": ("number", "scale({v}::numeric) > 0 and length({v}::text) <= 300"),
}


def is_refusal(error: BaseException) -> bool:
    """Whether a failed statement refused a stored value (see :data:`REFUSED`)."""
    return getattr(error, "sqlstate", None) == REFUSED


def stored_json(value: str, graphql_type: GraphQLOutputType) -> str | None:
    """SQL of the ``jsonb`` the executor answers for the stored ``jsonb`` expression ``value``
    (SQL null when missing) in a field of ``graphql_type``; None when the type is beyond this
    (objects, custom scalars, lists of enums: the executor keeps them)."""
    value = f"({value})"  # an operand of casts and operators below
    non_null = isinstance(graphql_type, GraphQLNonNull)
    nullable_type = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
    if isinstance(nullable_type, GraphQLEnumType):
        read = _stored_enum(value, nullable_type)
        if read is None or not non_null:
            return read
        return f"coalesce({read}, hub_refuse({literal(str(graphql_type))}, {value}))"
    if not _serializable(nullable_type):
        return None
    converted = f"hub_gql_value({value}, {literal(str(graphql_type))})"
    kind, condition = _stored_form(value, nullable_type)
    if kind is None:
        return converted
    if_null = "" if non_null else "when 'null' then null "  # else: hub_gql_value refuses
    if condition is None:  # (a missing key, SQL null, goes to hub_gql_value: rare)
        return f"(case jsonb_typeof({value}) when '{kind}' then {value} {if_null}else {converted} end)"
    # One call of hub_gql_value: a statement's start prepares each call it holds.
    as_stored = f"(case when jsonb_typeof({value}) = '{kind}' then {condition} end)"
    if_null = "" if non_null else f"when coalesce(jsonb_typeof({value}), 'null') = 'null' then null "
    return f"(case when {as_stored} then {value} {if_null}else {converted} end)"


def _serializable(graphql_type: GraphQLOutputType) -> bool:
    """Whether hub_gql_value knows the type: built-in scalars and lists of them."""
    if isinstance(graphql_type, GraphQLNonNull):
        return _serializable(graphql_type.of_type)
    if isinstance(graphql_type, GraphQLList):
        return _serializable(graphql_type.of_type)
    return isinstance(graphql_type, GraphQLScalarType) and graphql_type.name in STORED_FORM


def _stored_form(value: str, graphql_type: GraphQLOutputType) -> tuple[str | None, str | None]:
    """The JSON kind of the type's stored form and the condition on a value of that kind, or
    (None, None) when every value goes through hub_gql_value."""
    if isinstance(graphql_type, GraphQLScalarType):
        kind, condition = STORED_FORM[graphql_type.name]
        return kind, condition.format(v=value) if condition else None
    assert isinstance(graphql_type, GraphQLList)
    item_type = graphql_type.of_type
    item = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
    if not isinstance(item, GraphQLScalarType) or STORED_FORM[item.name][1] is not None:
        return None, None
    # A list of strings (tags, instruments) as stored: every item of the one kind.
    other = f'@.type() != "{STORED_FORM[item.name][0]}"'
    if not isinstance(item_type, GraphQLNonNull):
        other += ' && @.type() != "null"'
    # (strict: lax mode would look inside an item that is itself a list)
    return "array", f"not jsonb_path_exists({value}, 'strict $[*] ? ({other})')"


def _stored_enum(value: str, graphql_type: GraphQLEnumType) -> str | None:
    """load_details reads a string that is one of the Python enum's values as that member
    (serialized as its GraphQL name) and anything else as null."""
    cases = []
    looks_like_json = False
    for name, enum_value in graphql_type.values.items():
        stored = enum_value.value.value if isinstance(enum_value.value, enum.Enum) \
            else enum_value.value
        if not isinstance(stored, str):
            return None
        cases.append(f"when {literal(stored)} then {_jsonb(name)}")
        looks_like_json = looks_like_json or _is_json_text(stored)
    by_text = f"(case {value} #>> '{{}}' {' '.join(cases)} end)"
    # #>> gives any JSON value as text: 1 would read as the value "1". Only an enum with such a
    # value needs the kind checked first (one lookup more).
    if looks_like_json:
        return f"(case jsonb_typeof({value}) when 'string' then {by_text} end)"
    return by_text


def _is_json_text(text: str) -> bool:
    """Whether ``text`` is how #>> writes some JSON value other than a string."""
    try:
        return not isinstance(orjson.loads(text), str)
    except orjson.JSONDecodeError:
        return False


def _jsonb(value: str) -> str:
    """``value`` as an SQL ``jsonb`` constant."""
    return "'" + orjson.dumps(value).decode().replace("'", "''") + "'::jsonb"
