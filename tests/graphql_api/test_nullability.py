"""Nullable only where null means something, and the schema says what.

A frontend developer reads a nullable field's type as "handle null here"; without a word on
when, they guard it everywhere or nowhere. So every nullable output field's description says
when it is null ("null when…", "null unless…", "absent…"), and every nullable argument or
input field without a default (or with null for one) says what leaving it out does. The check
walks the schema graphql-core builds (the one the hub serves), plugins' types included, so the
next nullable field is covered without a list to update.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import (
    GraphQLArgument,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
)

from hub.api.schema import build_schema
from hub.plugins import HubPlugins
from tests.graphql_api.test_descriptions import FEDERATION

# How a description says when an output is null: "null when/unless/for…", or absent.
SAYS_WHEN_NULL = re.compile(r"\bnull\b|\babsent\b", re.IGNORECASE)
# How a description says what leaving an input out does: null/omitted, or the default it takes.
SAYS_WHEN_OMITTED = re.compile(r"\bnull\b|\bomit(ted)?\b|\bdefault\b|\bwhen neither\b|\bnot given\b",
                               re.IGNORECASE)


def can_be_null(output: GraphQLOutputType) -> bool:
    """Whether a value of this type, or an item of it when it is a list, may be null."""
    if not isinstance(output, GraphQLNonNull):
        return True
    inner = output.of_type
    return isinstance(inner, GraphQLList) and can_be_null(inner.of_type)


def nullable_outputs(schema: GraphQLSchema) -> Iterator[tuple[str, str]]:
    """(schema coordinate, description) of every field of an object or interface that may be
    null, or hold null items (``nodes: [Node]!``)."""
    for name, named in schema.type_map.items():
        if name.startswith("__") or not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field_name, field in named.fields.items():
            if can_be_null(field.type):
                yield f"{name}.{field_name}", field.description or ""


def optional_inputs(schema: GraphQLSchema) -> Iterator[tuple[str, str]]:
    """(coordinate, description) of every nullable argument and input field whose default, if
    any, is null: the ones a client may leave out without a default value saying what that
    means."""
    def optional(value: GraphQLArgument | GraphQLInputField) -> bool:
        return (not isinstance(value.type, GraphQLNonNull)
                and value.default_value in (Undefined, None))

    for name, named in schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                for arg_name, arg in field.args.items():
                    if optional(arg):
                        yield f"{name}.{field_name}({arg_name}:)", arg.description or ""
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                if optional(input_field):
                    yield f"{name}.{field_name}", input_field.description or ""


def test_every_nullable_field_says_when_it_is_null(plugins: HubPlugins) -> None:
    schema = build_schema(plugins)._schema
    silent = [coordinate for coordinate, description in nullable_outputs(schema)
              if coordinate not in FEDERATION and not SAYS_WHEN_NULL.search(description)]
    assert silent == [], (f"{len(silent)} nullable fields do not say when they are null "
                          "(write \"null when …\", or make the field non-null)")


def test_every_optional_input_says_what_leaving_it_out_does(plugins: HubPlugins) -> None:
    schema = build_schema(plugins)._schema
    silent = [coordinate for coordinate, description in optional_inputs(schema)
              if coordinate not in FEDERATION and not SAYS_WHEN_OMITTED.search(description)]
    assert silent == [], (f"{len(silent)} optional inputs do not say what leaving them out does "
                          "(\"omitted or null: …\", or give a default)")


def test_the_checks_can_fail() -> None:
    # A description that only says what the value is does not say when it is null.
    assert not SAYS_WHEN_NULL.search("When it was finalized.")
    assert SAYS_WHEN_NULL.search("When it was finalized; null while PROPOSED.")
    assert not SAYS_WHEN_OMITTED.search("Only contributions in this state.")
    assert SAYS_WHEN_OMITTED.search("Only contributions in this state; every state when null.")
    assert can_be_null(GraphQLList(GraphQLString))
    assert can_be_null(GraphQLNonNull(GraphQLList(GraphQLString)))  # its items may be null
    assert not can_be_null(GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLString))))
