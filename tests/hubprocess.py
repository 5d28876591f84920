"""A real ``recordhub serve`` process, for tests that need another plugin set (one process
serves one plugin set, see hub/schema.py) or a second hub instance."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HubProcess:
    def __init__(self, base_url: str, session: aiohttp.ClientSession, log: Path,
                 pid: int = 0) -> None:
        self.pid = pid
        self.base_url = base_url
        self.session = session
        self.log = log

    async def gql(self, query: str, variables: dict[str, Any] | None = None,
                  token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.post(f"{self.base_url}/graphql", headers=headers,
                                     json={"query": query, "variables": variables or {}}) as r:
            return await r.json()


# The plugin set the tests are written for: the first-party plugins, by name. Another plugin
# installed in the same environment (a developer's own media type) must not change what the
# tests see, so every test hub loads exactly these unless a test says otherwise.
FIRST_PARTY_PLUGINS = ("hub_book", "hub_email_digest", "hub_film", "hub_image", "hub_music",
                       "hub_tv", "hub_webhooks", "hub_writing")


def plugin_list(*extra: str) -> str:
    """A ``HUB_PLUGINS`` value: the first-party plugins and ``extra`` (a test's own)."""
    return ",".join((*FIRST_PARTY_PLUGINS, *extra))


def hub_env(database_url: str | None, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a hub process: this one's, minus its HUB_* settings, plus these.
    Without ``database_url`` the hub starts its embedded PostgreSQL in ``data_dir``. The hub
    loads the first-party plugins only, unless ``HUB_PLUGINS`` is among ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_DATA_DIR=str(data_dir), HUB_PLUGINS=plugin_list())
    env.update(extra)
    if database_url:
        env["HUB_DATABASE_URL"] = database_url
    return env


@asynccontextmanager
async def running_hub(
    database_url: str | None, data_dir: Path, *, pythonpath: Path | None = None,
    args: tuple[str, ...] = (), **env: str,
) -> AsyncIterator[HubProcess]:
    port = free_port()
    environment = hub_env(database_url, data_dir, HUB_PORT=str(port), **env)
    if pythonpath:
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(pythonpath), environment.get("PYTHONPATH")])
        )
    log = data_dir / f"hub-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "hub.cli", "serve", *args], env=environment, stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            await _wait_ready(session, base_url, process, log)
            yield HubProcess(base_url, session, log, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


async def _wait_ready(
    session: aiohttp.ClientSession, base_url: str, process: subprocess.Popen[bytes], log: Path,
) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"hub exited with {process.returncode}:\n{log.read_text()}")
        try:
            async with session.get(f"{base_url}/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"hub did not become ready:\n{log.read_text()}")
