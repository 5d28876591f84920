"""Compiled, multiplexed subscription payloads: an event's payloads for every group of
subscriptions (document, variables, viewer) from one SQL statement per batch of groups.

Each subscription field that can be compiled declares how (:class:`LiveField`, beside the
field: ``recordPublished``, ``remixCreated``, ``compilationUpdated``, ``lessonSubmissionAdded``
in hub/api/realtime/subscriptions.py): the event's *subjects* (the objects the database
answers, by the ids the event names), what its render checks before sending (a probe of
each subject, and ``sends``), and the event's own fields. A subscription document is compiled
once by its field's declaration (plan.py) into a query the compiled path plans, and per event
every group's statement is run in batches (statements.py: one statement per batch of groups,
each group's viewer and variables passed as arrays).

Visibility stays exact: the viewer's id is each group's ``$1``, every subject is read through
its type's visibility rule, and a subject the group's viewer may not see is not sent — as the
field's render decides, which each declaration restates (``sends``). A document this cannot
compile (a fragment on the event type, a directive, a field without a twin) is delivered as
before: one build per group (hub/realtime/multiplex.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import orjson
from cachetools import LRUCache
from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode
from strawberry.types import Info

from hub.api.context import Context
from hub.api.live.plan import (
    LiveField,
    LivePlan,
    Seen,
    Subject,
    SubscriptionField,
    compile_live,
)
from hub.api.live.statements import Group, run
from hub.api.streams import Allowed, viewer_class
from hub.core.events import Event
from hub.realtime.multiplex import Prebuilt
from hub.realtime.sessions import socket_session

__all__ = ["LiveField", "LivePlan", "LiveSubscription", "Seen", "Subject", "live_plan",
           "live_plan_of", "live_subscription"]

PLANS_KEPT = 256

_plans: LRUCache[tuple[int, int, bytes, str | None, str], LivePlan | None] = LRUCache(PLANS_KEPT)


def live_plan(info: Info, live: LiveField) -> LivePlan | None:
    """The compiled plan of this subscription; None when its payloads must be built field
    by field."""
    raw = info._raw_info  # the document's nodes: Strawberry's Info hides them
    if len(raw.field_nodes) != 1:
        return None
    return live_plan_of(info.context, live, raw.operation, raw.field_nodes[0], raw.fragments)


def live_plan_of(context: Context, live: LiveField, operation: OperationDefinitionNode,
                 node: FieldNode, fragments: dict[str, FragmentDefinitionNode],
                 ) -> LivePlan | None:
    """:func:`live_plan` from the document's nodes, without Strawberry's ``info``: the light
    path (hub/api/realtime/light.py) plans a subscription before (instead of) executing it.
    The same document gets the same plan either way (one cache, one key)."""
    compiled = context.compiled
    if compiled is None or operation.loc is None:
        return None
    body = operation.loc.source.body.encode("utf-8", "surrogatepass")
    name = operation.name.value if operation.name else None
    response_key = node.alias.value if node.alias else node.name.value
    key = (id(compiled), id(live), hashlib.sha256(body).digest(), name, response_key)
    if key in _plans:
        return _plans[key]
    selected = SubscriptionField([node], operation, fragments)
    plan = _plans[key] = compile_live(live, compiled.schema, compiled.registry, selected)
    return plan


def live_subscription(info: Info, live: LiveField, arguments: Any = None,
                      allowed: Allowed | None = None) -> LiveSubscription | None:
    """How this subscription's payloads are built in batches (``event_stream``'s
    ``batched``), or None when its document does not compile. ``arguments``: the field's
    own, for ``live.sends``; ``allowed``: the field's check of the viewer (a viewer who may
    no longer follow it is left to the subscription, which ends)."""
    plan = live_plan(info, live)
    if plan is None:
        return None
    return LiveSubscription(info.context, plan, info.variable_values, arguments, allowed)


class LiveSubscription:
    """How one subscription's payloads are built with its group's (hub/realtime/batches.py).
    Slotted, and its variables' key shared with every subscription sending the same: a hub
    holds one per subscription, thousands of them."""

    __slots__ = ("allowed", "context", "field_arguments", "live", "variables", "variables_key")

    def __init__(self, context: Context, live: LivePlan, variables: dict[str, Any],
                 arguments: Any = None, allowed: Allowed | None = None) -> None:
        self.context = context
        self.live = live
        self.variables = variables
        # Decided by the document and its variables: the group's key holds them already.
        self.field_arguments = arguments
        self.allowed = allowed
        key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS, default=repr).decode()
        self.variables_key = _keys.setdefault(key, key)

    @property
    def kind(self) -> int:
        return id(self.live)

    def group(self) -> tuple[Any, ...] | None:
        session = socket_session(self.context)
        if session is not None and (session.stale or session.ended is not None):
            return None  # the viewer is being read again: the subscription builds its own
        if self.allowed is not None:
            try:
                self.allowed(self.context)
            except Exception:
                return None  # the subscription meets its refusal itself, and ends
        return (id(self.live), self.variables_key, viewer_class(self.context))

    def arguments(self) -> Group:
        return self.context.viewer_id, self.variables, self.field_arguments

    async def run(self, event: Event, groups: Sequence[Group]) -> list[Prebuilt | None]:
        return await run(self.context.db, self.live, event, groups)


# Variables' keys, shared: most subscriptions send the same few.
_keys: LRUCache[str, str] = LRUCache(4096)
