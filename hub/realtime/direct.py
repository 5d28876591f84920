"""Live payloads a batch built whole go straight to the socket: a graphql-transport-ws
``next`` frame made of the group's one encoding and the operation's id.

Strawberry would otherwise execute each payload per subscription — build an execution
context, coerce the variables again, run the extensions, encode the result — for data that is
already the answer (hub/realtime/batches.py). The frame is the one Strawberry sends; the
operation's own flag is honoured (nothing after ``complete``), and a subscription still sends
its events in order, from its own task: a slow socket holds back only itself
(``SUBSCRIBER_TOO_SLOW`` as before when its queue fills).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import orjson
from aiohttp import ClientConnectionResetError, WSMsgType, web

from hub.realtime.multiplex import Prebuilt

# The graphql-transport-ws operation being started in this task (hub/realtime/sessions.py).
CURRENT_OPERATION: ContextVar[Any] = ContextVar("hub_ws_operation", default=None)


class DirectSend:
    """Sends one subscription's prebuilt payloads to its socket."""

    __slots__ = ("operation", "ws")

    def __init__(self, ws: web.WebSocketResponse, operation: Any) -> None:
        self.ws = ws
        self.operation = operation  # strawberry's Operation: its id and ``completed``

    async def send(self, payload: Prebuilt) -> bool:
        """Send ``payload``; False once the operation completed or the socket closed."""
        if self.operation.completed or self.ws.closed:
            return False
        frame = (b'{"id":' + orjson.dumps(self.operation.id) + b',"type":"next","payload":'
                 + payload.payload() + b"}")
        try:
            await self.ws.send_frame(frame, WSMsgType.TEXT)
        except (RuntimeError, ClientConnectionResetError, ConnectionResetError):
            return False
        return True


def direct_sender(response: web.StreamResponse | None) -> DirectSend | None:
    """The sender of the graphql-transport-ws operation this task runs; None elsewhere (the
    older graphql-ws protocol, queries over HTTP)."""
    operation = CURRENT_OPERATION.get()
    if operation is None or not isinstance(response, web.WebSocketResponse):
        return None
    return DirectSend(response, operation)
