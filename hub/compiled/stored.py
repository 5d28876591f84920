"""Stored JSON as a GraphQL output type, in SQL: what graphql-core makes of the value the
executor reads, or a refusal.

A plugin's details are JSON; the executor decodes them (orjson) and graphql-core serializes each
value for its field's type — ``146`` in a ``Float`` field is ``146.0``, ``2**31`` in an ``Int``
field an error, ``null`` in a non-null field an error that nulls the parent. The SQL helpers of
migration 0008 do the same for the values they can be sure of and raise :data:`REFUSED` for any
other: a statement that raises it is answered by the executor (hub/compiled/http.py), so a
compiled answer is always the executor's.
"""

from __future__ import annotations

import enum

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLScalarType,
)

from hub.compiled.plan import literal

# The SQLSTATE of hub_refuse(): a stored value the GraphQL type would not serialize as the SQL
# helpers can; the request is answered by the executor.
REFUSED = "RH001"

SCALAR_FUNCTIONS = {
    "Int": "hub_gql_int",
    "Float": "hub_gql_float",
    "String": "hub_gql_string",
    "Boolean": "hub_gql_boolean",
    "ID": "hub_gql_id",
}


def is_refusal(error: BaseException) -> bool:
    """Whether a failed statement refused a stored value (see :data:`REFUSED`)."""
    return getattr(error, "sqlstate", None) == REFUSED


def stored_json(value: str, graphql_type: GraphQLOutputType, depth: int = 0) -> str | None:
    """SQL of the ``json`` the executor answers for the stored ``jsonb`` expression ``value``
    in a field of ``graphql_type``; None when the type is beyond this (objects, custom scalars,
    lists of enums, which the executor keeps)."""
    if isinstance(graphql_type, GraphQLNonNull):
        inner = stored_json(value, graphql_type.of_type, depth)
        if inner is None:
            return None
        # Null where the type forbids it is the executor's error: coalesce evaluates the
        # refusal only then.
        return f"coalesce({inner}, hub_refuse({literal(str(graphql_type))}, {value}))"
    if isinstance(graphql_type, GraphQLList):
        return _stored_list(value, graphql_type, depth)
    if isinstance(graphql_type, GraphQLEnumType):
        return _stored_enum(value, graphql_type)
    if isinstance(graphql_type, GraphQLScalarType) and graphql_type.name in SCALAR_FUNCTIONS:
        return f"{SCALAR_FUNCTIONS[graphql_type.name]}({value})"
    return None


def _stored_list(value: str, graphql_type: GraphQLList, depth: int) -> str | None:
    item_type = graphql_type.of_type
    named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
    if isinstance(named, GraphQLEnumType):
        return None  # load_details leaves their items as stored: the executor's to read
    items = f"hub_items{depth}"
    item = stored_json(f"{items}.item", item_type, depth + 1)
    if item is None:
        return None
    return (f"(case coalesce(jsonb_typeof({value}), 'null') when 'null' then null "
            f"when 'array' then (select coalesce(json_agg({item} order by {items}.position), "
            f"'[]'::json) from jsonb_array_elements({value}) with ordinality "
            f"as {items}(item, position)) "
            f"else hub_refuse({literal(str(graphql_type))}, {value}) end)")


def _stored_enum(value: str, graphql_type: GraphQLEnumType) -> str | None:
    """load_details reads a string that is one of the Python enum's values as that member
    (serialized as its GraphQL name) and anything else as null."""
    cases = []
    for name, enum_value in graphql_type.values.items():
        stored = enum_value.value.value if isinstance(enum_value.value, enum.Enum) \
            else enum_value.value
        if not isinstance(stored, str):
            return None
        cases.append(f"when {literal(stored)} then to_json({literal(name)})")
    return (f"(case jsonb_typeof({value}) when 'string' then "
            f"(case {value} #>> '{{}}' {' '.join(cases)} end) end)")
