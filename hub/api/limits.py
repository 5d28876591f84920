"""Operation limits checked before execution: depth, aliases, directives, root fields and cost;
and the caps of free-text search arguments.

Cost is what a router's demand control would estimate: every field costs 1 for each time it
may be resolved, and a list field multiplies everything selected under it by its size, read
from the field's ``@listSize`` directive (hub/federation.py) — one rule, the schema's:

* a *slicing argument* given in the operation (``first``/``last`` of a connection) is the size;
* otherwise the directive's ``assumedSize`` is: the list's hard cap where the resolver has one
  (``ancestors`` 10,000 entries, ``lineageGraph.nodes`` 500, ``nodes(ids:)`` 100, a
  connection's default page of 20), a documented estimate where it has none.

``records(first: 100) { nodes { author { records(first: 100) { nodes { title } } } } }`` costs
1 + 100 × (1 + 1 + 1 + 100 × 2) = 20,301. ``maxDepth`` arguments do not change a lineage list's
price: one generation may already hold the whole cap (a record can have 10,000 direct remixes),
so the cap is the honest size at any depth (``maxDepth`` itself is bounded, 0–50).
Lists of scalars or enums (``tags``, ``skills``) need no size: nothing is selected under them,
so they cost 1 like any leaf.

Variables are coerced exactly as execution coerces them (operation defaults, argument defaults,
input coercion), so ``query($n: Int = 100) { records(first: $n) … }`` sent with ``{}`` costs
what it will run. Each rejection names the limit and by how much the operation exceeds it.

Introspection (``__schema``, ``__type``) is exempt from the cost limit (GraphiQL and routers
need it; the schema bounds it) but not from the alias and depth limits. Its ``ofType`` chains
do not add depth: a type reference is a few wrappers deep, and deeper links answer null.
Pure introspection operations without aliases are answered from a per-schema cache
(hub/api/operation.py), so a router polling the schema costs one execution per schema.

Measures are remembered per parsed document (a compiled plan keeps its document, so the same
operation is walked once): what the walk read from the variables — the values of the slicing
arguments given as variables — is the key of the measures kept for it, so a request with other
sizes is walked again and one with the same sizes is not.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from cachetools import LRUCache
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    VariableNode,
    get_named_type,
    is_leaf_type,
    is_list_type,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.federation.schema_directives import ListSize

from hub.core.config import Security
from hub.core.errors import CodedError
from hub.core.memo import IdentityCache

# Parser-level cap shared by every hub (the other limits are per hub, see hub/limits.py).
MAX_TOKENS = 5_000

# A list field without @listSize is a mistake tests/graphql_api/test_limits.py catches; should one slip
# through, it is priced as a full page.
UNDECLARED_LIST_SIZE = 100


# Introspection results kept per schema (documents without aliases: one full answer each).
INTROSPECTION_CACHE_SIZE = 8
_INTROSPECTION_ROOTS = frozenset({"__schema", "__type", "__typename"})


class LimitExceeded(CodedError):
    code = "OPERATION_TOO_LARGE"


def list_size(field: GraphQLField) -> ListSize | None:
    """The ``@listSize`` the field's definition declares, if any."""
    definition = (field.extensions or {}).get("strawberry-definition")
    for directive in getattr(definition, "directives", None) or ():
        if isinstance(directive, ListSize):
            return directive
    return None


def returns_list(field: GraphQLField) -> bool:
    """Whether the field's value is a list of objects (a list of scalars or enums is a leaf)."""
    field_type = field.type
    while hasattr(field_type, "of_type"):
        if is_list_type(field_type):
            return not is_leaf_type(get_named_type(field_type))
        field_type = field_type.of_type
    return False


@dataclass
class Measures:
    depth: int = 0
    aliases: int = 0
    directives: int = 0
    root_fields: int = 0
    cost: int = 0
    introspection: bool = False


class _Walker:
    def __init__(
        self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
        variables: Any,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables  # coerced, as graphql-core's execution holds them
        self.measures = Measures()
        self.variables_read: set[str] = set()  # what the measures depend on

    def walk(
        self, selection_set: SelectionSetNode, parent: Any, depth: int, multiplier: int,
        seen: frozenset[str] = frozenset(), *, costed: bool = True,
        sized: frozenset[str] = frozenset(),
    ) -> None:
        """Measure a selection set; ``sized`` names its list fields the enclosing field's
        ``@listSize(sizedFields:)`` already priced (a connection's ``edges`` and ``nodes``)."""
        self.measures.depth = max(self.measures.depth, depth)
        for selection in selection_set.selections:
            self.measures.directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                self._field(selection, parent, depth, multiplier, seen, costed, sized)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                self.walk(selection.selection_set, target, depth, multiplier, seen,
                          costed=costed, sized=sized)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # validation reports unknown or cyclic fragments
                target = self.schema.get_type(fragment.type_condition.name.value)
                self.walk(fragment.selection_set, target, depth, multiplier, seen | {name},
                          costed=costed, sized=sized)

    def _field(
        self, node: FieldNode, parent: Any, depth: int, multiplier: int, seen: frozenset[str],
        costed: bool, sized: frozenset[str],
    ) -> None:
        name = node.name.value
        if node.alias is not None:
            self.measures.aliases += 1
        if name in ("__schema", "__type"):  # __typename is no introspection
            self.measures.introspection = True
            costed = False
        if costed and not name.startswith("__"):
            self.measures.cost += multiplier
        if node.selection_set is None:
            return
        field = self._definition(parent, name)
        child_type = get_named_type(field.type) if field is not None else None
        # An introspected type reference's `ofType` chain is a few wrappers deep whatever the
        # query asks (deeper links answer null), so it adds no depth.
        child_depth = depth if name == "ofType" and not costed else depth + 1
        size = 1
        if costed and field is not None and name not in sized:
            size = self._size(node, field)
        declared = list_size(field) if field is not None else None
        sized_children = frozenset(declared.sized_fields or ()) if declared else frozenset()
        self.walk(node.selection_set, child_type, child_depth, multiplier * size, seen,
                  costed=costed, sized=sized_children)

    def _definition(self, parent: Any, name: str) -> GraphQLField | None:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
        fields = getattr(parent, "fields", None)
        return fields.get(name) if fields is not None else None

    def _size(self, node: FieldNode, field: GraphQLField) -> int:
        """How many times the field's selections may be resolved per resolution of the field."""
        if node.name.value == "_entities":
            return self._representations(node, field)
        declared = list_size(field)
        if declared is None:
            return UNDECLARED_LIST_SIZE if returns_list(field) else 1
        slicing = declared.slicing_arguments or ()
        self._note_variables(node, slicing)
        arguments = self._arguments(node, field)
        given = [arguments.get(name) for name in slicing]
        sizes = [value for value in given if isinstance(value, int)]
        if sizes:
            return max(0, max(sizes))
        return declared.assumed_size if declared.assumed_size is not None else 1

    def _note_variables(self, node: FieldNode, names: Any) -> None:
        for argument in node.arguments or ():
            if argument.name.value in names and isinstance(argument.value, VariableNode):
                self.variables_read.add(argument.value.name.value)

    def _arguments(self, node: FieldNode, field: GraphQLField) -> dict[str, Any]:
        try:
            return get_argument_values(field, node, self.variables)
        except GraphQLError:
            self.variables_read.add("*")  # sized by a failure: never remembered
            return {}  # execution refuses these arguments; the declared size stands

    def _representations(self, node: FieldNode, field: GraphQLField) -> int:
        # A router's `_entities` call resolves one object per representation (beyond the
        # cap, hub/federation.py refuses the call with its own, more specific message).
        from hub.api.federation import MAX_REPRESENTATIONS

        self.variables_read.add("*")  # a router's representations: never remembered
        representations = self._arguments(node, field).get("representations")
        count = len(representations) if isinstance(representations, list) else 1
        return min(count, MAX_REPRESENTATIONS)


def coerced_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, variables: dict[str, Any] | None,
) -> Any:
    """The operation's variables as execution will see them (defaults applied, values
    coerced); when they cannot be coerced (execution will refuse them), only the defaults."""
    definitions = operation.variable_definitions or ()
    for inputs in (variables or {}, {}):
        if not isinstance(inputs, dict):
            continue
        coerced = get_variable_values(schema, definitions, inputs)
        if not isinstance(coerced, list):
            return coerced
    return get_variable_values(schema, (), {})


def coerce_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, variables: dict[str, Any] | None,
) -> Any:
    """The request's variables coerced as execution will coerce them (defaults applied):
    graphql-core's ``CoercedVariableValues``; None when they do not coerce (execution then
    refuses them). Coerced once per request (hub/api/operation.py remembers the coercions of
    short scalar values): the limits and the compiled path's binding both read this, and
    neither changes it."""
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    return None if isinstance(coerced, list) else coerced


def measure(
    schema: GraphQLSchema, document: Any, variables: dict[str, Any] | None,
    operation_name: str | None, coerced: Any = None,
) -> Measures | None:
    """The measures of the operation that will run, or None if it cannot be determined
    (validation then reports the problem). ``coerced``: the request's coerced variables
    (:func:`coerce_variables`), when the caller has them. Measures remembered for the
    document are shared: read them, never change them."""
    remembered = _measured.get(document)
    if coerced is not None and remembered is not None and remembered.schema is schema \
            and remembered.operation_name == operation_name:
        known = remembered.by_values.get(remembered.key(coerced))
        if known is not None:
            return known
    operation = chosen_operation(document, operation_name)
    if operation is None:
        return None
    root = schema.get_root_type(operation.operation)
    if not isinstance(root, GraphQLObjectType):
        return None
    if coerced is None:
        coerced = coerced_variables(schema, operation, variables)
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    walker = _Walker(schema, fragments, coerced)
    walker.measures.directives += len(operation.directives or ())
    walker.walk(operation.selection_set, root, 1, 1)
    walker.measures.root_fields = sum(
        1 for _ in _root_fields(operation.selection_set, fragments, frozenset())
    )
    if "*" not in walker.variables_read:
        if remembered is None or remembered.schema is not schema \
                or remembered.operation_name != operation_name:
            remembered = _measured[document] = _Measured(
                schema, operation_name, tuple(sorted(walker.variables_read)))
        remembered.by_values[remembered.key(coerced)] = walker.measures
    return walker.measures


@dataclass
class _Measured:
    """A document's measures, by the values of the variables its walk read."""

    schema: GraphQLSchema
    operation_name: str | None
    variables: tuple[str, ...]
    by_values: LRUCache[tuple[Any, ...], Measures] = field(
        default_factory=lambda: LRUCache(maxsize=MEASURES_PER_DOCUMENT))

    def key(self, coerced: Any) -> tuple[Any, ...]:
        # graphql-core's VariableValues holds the coerced values in ``coerced``.
        values = getattr(coerced, "coerced", coerced)
        if not isinstance(values, dict):
            return (id(coerced),)  # an unknown shape: a key no other request shares
        return tuple(values.get(name) for name in self.variables)


# Parsed documents live as long as the plan or request holding them; their measures with them.
MEASURES_PER_DOCUMENT = 16
_measured: IdentityCache[_Measured] = IdentityCache()


def chosen_operation(document: Any, operation_name: str | None) -> OperationDefinitionNode | None:
    """The operation of ``document`` that ``operation_name`` runs; None when there is no single
    one (validation words the problem)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations
              if operation_name is None or (o.name and o.name.value == operation_name)]
    return chosen[0] if len(chosen) == 1 else None


def _root_fields(
    selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> Iterator[FieldNode]:
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                yield from _root_fields(fragments[name].selection_set, fragments, seen | {name})


def check(measures: Measures, security: Security) -> None:
    """Raise :class:`LimitExceeded` for the first limit the operation breaks."""
    for name, value, limit in (
        ("depth", measures.depth, security.max_depth),
        ("aliases", measures.aliases, security.max_aliases),
        ("directives", measures.directives, security.max_directives),
        ("root fields", measures.root_fields, security.max_root_fields),
        ("cost", measures.cost, security.max_cost),
    ):
        if value > limit:
            raise LimitExceeded(
                f"The operation's {name} is {value:,}, over the limit of {limit:,} "
                f"by {value - limit:,}.",
                # JSON numbers past 2**53 lose precision (and orjson refuses past 2**64).
                limit=name, value=min(value, 2**53), maximum=limit,
            )


# Per schema (one per plugin set), so hubs with other plugins never share an answer.
_introspection_results: weakref.WeakKeyDictionary[Any, LRUCache] = weakref.WeakKeyDictionary()


def _introspection_key(
    document: Any, query: str | None, variables: dict[str, Any] | None,
    operation_name: str | None, measures: Measures,
) -> tuple[str, str | None, bytes] | None:
    """The cache key of a pure introspection operation without aliases, else None."""
    operation = chosen_operation(document, operation_name)
    if query is None or operation is None or measures.aliases or not measures.introspection:
        return None
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    roots = {field.name.value for field in _root_fields(operation.selection_set, fragments,
                                                         frozenset())}
    if not roots <= _INTROSPECTION_ROOTS:
        return None
    try:
        frozen = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    return query, operation_name, frozen
