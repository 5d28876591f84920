"""SQL twins of the records slice's fields, for the compiled query path (hub/compiled/).

Each twin answers exactly what its resolver in types.py/queries.py answers, permission rules
included (:func:`visible` is :func:`hub.records.types.visible` in SQL). A plugin's ``details``
fields are twinned when they are plain stored values (no resolver) of a built-in scalar or enum
type, or lists of scalars: they read the stored JSON as :func:`hub.records.details.load_details`
does, defaults and unknown enum values included, and serialize it as the field's type does
(hub/compiled/stored.py), or leave a value that does not fit to the executor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import orjson
from graphql import GraphQLObjectType, GraphQLOutputType, GraphQLSchema

from hub.api.compiled.plan import Bound, Builder, Column, NotCompilable, Registry, Selection, Spec, literal
from hub.api.compiled.sql import (
    KeysetOrder,
    after_placeholders,
    connection,
    connection_parts,
    page_limit,
    page_of,
)
from hub.api.compiled.stored import stored_json
from hub.api.limits import checked_search
from hub.core.errors import BadRequest
from hub.core.relay import decode_id
from hub.plugins import HubPlugins

_TIMESTAMP_CURSOR = """'["' || hub_iso({t}.created_at) || '",' || {t}.id || ']'"""
# The twins of hub.records.store.ORDERINGS (TITLE pages take the ordinary path).
ORDERS = {
    "NEWEST": KeysetOrder(("{t}.created_at", "{t}.id"), ("timestamptz", "bigint"), True,
                          _TIMESTAMP_CURSOR),
    "OLDEST": KeysetOrder(("{t}.created_at", "{t}.id"), ("timestamptz", "bigint"), False,
                          _TIMESTAMP_CURSOR),
}


def visible(row: str) -> str:
    """hub.records.types.visible: published, or the viewer's own; never deleted."""
    return (f"({row}.deleted_at is null and ({row}.status = 'PUBLISHED' "
            f"or {row}.author_id is not distinct from {Builder.VIEWER}))")


def record_object(selection: Selection, row: str, b: Builder) -> str:
    return b.object("Record", selection.children, row)


class ThisRecord(Spec):
    """A field whose value is the record of the row itself (an edge's ``node``)."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        return record_object(selection, row, b)


class Author(Spec):
    """The member credited for the row's record (``{row}.author_id``)."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        from hub.api.members.twins import member_by_id

        return member_by_id(selection, f"{row}.author_id", b)


class RecordById(Spec):
    """``Query.record(id)``: null when missing or not visible; a bad ID is the resolver's."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        try:
            return Bound(values=(decode_id(arguments["id"], "Record"),))
        except BadRequest:
            raise NotCompilable("invalid id") from None

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        r = b.alias("r")
        return (f"(select {record_object(selection, r, b)} from records {r} "
                f"where {r}.id = {b.param(selection, 0, 'bigint')} and {visible(r)})")


def order_of(arguments: dict[str, Any]) -> tuple[str, KeysetOrder]:
    value = arguments.get("orderBy")
    name = "NEWEST" if value is None else getattr(value, "value", value)
    if name not in ORDERS:
        raise NotCompilable(f"{name} order")
    return name, ORDERS[name]


def _input_value(filter_: Any, name: str, python_name: str) -> Any:
    if isinstance(filter_, dict):
        return filter_.get(name)
    return getattr(filter_, python_name, None)


class Feed(Spec):
    """``Query.records``: published records, filtered, in pages (queries.py, store.py)."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        order_name, order = order_of(arguments)
        limit, after = page_of(arguments, order)
        filter_ = arguments.get("filter") or {}
        media_type = _input_value(filter_, "mediaType", "media_type")
        author = _input_value(filter_, "author", "author")
        tag = _input_value(filter_, "tag", "tag")
        search = _input_value(filter_, "search", "search")
        try:
            author_id = decode_id(author, "Member") if author else None
            checked_search(search)
        except BadRequest:
            # The executor words the error (an invalid author, a search over its caps).
            raise NotCompilable("refused filter") from None
        given = (
            media_type or None,
            author_id,
            tag.strip().lower() if tag else None,
            search.strip() if search and search.strip() else None,
        )
        shape = (order_name, after is not None, limit, *(value is not None for value in given))
        return Bound(shape, (limit, *(after or ()), *(v for v in given if v is not None)))

    def conditions(self, selection: Selection, t: str, b: Builder, first: int) -> list[str]:
        _, _, _, *given = b.bound(selection).shape
        templates = ("{t}.media_type = {p}", "{t}.author_id = {p}",
                     "{t}.tags @> array[{p}]::text[]",
                     # A subquery: evaluated once, also in a generic plan (which would
                     # otherwise parse the search text again for every candidate row).
                     "{t}.search @@ (select websearch_to_tsquery('english', {p}))")
        casts = ("text", "bigint", "text", "text")
        conditions = [f"{t}.status = 'PUBLISHED'", f"{t}.deleted_at is null"]
        for present, template, cast in zip(given, templates, casts, strict=True):
            if present:
                conditions.append(template.format(t=t, p=b.param(selection, first, cast)))
                first += 1
        return conditions

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        order_name, has_after = b.bound(selection).shape[:2]
        after_count = len(ORDERS[order_name].casts) if has_after else 0
        return records_page(
            selection, b, order_name, has_after,
            lambda t: self.conditions(selection, t, b, 1 + after_count),
        )


def records_page(
    selection: Selection, b: Builder, order_name: str, has_after: bool,
    conditions: Callable[[str], list[str]],
) -> str:
    """A connection of records, bound as ``(limit, *after values, …)`` with the limit in its
    shape (page_limit): ``conditions(alias)``
    filters the page and its ``totalCount`` alike."""
    order = ORDERS[order_name]
    r, counted = b.alias("r"), b.alias("r")
    page_conditions = conditions(r)
    if has_after:
        page_conditions.append(order.after(r, after_placeholders(selection, b, order, 1)))
    return connection(
        selection, b, columns=f"{r}.*",
        source=f"records {r} where {' and '.join(page_conditions)}",
        order=order, keys_alias=r, limit=page_limit(selection, b),
        has_previous=has_after, node=record_object,
        count=(f"(select count(*) from records {counted} "
               f"where {' and '.join(conditions(counted))})"),
    )


class Details(Spec):
    """``Record.details``: the enabled plugin's object for the record's media type, else null."""

    def __init__(self, type_by_media_type: dict[str, str]) -> None:
        self.type_by_media_type = type_by_media_type

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        branches = [
            f"when {literal(key)} then {b.object(type_name, selection.variants[type_name], row)}"
            for key, type_name in self.type_by_media_type.items()
            if type_name in selection.variants
        ]
        if not branches:
            return "null::json"
        return f"(case {row}.media_type {' '.join(branches)} else null end)"


RECORD_COLUMNS = {
    "id": "hub_global_id('Record', {row}.id)",
    "title": "{row}.title",
    "description": "{row}.description",
    "mediaType": "{row}.media_type",
    "tags": "{row}.tags",
    "license": "{row}.license",
    "status": "{row}.status",
    "version": "{row}.version",
    "tombstone": "({row}.deleted_at is not null)",
    "createdAt": "hub_iso({row}.created_at)",
    "updatedAt": "hub_iso({row}.updated_at)",
    "publishedAt": "hub_iso({row}.published_at)",
}


def specs(schema: GraphQLSchema, plugins: HubPlugins) -> Registry:
    registry: Registry = {("Record", name): Column(template)
                          for name, template in RECORD_COLUMNS.items()}
    registry[("Record", "author")] = Author()
    registry[("Query", "record")] = RecordById()
    registry[("Query", "records")] = Feed()
    registry.update(connection_parts("RecordConnection"))
    registry[("RecordEdge", "cursor")] = Column("{row}._cursor")
    registry[("RecordEdge", "node")] = ThisRecord()
    type_by_media_type = {}
    for key, media_type in plugins.media_types.items():
        type_name = media_type.details_type.__strawberry_definition__.name
        type_by_media_type[key] = type_name
        registry.update(_details_columns(schema, type_name))
    registry[("Record", "details")] = Details(type_by_media_type)
    return registry


def _details_columns(schema: GraphQLSchema, type_name: str) -> Registry:
    graphql_type = schema.get_type(type_name)
    assert isinstance(graphql_type, GraphQLObjectType)
    registry: Registry = {}
    for graphql_name, graphql_field in graphql_type.fields.items():
        # Strawberry keeps each field's definition on the GraphQL field it built.
        strawberry_field = (graphql_field.extensions or {}).get("strawberry-definition")
        if strawberry_field is None or strawberry_field.base_resolver is not None:
            continue  # computed fields stay with the executor
        spec = StoredDetail(strawberry_field.python_name, _default(strawberry_field),
                            graphql_field.type)
        if spec.sql_of("r") is not None:
            registry[(type_name, graphql_name)] = spec
    return registry


def _default(strawberry_field: Any) -> Any:
    if strawberry_field.default is not dataclasses.MISSING:
        return strawberry_field.default
    if strawberry_field.default_factory is not dataclasses.MISSING:
        return strawberry_field.default_factory()
    return None


class StoredDetail(Spec):
    """A plain stored field of a details type, read from ``{row}.details`` as load_details
    reads it (a missing key is the field's default; an unknown key is not shown) and
    serialized as its GraphQL type serializes it (hub/compiled/stored.py)."""

    def __init__(self, key: str, default: Any, graphql_type: GraphQLOutputType) -> None:
        self.key = key.replace("'", "''")
        # orjson writes an enum default as its value: as load_details would find it stored.
        self.default = orjson.dumps(default).decode().replace("'", "''")
        self.graphql_type = graphql_type

    def sql_of(self, row: str) -> str | None:
        """The SQL, or None when the field's type is beyond the compiled path."""
        stored = f"{row}.details -> '{self.key}'"  # SQL null when missing: a null default
        if self.default != "null":
            stored = f"coalesce({stored}, '{self.default}'::jsonb)"
        return stored_json(stored, self.graphql_type)

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        expression = self.sql_of(row)
        assert expression is not None
        return expression
