"""From a GraphQL operation to one SQL statement that builds its whole ``data`` as JSON.

Compiling (once per document): the operation's selections are resolved against the schema
into a tree of :class:`Selection`, each field paired with its :class:`Spec` — its SQL twin,
declared by the slice that owns the type (``hub/<slice>/compiled.py``). A field without a
twin, a directive, a mutation or a subscription makes the document :class:`NotCompilable`.

Per request: variables are coerced as graphql-core coerces them, every field with arguments
binds them (:meth:`Spec.bind` validates exactly as the resolver does, and raises
:class:`NotCompilable` where the resolver would answer with an error), and the tree renders
into SQL — cached per argument *shape* (which optional arguments are given), so a plan's
statement text, and therefore PostgreSQL's prepared plan, is reused across requests. A plan
keeps its :data:`STATEMENTS_PER_PLAN` most recently used shapes: clients send a few shapes of a
document, and one that sends thousands must not grow the process.

Parameter ``$1`` is the viewer's member id; each field's bound values follow, in the tree's
pre-order. An anonymous viewer's statement names no ``$1``: it is rendered apart, with the
viewer as the constant ``null::bigint`` (see :class:`Builder`). A field may leave its values,
or a whole sub-tree, out of its SQL (``ancestors(maxDepth: 0)`` is ``[]``), so the finished
text is renumbered and a request passes exactly the values the text names
(:class:`Statement`): never one PostgreSQL could not type.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
    is_abstract_type,
)
from graphql.execution.values import get_variable_values

from hub.api.compiled.arguments import ArgumentReader, arguments_of, reader_of
from hub.core.rules import ANYONE

# json_build_object takes at most 100 arguments: 50 keys.
MAX_KEYS_PER_OBJECT = 50

# Statements (argument shapes) kept per plan, least recently used dropped first.
STATEMENTS_PER_PLAN = 16


class NotCompilable(Exception):
    """The operation, or this request's arguments, take the ordinary executor instead."""


@dataclass(frozen=True)
class Bound:
    """A field's arguments as SQL wants them: ``shape`` decides the statement's text,
    ``values`` are its parameters (in the order the spec numbers them)."""

    shape: Hashable = ()
    values: tuple[Any, ...] = ()

    def parts(self) -> tuple[Any, ...]:
        """``shape``, for a spec that bound a tuple and unpacks it."""
        assert isinstance(self.shape, tuple), self.shape
        return self.shape


NO_ARGUMENTS = Bound()


class Spec:
    """How one GraphQL field is answered in SQL. Slices subclass it in their ``compiled.py``."""

    # False for a field whose value never holds its selections (always null), which therefore
    # need no twins.
    renders_selections = True

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        """Validate the field's coerced arguments as its resolver would; raise
        :class:`NotCompilable` wherever the resolver would answer with an error."""
        return NO_ARGUMENTS

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        """An SQL expression of the field's JSON value, for the parent row aliased ``row``."""
        raise NotImplementedError


class Part(Spec):
    """A field its parent's spec renders itself (a connection's ``edges``, ``pageInfo``…)."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        raise AssertionError(f"{selection.name} is rendered by its parent field")


class Typename(Spec):
    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        return literal(selection.parent_type)


TYPENAME = Typename()


class AlwaysNull(Spec):
    """A field the compiled path always answers with null (e.g. the anonymous visitor's
    ``viewerEnrollment``)."""

    renders_selections = False

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        return "null::json"


class Column(Spec):
    """A field that is an expression over its parent row: ``template`` names it ``{row}``."""

    def __init__(self, template: str) -> None:
        self.template = template

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        return self.template.format(row=row)


def literal(text: str) -> str:
    """``text`` (a GraphQL name, a media-type key) as an SQL string constant."""
    return "'" + text.replace("'", "''") + "'::text"


@dataclass
class Selection:
    """One field of the operation, with what it selects."""

    key: str  # the response key: the alias, or the field's name
    name: str
    parent_type: str
    spec: Spec
    node: FieldNode
    definition: GraphQLField | None
    children: list[Selection] = field(default_factory=list)
    # For a union or interface: the selections that apply to each possible type.
    variants: dict[str, list[Selection]] = field(default_factory=dict)
    slot: int | None = None  # index of this field's Bound, when the field takes arguments
    arguments: ArgumentReader | None = None  # how a request's arguments are read (slot set)

    def walk(self) -> Iterator[Selection]:
        yield self
        for child in self.children:
            yield from child.walk()
        for selections in self.variants.values():
            for child in selections:
                yield from child.walk()


class Builder:
    """Renders a tree into SQL for one argument shape and one kind of viewer.

    ``VIEWER`` is what twins write for the viewer's id: the placeholder ``$1`` for a signed-in
    viewer, the constant ``null::bigint`` for an anonymous one. Every signed-in branch of a
    rule is guarded by ``{viewer} is not null`` (hub/core/rules.py:of_viewer); with the
    constant, PostgreSQL folds that guard to false while planning and never plans the
    subqueries behind it, so an anonymous page is planned as small as the public rules it
    really reads, instead of carrying every viewer's conditions.
    """

    SIGNED_IN = "$1::bigint"

    def __init__(self, bound: list[Bound], anonymous: bool = False) -> None:
        self.VIEWER = ANYONE if anonymous else self.SIGNED_IN
        self.bound_values = bound
        self.first_parameter = []
        next_parameter = 2
        for arguments in bound:
            self.first_parameter.append(next_parameter)
            next_parameter += len(arguments.values)
        self.aliases = 0

    def bound(self, selection: Selection) -> Bound:
        assert selection.slot is not None, f"{selection.name} takes no arguments"
        return self.bound_values[selection.slot]

    def param(self, selection: Selection, index: int, cast: str) -> str:
        """The placeholder of the ``index``-th value :meth:`Spec.bind` returned, typed
        ``cast`` (numbered over every bound value; :meth:`Statement.numbered` renumbers)."""
        assert selection.slot is not None
        assert index < len(self.bound_values[selection.slot].values), \
            f"{selection.name} renders a value its bind did not return"
        return f"${self.first_parameter[selection.slot] + index}::{cast}"

    def alias(self, prefix: str) -> str:
        self.aliases += 1
        return f"{prefix}{self.aliases}"

    def object(self, type_name: str, selections: list[Selection], row: str) -> str:
        """``json_build_object`` of ``selections`` over the row ``row`` of ``type_name``."""
        parts = [f"{literal(s.key)}, {s.spec.sql(s, row, self)}" for s in selections]
        return f"json_build_object({', '.join(parts)})"


# A string constant or a placeholder: twins write standard 'constants' only (no comments, no
# dollar quoting, no E'' strings), so a $ outside them is a placeholder.
_CONSTANT_OR_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\$(\d+)")


@dataclass(frozen=True)
class Statement:
    """A statement's text and, for each of its placeholders ``$1…$n`` in turn, the index of
    its value among the request's values (the viewer's id, then every Bound's values)."""

    text: str
    values: tuple[int, ...]

    @classmethod
    def numbered(cls, text: str) -> Statement:
        """``text`` (placeholders numbered as :class:`Builder` numbers every value) with the
        placeholders it names renumbered ``$1…$n``: those it leaves out are passed no value."""
        named = sorted({int(match[1]) for match in _CONSTANT_OR_PLACEHOLDER.finditer(text)
                        if match[1]})
        renumbered = {number: position for position, number in enumerate(named, 1)}

        def renumber(match: re.Match[str]) -> str:
            return match[0] if match[1] is None else f"${renumbered[int(match[1])]}"

        return cls(_CONSTANT_OR_PLACEHOLDER.sub(renumber, text),
                   tuple(number - 1 for number in named))

    def parameters(self, viewer_id: int | None, bound: list[Bound]) -> list[Any]:
        """The values of this statement's placeholders, from one request's binding."""
        every = [viewer_id, *(value for arguments in bound for value in arguments.values)]
        return [every[index] for index in self.values]


@dataclass
class Plan:
    """A compiled operation: its tree and its statements, one per argument shape."""

    operation: OperationDefinitionNode
    document: DocumentNode
    roots: list[Selection]
    with_arguments: list[Selection]
    statements: LRUCache[tuple[Hashable, ...], Statement] = field(
        default_factory=lambda: LRUCache(maxsize=STATEMENTS_PER_PLAN)
    )

    def bind(
        self, schema: GraphQLSchema, variables: dict[str, Any], viewer_id: int | None,
        coerced: Any = None, fold_anonymous: bool = True,
    ) -> tuple[str, list[Any]]:
        """The statement and its parameters for one request. ``coerced``: the variables as
        the front door coerced them (hub/api/limits.py:coerce_variables), when it did.
        ``fold_anonymous=False``: an anonymous viewer gets the signed-in text with a null
        ``$1`` (the same answer), so one statement serves viewers of both kinds
        (hub/api/live/)."""
        if coerced is None:
            coerced = get_variable_values(
                schema, self.operation.variable_definitions or (), variables
            )
        if isinstance(coerced, list):
            raise NotCompilable("variables")  # the ordinary path words the errors
        try:
            bound = [
                s.spec.bind(arguments_of(s.definition, s.node, s.arguments, coerced), viewer_id)
                for s in self.with_arguments
                if s.definition is not None  # all of them: only fields with arguments are here
            ]
        except GraphQLError:
            raise NotCompilable("arguments") from None
        anonymous = viewer_id is None and fold_anonymous
        shape = (anonymous, *(arguments.shape for arguments in bound))
        statement = self.statements.get(shape)
        if statement is None:
            statement = self.statements[shape] = self.render(bound, anonymous)
        return statement.text, statement.parameters(viewer_id, bound)

    def render(self, bound: list[Bound], anonymous: bool = False) -> Statement:
        b = Builder(bound, anonymous)
        # Signed in, naming $1 here types it even when no field asks for the viewer;
        # anonymous, VIEWER is the constant and the statement has no $1 (Statement.numbered
        # renumbers the argument placeholders from $1).
        return Statement.numbered(
            f"select {b.object('Query', self.roots, '')} from (select {b.VIEWER}) as viewer")


Registry = dict[tuple[str, str], Spec]


def compile_operation(
    schema: GraphQLSchema, registry: Registry, document: DocumentNode,
    operation_name: str | None,
) -> Plan:
    """The plan of a validated document's operation; :class:`NotCompilable` otherwise."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        raise NotCompilable("only queries are compiled")
    if operation.directives:
        raise NotCompilable("directives")
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    collector = _Collector(schema, registry, fragments)
    query_type = schema.query_type
    assert query_type is not None
    roots = collector.collect(query_type, operation.selection_set)
    with_arguments: list[Selection] = []
    for root in roots:
        for selection in root.walk():
            if selection.definition is not None and selection.definition.args:
                selection.slot = len(with_arguments)
                selection.arguments = reader_of(selection.definition, selection.node)
                with_arguments.append(selection)
    return Plan(operation, document, roots, with_arguments)


@dataclass
class _Collector:
    schema: GraphQLSchema
    registry: Registry
    fragments: dict[str, FragmentDefinitionNode]

    def collect(self, parent: GraphQLObjectType, selection_set: SelectionSetNode,
                ) -> list[Selection]:
        by_key: dict[str, Selection] = {}
        for node in self._fields(parent, selection_set):
            key = node.alias.value if node.alias else node.name.value
            earlier = by_key.get(key)
            if earlier is not None:
                # The same leaf asked twice (fragments often repeat `id`) is one field; merging
                # sub-selections is left to the ordinary executor.
                if node.selection_set is None and not node.arguments \
                        and earlier.node.selection_set is None and not earlier.node.arguments:
                    continue
                raise NotCompilable(f"{key} is selected twice")
            by_key[key] = self._selection(parent, node, key)
        if len(by_key) > MAX_KEYS_PER_OBJECT:
            raise NotCompilable(f"more than {MAX_KEYS_PER_OBJECT} fields on one object")
        return list(by_key.values())

    def _fields(self, parent: GraphQLObjectType, selection_set: SelectionSetNode,
                ) -> Iterator[FieldNode]:
        for node in selection_set.selections:
            if node.directives:
                raise NotCompilable("directives")  # @skip/@include stay with the executor
            if isinstance(node, FieldNode):
                yield node
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else None
                if condition is None or self._applies(condition, parent):
                    yield from self._fields(parent, node.selection_set)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                if self._applies(fragment.type_condition.name.value, parent):
                    yield from self._fields(parent, fragment.selection_set)

    def _applies(self, condition: str, parent: GraphQLObjectType) -> bool:
        if condition == parent.name:
            return True
        condition_type = self.schema.get_type(condition)
        return is_abstract_type(condition_type) and self.schema.is_sub_type(
            condition_type, parent
        )

    def _selection(self, parent: GraphQLObjectType, node: FieldNode, key: str) -> Selection:
        name = node.name.value
        if name == "__typename":
            return Selection(key, name, parent.name, TYPENAME, node, None)
        spec = self.registry.get((parent.name, name))
        if spec is None:
            raise NotCompilable(f"{parent.name}.{name} has no SQL twin")
        definition = parent.fields[name]
        selection = Selection(key, name, parent.name, spec, node, definition)
        if node.selection_set is not None and spec.renders_selections:
            named = get_named_type(definition.type)
            if isinstance(named, GraphQLObjectType):
                selection.children = self.collect(named, node.selection_set)
            else:
                for possible in self.schema.get_possible_types(named):
                    try:
                        selection.variants[possible.name] = self.collect(possible,
                                                                         node.selection_set)
                    except NotCompilable:
                        # A spec that knows each request's type (``node``) renders only the
                        # types it can; the others send that request to the executor.
                        if not getattr(spec, "partial_variants", False):
                            raise
        return selection
