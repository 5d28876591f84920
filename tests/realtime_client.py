"""A small graphql-transport-ws client for tests (aiohttp's WebSocket client), and a bounded
wait for things that happen after a commit."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

PROTOCOL = "graphql-transport-ws"


async def eventually(check: Callable[[], bool | Awaitable[bool]], within: float = 10.0,
                     every: float = 0.02) -> None:
    """Wait until ``check()`` is true; fail after ``within`` seconds."""
    async with asyncio.timeout(within):
        while True:
            result = check()
            if result if isinstance(result, bool) else await result:  # type: ignore[misc]
                return
            await asyncio.sleep(every)


class WsClient:
    """One graphql-transport-ws connection: ``subscribe`` returns an operation id; ``next``
    gives that operation's next message."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.inbox: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.ack: dict[str, Any] | None = None
        self._reader: asyncio.Task[None] | None = None
        # (code, reason) of the close frame the hub sent, once it did.
        self.closed_with: tuple[int, str] | None = None

    @classmethod
    async def connect(cls, session: Any, url: str, payload: dict[str, Any] | None = None,
                      ) -> WsClient:
        ws = await session.ws_connect(url, protocols=[PROTOCOL])
        client = cls(ws)
        await ws.send_json({"type": "connection_init", "payload": payload or {}})
        async with asyncio.timeout(10):
            message = await ws.receive_json()
        assert message["type"] == "connection_ack", message
        client.ack = message.get("payload")
        client._reader = asyncio.create_task(client._read())
        return client

    async def _read(self) -> None:
        while True:
            message = await self.ws.receive()
            if message.type == aiohttp.WSMsgType.CLOSE:
                self.closed_with = (message.data, message.extra or "")
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = message.json()
            if data["type"] == "ping":
                await self.ws.send_json({"type": "pong"})
                continue
            if "id" in data:
                self.inbox.setdefault(data["id"], asyncio.Queue()).put_nowait(data)

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        op_id = str(next(self.ids))
        self.inbox.setdefault(op_id, asyncio.Queue())
        await self.ws.send_json({"id": op_id, "type": "subscribe",
                                 "payload": {"query": query, "variables": variables or {}}})
        return op_id

    async def next(self, op_id: str, within: float = 10.0) -> dict[str, Any]:
        async with asyncio.timeout(within):
            return await self.inbox.setdefault(op_id, asyncio.Queue()).get()

    async def nothing_for(self, op_id: str, seconds: float) -> None:
        """Assert that ``op_id`` receives no message for ``seconds``."""
        await asyncio.sleep(seconds)
        queue = self.inbox.setdefault(op_id, asyncio.Queue())
        assert queue.empty(), queue.get_nowait()

    async def closed(self, within: float = 10.0) -> tuple[int, str]:
        """Wait until the hub closes the connection: its close code and reason."""
        assert self._reader is not None
        async with asyncio.timeout(within):
            await asyncio.shield(self._reader)
        assert self.closed_with is not None, "the connection ended without a close frame"
        return self.closed_with

    async def complete(self, op_id: str) -> None:
        await self.ws.send_json({"id": op_id, "type": "complete"})

    async def close(self) -> None:
        await self.ws.close()
        if self._reader:
            self._reader.cancel()
