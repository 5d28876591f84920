"""A subscription field's declaration (:class:`LiveField`) and a subscription document compiled
by it (:class:`LivePlan`).

The subscriber's selection of each *subject* — an event field holding an object the database
answers (``recordPublished.record``, ``remixCreated.remix``…) — becomes a field of a query the
compiled path plans (hub/api/compiled/plan.py: the same twins, tests/graphql_api/test_twins.py
compares them with the executor): ``hubSubject_<key>: record(id: $hubLive_remix) { … }``,
or ``node(id: …) { ... on Submission { … } }`` for a type only ``node`` reads. Beside them, a
*probe* of each subject reads what the field's own render checks before sending (the record's
``status``, the submission's class), and :attr:`LiveField.sends` decides as that render does.
The event's own fields (``cursor``, ``occurredAt``, ``__typename``, the declaration's
:attr:`LiveField.values`) come from the event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple, Protocol

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    parse,
)

from hub.api.compiled.plan import NotCompilable, Plan, compile_operation
from hub.api.scalars import serialize_datetime
from hub.api.streams import _cursor
from hub.core.events import Event

PROBE, SUBJECT, VARIABLE = "hubProbe_", "hubSubject_", "hubLive_"
# The subjects' answers, by event field: what a probe read (None: missing or not visible).
Seen = Mapping[str, Any]


class Selected(Protocol):
    """The subscription field being planned, in its document: graphql-core's resolve info
    has these, and so does :class:`SubscriptionField` (planned before any execution)."""

    @property
    def field_nodes(self) -> list[FieldNode]: ...

    @property
    def operation(self) -> OperationDefinitionNode: ...

    @property
    def fragments(self) -> dict[str, FragmentDefinitionNode]: ...


class SubscriptionField(NamedTuple):
    """A stand-in for the resolve info of a subscription field not executed (the light path,
    hub/api/realtime/light.py): what planning reads of it."""

    field_nodes: list[FieldNode]
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]


@dataclass(frozen=True)
class Subject:
    """An event field whose object the query field ``query`` (on ``Query``, taking ``id``)
    reads by the id ``id(event)`` — inside ``... on <on>`` when ``query`` answers an interface
    (``node``) — and what its probe reads (GraphQL selections: what the render checks)."""

    query: str
    id: Callable[[Event], Any]
    probe: str = "id"
    on: str | None = None

    def query_field(self, alias: str, variable: str, selection_set: SelectionSetNode) -> FieldNode:
        if self.on is not None:
            selection_set = SelectionSetNode(selections=(InlineFragmentNode(
                type_condition=NamedTypeNode(name=NameNode(value=self.on)), directives=(),
                selection_set=selection_set),))
        return FieldNode(
            alias=NameNode(value=alias), name=NameNode(value=self.query), directives=(),
            arguments=(ArgumentNode(name=NameNode(value="id"),
                                    value=VariableNode(name=NameNode(value=variable))),),
            selection_set=selection_set)

    @cached_property
    def probe_selections(self) -> SelectionSetNode:
        operation = parse(f"{{ {self.probe} }}").definitions[0]
        assert isinstance(operation, OperationDefinitionNode)
        return operation.selection_set


def _nothing_more(event: Event) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class LiveField:
    """How one subscription field's payloads compile: its event type, its subjects (by event
    field), whether a group is sent the event (``sends(event, seen, arguments)``, as the
    field's render decides: ``seen`` the probes' answers, ``arguments`` the field's own, as
    the subscription passed them) and the event's own fields beyond ``cursor`` and
    ``occurredAt`` (``values``: as the response shows them; a subject named there is that
    value, e.g. null)."""

    event_type: str
    subjects: Mapping[str, Subject]
    sends: Callable[[Event, Seen, Any], bool]
    values: Callable[[Event], dict[str, Any]] = _nothing_more

    def variables(self, event: Event) -> dict[str, Any]:
        """The event's subject ids, as the compiled query's variables."""
        return {VARIABLE + name: subject.id(event) for name, subject in self.subjects.items()}


@dataclass(frozen=True, eq=False)
class LivePlan:
    """A subscription document compiled by its field's declaration: its query plan and how
    the event fills the answer."""

    live: LiveField
    plan: Plan
    schema: GraphQLSchema
    field_key: str  # the subscription field's response key
    event_fields: tuple[tuple[str, str], ...]  # (response key, field name), in order

    def data(self, event: Event, answer: dict[str, Any], arguments: Any) -> dict[str, Any] | None:
        """The subscription's ``data`` for one group's answer; None when not to be sent."""
        live = self.live
        seen = {name: answer.get(PROBE + name) for name in live.subjects}
        if not live.sends(event, seen, arguments):
            return None
        values = {"cursor": _cursor(event.id or 0),
                  "occurredAt": serialize_datetime(event.occurred_at),
                  "__typename": live.event_type, **live.values(event)}
        return {self.field_key: {key: values[name] if name in values else answer.get(SUBJECT + key)
                                 for key, name in self.event_fields}}

    def bound(self, event: Event, viewer_id: int | None, variables: dict[str, Any],
              ) -> tuple[str, list[Any]]:
        return self.plan.bind(self.schema, {**variables, **self.live.variables(event)},
                              viewer_id, fold_anonymous=False)


def compile_live(live: LiveField, schema: GraphQLSchema, registry: Any,
                 info: Selected) -> LivePlan | None:
    """The plan of the subscription ``info`` runs, or None when the executor builds its
    payloads (a fragment or directive on the event type, a field without a twin…)."""
    node = info.field_nodes[0]
    defined = {d.variable.name.value for d in info.operation.variable_definitions or ()}
    event_type = schema.get_type(live.event_type)
    assert isinstance(event_type, GraphQLObjectType), live.event_type
    if node.directives or node.selection_set is None \
            or any(name.startswith(VARIABLE) for name in defined):
        return None
    event_fields: list[tuple[str, str]] = []
    queried = {PROBE + name: subject for name, subject in live.subjects.items()}
    fields = [subject.query_field(PROBE + name, VARIABLE + name, subject.probe_selections)
              for name, subject in live.subjects.items()]
    for selection in node.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            return None  # fragments on the event type, @skip/@include: the executor's
        name = selection.name.value
        key = selection.alias.value if selection.alias else name
        if any(k == key for k, _ in event_fields):
            return None  # merged selections: the executor's
        subject = live.subjects.get(name)
        if subject is not None:
            if selection.selection_set is None:
                return None
            queried[SUBJECT + key] = subject
            fields.append(subject.query_field(SUBJECT + key, VARIABLE + name, selection.selection_set))
        elif name != "__typename" and (name not in event_type.fields or selection.arguments
                                       or selection.selection_set is not None):
            return None
        event_fields.append((key, name))
    plan = _plan(schema, registry, info, live, fields)
    # ``node`` leaves out a type whose selection lacks twins, and refuses it per event: such
    # a document's payloads are the executor's from the start.
    if plan is None or any(queried[root.key].on not in (None, *root.variants)
                           for root in plan.roots):
        return None
    return LivePlan(live, plan, schema, node.alias.value if node.alias else node.name.value,
                    tuple(event_fields))


def _plan(schema: GraphQLSchema, registry: Any, info: Selected, live: LiveField,
          queried: list[FieldNode]) -> Plan | None:
    ids = tuple(VariableDefinitionNode(
        variable=VariableNode(name=NameNode(value=VARIABLE + name)), directives=(),
        type=NonNullTypeNode(type=NamedTypeNode(name=NameNode(value="ID"))))
        for name in live.subjects)
    query = OperationDefinitionNode(
        operation=OperationType.QUERY, name=None, directives=(),
        variable_definitions=(*(info.operation.variable_definitions or ()), *ids),
        selection_set=SelectionSetNode(selections=tuple(queried)))
    fragments: list[FragmentDefinitionNode] = list(info.fragments.values())
    try:
        return compile_operation(schema, registry, DocumentNode(definitions=(query, *fragments)),
                                 None)
    except NotCompilable:
        return None
