"""The Class Projects part of the schema documents itself: every type, field, argument, input
field and enum value the slice defines has a description (read by frontend developers and by
their code generators)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType

from hub.api.schema import build_schema
from hub.plugins import create_plugins
from tests.hubprocess import FIRST_PARTY_PLUGINS

SLICE = "hub.api.classes"


def _module(extensions: Any) -> str:
    definition = (extensions or {}).get("strawberry-definition")
    resolver = getattr(definition, "base_resolver", None)
    if resolver is not None:
        return str(getattr(resolver.wrapped_func, "__module__", ""))
    return str(getattr(getattr(definition, "origin", None), "__module__", "") or "")


def undescribed() -> list[str]:
    schema = build_schema(create_plugins(only=FIRST_PARTY_PLUGINS))._schema
    missing = []
    for graphql_type in schema.type_map.values():
        ours = _module(graphql_type.extensions).startswith(SLICE)
        if ours and not graphql_type.description:
            missing.append(graphql_type.name)
        if isinstance(graphql_type, GraphQLEnumType) and ours:
            missing += [f"{graphql_type.name}.{name}" for name, value
                        in graphql_type.values.items() if not value.description]
        if not isinstance(graphql_type, GraphQLObjectType | GraphQLInputObjectType):
            continue
        for name, field in graphql_type.fields.items():
            if not (ours or _module(field.extensions).startswith(SLICE)):
                continue  # e.g. Query's fields of other slices
            if not field.description:
                missing.append(f"{graphql_type.name}.{name}")
            missing += [f"{graphql_type.name}.{name}({argument_name})" for argument_name, argument
                        in getattr(field, "args", {}).items() if not argument.description]
    return missing


def test_every_class_projects_type_field_argument_and_value_is_described() -> None:
    assert undescribed() == []


def test_the_check_sees_the_slice() -> None:
    """The walk finds the slice's types and its fields on Query and Mutation (so an empty
    answer above means described, not unseen)."""
    schema = build_schema(create_plugins(only=FIRST_PARTY_PLUGINS))._schema
    assert _module(schema.type_map["Class"].extensions).startswith(SLICE)
    assert _module(schema.type_map["ClassStatus"].extensions).startswith(SLICE)
    assert _module(schema.query_type.fields["classes"].extensions).startswith(SLICE)
    assert _module(schema.mutation_type.fields["enroll"].extensions).startswith(SLICE)
