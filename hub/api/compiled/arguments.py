"""A compiled field's arguments for one request, read as graphql-core's execution reads them.

Every request of a plan binds the arguments of each field that takes some. graphql-core's
``get_argument_values`` works them out from the document each time (literals coerced again,
defaults looked up again). Most arguments are either literals (or left to their defaults),
which are the same for every request, or a bare ``$variable``, whose value is the request's
coerced variable as it stands.
:func:`reader_of` decides once per plan which is which, and has graphql-core itself coerce the
literals and defaults, once; a field whose arguments nest a variable inside a list or an input
object keeps graphql-core's own reading, as does every case in which it would raise (the reader
returns None and the caller asks graphql-core, which words it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLString,
    NameNode,
    Node,
    VariableNode,
    is_non_null_type,
    is_required_argument,
)
from graphql.execution.values import VariableValues, get_argument_values
from graphql.language import visit
from graphql.language.visitor import BREAK, Visitor


@dataclass(frozen=True)
class _FromVariable:
    out_name: str
    variable: str
    non_null: bool
    required: bool  # non-null without a default: graphql-core refuses it missing
    default: Mapping[str, Any]  # {out_name: default} when the argument has one, else {}


@dataclass(frozen=True)
class ArgumentReader:
    """One field's arguments: the ``constants`` (literals and defaults, coerced once, by
    graphql-core) and the arguments that take a request's variable as it is."""

    constants: Mapping[str, Any]
    from_variables: tuple[_FromVariable, ...]

    def read(self, variables: Mapping[str, Any]) -> dict[str, Any] | None:
        """The arguments for a request's coerced ``variables``; None where graphql-core
        would refuse them (a null or missing value for a non-null argument)."""
        values = dict(self.constants)
        for argument in self.from_variables:
            if argument.variable not in variables:
                if argument.required:
                    return None
                values.update(argument.default)
                continue
            value = variables[argument.variable]
            if value is None and argument.non_null:
                return None
            values[argument.out_name] = value
        return values


def reader_of(definition: GraphQLField, node: FieldNode) -> ArgumentReader | None:
    """The reader of a field's arguments; None when one nests a variable or would not
    coerce (graphql-core then reads them, request by request)."""
    given = {argument.name.value: argument for argument in node.arguments or ()}
    literal: dict[str, GraphQLArgument] = {}
    from_variables: list[_FromVariable] = []
    for name, argument in definition.args.items():
        argument_node = given.get(name)
        if argument_node is None or not isinstance(argument_node.value, VariableNode):
            if argument_node is not None and _has_variable(argument_node.value):
                return None
            literal[name] = argument
            continue
        required = is_required_argument(argument)
        default = {} if required else _read({name: argument}, ())
        if default is None:
            return None
        from_variables.append(_FromVariable(
            argument.out_name or name, argument_node.value.name.value,
            is_non_null_type(argument.type), required, default))
    constants = _read(literal, tuple(given[name] for name in literal if name in given))
    if constants is None:
        return None
    return ArgumentReader(constants, tuple(from_variables))


def _read(arguments: dict[str, GraphQLArgument], nodes: tuple[ArgumentNode, ...],
          ) -> dict[str, Any] | None:
    """graphql-core's reading of ``arguments`` given only the literal ``nodes`` (a missing
    argument takes its default); None when it refuses them."""
    if not arguments:
        return {}
    field = GraphQLField(GraphQLString, args=arguments)
    try:
        return get_argument_values(field, FieldNode(name=NameNode(value="_"), arguments=nodes))
    except GraphQLError:
        return None


def arguments_of(definition: GraphQLField, node: FieldNode, reader: ArgumentReader | None,
                 variables: VariableValues) -> dict[str, Any]:
    """A field's arguments for one request: by its reader, else as graphql-core reads them
    (raising its ``GraphQLError`` for arguments execution would refuse)."""
    if reader is not None:
        values = reader.read(variables.coerced)
        if values is not None:
            return values
    return get_argument_values(definition, node, variables)


class _FindVariable(Visitor):
    found = False

    def enter_variable(self, *_: Any) -> Any:
        self.found = True
        return BREAK


def _has_variable(value_node: Node) -> bool:
    finder = _FindVariable()
    visit(value_node, finder)
    return finder.found
