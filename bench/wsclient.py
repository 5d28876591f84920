"""A WebSocket subscriber cheap enough to hold 10,000 sockets in one process.

Each socket is an asyncio ``Protocol``: no task, no buffered reader, no message objects. It
sends the HTTP upgrade, ``connection_init`` and one ``subscribe`` (masked text frames, as a
client must), then parses the hub's frames as they arrive and only looks for
``"occurredAt":"`` in text frames; it answers protocol pings and graphql-transport-ws pings.
Just enough of RFC 6455 for the bench (no fragmentation: the hub sends whole frames).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import os
import struct
import time
from collections.abc import Callable

MARK = b'"occurredAt":"'
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def frame(payload: bytes, opcode: int = TEXT) -> bytes:
    """A masked client frame."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


class Subscriber(asyncio.Protocol):
    """One socket and one subscription; ``on_latency`` gets each delivery's latency (ms)."""

    def __init__(self, host: str, port: int, init: bytes, subscribe: bytes,
                 on_latency: Callable[[float], None]) -> None:
        self.request = (
            f"GET /graphql HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
            "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n").encode()
        self.init, self.subscribe = init, subscribe
        self.on_latency = on_latency
        self.buffer = b""
        self.upgraded = False
        self.acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.acked.done():
            self.acked.set_exception(ConnectionError(f"closed before the ack: {exc!r}"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.buffer.startswith(b"HTTP/1.1 101"):
                self.acked.set_exception(ConnectionError(self.buffer[:200].decode("latin-1")))
                return
            self.buffer = self.buffer[end + 4:]
            self.upgraded = True
            self._send(self.init)
        self._frames()

    def _send(self, payload: bytes, opcode: int = TEXT) -> None:
        assert self.transport is not None
        self.transport.write(frame(payload, opcode))

    def _frames(self) -> None:
        buffer = self.buffer
        while len(buffer) >= 2:
            opcode, length = buffer[0] & 0x0F, buffer[1] & 0x7F
            start = 2
            if length == 126:
                if len(buffer) < 4:
                    break
                length, start = struct.unpack_from("!H", buffer, 2)[0], 4
            elif length == 127:
                if len(buffer) < 10:
                    break
                length, start = struct.unpack_from("!Q", buffer, 2)[0], 10
            if len(buffer) < start + length:
                break
            payload = buffer[start:start + length]
            buffer = buffer[start + length:]
            self._frame(opcode, payload)
        self.buffer = buffer

    def _frame(self, opcode: int, payload: bytes) -> None:
        if opcode == PING:
            self._send(payload, PONG)
        elif opcode == TEXT:
            at = payload.find(MARK)
            if at >= 0:
                start = at + len(MARK)
                occurred = dt.datetime.fromisoformat(
                    payload[start:payload.index(b'"', start)].decode()).timestamp()
                self.on_latency((time.time() - occurred) * 1000)
            elif b'"connection_ack"' in payload:
                self._send(self.subscribe)
                if not self.acked.done():
                    self.acked.set_result(None)
            elif b'"ping"' in payload:
                self._send(b'{"type":"pong"}')

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self._send(struct.pack("!H", 1000), CLOSE)
            self.transport.close()
