"""Compiled, multiplexed payloads of ``recordPublished``: an event's payloads for every group
of subscriptions (document, variables, viewer) from one SQL statement per batch of groups.

The subscription's selection is compiled once per document: its ``record { … }`` becomes
``record(id: $hubLiveRecord) { … }`` of a query the compiled path plans
(hub/api/compiled/plan.py: the same twins, tests/graphql_api/test_twins.py compares them with the executor),
beside a probe of the record's ``status`` (a record hidden or unpublished again by delivery
time is not sent, as :func:`hub.api.realtime.subscriptions.record_published`'s own render
decides). The event's own fields (``cursor``, ``occurredAt``, ``__typename``) are the event's.

Per event, each group's statement is bound as for a request — the viewer's id as ``$1``, the
variables after it — with the signed-in text for anonymous groups too (a null ``$1`` answers
as the anonymous text would), and the groups sharing one text are answered by one statement
whose rows carry each group's values as arrays::

    select q.data from unnest($1::bigint[], $2::bigint[]) with ordinality as m(p1, p2, ord)
      cross join lateral (<the group's statement, $n read as m.pn>) as q(data) order by m.ord

A document this cannot compile (a fragment on the event type, a directive, a field without a
twin) is delivered as before: one build per group (hub/realtime/multiplex.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from cachetools import LRUCache
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLResolveInfo,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
)
from strawberry.types import Info

from hub.api.compiled.plan import NotCompilable, Plan, compile_operation
from hub.api.context import Context
from hub.api.scalars import serialize_datetime
from hub.api.streams import _cursor, viewer_class
from hub.core.db import Database
from hub.core.events import Event
from hub.realtime.multiplex import Prebuilt
from hub.realtime.sessions import socket_session

VARIABLE = "hubLiveRecord"
STATUS, RECORD = "hubStatus", "hubRecord"
EVENT_TYPE = "RecordPublishedEvent"
EVENT_FIELDS = frozenset({"cursor", "occurredAt", "__typename", "record"})
PLANS_KEPT = 256
# A placeholder and its cast, outside string constants (twins write standard constants only).
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\$(\d+)(?:::([a-z_][a-z_0-9]*(?:\[\])?))?")

_plans: LRUCache[tuple[int, bytes, str | None, str], LivePlan | None] = LRUCache(PLANS_KEPT)


@dataclass(frozen=True, eq=False)
class LivePlan:
    """A ``recordPublished`` document, compiled: its query plan and how its event fields
    fill the answer."""

    plan: Plan
    schema: Any
    field_key: str  # the subscription field's response key
    event_fields: tuple[tuple[str, str], ...]  # (response key, field name), in order

    def data(self, event: Event, answer: dict[str, Any]) -> dict[str, Any] | None:
        """The subscription's ``data`` for one group's answer; None when not to be sent."""
        probe = answer.get(STATUS)
        if probe is None or probe.get("status") != "PUBLISHED":
            return None
        values: dict[str, Any] = {}
        for key, name in self.event_fields:
            if name == "cursor":
                values[key] = _cursor(event.id or 0)
            elif name == "occurredAt":
                values[key] = serialize_datetime(event.occurred_at)
            elif name == "__typename":
                values[key] = EVENT_TYPE
            else:
                values[key] = answer.get(f"{RECORD}_{key}")
        return {self.field_key: values}

    def bound(self, event: Event, viewer_id: int | None, variables: dict[str, Any],
              ) -> tuple[str, list[Any]]:
        return self.plan.bind(self.schema, {**variables, VARIABLE: event.subject}, viewer_id,
                              fold_anonymous=False)


def live_plan(info: Info) -> LivePlan | None:
    """The compiled plan of this ``recordPublished`` subscription; None when its payloads
    must be built field by field."""
    context: Context = info.context
    compiled = context.compiled
    raw = info._raw_info  # the document's nodes: Strawberry's Info hides them
    operation = raw.operation
    if compiled is None or operation.loc is None or len(raw.field_nodes) != 1:
        return None
    body = operation.loc.source.body.encode("utf-8", "surrogatepass")
    name = operation.name.value if operation.name else None
    key = (id(compiled), hashlib.sha256(body).digest(), name, str(raw.path.key))
    if key in _plans:
        return _plans[key]
    plan = _plans[key] = _compile(compiled.schema, compiled.registry, raw)
    return plan


def _compile(schema: Any, registry: Any, info: GraphQLResolveInfo) -> LivePlan | None:
    node = info.field_nodes[0]
    if node.directives or node.selection_set is None or any(
            d.variable.name.value == VARIABLE for d in info.operation.variable_definitions or ()):
        return None
    event_fields: list[tuple[str, str]] = []
    queried: list[FieldNode] = [_record_field(STATUS, SelectionSetNode(selections=(
        FieldNode(name=NameNode(value="status"), arguments=(), directives=()),)))]
    for selection in node.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives \
                or selection.name.value not in EVENT_FIELDS:
            return None  # fragments on the event type: the executor's
        key = selection.alias.value if selection.alias else selection.name.value
        if any(k == key for k, _ in event_fields):
            return None  # merged selections: the executor's
        event_fields.append((key, selection.name.value))
        if selection.name.value == "record":
            if selection.selection_set is None:
                return None
            queried.append(_record_field(f"{RECORD}_{key}", selection.selection_set))
    variable = VariableDefinitionNode(
        variable=VariableNode(name=NameNode(value=VARIABLE)),
        type=NonNullTypeNode(type=NamedTypeNode(name=NameNode(value="ID"))), directives=())
    query = OperationDefinitionNode(
        operation=OperationType.QUERY, name=None, directives=(),
        variable_definitions=(*(info.operation.variable_definitions or ()), variable),
        selection_set=SelectionSetNode(selections=tuple(queried)))
    fragments: list[FragmentDefinitionNode] = list(info.fragments.values())
    document = DocumentNode(definitions=(query, *fragments))
    try:
        plan = compile_operation(schema, registry, document, None)
    except NotCompilable:
        return None
    return LivePlan(plan, schema, node.alias.value if node.alias else node.name.value,
                    tuple(event_fields))


def _record_field(alias: str, selection_set: SelectionSetNode) -> FieldNode:
    return FieldNode(
        alias=NameNode(value=alias), name=NameNode(value="record"), directives=(),
        arguments=(ArgumentNode(name=NameNode(value="id"),
                                value=VariableNode(name=NameNode(value=VARIABLE))),),
        selection_set=selection_set)


class LiveSubscription:
    """How one subscription's payloads are built with its group's (hub/realtime/batches.py).
    Slotted, and its variables' key shared with every subscription sending the same: a hub
    holds one per subscription, thousands of them."""

    __slots__ = ("context", "live", "variables", "variables_key")

    def __init__(self, context: Context, live: LivePlan, variables: dict[str, Any]) -> None:
        self.context = context
        self.live = live
        self.variables = variables
        key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS, default=repr).decode()
        self.variables_key = _keys.setdefault(key, key)

    @property
    def kind(self) -> int:
        return id(self.live)

    def group(self) -> tuple[Any, ...] | None:
        session = socket_session(self.context)
        if session is not None and (session.stale or session.ended is not None):
            return None  # the viewer is being read again: the subscription builds its own
        return (id(self.live), self.variables_key, viewer_class(self.context))

    def arguments(self) -> tuple[int | None, dict[str, Any]]:
        return self.context.viewer_id, self.variables

    async def run(self, event: Event, groups: Sequence[tuple[int | None, dict[str, Any]]],
                  ) -> list[Prebuilt | None]:
        return await _run(self.context.db, self.live, event, groups)


# Variables' keys, shared: most subscriptions send the same few.
_keys: LRUCache[str, str] = LRUCache(4096)


async def _run(db: Database, live: LivePlan, event: Event,
               groups: Sequence[tuple[int | None, dict[str, Any]]]) -> list[Prebuilt | None]:
    """The payloads of ``groups`` (viewer id, variables) for ``event``: one statement for
    the groups whose statements share a text (all of them, unless their variables take
    different shapes)."""
    answers: list[Prebuilt | None] = [None] * len(groups)
    by_text: dict[tuple[str, bytes], list[tuple[int, list[Any]]]] = {}
    for index, (viewer_id, variables) in enumerate(groups):
        try:
            text, parameters = live.bound(event, viewer_id, variables)
        except NotCompilable:
            continue  # arguments the resolver refuses: nothing to send (as at subscribe)
        multiplexed = _multiplexed(text)
        fixed = b"" if multiplexed is None else orjson.dumps(
            [parameters[n - 1] for n in multiplexed[2]], default=repr)
        by_text.setdefault((text, fixed), []).append((index, parameters))
    for (text, _), members in by_text.items():
        multiplexed = _multiplexed(text)
        if multiplexed is None or len(members) == 1:
            for index, parameters in members:
                answers[index] = _prebuilt(live, event, await db.fetchval(text, *parameters))
            continue
        statement, columns, once = multiplexed
        arrays = [[parameters[n - 1] for _, parameters in members] for n in columns]
        constants = [members[0][1][n - 1] for n in once]
        rows = await db.fetch(statement, *arrays, *constants)
        for (index, _), row in zip(members, rows, strict=True):
            answers[index] = _prebuilt(live, event, row["data"])
    return answers


def _prebuilt(live: LivePlan, event: Event, answer: str | None) -> Prebuilt | None:
    data = live.data(event, orjson.loads(answer)) if answer else None
    return None if data is None else Prebuilt(data)


_statements: LRUCache[str, tuple[str, list[int], list[int]] | None] = LRUCache(PLANS_KEPT)


def _multiplexed(text: str) -> tuple[str, list[int], list[int]] | None:
    """``text`` answering many groups at once: the statement, the placeholders passed as
    arrays of the groups' values (one column each) and those passed once (array-typed
    values: ``unnest`` would flatten them; the batch is split by their values). None when a
    placeholder has no cast to type its column."""
    if text in _statements:
        return _statements[text]
    casts: dict[int, str] = {}
    for match in _PLACEHOLDER.finditer(text):
        if match[1] is None:
            continue
        if not match[2] or casts.setdefault(int(match[1]), match[2]) != match[2]:
            _statements[text] = None
            return None
    columns = sorted(n for n, cast in casts.items() if not cast.endswith("[]"))
    if not columns:
        _statements[text] = None
        return None
    fixed = sorted(n for n, cast in casts.items() if cast.endswith("[]"))
    renumbered = {n: f"${len(columns) + position}" for position, n in enumerate(fixed, 1)}

    def rewrite(match: re.Match[str]) -> str:
        if match[1] is None:
            return match[0]
        n = int(match[1])
        return f"{renumbered[n]}::{match[2]}" if n in renumbered else f"m.p{n}::{match[2]}"

    unnest = ", ".join(f"${position}::{casts[n]}[]" for position, n in enumerate(columns, 1))
    names = ", ".join(f"p{n}" for n in columns)
    statement = (f"select q.data from unnest({unnest}) with ordinality as m({names}, ord) "
                 f"cross join lateral ({_PLACEHOLDER.sub(rewrite, text)}) as q(data) "
                 f"order by m.ord")
    result = _statements[text] = (statement, columns, fixed)
    return result

