"""Light subscriptions: a compiled ``recordPublished`` subscription over graphql-transport-ws,
answered without starting Strawberry's operation.

The batch already builds each group's payload in one statement and writes the frame to every
idle socket itself (hub/realtime/batches.py, direct.py): the subscription's own machinery —
graphql-core's execution context, Strawberry's extension runner and exit stacks, its async
generator and the task awaiting it — only waits, ~12 KB per socket that a hub holding
thousands of sockets pays for nothing. So when a ``subscribe`` message is one the batch
serves whole (:func:`light_request`: a valid document whose only field is ``recordPublished``
without ``after``, compiled by hub/api/live/), the socket's handler (hub/http/sockets.py)
registers a :class:`LightSubscription` with the listener instead: a slotted object and a
:class:`~hub.realtime.light.LightSubscriber`, no task.

Everything else goes to Strawberry unchanged, so every error is still Strawberry's own: a
document that does not validate, arguments that do not coerce or that the field refuses
(an unknown ``mediaType``), ``after`` (the replay), another field, a document the live plan
declines. What the light path answers is what the field would: the same group, so the same
frames (tests/realtime/test_light.py compares them); the same checks before each event the
batch cannot write (the socket's session, hub/realtime/sessions.py); the same error frames
when the subscription is cut off (:func:`hub.api.streams.cut_off`), formatted by the shared
:func:`hub.api.errors.client_errors`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    get_operation_ast,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.http.exceptions import WebSocketDisconnected

from hub.api.compiled.plan import NotCompilable
from hub.api.context import Context
from hub.api.errors import client_errors
from hub.api.live import LivePlan, LiveSubscription, live_plan_of
from hub.api.operation import operations_of
from hub.api.realtime.subscriptions import PUBLISHED_KINDS, RECORD_PUBLISHED, of_media_type
from hub.api.streams import cut_off
from hub.core.events import Event
from hub.realtime.direct import DirectSend
from hub.realtime.light import LightSubscriber
from hub.realtime.listener import Accepts, FellBehind, ViewerChanged
from hub.realtime.multiplex import Prebuilt
from hub.realtime.sessions import socket_session, viewer_is_current

log = logging.getLogger("hub.realtime")

FIELD = "recordPublished"


@dataclass(frozen=True, slots=True)
class LightRequest:
    """A ``subscribe`` the light path serves: its compiled plan, its coerced variables and
    the field's ``mediaType``."""

    plan: LivePlan
    variables: dict[str, Any]
    media_type: str | None


def light_request(schema: GraphQLSchema, context: Context, payload: Any) -> LightRequest | None:
    """What the light path needs to serve this ``subscribe`` payload; None when Strawberry
    must (anything not exactly a valid, compiled ``recordPublished`` without ``after``)."""
    if context.events is None or context.compiled is None or not isinstance(payload, dict):
        return None
    query, variables, name = (payload.get("query"), payload.get("variables"),
                              payload.get("operationName"))
    if not isinstance(query, str) or not isinstance(variables, dict | None) \
            or not isinstance(name, str | None):
        return None
    prepared = operations_of(schema).prepare(query, name, variables, context.settings.security)
    if not prepared.runnable or prepared.document is None or prepared.variable_values is None:
        return None
    operation = get_operation_ast(prepared.document, name)
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return None
    node = _only_field(operation.selection_set.selections)
    arguments = _arguments(schema, node, prepared.variable_values) if node else None
    if node is None or arguments is None or arguments.get("after") is not None:
        return None
    media_type = arguments.get("mediaType")
    if media_type is not None and media_type not in context.plugins.media_types:
        return None  # the field refuses it: Strawberry words the error
    fragments = {definition.name.value: definition for definition in prepared.document.definitions
                 if isinstance(definition, FragmentDefinitionNode)}
    plan = live_plan_of(context, RECORD_PUBLISHED, operation, node, fragments)
    if plan is None:
        return None
    # The plain coerced dict, as the field's ``info.variable_values``: the same group's key.
    return LightRequest(plan, prepared.variable_values.coerced, media_type)


def _only_field(selections: Any) -> FieldNode | None:
    """The operation's one root field when it is ``recordPublished`` without directives."""
    if len(selections) != 1:
        return None
    node = selections[0]
    if not isinstance(node, FieldNode) or node.name.value != FIELD or node.directives:
        return None
    return node


def _arguments(schema: GraphQLSchema, node: FieldNode,
               variables: VariableValues) -> dict[str, Any] | None:
    """The field's arguments as execution would coerce them; None when they do not."""
    subscription = schema.subscription_type
    field = subscription.fields.get(FIELD) if subscription is not None else None
    if field is None:
        return None
    try:
        return get_argument_values(field, node, variables)
    except GraphQLError:
        return None


@functools.lru_cache(maxsize=64)
def _accepts(media_type: str | None) -> Accepts:
    """Which events a light subscription takes: the field's own filter
    (:func:`~hub.api.realtime.subscriptions.of_media_type`) on its kinds, shared by every
    light subscription of the media type."""
    of_type = of_media_type(media_type)
    return lambda event: event.kind in PUBLISHED_KINDS and of_type(event)


class Owner(Protocol):
    """The socket's handler, as a light subscription sees it (hub/http/sockets.py)."""

    light: dict[str, LightSubscription]

    def send_message(self, message: Any) -> Awaitable[None]: ...


class LightSubscription:
    """One light subscription: its id (the operation's, as :class:`DirectSend` reads it),
    whether it completed, and its subscriber. Slotted: a hub holds thousands."""

    __slots__ = ("completed", "context", "id", "owner", "subscriber", "task")

    def __init__(self, owner: Owner, op_id: str, context: Context, request: LightRequest) -> None:
        assert context.events is not None
        self.owner = owner
        self.id = op_id
        self.context = context
        self.completed = False
        self.task: asyncio.Task[None] | None = None
        subscriber = LightSubscriber(_accepts(request.media_type), context.events.queue_size,
                                     self._ready)
        subscriber.batch = LiveSubscription(context, request.plan, request.variables)
        transport = context.request.transport if context.request is not None else None
        assert isinstance(context.response, web.WebSocketResponse)
        subscriber.direct = DirectSend(context.response, self,
                                       transport if isinstance(transport, asyncio.Transport)
                                       else None)
        self.subscriber = subscriber

    def start(self) -> None:
        """Listen: from now on the batch writes this subscription's frames."""
        assert self.context.events is not None
        self.context.events.add(self.subscriber)
        session = socket_session(self.context)
        if session is not None:  # told when the socket's viewer changes or its session ends
            session.subscribers.add(self.subscriber)

    def end(self) -> None:
        """Stop listening (``complete``, the socket closed, or the subscription ended): no
        frame follows. The id may be used again at once, as Strawberry's may."""
        if self.completed:
            return
        self.completed = True
        if self.context.events is not None:
            self.context.events.unsubscribe(self.subscriber)
        session = socket_session(self.context)
        if session is not None:
            session.subscribers.discard(self.subscriber)
        if self.owner.light.get(self.id) is self:
            del self.owner.light[self.id]
        task = self.task
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    def _ready(self) -> None:
        """Something is queued that the batch did not write: take it in a task of its own,
        for as long as it takes."""
        self.task = asyncio.get_running_loop().create_task(self._take())

    async def _take(self) -> None:
        """What a subscription's task does with its queue (hub/api/streams.py), for what is
        queued now; then no task again."""
        subscriber = self.subscriber
        try:
            while subscriber.ready() and not self.completed:
                try:
                    event = await subscriber.next()
                except ViewerChanged:
                    await viewer_is_current(self.context)
                    continue
                except FellBehind as behind:  # or Stopping
                    await self._fail(cut_off(behind))
                    return
                await viewer_is_current(self.context)
                payload = await self._payload(event)
                direct = subscriber.direct
                if payload is not None and direct is not None and not await direct.send(payload):
                    self.end()  # the socket closed
                    return
        except asyncio.CancelledError:
            raise
        except Exception as error:  # as Strawberry ends a subscription whose stream raised
            await self._fail(error)
        finally:
            subscriber.busy = False
            self.task = None
        if not self.completed and subscriber.ready():
            subscriber.busy = True
            self._ready()  # queued while this task was finishing

    async def _payload(self, event: Event) -> Prebuilt | None:
        """The event's payload for this subscription: its batch's, else its own statement."""
        events, batched = self.context.events, self.subscriber.batch
        assert events is not None and isinstance(batched, LiveSubscription)
        if event.id:
            found, payload = await events.batches.result(event.id, batched.group())
            if found:
                built: Prebuilt | None = payload
                return built
        self.context.forget_loaded()
        try:
            return (await batched.run(event, [batched.arguments()]))[0]
        except NotCompilable:  # an id the field's render would not find: not sent
            return None

    async def _fail(self, error: Exception) -> None:
        """End with ``error``, in the frames Strawberry sends when a subscription's stream
        raises: a ``next`` with the error, then ``complete``."""
        self.end()
        graphql_error = error if isinstance(error, GraphQLError) \
            else GraphQLError(str(error), original_error=error)
        errors = client_errors([graphql_error], self.context.settings.is_production)
        await self._send({"id": self.id, "type": "next",
                          "payload": {"data": None, "errors": [e.formatted for e in errors]}})
        await self._send({"id": self.id, "type": "complete"})

    async def _send(self, message: dict[str, Any]) -> None:
        try:
            await self.owner.send_message(message)
        except WebSocketDisconnected:
            pass
