"""Read replicas (``HUB_DATABASE_REPLICA_URLS``, hub/core/db/replicas.py) against a real
streaming replica: PostgreSQL's own ``initdb``, ``pg_basebackup -R`` and ``pg_ctl`` make a
primary and a hot standby of it in a temporary directory, on loopback ports.

Pausing the standby's replay (``pg_wal_replay_pause()``) makes its staleness visible: a
compiled anonymous read answered by the replica shows the old data, while the member who just
wrote reads their write (from the primary) — then, replay resumed, everyone sees it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from hub.core.config import Settings
from hub.http.app import create_app, create_hub
from hub.plugins import HubPlugins
from tests.api import Api, Member
from tests.http.test_metrics import scrape, value
from tests.http.test_response_cache import get
from tests.hubprocess import free_port
from tests.realtime_client import eventually


def _bindir() -> Path | None:
    """PostgreSQL's server binaries: ``pg_config --bindir``, else Debian's layout."""
    candidates = []
    if shutil.which("pg_config"):
        candidates.append(subprocess.run(["pg_config", "--bindir"], capture_output=True,
                                         text=True, check=False).stdout.strip())
    candidates += sorted(str(p) for p in Path("/usr/lib/postgresql").glob("*/bin"))[::-1]
    for candidate in candidates:
        path = Path(candidate)
        if all((path / tool).is_file() for tool in ("initdb", "pg_ctl", "pg_basebackup")):
            return path
    return None


BINDIR = _bindir()
if BINDIR is None:
    pytest.skip("PostgreSQL's initdb, pg_ctl and pg_basebackup were not found "
                "(pg_config --bindir, /usr/lib/postgresql/*/bin)", allow_module_level=True)

RECORDS = "query Titles { records(orderBy: TITLE, first: 20) { nodes { title } } }"


@dataclass
class Cluster:
    primary_admin: str
    replica_admin: str

    def database(self, admin_url: str, name: str) -> str:
        return admin_url.rsplit("/", 1)[0] + f"/{name}"


def _run(*args: str, user: str | None) -> None:
    # As root, PostgreSQL's binaries refuse to run: they run as the `postgres` system user.
    result = subprocess.run(args, user=user, capture_output=True, text=True, check=False,
                            timeout=60)
    assert result.returncode == 0, f"{args[0]} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A primary and a streaming replica of it, stopped and deleted afterwards."""
    assert BINDIR is not None
    user = None
    if os.geteuid() == 0:
        user = "postgres"
        try:
            import pwd

            pwd.getpwnam(user)
        except KeyError:
            pytest.skip("running as root without a `postgres` system user to run PostgreSQL as")
    root = Path(tempfile.mkdtemp(prefix="recordhub-replica-"))
    if user is not None:
        shutil.chown(root, user)
    primary, standby = root / "primary", root / "replica"
    primary_port, replica_port = free_port(), free_port()
    started: list[Path] = []
    try:
        _run(str(BINDIR / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-N",
             user=user)
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {primary_port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{root}'\nwal_level = replica\n"
                       "max_wal_senders = 4\nfsync = off\n")
        _run(str(BINDIR / "pg_ctl"), "-D", str(primary), "-l", str(root / "primary.log"),
             "-w", "start", user=user)
        started.append(primary)
        _run(str(BINDIR / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port),
             "-U", "postgres", "-D", str(standby), "-R", "-X", "stream", user=user)
        with (standby / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {replica_port}\n")
        _run(str(BINDIR / "pg_ctl"), "-D", str(standby), "-l", str(root / "replica.log"),
             "-w", "start", user=user)
        started.append(standby)
        yield Cluster(f"postgresql://postgres@127.0.0.1:{primary_port}/postgres",
                      f"postgresql://postgres@127.0.0.1:{replica_port}/postgres")
    finally:
        for data in reversed(started):
            _run(str(BINDIR / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop", user=user)
        shutil.rmtree(root, ignore_errors=True)


_databases = iter(range(1_000_000))


@asynccontextmanager
async def replicated_hub(cluster: Cluster, settings: Settings, plugins: HubPlugins,
                         replica_urls: tuple[str, ...] | None = None, **overrides: Any,
                         ) -> AsyncIterator[Api]:
    """A hub on a fresh database of the primary, reading from the replica (or ``replica_urls``)."""
    name = f"hub_{next(_databases)}"
    admin = await asyncpg.connect(cluster.primary_admin)
    try:
        await admin.execute(f'create database "{name}"')
    finally:
        await admin.close()
    urls = replica_urls if replica_urls is not None \
        else (cluster.database(cluster.replica_admin, name),)
    hub = await create_hub(replace(settings, database_replica_urls=urls, **overrides),
                           database_url=cluster.database(cluster.primary_admin, name),
                           plugins=plugins)
    async with TestClient(TestServer(create_app(hub))) as client:
        yield Api(client, hub)


async def titles(api: Api, member: Member | None = None) -> list[str]:
    data = await api.gql(RECORDS, token=member.token if member else None)
    return [node["title"] for node in data["records"]["nodes"]]


async def reads(api: Api) -> tuple[float, float]:
    """(compiled reads answered by the primary, by the replica) so far."""
    samples = await scrape(api)
    return (value(samples, "hub_db_compiled_reads_total", pool="primary"),
            value(samples, "hub_db_compiled_reads_total", pool="replica-1"))


async def replica_sql(cluster: Cluster, statement: str) -> None:
    connection = await asyncpg.connect(cluster.replica_admin)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def caught_up(api: Api) -> None:
    """Wait until the replica has replayed everything the primary has committed."""
    assert api.hub.replicas is not None
    target = await api.hub.db.fetchval("select pg_current_wal_lsn()::text")
    from hub.core.db.replicas import lsn

    async def replayed() -> bool:
        await api.hub.replicas.poll()  # type: ignore[union-attr]
        return api.hub.replicas.replicas[0].replayed >= lsn(target)  # type: ignore[union-attr]

    await eventually(replayed, within=20, every=0.05)


async def test_anonymous_compiled_reads_go_to_the_replica_and_writers_read_their_writes(
    cluster: Cluster, settings: Settings, plugins: HubPlugins,
) -> None:
    # A generous lag bound: the paused replica stays in use for the anonymous reads below.
    async with replicated_hub(cluster, settings, plugins, replica_max_lag_ms=120_000) as api:
        ada = await api.sign_up("ada")
        await api.create_record(ada, "Before", publish=True)
        bob = await api.sign_up("bob")
        await caught_up(api)

        primary_before, replica_before = await reads(api)
        assert await titles(api) == ["Before"]
        primary_after, replica_after = await reads(api)
        assert (primary_after - primary_before, replica_after - replica_before) == (0, 1)

        await replica_sql(cluster, "select pg_wal_replay_pause()")
        try:
            await api.create_record(ada, "During", publish=True)
            # The writer reads their write (the primary answers: the replica is behind it)...
            assert await titles(api, ada) == ["Before", "During"]
            # ...anonymous readers get the replica's older answer, within the lag bound.
            assert await titles(api) == ["Before"]
            # So do members who have not written since the replica fell behind...
            assert await titles(api, bob) == ["Before"]
            # ...but one who signs up now finds their account at once (signUp notes their LSN).
            cyd = await api.sign_up("cyd")
            assert await api.gql("query Me { viewer { handle } }", token=cyd.token) \
                == {"viewer": {"handle": "cyd"}}
            # The response cache does not keep a replica's answer older than the write it was
            # told of (it would outlive the lag bound).
            _, _, body = await get(api, RECORDS)
            assert orjson.loads(body)["data"]["records"]["nodes"] == [{"title": "Before"}]
            assert len(api.hub.response_cache) == 0
        finally:
            await replica_sql(cluster, "select pg_wal_replay_resume()")

        async def everyone_sees_it() -> bool:
            return await titles(api) == ["Before", "During"]

        await eventually(everyone_sees_it, within=20, every=0.05)

        async def kept() -> bool:  # once a poll has seen the replica caught up
            _, _, body = await get(api, RECORDS)
            fresh = len(orjson.loads(body)["data"]["records"]["nodes"]) == 2
            return fresh and len(api.hub.response_cache) == 1

        await eventually(kept, within=20, every=0.05)
        assert await titles(api, ada) == ["Before", "During"]
        primary_end, replica_end = await reads(api)
        # The writer's reads went to the primary while the replica was behind; after it
        # caught up, the replica answered again.
        assert primary_end > primary_after and replica_end > replica_after + 2


async def test_a_replica_too_far_behind_is_not_used(
    cluster: Cluster, settings: Settings, plugins: HubPlugins,
) -> None:
    async with replicated_hub(cluster, settings, plugins, replica_max_lag_ms=300) as api:
        ada = await api.sign_up("ada")
        await api.create_record(ada, "Before", publish=True)
        await caught_up(api)
        await replica_sql(cluster, "select pg_wal_replay_pause()")
        try:
            await api.create_record(ada, "During", publish=True)

            # Past the bound (and a poll), anonymous readers are served by the primary.
            async def fresh() -> bool:
                return await titles(api) == ["Before", "During"]

            await eventually(fresh, within=20, every=0.1)
            primary, _ = await reads(api)
            await titles(api)
            assert (await reads(api))[0] == primary + 1
        finally:
            await replica_sql(cluster, "select pg_wal_replay_resume()")


async def test_a_replica_that_is_down_leaves_reads_to_the_primary(
    cluster: Cluster, settings: Settings, plugins: HubPlugins,
) -> None:
    nowhere = (f"postgresql://postgres@127.0.0.1:{free_port()}/postgres",)
    async with replicated_hub(cluster, settings, plugins, replica_urls=nowhere) as api:
        ada = await api.sign_up("ada")
        await api.create_record(ada, "Harbor", publish=True)
        assert await titles(api) == ["Harbor"]
        assert await reads(api) == (1, 0)
        assert value(await scrape(api), "hub_db_replicas_usable") == 0


def test_replicas_are_settings() -> None:
    urls = "postgresql://r1:5432/hub, postgresql://r2:5432/hub"
    settings = Settings.from_env({"HUB_DATABASE_REPLICA_URLS": urls,
                                  "HUB_REPLICA_MAX_LAG_MS": "250"})
    assert settings.database_replica_urls == ("postgresql://r1:5432/hub",
                                              "postgresql://r2:5432/hub")
    assert settings.replica_max_lag_ms == 250
    assert Settings.from_env({}).database_replica_urls == ()
