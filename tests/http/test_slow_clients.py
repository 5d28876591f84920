"""Slow and greedy clients against a real ``recordhub serve`` (hub/serving.py): a request head
that never ends, a body shorter than its Content-Length, and more open connections from one
address than the cap. Raw sockets, short timeouts from the environment, generous bounds."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson

from tests.hubprocess import HubProcess, running_hub

TIMEOUT_S = 0.5
# "Closed within the timeout" is checked as "closed well before ten times it": the machine is
# shared and noisy, and a server that never closes fails either way.
BOUND_S = 10 * TIMEOUT_S * 2


async def _connect(hub: HubProcess) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = hub.base_url.removeprefix("http://").split(":")
    return await asyncio.open_connection(host, int(port))


async def _closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection (fails if it never does)."""
    return await asyncio.wait_for(reader.read(), BOUND_S)


async def test_unfinished_heads_and_short_bodies_are_closed(database_url: str, tmp_path: Path,
                                                            ) -> None:
    async with running_hub(database_url, tmp_path, HUB_HEADER_TIMEOUT_S=str(TIMEOUT_S),
                           HUB_BODY_TIMEOUT_S=str(TIMEOUT_S)) as hub:
        # Nothing at all, then half a head: the connection waits for a complete head.
        silent_reader, silent = await _connect(hub)
        half_reader, half = await _connect(hub)
        half.write(b"POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n")
        await half.drain()
        # A whole head announcing 100 bytes of body, and 10 of them.
        short_reader, short = await _connect(hub)
        short.write(b"POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 100\r\n\r\n" + b'{"query": ')
        await short.drain()

        assert await _closed_by_server(silent_reader) == b""
        assert await _closed_by_server(half_reader) == b""
        answer = await _closed_by_server(short_reader)
        assert b" 200 " not in answer.split(b"\r\n", 1)[0]  # never answered as if complete
        for writer in (silent, half, short):
            writer.close()

        # A client that takes its time but keeps going is served.
        reader, writer = await _connect(hub)
        body = b'{"query": "{ __typename }"}'
        writer.write(b"POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                     b"Connection: close\r\nContent-Length: " + str(len(body)).encode()
                     + b"\r\n\r\n")
        for byte in body:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(TIMEOUT_S / 20)
        answer = await _closed_by_server(reader)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 200 ")
        assert orjson.loads(answer.split(b"\r\n\r\n", 1)[1]) == {"data": {"__typename": "Query"}}
        assert "Traceback" not in hub.log.read_text()


async def test_connections_per_address_are_capped(database_url: str, tmp_path: Path) -> None:
    cap = 4
    async with running_hub(database_url, tmp_path, HUB_MAX_CONNECTIONS_PER_ADDRESS=str(cap),
                           HUB_HEADER_TIMEOUT_S="60") as hub:
        # running_hub's own client session may hold a keep-alive connection too.
        await hub.session.close()
        await asyncio.sleep(0.2)  # for the server to see that one close (no timing is asserted)
        held = [await _connect(hub) for _ in range(cap)]
        refused_reader, refused = await _connect(hub)
        answer = await _closed_by_server(refused_reader)
        refused.close()
        assert answer.startswith(b"HTTP/1.1 429 ")
        assert b"TOO_MANY_CONNECTIONS" in answer

        # Closing one makes room for one.
        _, first = held.pop()
        first.close()
        await first.wait_closed()
        for _ in range(100):
            reader, writer = await _connect(hub)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
            await writer.drain()
            answer = await _closed_by_server(reader)
            writer.close()
            if not answer.startswith(b"HTTP/1.1 429 "):
                break
            await asyncio.sleep(0.05)  # the server has not seen the close yet
        assert answer.startswith(b"HTTP/1.1 200 "), answer
        for _, writer in held:
            writer.close()
