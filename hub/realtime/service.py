"""The real-time machinery of one hub process, started and stopped with the aiohttp app, and
the WebSocket side of the GraphQL view (``connection_init`` authentication, heartbeat)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncGenerator
from json import JSONDecodeError
from typing import Any

import orjson
from aiohttp import ClientConnectionResetError, WSMessage, WSMsgType, web
from strawberry.aiohttp.views import AiohttpWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)

from hub.core.config import Settings
from hub.core.db import Database
from hub.domain.members import auth
from hub.domain.members import store as member_store
from hub.plugins import HubPlugins
from hub.realtime.dispatcher import Dispatcher
from hub.realtime.listener import EventBus
from hub.realtime.sessions import SocketContext, SocketSessions

log = logging.getLogger("hub.realtime")

INVALID_TOKEN = "Invalid or expired token in connection_init: log in again, or send no token"


class Realtime:
    """The process's event listener (subscriptions), event dispatcher (plugins) and signed-in
    WebSockets (which follow logOut and role changes, hub/realtime/sessions.py)."""

    def __init__(self, db: Database, plugins: HubPlugins, settings: Settings) -> None:
        self.bus = EventBus(db.dsn, queue_size=settings.ws_queue_size,
                            poll_seconds=settings.event_poll_ms / 1000,
                            batch_size=settings.subscription_batch_size)
        self.dispatcher = Dispatcher(db.dsn, plugins, settings, self.bus)
        self.sockets = SocketSessions()
        self.bus.watch(self.sockets.on_event)

    async def start(self) -> None:
        await self.bus.start()
        await self.dispatcher.start()

    async def stop(self) -> None:
        await self.dispatcher.stop()
        await self.bus.stop()
        await self.sockets.stop()


class TextWebSocketAdapter(AiohttpWebSocketAdapter):
    """Sends every message as a *text* frame, as graphql-transport-ws requires. (The stock
    adapter sends bytes as binary frames, and the view's orjson encoder returns bytes: the
    graphql-ws browser client cannot read those.)"""

    async def iter_json(self, *, ignore_parsing_errors: bool = False,
                        ) -> AsyncGenerator[object, None]:
        """The stock adapter's loop, holding nothing while it waits: a socket is idle for
        hours, and the last message it got (a subscribe: its whole document) would stay
        referenced by this generator's frame all that time, for thousands of sockets."""
        while True:
            message: WSMessage | None = await self.ws.receive()
            assert message is not None
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return
            if message.type == WSMsgType.BINARY:
                raise NonTextMessageReceived
            if message.type != WSMsgType.TEXT:
                continue
            text, message = message.data, None
            try:
                decoded: object = self.view.decode_json(text)
            except JSONDecodeError as error:
                if not ignore_parsing_errors:
                    raise NonJsonMessageReceived from error
                continue
            finally:
                text = None
            yield decoded
            decoded = None

    async def send_json(self, message: Any) -> None:
        try:
            await self.ws.send_str(_encoded(message))
        except (RuntimeError, ClientConnectionResetError) as exc:
            raise WebSocketDisconnected from exc


FRAMES_KEPT = 1024
# The encoded payloads of the latest ``next`` messages, by the identity of their ``data``: the
# subscriptions of a delivery group share one execution result (hub/api/multiplex.py), so their
# frames share its encoding and differ only in the operation id.
_frames: OrderedDict[int, tuple[object, bytes]] = OrderedDict()


def _encoded(message: Any) -> str:
    """``message`` as JSON text; the payload of a ``next`` message with data only is encoded
    once for every socket that is sent the same result."""
    if not isinstance(message, dict) or message.get("type") != "next":
        return orjson.dumps(message).decode()
    payload = message.get("payload")
    if not isinstance(payload, dict) or set(payload) != {"data"} or payload["data"] is None:
        return orjson.dumps(message).decode()
    data = payload["data"]
    entry = _frames.get(id(data))
    if entry is not None and entry[0] is data:  # the same object, not a new one at its address
        _frames.move_to_end(id(data))
        encoded = entry[1]
    else:
        encoded = orjson.dumps(payload)
        _frames[id(data)] = (data, encoded)
        while len(_frames) > FRAMES_KEPT:
            _frames.popitem(last=False)
    return (b'{"id":' + orjson.dumps(message.get("id")) + b',"type":"next","payload":'
            + encoded + b"}").decode()


def connection_token(params: dict[str, Any] | None) -> str | None:
    """The token of a ``connection_init`` payload: ``{"token": "…"}`` (or, as some clients
    send it, ``{"Authorization": "Bearer …"}``); None when there is none."""
    params = params or {}
    token = params.get("token")
    if token is None:
        header = params.get("Authorization") or params.get("authorization")
        token = auth.bearer_token(header) if isinstance(header, str) else None
    return token if token is None or isinstance(token, str) else ""


async def authenticate_connection(
    db: Database, context: SocketContext, realtime: Realtime | None = None,
) -> dict[str, object]:
    """Sign the WebSocket connection in with the ``connection_init`` token; the
    ``connection_ack`` payload names the viewer. A bad token closes the socket (4403) with
    a reason saying so; no token means anonymous (public events only). A signed-in socket is
    followed by ``realtime.sockets`` until it closes: logging out closes it (4403), a role
    change reaches its subscriptions."""
    token = connection_token(context.connection_params)
    if token is not None:
        row = await member_store.session_of(db, auth.token_hash(token)) if token else None
        if row is None:
            if isinstance(context.response, web.WebSocketResponse):
                await context.response.close(code=4403, message=INVALID_TOKEN.encode())
            raise ConnectionRejectionError({"message": INVALID_TOKEN})
        context.viewer_row = row
        context.token_hash = auth.token_hash(token)
        if realtime is not None and isinstance(context.response, web.WebSocketResponse):
            realtime.sockets.open(db, context, row)
    return {"viewer": context.viewer_global_id}
