"""Live payloads a batch built whole go straight to the socket: a graphql-transport-ws
``next`` frame made of the group's one encoding and the operation's id.

A subscription idle when its event arrives (nothing queued, its task waiting) is not woken
at all: when the batch's statement answers, the batch writes the frame to the socket's
transport itself, for every such socket of the group in one pass, in event order
(:meth:`hub.realtime.listener.Subscriber.built`). A socket whose send buffer is over
:data:`HIGH_WATER` is cut off (``SUBSCRIBER_TOO_SLOW``) instead of waited for. Otherwise (a
replay, something queued, a fallback) the subscription's task sends the frame.

Strawberry would otherwise execute each payload per subscription — build an execution
context, coerce the variables again, run the extensions, encode the result — for data that is
already the answer (hub/realtime/batches.py). The frame is the one Strawberry sends; the
operation's own flag is honoured (nothing after ``complete``), and a subscription still sends
its events in order, from its own task: a slow socket holds back only itself
(``SUBSCRIBER_TOO_SLOW`` as before when its queue fills).
"""

from __future__ import annotations

import asyncio
import struct
from contextvars import ContextVar
from typing import Any

import orjson
from aiohttp import ClientConnectionResetError, WSMsgType, web

from hub.realtime.multiplex import Prebuilt

# The graphql-transport-ws operation being started in this task (hub/realtime/sessions.py).
CURRENT_OPERATION: ContextVar[Any] = ContextVar("hub_ws_operation", default=None)


# Bytes a socket may have waiting in its send buffer before its subscription is cut off
# (SUBSCRIBER_TOO_SLOW): a batch writes without waiting for a slow reader.
HIGH_WATER = 1 << 20


def text_frame(payload: bytes) -> bytes:
    """A server's unmasked, unfragmented WebSocket text frame (RFC 6455, 5.2)."""
    length = len(payload)
    if length < 126:
        return bytes((0x81, length)) + payload
    if length < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, length) + payload
    return struct.pack("!BBQ", 0x81, 127, length) + payload


class DirectSend:
    """Sends one subscription's prebuilt payloads to its socket."""

    __slots__ = ("operation", "transport", "ws")

    def __init__(self, ws: web.WebSocketResponse, operation: Any,
                 transport: asyncio.Transport | None) -> None:
        self.ws = ws
        self.operation = operation  # strawberry's Operation: its id and ``completed``
        self.transport = transport

    def _frame(self, payload: Prebuilt) -> bytes:
        return (b'{"id":' + orjson.dumps(self.operation.id) + b',"type":"next","payload":'
                + payload.payload() + b"}")

    def write(self, payload: Prebuilt) -> bool:
        """Write ``payload`` now, without waiting (a batch writes every idle socket of its
        groups in one pass); False when the socket's send buffer is over
        :data:`HIGH_WATER` (nothing written: the subscription is cut off)."""
        transport = self.transport
        if self.operation.completed or self.ws.closed or transport is None \
                or transport.is_closing():
            return True  # nothing to send to: the operation or the socket is ending
        if transport.get_write_buffer_size() > HIGH_WATER:
            return False
        transport.write(text_frame(self._frame(payload)))
        return True

    async def send(self, payload: Prebuilt) -> bool:
        """Send ``payload``; False once the operation completed or the socket closed."""
        if self.operation.completed or self.ws.closed:
            return False
        try:
            await self.ws.send_frame(self._frame(payload), WSMsgType.TEXT)
        except (RuntimeError, ClientConnectionResetError, ConnectionResetError):
            return False
        return True


def direct_sender(response: web.StreamResponse | None,
                  request: web.BaseRequest | None) -> DirectSend | None:
    """The sender of the graphql-transport-ws operation this task runs; None elsewhere (the
    older graphql-ws protocol, queries over HTTP)."""
    operation = CURRENT_OPERATION.get()
    if operation is None or not isinstance(response, web.WebSocketResponse):
        return None
    transport = request.transport if request is not None else None
    return DirectSend(response, operation,
                      transport if isinstance(transport, asyncio.Transport) else None)
