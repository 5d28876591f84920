"""Serving the app on a socket, with protections against slow and greedy clients.

aiohttp keeps a connection open for as long as a client takes to send its request. A client
that sends half a request head, or a body shorter than its ``Content-Length``, would hold a
connection (and a file descriptor, and a handler) forever; a few hundred of them starve the
process. ``recordhub serve`` therefore serves through :func:`serve`, which adds:

* **a head timeout** (``HUB_HEADER_TIMEOUT_S``): a connection must deliver a complete request
  head within that time of opening, or of its previous response. This is aiohttp's keep-alive
  timer (``keepalive_timeout``), which closes a connection whose handler still waits for a
  complete head when it fires — whether nothing came or half a head did;
* **a body timeout** (``HUB_BODY_TIMEOUT_S``, :func:`body_deadline`, in the app itself): a body
  that stops arriving for that long is cut off (the connection is closed). It is an idle
  timeout, not a total one, so a large upload on a slow link keeps going while bytes flow;
* **a cap on open connections per client address** (``HUB_MAX_CONNECTIONS_PER_ADDRESS``): the
  next connection from that address is answered ``429`` and closed at once. Behind a reverse
  proxy every connection comes from the proxy's address: raise the cap (or enforce one at the
  proxy) there.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from hub.core.config import Security
from hub.http.collector import ShortPauses

log = logging.getLogger("hub.http.serving")


class AddressCounter:
    """Open connections per client address, in this process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: Counter[str] = Counter()

    def admit(self, address: str) -> bool:
        """Count a new connection from ``address``; False (not counted) when it would exceed
        the limit."""
        if self._open[address] >= self.limit:
            return False
        self._open[address] += 1
        return True

    def release(self, address: str) -> None:
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]  # the counter holds open addresses only


def _refusal(limit: int) -> bytes:
    body = orjson.dumps({"errors": [{
        "message": f"Too many open connections from your address (at most {limit}); close some "
                   "and retry.",
        "extensions": {"code": "TOO_MANY_CONNECTIONS"},
    }]})
    return (b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
            b"Retry-After: 5\r\nConnection: close\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


class GuardedRequestHandler(web.RequestHandler):
    """aiohttp's protocol for one connection, counted against its address's cap."""

    # aiohttp's handler is slotted: without slots here every connection (an idle WebSocket
    # for hours) would carry an instance dict for these three.
    __slots__ = ("_address", "_addresses", "_refused")

    def __init__(self, manager: web.Server, *, addresses: AddressCounter, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._addresses = addresses
        self._address: str | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        address = peer[0] if isinstance(peer, tuple) and peer else None
        if address is not None and not self._addresses.admit(address):
            self._refused = True
            log.info("refused a connection from %s: %d already open", address,
                     self._addresses.limit)
            # A TCP connection's transport writes; the protocol API types it BaseTransport.
            transport.write(_refusal(self._addresses.limit))  # type: ignore[attr-defined]
            transport.close()
            return
        self._address = address
        super().connection_made(transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._refused:
            return  # aiohttp never saw this connection
        if self._address is not None:
            self._addresses.release(self._address)
            self._address = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)


def is_websocket_upgrade(request: web.BaseRequest) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def not_for_sockets(middleware: Middleware) -> Middleware:
    """``middleware``, except for WebSocket upgrades, which it lets through untouched.

    The wrapper is a plain function that returns the handler's coroutine for aiohttp to
    await: a middleware awaiting the handler itself would keep its frame (and what it
    references) for as long as the socket is open, hours for an idle subscriber. The
    middlewares wrapped are those with nothing to do for a socket: CORS (browsers do not apply
    it to WebSockets; the view checks their Origin), request bodies (an upgrade has none) and
    uploads."""

    @web.middleware
    def wrapped(request: web.Request, handler: Handler) -> Awaitable[web.StreamResponse]:
        if is_websocket_upgrade(request):
            return handler(request)
        return middleware(request, handler)

    return wrapped


def body_deadline(seconds: float) -> Any:
    """A middleware that closes the connection of a request whose body stops arriving for
    ``seconds`` (checked every ``seconds``, so a stalled body is cut within twice that)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        content = request.content
        if content.is_eof():  # no body (GET, WebSocket upgrades) or all of it already here
            return await handler(request)
        loop = asyncio.get_running_loop()
        seen = content.total_bytes
        timer: asyncio.TimerHandle | None = None

        def check() -> None:
            nonlocal seen, timer
            if content.is_eof():
                return
            if content.total_bytes > seen:
                seen = content.total_bytes
                timer = loop.call_later(seconds, check)
                return
            log.info("closed a connection whose request body stalled for %.1f s (%s %s)",
                     seconds, request.method, request.path)
            if request.transport is not None:
                request.transport.close()

        timer = loop.call_later(seconds, check)
        try:
            return await handler(request)
        finally:
            timer.cancel()  # the latest one: check() replaces it

    return middleware


async def serve(
    make_app: Callable[[], Awaitable[web.Application]], host: str, port: int,
    security: Security, *, reuse_port: bool = False,
) -> None:
    """Serve the app on ``host:port`` until SIGINT or SIGTERM, then shut down gracefully."""
    app = await make_app()
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    pauses = ShortPauses()  # hub/http/collector.py: a full collection stops every socket
    pauses.start()
    loop = asyncio.get_running_loop()
    manager = runner.server
    assert manager is not None
    addresses = AddressCounter(security.max_connections_per_address)

    def protocol() -> GuardedRequestHandler:
        return GuardedRequestHandler(manager, loop=loop, addresses=addresses,
                                     keepalive_timeout=security.header_timeout_s)

    server = await loop.create_server(protocol, host, port, reuse_port=reuse_port or None)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        server.close()
        await runner.cleanup()
        pauses.stop()
