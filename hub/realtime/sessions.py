"""The signed-in viewer of each open WebSocket, kept true to the database while it lasts.

A WebSocket signs in once, with the ``connection_init`` token, and may stay open for days.
What happens to its session meanwhile reaches it through the outbox, so it holds across every
hub instance (the change may be made on any of them; each instance's listener reads every
event, in commit order):

* ``member.session_revoked`` (``logOut``; payload ``{"session": auth.session_ref(...)}``):
  every socket opened with that token is closed with ``4403`` and the reason, and its
  subscriptions send nothing more (the listener marks the session ended before it offers any
  later event);
* ``member.role_changed`` (``setRole``, ``recordhub set-role``): the sockets of that member
  reload their viewer (one statement per socket) before their next event or operation, and
  each subscription checks again that the viewer may follow it (an editor-only one ends with
  ``FORBIDDEN``);
* a session that expires while its socket is open ends the same way as a revoked one.

Besides, every operation a signed-in socket starts reloads its viewer first (one statement),
so an operation sent between a change's commit and its event's arrival is judged by the
database, not by what the socket remembered.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

import asyncpg
from aiohttp import web
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from hub.core.db import Database
from hub.core.errors import CodedError, is_database_outage
from hub.core.events import Event
from hub.core.relay import encode_id
from hub.domain.members import auth
from hub.domain.members import store as member_store
from hub.realtime.direct import CURRENT_OPERATION
from hub.realtime.listener import Subscriber

log = logging.getLogger("hub.realtime")

SESSION_CLOSE_CODE = 4403
REVOKED = "Your session ended (you logged out, or it was revoked): sign in again and reconnect"
EXPIRED = "Your session expired: sign in again and reconnect"
REVOKED_KIND = "member.session_revoked"
ROLE_CHANGED_KIND = "member.role_changed"


class SocketContext(Protocol):
    """What the socket machinery reads and sets on a request's context (hub.api.context.Context
    has it). A protocol, not an import: the realtime layer sits under the API layer."""

    viewer_row: asyncpg.Record | None
    token_hash: bytes | None
    response: web.StreamResponse | None
    connection_params: dict[str, Any] | None

    @property
    def viewer_global_id(self) -> str | None: ...

    def forget_loaded(self) -> None: ...


class SessionEnded(CodedError):
    """Ends a subscription whose socket's session is over (the socket is being closed)."""

    code = "UNAUTHENTICATED"


@dataclass(eq=False)
class SocketSession:
    """The session one signed-in WebSocket was opened with, and its viewer (``context``)."""

    registry: SocketSessions
    db: Database
    context: SocketContext
    ws: web.WebSocketResponse
    ref: str
    member: str
    expires_at: dt.datetime
    # Set by a role change: reload the viewer before the next event or operation.
    stale: bool = False
    ended: str | None = None  # why, once the session is over
    subscribers: set[Subscriber] = field(default_factory=set)
    _reloading: asyncio.Lock = field(default_factory=asyncio.Lock)

    def viewer_changed(self) -> None:
        self.stale = True
        for subscriber in self.subscribers:
            subscriber.viewer_changed()

    def end(self, reason: str) -> None:
        """The session is over: nothing more is sent and the socket is closed (4403)."""
        if self.ended is not None:
            return
        self.ended = reason
        for subscriber in self.subscribers:
            subscriber.viewer_changed()
        self.registry.close(self)

    async def current(self) -> None:
        """Raise :class:`SessionEnded` if the session is over; reload the viewer first if it
        may have changed. Costs nothing unless something changed."""
        if self.ended is None and self.expires_at <= dt.datetime.now(dt.UTC):
            self.end(EXPIRED)
        if (self.stale or self._reloading.locked()) and self.ended is None:
            # The socket's subscriptions wake together: one reads, the others wait for it
            # (none may judge the old viewer while the new one is being read).
            async with self._reloading:
                if self.stale and self.ended is None:
                    await self._reload_viewer()
        if self.ended is not None:
            raise SessionEnded(self.ended)

    async def _reload_viewer(self) -> None:
        # Cleared before reading, so a change that arrives during the read is not lost.
        self.stale = False
        assert self.context.token_hash is not None
        try:
            row = await member_store.session_of(self.db, self.context.token_hash)
        except BaseException:
            self.stale = True  # not read (cancelled, or the database is away): next time
            raise
        if row is None:
            self.end(REVOKED)
        else:
            self.context.viewer_row = row
            self.expires_at = row["expires_at"]
            self.context.forget_loaded()

    async def reload(self) -> None:
        """:meth:`current`, reading the session from the database whatever happened."""
        self.stale = True
        await self.current()


SOCKET_SESSION = web.ResponseKey("hub_socket_session", SocketSession)


class SocketSessions:
    """This process's signed-in WebSockets, by session and by member; fed every event by the
    listener (:meth:`EventBus.watch`)."""

    def __init__(self) -> None:
        self._by_ref: dict[str, set[SocketSession]] = {}
        self._by_member: dict[str, set[SocketSession]] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def open(self, db: Database, context: SocketContext, row: Any) -> SocketSession:
        """Follow the socket of ``context``, signed in with the session ``row``
        (:func:`member_store.session_of`)."""
        assert isinstance(context.response, web.WebSocketResponse)
        assert context.token_hash is not None
        session = SocketSession(
            registry=self, db=db, context=context, ws=context.response,
            ref=auth.session_ref(context.token_hash), member=encode_id("Member", row["id"]),
            expires_at=row["expires_at"])
        self._by_ref.setdefault(session.ref, set()).add(session)
        self._by_member.setdefault(session.member, set()).add(session)
        context.response[SOCKET_SESSION] = session
        return session

    def forget(self, session: SocketSession) -> None:
        for index, key in ((self._by_ref, session.ref), (self._by_member, session.member)):
            sessions = index.get(key)
            if sessions is not None:
                sessions.discard(session)
                if not sessions:
                    del index[key]

    @property
    def open_count(self) -> int:
        return sum(len(sessions) for sessions in self._by_ref.values())

    def on_event(self, event: Event) -> None:
        """Called by the listener with every event, in commit order."""
        if event.kind == REVOKED_KIND:
            for session in list(self._by_ref.get(str(event.payload.get("session")), ())):
                session.end(REVOKED)
        elif event.kind == ROLE_CHANGED_KIND:
            for session in list(self._by_member.get(event.subject, ())):
                session.viewer_changed()

    def close(self, session: SocketSession) -> None:
        """Close the socket (4403, with the reason) in the background; it forgets itself."""
        task = asyncio.get_running_loop().create_task(_close(session))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def stop(self) -> None:
        for task in list(self._closing):
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task


async def _close(session: SocketSession) -> None:
    log.info("closing a WebSocket of %s: %s", session.member, session.ended)
    with contextlib.suppress(Exception):
        await session.ws.close(code=SESSION_CLOSE_CODE, message=(session.ended or "").encode())
    session.registry.forget(session)


def socket_session(context: SocketContext) -> SocketSession | None:
    """The session of the signed-in WebSocket ``context`` serves; None for anonymous sockets
    and HTTP requests."""
    response = context.response
    if isinstance(response, web.WebSocketResponse):
        return response.get(SOCKET_SESSION)
    return None


async def viewer_is_current(context: SocketContext) -> None:
    """For subscriptions, before each event: raise :class:`SessionEnded` when the socket's
    session is over; the viewer is reloaded if it may have changed."""
    session = socket_session(context)
    if session is not None:
        await session.current()


async def still_signed_in(context: SocketContext) -> bool:
    """Before an operation on a WebSocket: reload a signed-in viewer (False when its session
    is over; the socket is then being closed)."""
    session = socket_session(context)
    if session is None:
        return True
    try:
        await session.reload()
    except SessionEnded:
        return False
    except Exception as error:
        if not is_database_outage(error):
            raise
        # The operation meets the outage itself and answers SERVICE_UNAVAILABLE.
        log.warning("session check skipped, database unavailable: %r", error)
    return True


def _forget(context: SocketContext) -> None:
    session = socket_session(context)
    if session is not None:
        session.registry.forget(session)


class TransportWSHandler(BaseGraphQLTransportWSHandler[SocketContext, Any]):
    """graphql-transport-ws: each operation (subscription, query or mutation) sent on a
    signed-in socket first reloads its viewer; a socket whose session ended runs nothing."""

    async def run_operation(self, operation: Any) -> None:
        # The operation's own task: its subscription may send prebuilt frames itself.
        CURRENT_OPERATION.set(operation)
        if await still_signed_in(self.context):
            await super().run_operation(operation)

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            _forget(self.context)


class LegacyWSHandler(BaseGraphQLWSHandler[SocketContext, Any]):
    """The older graphql-ws protocol (subscriptions-transport-ws), with the same check."""

    async def handle_async_results(self, operation_id: str, query: str,
                                   operation_name: str | None,
                                   variables: dict[str, object] | None) -> None:
        if await still_signed_in(self.context):
            await super().handle_async_results(operation_id, query, operation_name, variables)
        else:
            self.tasks.pop(operation_id, None)

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            _forget(self.context)
