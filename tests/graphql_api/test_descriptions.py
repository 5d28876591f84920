"""Every element of the schema a frontend developer reads is described: each type, field,
argument, input field and enum value (what it is, units, who may see it, when it is null).
The check walks the schema graphql-core builds (the one the hub serves and `recordhub schema`
prints), so a description Strawberry drops or a plugin forgets is caught too."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from hub.api.schema import build_schema
from hub.plugins import HubPlugins
from tests.api import Api

# Elements the hub does not define, so cannot describe: Apollo Federation's subgraph contract
# (added by Strawberry's federation support and read by routers, not by frontends; the
# federation spec defines them) and introspection's own types (`__Type`..., described by the
# GraphQL spec). Standard scalars and directives carry graphql-core's descriptions.
FEDERATION = {
    "_Any": "the federation representation scalar",
    "_Entity": "the union of entity types that Query._entities answers",
    "_Service": "the type of Query._service",
    "_Service.sdl": "the subgraph SDL for composition",
    "_FieldSet": "the selection-set scalar of @key",
    "Query._entities": "the router's entity lookup",
    "Query._entities(representations:)": "the router's entity lookup",
    "Query._service": "the router's SDL fetch",
    "link__Import": "the @link import scalar",
    "link__Purpose": "the @link purpose enum",
    "link__Purpose.SECURITY": "the @link purpose enum",
    "link__Purpose.EXECUTION": "the @link purpose enum",
}
FEDERATION_DIRECTIVES = {"key", "link", "shareable", "cost", "listSize"}


def elements(schema: GraphQLSchema) -> Iterator[tuple[str, str | None]]:
    """(schema coordinate, description) of every type, field, argument, input field, enum
    value and directive argument."""
    for name, named in schema.type_map.items():
        if name.startswith("__"):
            continue
        yield name, named.description
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                yield f"{name}.{field_name}", field.description
                for arg_name, arg in field.args.items():
                    yield f"{name}.{field_name}({arg_name}:)", arg.description
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                yield f"{name}.{field_name}", input_field.description
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                yield f"{name}.{value_name}", value.description
    for directive in schema.directives:
        if directive.name in FEDERATION_DIRECTIVES:
            continue
        yield f"@{directive.name}", directive.description
        for arg_name, arg in directive.args.items():
            yield f"@{directive.name}({arg_name}:)", arg.description


def test_every_type_field_argument_and_enum_value_is_described(plugins: HubPlugins) -> None:
    schema = build_schema(plugins)._schema
    missing = [coordinate for coordinate, description in elements(schema)
               if not (description or "").strip() and coordinate not in FEDERATION]
    assert missing == [], f"{len(missing)} schema elements have no description"


def test_the_exemptions_still_exist(plugins: HubPlugins) -> None:
    # An exemption for an element that is gone would hide nothing; drop it instead.
    coordinates = dict(elements(build_schema(plugins)._schema))
    assert sorted(set(FEDERATION) - set(coordinates)) == []


def test_datetime_says_iso_8601_in_utc(plugins: HubPlugins) -> None:
    description = build_schema(plugins)._schema.type_map["DateTime"].description or ""
    assert "ISO 8601" in description and "UTC" in description


async def test_descriptions_reach_clients_through_introspection(api: Api) -> None:
    data = await api.gql("""{
      __type(name: "ErrorCode") { description enumValues { name description } }
    }""")
    error_code = data["__type"]
    assert error_code["description"]
    conflict = next(v for v in error_code["enumValues"] if v["name"] == "CONFLICT")
    assert "expectedVersion" in conflict["description"]
