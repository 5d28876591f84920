"""The graphql-transport-ws handler of ``/graphql``: Strawberry's, with the hub's light
subscriptions and no task per socket beyond aiohttp's own.

* A ``subscribe`` the light path serves (hub/api/realtime/light.py: a compiled
  ``recordPublished``) is registered with the listener without starting Strawberry's
  operation: no execution context, no extension runner, no task. ``complete`` and the socket's
  close end it. Everything else is Strawberry's, unchanged; the per-connection limit and the
  duplicate-id rule count both kinds.
* The ``connection_init`` deadline is a loop timer, not a task sleeping per socket, and the
  last message read is not kept while the socket waits for the next one.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from graphql import GraphQLError

from hub.api.context import Context
from hub.api.realtime.light import LightSubscription, light_request
from hub.realtime.sessions import TransportWSHandler, still_signed_in

INIT_TIMEOUT_REASON = "Connection initialisation timeout"


class HubTransportWSHandler(TransportWSHandler):
    """graphql-transport-ws with light subscriptions (see the module)."""

    # Tests switch it off to compare with Strawberry's path.
    light_path: ClassVar[bool] = True
    # Sockets being closed at their connection_init deadline (a task only then).
    _closing: ClassVar[set[asyncio.Task[None]]] = set()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.light: dict[str, LightSubscription] = {}
        self._init_deadline: asyncio.TimerHandle | None = None

    # --- connection_init: a timer ----------------------------------------------------------

    def on_request_accepted(self) -> None:
        delay = self.connection_init_wait_timeout.total_seconds()
        self._init_deadline = asyncio.get_running_loop().call_later(delay, self._init_overdue)

    def _init_overdue(self) -> None:
        self._init_deadline = None
        if self.connection_init_received:
            return
        self.connection_timed_out = True
        task = asyncio.get_running_loop().create_task(
            self.websocket.close(code=4408, reason=INIT_TIMEOUT_REASON))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _cancel_deadline(self) -> None:
        if self._init_deadline is not None:
            self._init_deadline.cancel()
            self._init_deadline = None

    async def handle_connection_init(self, message: Any) -> None:
        if not self.connection_timed_out:
            self._cancel_deadline()
        await super().handle_connection_init(message)

    async def handle_message(self, message: Any) -> None:
        """Strawberry's dispatch; then the message's contents are let go. Strawberry's read
        loop keeps the last message referenced until the next one arrives — for an idle
        socket, its subscribe (the whole document) for hours — and what the message set up
        holds what it needs (the operation its query, the context its connection params)."""
        try:
            await super().handle_message(message)
        finally:
            if isinstance(message, dict):
                message.clear()

    # --- subscribe: light when it can be ---------------------------------------------------

    async def handle_subscribe(self, message: Any) -> None:
        if self.connection_acknowledged and message["id"] not in self.operations:
            if message["id"] in self.light:
                reason = f"Subscriber for {message['id']} already exists"
                await self.websocket.close(code=4409, reason=reason)
                return
            limit = self.max_subscriptions_per_connection
            if limit is not None and len(self.operations) + len(self.light) >= limit:
                error = GraphQLError("Subscription limit reached")
                await self.send_message({"id": message["id"], "type": "error",
                                         "payload": [error.formatted]})
                return
            if self.light_path and await self._subscribe_light(message):
                return
        await super().handle_subscribe(message)

    async def _subscribe_light(self, message: Any) -> bool:
        """Serve ``message`` lightly; False when Strawberry must."""
        context: Context = self.context  # type: ignore[assignment]
        schema = self.schema._schema  # type: ignore[attr-defined]  # Strawberry's Schema has it
        request = light_request(schema, context, message.get("payload"))
        if request is None:
            return False
        # As every operation on a signed-in socket: its viewer reloaded first.
        if await still_signed_in(context):
            subscription = LightSubscription(self, message["id"], context, request)
            self.light[message["id"]] = subscription
            subscription.start()
        return True

    async def handle_complete(self, message: Any) -> None:
        subscription = self.light.get(message["id"])
        if subscription is not None:
            subscription.end()
            return
        await super().handle_complete(message)

    async def shutdown(self) -> None:
        self._cancel_deadline()
        for subscription in list(self.light.values()):
            subscription.end()
        await super().shutdown()
