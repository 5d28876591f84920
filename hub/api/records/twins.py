"""SQL twins of the records slice's computed fields, each declared beside its field in
types.py and queries.py (``metadata=twin(…)``); the stored columns' twins are derived
(hub/api/compiled/derive.py). Visibility is the one rule of hub/domain/records/rules.py.

A plugin's ``details`` fields are twinned when they are plain stored values (no resolver) of a
built-in scalar or enum type, or lists of scalars: they read the stored JSON as
:func:`hub.api.records.details.load_details` does, defaults and unknown enum values included,
and serialize it as the field's type does (hub/api/compiled/stored.py), or leave a value that
does not fit to the executor.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from graphql import GraphQLObjectType, GraphQLOutputType, GraphQLSchema
from strawberry.types.base import get_object_definition

from hub.api.compiled.derive import Reference, RuleSql
from hub.api.compiled.listing import ListingTwin
from hub.api.compiled.plan import Bound, Builder, NotCompilable, Registry, Selection, Spec, literal
from hub.api.compiled.stored import stored_json
from hub.core.errors import BadRequest
from hub.core.relay import decode_id
from hub.domain.community import rules as community
from hub.domain.members.rules import MEMBERS
from hub.domain.records import rules
from hub.plugins import HubPlugins


class RecordById(Spec):
    """``Query.record(id)``: null when missing or not visible; a bad ID is the resolver's."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        try:
            return Bound(values=(decode_id(arguments["id"], "Record"),))
        except BadRequest:
            raise NotCompilable("invalid id") from None

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        r = b.alias("r")
        return (f"(select {b.object('Record', selection.children, r)} from records {r} "
                f"where {r}.id = {b.param(selection, 0, 'bigint')} "
                f"and {rules.VISIBLE.sql(r, b.VIEWER)})")


AUTHOR = Reference(MEMBERS, "author_id")
HEART_COUNT = RuleSql(community.HEART_COUNT)
VIEWER_HEARTED = RuleSql(community.VIEWER_HEARTED.template)
FEED = ListingTwin(rules.FEED)
BY_AUTHOR = ListingTwin(rules.BY_AUTHOR)


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


def details_twins(schema: GraphQLSchema, plugins: HubPlugins) -> Registry:
    """``Record.details`` and the plain stored fields of every enabled plugin's details type
    (derived from the plugins' types: nothing is written per plugin)."""
    registry: Registry = {}
    type_by_media_type = {}
    for key, media_type in plugins.media_types.items():
        type_name = get_object_definition(media_type.details_type, strict=True).name
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
