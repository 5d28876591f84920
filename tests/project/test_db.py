"""The database layer: migrations, the embedded server, and the README's run command."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from hub.core.db import migrate as migrate_module
from hub.core.db.embedded import with_database
from hub.core.db.migrate import Migration, available_migrations, migrate
from tests.hubprocess import hub_env, running_hub


async def fresh_database(admin_url: str, name: str) -> str:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'drop database if exists "{name}" with (force)')
        await connection.execute(f'create database "{name}"')
    finally:
        await connection.close()
    return with_database(admin_url, name)


async def applied_versions(url: str) -> list[int]:
    connection = await asyncpg.connect(url)
    try:
        return [r["version"] for r in await connection.fetch(
            "select version from schema_migrations order by version")]
    finally:
        await connection.close()


async def test_concurrent_migrations_apply_each_file_once(pg_admin_url: str) -> None:
    url = await fresh_database(pg_admin_url, "hub_migrate_race")
    results = await asyncio.gather(*(migrate(url) for _ in range(3)))
    # One runner applied everything; the others waited for the lock and found nothing to do.
    assert sorted(len(applied) for applied in results) == [0, 0, len(available_migrations())]
    assert await applied_versions(url) == [m.version for m in available_migrations()]


async def test_a_failing_migration_leaves_nothing_behind(
    pg_admin_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = await fresh_database(pg_admin_url, "hub_migrate_fail")
    broken = Migration(9999, "broken", "create table half_done (id int); select 1/0;")
    real = available_migrations()
    monkeypatch.setattr(migrate_module, "available_migrations", lambda: [*real, broken])
    with pytest.raises(asyncpg.DivisionByZeroError):
        await migrate(url)
    assert 9999 not in await applied_versions(url)
    connection = await asyncpg.connect(url)
    try:
        assert await connection.fetchval("select to_regclass('half_done')") is None
    finally:
        await connection.close()


def test_two_processes_start_the_embedded_server_at_once(tmp_path: Path) -> None:
    env = hub_env(None, tmp_path / "data")
    processes = [
        subprocess.Popen([sys.executable, "-m", "hub.cli", "migrate"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert sum("applied 0001" in out for out in outputs) == 1, outputs


async def test_serve_demo_seeds_once_and_keeps_data_between_runs(tmp_path: Path) -> None:
    feed = "{ records(first: 1) { totalCount } members { totalCount } }"
    async with running_hub(None, tmp_path, args=("--demo",)) as hub:
        first = await hub.gql(feed)
        login = await hub.gql("""mutation { logIn(input: {handle: "ada",
            password: "recordhub-demo"}) { member { role } errors { code } } }""")
    assert login["data"]["logIn"] == {"member": {"role": "ADMIN"}, "errors": []}
    assert first["data"]["members"]["totalCount"] >= 24
    assert first["data"]["records"]["totalCount"] >= 300
    async with running_hub(None, tmp_path, args=("--demo",)) as hub:
        again = await hub.gql(feed)
    assert again == first


async def test_serve_with_workers_runs_several_processes_on_one_port(
    database_url: str, tmp_path: Path,
) -> None:
    import psutil

    async with running_hub(database_url, tmp_path, args=("--workers", "2")) as hub:
        for _ in range(20):  # until the second worker has joined the port
            workers = [child for child in psutil.Process(hub.pid).children()
                       if "spawn_main" in " ".join(child.cmdline())]
            if workers:
                break
            await asyncio.sleep(0.1)
        answers = [await hub.gql("{ mediaTypes { key } }") for _ in range(10)]
        assert len(workers) == 1
        assert all(answer["data"]["mediaTypes"] for answer in answers)
