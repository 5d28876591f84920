"""Operation limits checked before execution: depth, aliases, directives, root fields and cost.

Cost is what a router's demand control would estimate: every field costs 1 for each time it
may be resolved, and a connection's ``first``/``last`` (or the default page size) multiplies
everything selected under it. ``records(first: 100) { nodes { author { records(first: 100)
{ nodes { title } } } } }`` costs about 100 × (1 + 1 + 100 × 2) ≈ 20,000.

Variables are known here (unlike in a cached validation rule), so ``first: $n`` counts with
the value sent. Each rejection names the limit and by how much the operation exceeds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension

from hub.config import Security
from hub.errors import CodedError
from hub.relay import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class LimitExceeded(CodedError):
    code = "OPERATION_TOO_LARGE"


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
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.measures = Measures()

    def walk(
        self, selection_set: SelectionSetNode, parent: Any, depth: int, multiplier: int,
        seen: frozenset[str] = frozenset(),
    ) -> None:
        self.measures.depth = max(self.measures.depth, depth)
        for selection in selection_set.selections:
            self.measures.directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                self._field(selection, parent, depth, multiplier, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                self.walk(selection.selection_set, target, depth, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # validation reports unknown or cyclic fragments
                target = self.schema.get_type(fragment.type_condition.name.value)
                self.walk(fragment.selection_set, target, depth, multiplier, seen | {name})

    def _field(
        self, node: FieldNode, parent: Any, depth: int, multiplier: int, seen: frozenset[str],
    ) -> None:
        if node.name.value.startswith("__"):
            # Introspection is bounded by the schema itself (and switched off in production);
            # GraphiQL's and routers' introspection queries nest ofType deeply.
            if node.name.value in ("__schema", "__type"):  # __typename is no introspection
                self.measures.introspection = True
            return
        if node.alias is not None:
            self.measures.aliases += 1
        self.measures.cost += multiplier
        if node.selection_set is None:
            return
        field = parent.fields.get(node.name.value) if hasattr(parent, "fields") else None
        child_type = get_named_type(field.type) if field is not None else None
        if node.name.value == "_entities":
            size = self._representations(node)
        elif child_type is not None and child_type.name.endswith("Connection"):
            size = self._page_size(node)
        else:
            size = 1
        self.walk(node.selection_set, child_type, depth + 1, multiplier * size, seen)

    def _representations(self, node: FieldNode) -> int:
        # A router's `_entities` call resolves one object per representation (beyond the
        # cap, hub/federation.py refuses the call with its own, more specific message).
        from hub.federation import MAX_REPRESENTATIONS

        for argument in node.arguments or ():
            if argument.name.value != "representations":
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                sent = self.variables.get(value.name.value)
                count = len(sent) if isinstance(sent, list) else 1
            else:
                count = len(getattr(value, "values", ())) or 1
            return min(count, MAX_REPRESENTATIONS)
        return 1

    def _page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                value = self.variables.get(value.name.value)
            elif isinstance(value, IntValueNode):
                value = int(value.value)
            if isinstance(value, int) and value >= 0:
                return min(value, MAX_PAGE_SIZE)  # larger pages are refused by the resolver
        return DEFAULT_PAGE_SIZE


def measure(
    schema: GraphQLSchema, document: Any, variables: dict[str, Any] | None,
    operation_name: str | None,
) -> Measures | None:
    """The measures of the operation that will run, or None if it cannot be determined
    (validation then reports the problem)."""
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations
              if operation_name is None or (o.name and o.name.value == operation_name)]
    if len(chosen) != 1:
        return None
    operation = chosen[0]
    root = schema.get_root_type(operation.operation)
    if not isinstance(root, GraphQLObjectType):
        return None
    walker = _Walker(schema, fragments, variables or {})
    walker.measures.directives += len(operation.directives or ())
    walker.walk(operation.selection_set, root, 1, 1)
    walker.measures.root_fields = _count_root_fields(operation.selection_set, fragments)
    return walker.measures


def _count_root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode],
) -> int:
    def fields(selections: SelectionSetNode, seen: frozenset[str]) -> Iterator[FieldNode]:
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from fields(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen:
                    yield from fields(fragments[name].selection_set, seen | {name})

    return sum(1 for _ in fields(selection_set, frozenset()))


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
                limit=name, value=value, maximum=limit,
            )


class OperationLimits(SchemaExtension):
    """Measures each operation after parsing and refuses it before validation and execution
    when it is too deep, too wide or too costly, or asks for introspection where it is off.

    The limits come from the request context's settings, so one schema (built once per
    process) serves hubs with different settings.
    """

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        settings = getattr(execution.context, "settings", None)
        document = execution.graphql_document
        if settings is not None and document is not None:
            security: Security = settings.security
            measures = measure(
                execution.schema._schema, document, execution.variables, execution.operation_name
            )
            if measures is not None:
                if measures.introspection and not security.introspection:
                    raise CodedError("Introspection is disabled on this hub.",
                                     code="INTROSPECTION_DISABLED")
                check(measures, security)
        yield

