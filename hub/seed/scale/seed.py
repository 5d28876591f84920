"""``seed_scale``: the whole scale seed in one transaction, in order."""


from __future__ import annotations

import random

import asyncpg

from hub.domain.members import auth
from hub.plugins import HubPlugins
from hub.seed.demo import DEMO_PASSWORD
from hub.seed.notifications import seed_notifications
from hub.seed.scale.classes import load_classes
from hub.seed.scale.collaborations import load_collaborations
from hub.seed.scale.community import load_comments, load_community
from hub.seed.scale.compilations import load_compilations
from hub.seed.scale.lineage import plan_lineage
from hub.seed.scale.records import detail_pool, load_links, load_members, load_records
from hub.seed.scale.world import (
    RECORDS_PER_MEMBER,
    SEEDED_TABLES,
    Progress,
    ScaleReport,
)


class NotEmpty(RuntimeError):
    """The database already holds members or records (pass ``force`` to replace them)."""


async def _secondary_indexes(
    connection: asyncpg.Connection, tables: list[str],
) -> list[tuple[str, str]]:
    """``create index`` statements of the tables' indexes that back no constraint."""
    rows = await connection.fetch(
        """select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as ddl
           from pg_index i
           where i.indrelid = any($1::regclass[])
             and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)""",
        tables,
    )
    return [(row["name"], row["ddl"]) for row in rows]


async def is_empty(connection: asyncpg.Connection) -> bool:
    return not await connection.fetchval(
        "select exists (select 1 from members) or exists (select 1 from records)"
    )


async def seed_scale(
    dsn: str, plugins: HubPlugins, records: int, *, force: bool = False,
    progress: Progress | None = None, seed: int = 7,
) -> ScaleReport:
    """Load ``records`` records (and ``records // 50`` members), their lineage, classes and
    compilations into the database at ``dsn``, in one transaction.

    Refuses (:class:`NotEmpty`) a database with members or records unless ``force``, which
    first empties :data:`SEEDED_TABLES` and every table that references them.
    Reports progress as (what, done now, total) with what one of "members", "records",
    "links", "classes", "compilations", "collaborations", "indexes".
    """
    if records < 100:
        raise ValueError("--scale needs at least 100 records")
    report = progress or (lambda _label, _n, _total: None)
    rng = random.Random(seed)
    n_members = max(10, records // RECORDS_PER_MEMBER)
    password_hash = await auth.hash_password(DEMO_PASSWORD)
    details = await detail_pool(plugins, rng)
    if not details:
        raise ValueError("no enabled media-type plugin offers demo details (hub_sample_details)")
    lineage = plan_lineage(rng, records)

    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            await _make_room(connection, force)
            await connection.execute("set local maintenance_work_mem = '512MB'")
            indexes = await _secondary_indexes(connection, ["records", "record_sources"])
            for name, _ in indexes:
                await connection.execute(f"drop index {name}")

            world = await load_members(connection, rng, n_members, password_hash)
            report("members", n_members, n_members)
            await load_records(connection, rng, world, records, details, lineage, report)
            links = await load_links(connection, rng, world, lineage, report)
            classes = await load_classes(connection, rng, world, records)
            report("classes", classes.classes, classes.classes)
            compilations = await load_compilations(connection, rng, world, plugins, records)
            report("compilations", compilations.compilations, compilations.compilations)
            collaborations = await load_collaborations(connection, records)
            report("collaborations", collaborations, collaborations)
            await load_community(connection)
            await load_comments(connection)
            await seed_notifications(connection)  # from the hearts, remixes and decisions

            for _, ddl in indexes:
                await connection.execute(ddl)
                report("indexes", 1, len(indexes))
        await _analyze(connection)
        root_descendants = await connection.fetchval(
            """with recursive d(id) as (
                   select $1::bigint
                 union
                   select s.remix_id from d join record_sources s on s.source_id = d.id
               ) select count(*) - 1 from d""",
            world.record_id(lineage.root),
        )
    finally:
        await connection.close()
    return ScaleReport(members=n_members, records=records, remix_links=links,
                       root_id=world.record_id(lineage.root),
                       leaf_id=world.record_id(lineage.leaf),
                       root_descendants=root_descendants, classes=classes,
                       compilations=compilations)


async def _make_room(connection: asyncpg.Connection, force: bool) -> None:
    if await is_empty(connection):
        return
    if not force:
        raise NotEmpty("the database already has members or records; "
                       "pass --force to replace them")
    await connection.execute(f"truncate {', '.join(SEEDED_TABLES)} restart identity cascade")


async def _analyze(connection: asyncpg.Connection) -> None:
    """Fresh statistics, so the first benchmark queries get the plans they will keep."""
    for table in ("members", "records", "record_sources", "subscriptions", "classes",
                  "class_instructors", "lessons", "enrollments", "lesson_completions",
                  "submissions", "feedback", "compilations", "compilation_editors",
                  "compilation_items", "compilation_history", "hearts", "record_views",
                  "member_follows"):
        await connection.execute(f"analyze {table}")
