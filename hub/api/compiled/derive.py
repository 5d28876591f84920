"""The twin of every field, derived from the schema and the domain's declarations.

A field's twin is, in this order:

1. the one declared beside the field: ``strawberry.field(…, metadata=twin(spec))`` — a
   genuinely computed field (a walk, a count, a union of plugin types), or a list declared as
   a :class:`hub.core.rules.Listing` (:class:`hub.api.compiled.listing.ListingTwin`);
2. derived: a connection's parts, an edge's ``cursor`` and ``node``, and every plain field
   (no resolver) of a type bound to a :class:`hub.core.rules.Table` (``table: ClassVar`` on
   the Strawberry class) whose Python name is one of the table's columns — read from the row
   and serialized as its GraphQL type serializes it (an enum by name, a moment in ISO 8601, a
   Float as a float…), and the ``id`` of a Node as its global ID;
3. none: the field says why (``metadata=no_twin("…")``) or is reported without a reason
   (``recordhub twins``). An operation that selects it is answered by the executor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    is_abstract_type,
)

from hub.api.compiled.plan import Builder, Column, Part, Registry, Selection, Spec
from hub.api.compiled.stored import stored_json
from hub.core.rules import Table

TWIN = "hub.twin"
NO_TWIN = "hub.no_twin"

PART = Part()
CONNECTION_PARTS = ("edges", "nodes", "pageInfo", "totalCount")


def twin(spec: Spec) -> dict[str, Any]:
    """``metadata`` of a field whose twin is ``spec``, declared beside it."""
    return {TWIN: spec}


def no_twin(reason: str) -> dict[str, Any]:
    """``metadata`` of a field the compiled path leaves to the executor, and why."""
    return {NO_TWIN: reason}


class ThisRow(Spec):
    """A field whose value is the object of the row itself (an edge's ``node``); null where
    the row says the viewer may not see it (``_visible``: a tombstone), if ``seen_only``."""

    def __init__(self, seen_only: bool = False) -> None:
        self.seen_only = seen_only

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        assert selection.definition is not None
        named = _named(selection.definition.type)
        value = b.object(named.name, selection.children, row)
        return f"(case when {row}._visible then {value} end)" if self.seen_only else value


class Reference(Spec):
    """A field whose value is the row of ``table`` that the parent row's ``column`` names (a
    foreign key: it exists), e.g. ``Record.author``."""

    def __init__(self, table: Table, column: str) -> None:
        self.table, self.column = table, column

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        assert selection.definition is not None
        named = _named(selection.definition.type)
        r = b.alias("m")
        return (f"(select {b.object(named.name, selection.children, r)} "
                f"from {self.table.name} {r} where {r}.id = {row}.{self.column})")


class RuleSql(Spec):
    """A field computed by a rule's SQL (a count, a :class:`hub.core.rules.Condition`'s
    template) over the parent row ``{t}`` and the viewer ``{viewer}``."""

    def __init__(self, template: str) -> None:
        self.template = template

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        return "(" + self.template.format(t=row, viewer=b.VIEWER) + ")"


@dataclass(frozen=True)
class Report:
    """What the compiled path can answer: every field's twin, or why it has none."""

    registry: Registry
    without: Mapping[tuple[str, str], str]


def derive(schema: GraphQLSchema, extra: Registry | None = None) -> Report:
    """The twins of every field of ``schema`` (plus ``extra``, which a declared twin may add
    for types it renders itself, e.g. the plugins' details types)."""
    registry: Registry = dict(extra or {})
    without: dict[tuple[str, str], str] = {}
    for graphql_type in _object_types(schema):
        table = _table_of(graphql_type)
        for name, graphql_field in graphql_type.fields.items():
            key = (graphql_type.name, name)
            if key in registry:
                continue
            spec, reason = _twin_of(graphql_type, name, graphql_field, table)
            if spec is not None:
                registry[key] = spec
                registry.update(getattr(spec, "extra_twins", lambda s: {})(schema))
            else:
                without[key] = reason
    _drop_unreachable_parts(schema, registry, without)
    for key in registry:
        without.pop(key, None)
    return Report(registry, without)


def _drop_unreachable_parts(
    schema: GraphQLSchema, registry: Registry, without: dict[tuple[str, str], str],
) -> None:
    """A connection's parts and its edge's fields are twins only where a twinned field
    returns the connection (they are rendered by that field's twin)."""
    returned = set()
    for (type_name, field_name), spec in registry.items():
        if isinstance(spec, Part) or type_name == "PageInfo":
            continue
        graphql_type = schema.get_type(type_name)
        field = getattr(graphql_type, "fields", {}).get(field_name)
        if field is not None:
            returned.add(_named(field.type).name)
    for type_name, field_name in list(registry):
        connection = type_name.removesuffix("Edge") + "Connection" \
            if type_name.endswith("Edge") else type_name
        derived_part = isinstance(registry[(type_name, field_name)], Part) or (
            type_name.endswith("Edge") and field_name in ("cursor", "node"))
        if not derived_part or type_name in ("PageInfo", "LineageGraph"):
            continue
        if connection.endswith("Connection") and connection not in returned:
            del registry[(type_name, field_name)]
            without[(type_name, field_name)] = f"no twinned field returns {connection}"
    if not any(name.endswith("Connection") for name in returned):
        for key in [k for k in registry if k[0] == "PageInfo"]:
            del registry[key]


def _object_types(schema: GraphQLSchema) -> Iterator[GraphQLObjectType]:
    """The object types a query can reach (a read), from ``Query`` through every field,
    union member and interface implementation; not the federation's own ``_`` fields."""
    assert schema.query_type is not None
    pending: list[Any] = [schema.query_type]
    seen: set[str] = set()
    while pending:
        graphql_type = pending.pop()
        if graphql_type.name in seen or graphql_type.name.startswith("_"):
            continue
        seen.add(graphql_type.name)
        if isinstance(graphql_type, GraphQLObjectType):
            yield graphql_type
            pending.extend(_named(field.type) for name, field in graphql_type.fields.items()
                           if not name.startswith("_"))
        elif is_abstract_type(graphql_type):
            pending.extend(schema.get_possible_types(graphql_type))


def _definition(graphql_field: GraphQLField) -> Any:
    # Strawberry keeps each field's definition on the GraphQL field it built.
    return (graphql_field.extensions or {}).get("strawberry-definition")


def _table_of(graphql_type: GraphQLObjectType) -> Table | None:
    definition = (graphql_type.extensions or {}).get("strawberry-definition")
    table = getattr(getattr(definition, "origin", None), "table", None)
    return table if isinstance(table, Table) else None


def _twin_of(
    parent: GraphQLObjectType, name: str, graphql_field: GraphQLField, table: Table | None,
) -> tuple[Spec | None, str]:
    definition = _definition(graphql_field)
    metadata = getattr(definition, "metadata", None) or {}
    if TWIN in metadata:
        return metadata[TWIN], ""
    if NO_TWIN in metadata:
        return None, metadata[NO_TWIN]
    if _is_connection(parent) and name in CONNECTION_PARTS:
        return PART, ""  # rendered by the connection field's twin
    if parent.name == "PageInfo":
        return PART, ""
    if _is_edge(parent) and name == "cursor":
        return Column("{row}._cursor"), ""
    if _is_edge(parent) and name == "node":
        return ThisRow(), ""
    if definition is None or definition.base_resolver is not None:
        return None, "computed by its resolver, with no twin declared"
    if table is None:
        return None, f"{parent.name} is bound to no table"
    if name == "id" and _is_id(graphql_field.type) and _is_node(parent):
        return Column(f"hub_global_id('{parent.name}', {{row}}.id)"), ""
    expression = table.expression(definition.python_name, "{row}")
    if expression is None:
        return None, f"{definition.python_name} is no column of {table.name}"
    value = serialized(expression, graphql_field.type)
    if value is None:
        return None, "its type is beyond the compiled path"
    return Column(value), ""


def _is_node(graphql_type: GraphQLObjectType) -> bool:
    return any(interface.name == "Node" for interface in graphql_type.interfaces)


def _is_connection(graphql_type: GraphQLObjectType) -> bool:
    return graphql_type.name.endswith("Connection") and "pageInfo" in graphql_type.fields


def _is_edge(graphql_type: GraphQLObjectType) -> bool:
    return graphql_type.name.endswith("Edge") and "cursor" in graphql_type.fields


def _named(graphql_type: GraphQLOutputType) -> Any:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def _is_id(graphql_type: GraphQLOutputType) -> bool:
    named = _named(graphql_type)
    return isinstance(named, GraphQLScalarType) and named.name == "ID"


# Column types whose JSON is already what graphql-core serializes (the column's SQL type is
# the field's: text for String, boolean, integer for Int).
_EXACT_SCALARS = ("String", "Boolean", "Int")
# A column of a row (``r1.tempo``): cheap to name more than once.
_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*")


def serialized(expression: str, graphql_type: GraphQLOutputType) -> str | None:
    """SQL of the JSON the executor answers for a column ``expression`` in a field of
    ``graphql_type``; None when beyond this (objects, custom scalars but DateTime)."""
    inner = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
    element = inner.of_type if isinstance(inner, GraphQLList) else inner
    element = element.of_type if isinstance(element, GraphQLNonNull) else element
    if isinstance(element, GraphQLScalarType):
        if element.name == "DateTime" and element is inner:
            return f"hub_iso({expression})"
        if element.name in _EXACT_SCALARS:
            return expression
        if _COLUMN.fullmatch(expression):
            return stored_json(f"to_jsonb({expression})", graphql_type)
        # The check names its value several times: a computed one (a class's progress, a
        # count's quotient) is computed once, in a subquery, not once per mention.
        return (f"(select {stored_json('to_jsonb(_once.v)', graphql_type)} "
                f"from (select {expression} as v) _once)")
    if isinstance(element, GraphQLEnumType) and element is inner:
        names = {value.value.value if hasattr(value.value, "value") else value.value: name
                 for name, value in element.values.items()}
        if all(stored == name for stored, name in names.items()):
            return expression  # stored as its names
        cases = " ".join(f"when '{stored}' then '{name}'" for stored, name in names.items())
        return f"(case {expression} {cases} end)"
    return None
