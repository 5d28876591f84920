"""Benchmark-scale data: ``recordhub seed --scale N`` (used by bench/run.py).

N records by N/50 members, every enabled media type, and remix lineages of every shape the
lineage walks must handle: chains up to :data:`MAX_GENERATIONS` generations deep, branching
families, diamonds (a remix of two records that share a source) and a few tombstones. One
*designated* lineage root has about :data:`DESIGNATED_DESCENDANTS` descendants over
:data:`MAX_GENERATIONS` generations; it carries the tag :data:`ROOT_TAG` and the deepest of
its descendants (generation 50) the tag :data:`LEAF_TAG`, so a benchmark finds them again.

Speed: rows are generated in Python and sent with binary COPY
(``copy_records_to_table``) in batches of :data:`BATCH`; the secondary indexes of
``records`` and ``record_sources`` are dropped before the load and rebuilt after it, all in one
transaction, so a failed load leaves the database as it was. Every edge runs from an older
record to a newer one, which keeps the graph acyclic by construction. Deterministic for a
given ``seed`` (class slugs included).

Beside the records: one EDITOR per :data:`EDITOR_EVERY` members (member 0 is the ADMIN), a
subscription for about :data:`SUBSCRIBER_SHARE` of the members, one Class Project per
:data:`CLASS_EVERY` records and one compilation per :data:`COMPILATION_EVERY` records (see
:func:`_plan_class` and :func:`_plan_compilation` for what they hold). Their statuses follow
fixed cycles (:data:`CLASS_CYCLE`, :data:`COMPILATION_CYCLE`) so that even a small data set has
the first of each PUBLISHED and every status appears. Seeded compilations carry no
publications or payouts: rendering EPUB and OTIO files would dominate the seed and write blobs
outside the database, so a PUBLISHED one reads with ``publications: []``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from hub.lineage.demo import NOTES
from hub.members import auth
from hub.plugins import HubPlugins
from hub.seed import (
    ADJECTIVES,
    DEMO_PASSWORD,
    FIRST,
    LAST,
    NOUNS,
    SKILLS,
    _raw_details,
    _title,
)

BATCH = 20_000
RECORDS_PER_MEMBER = 50
MAX_GENERATIONS = 50
DESIGNATED_DESCENDANTS = 10_000
ROOT_TAG = "scale-lineage-root"
LEAF_TAG = "scale-lineage-leaf"
# Distinct normalised details per media type, made once through the plugins' own hooks.
DETAIL_VARIANTS = 64
TAGS = ["collab", "remixable", "demo", "lofi", "live", "draft-idea", "night", "city", "nature",
        "acoustic", "vintage", "experimental", "summer", "loop", "sketch"]
LICENSES = ["CC_BY_4_0", "CC_BY_SA_4_0", "CC_BY_NC_4_0", "CC_BY_NC_SA_4_0", "CC0_1_0"]
RECORD_COLUMNS = ("author_id", "media_type", "title", "description", "tags", "license", "status",
                  "details", "details_text", "created_at", "updated_at", "published_at",
                  "deleted_at")
EDGE_COLUMNS = ("remix_id", "source_id", "note", "position", "created_at")

Progress = Callable[[str, int, int], None]


class NotEmpty(RuntimeError):
    """The database already holds members or records (pass ``force`` to replace them)."""


@dataclass(frozen=True)
class ScaleReport:
    members: int
    records: int
    remix_links: int
    root_id: int
    leaf_id: int
    root_descendants: int


@dataclass
class _Lineage:
    """Edges as (remix index, source index) pairs over record indexes 0..N-1."""

    edges: list[tuple[int, int]]
    designated: list[int]  # record indexes of the designated tree, generation order
    root: int
    leaf: int


def _designated_tree(rng: random.Random, total: int) -> tuple[list[list[int]], int]:
    """Generations (lists of record indexes, increasing) of the designated lineage: the root,
    then widths 3, 9, 27, … up to a plateau, for :data:`MAX_GENERATIONS` generations."""
    target = min(DESIGNATED_DESCENDANTS, max(MAX_GENERATIONS, (total - 1_000) // 2))
    widths = [min(3**g, 10**9) for g in range(1, MAX_GENERATIONS + 1)]
    plateau = 1
    while sum(min(w, plateau) for w in widths) < target:
        plateau += 1
    widths = [min(w, plateau) for w in widths]
    size = 1 + sum(widths)
    # Spread the tree over the newer 90% of the records, in creation order.
    start = total // 10
    slots = sorted(rng.sample(range(start, total), size))
    generations = [[slots[0]]]
    at = 1
    for width in widths:
        generations.append(slots[at:at + width])
        at += width
    return generations, size


def plan_lineage(rng: random.Random, total: int) -> _Lineage:
    """Every remix edge of a data set of ``total`` records (by record index)."""
    generations, _ = _designated_tree(rng, total)
    edges: list[tuple[int, int]] = []
    for previous, current in itertools.pairwise(generations):
        for child in current:
            parent = rng.choice(previous)
            edges.append((child, parent))
            if len(previous) > 1 and rng.random() < 0.1:  # a diamond inside the family
                other = rng.choice(previous)
                if other != parent:
                    edges.append((child, other))
    designated = [i for generation in generations for i in generation]
    reserved = set(designated)

    depth: dict[int, int] = {}
    pool: list[int] = []  # records others may remix (originals and remixes)
    chains: list[list[int]] = []  # [tip, length, target length]
    for i in range(total):
        if i in reserved:
            continue
        u = rng.random()
        if u < 0.04 and pool:
            if len(chains) < 24:  # start a chain from an earlier record
                tip = rng.choice(pool)
                if depth.get(tip, 0) < MAX_GENERATIONS - 1:
                    chains.append([tip, depth.get(tip, 0), rng.randint(5, MAX_GENERATIONS)])
            if not chains:
                continue
            chain = rng.choice(chains)
            edges.append((i, chain[0]))
            depth[i] = chain[1] + 1
            chain[0], chain[1] = i, depth[i]
            if chain[1] >= min(chain[2], MAX_GENERATIONS):
                chains.remove(chain)
        elif u < 0.20 and pool:
            sources = {rng.choice(pool)}
            if rng.random() < 0.15:  # two (sometimes three) sources: diamonds and merges
                sources |= {rng.choice(pool) for _ in range(rng.randint(1, 2))}
            sources = {s for s in sources if depth.get(s, 0) < MAX_GENERATIONS}
            if not sources:
                continue
            for source in sorted(sources):
                edges.append((i, source))
            depth[i] = 1 + max(depth.get(s, 0) for s in sources)
        elif rng.random() > 0.1:
            continue  # an original nobody remixes
        if len(pool) < 5_000:
            pool.append(i)
        else:
            pool[rng.randrange(len(pool))] = i
    return _Lineage(edges=edges, designated=designated, root=generations[0][0],
                    leaf=generations[-1][0])


async def _detail_pool(
    plugins: HubPlugins, rng: random.Random,
) -> dict[str, list[tuple[str, str]]]:
    """(details JSON, search text) variants per media type, normalised by the plugins."""
    pool: dict[str, list[tuple[str, str]]] = {}
    for media_type in plugins.media_types:
        variants = []
        for n in range(DETAIL_VARIANTS):
            raw = _raw_details(media_type, rng)
            if media_type == "image":
                raw = {"caption": f"{_title(rng)}, frame {n}", "width": rng.choice([800, 1920, 4000]),
                       "height": rng.choice([600, 1080, 3000])}
            details = await plugins.first(
                "hub_normalize_details", media_type=media_type, details=raw,
            ) or {}
            text = await plugins.first(
                "hub_details_search_text", media_type=media_type, details=details,
            ) or ""
            variants.append((orjson.dumps(details).decode(), text))
        pool[media_type] = variants
    return pool


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
    """Load ``records`` records (and ``records // 50`` members) into the database at ``dsn``.

    Refuses (:class:`NotEmpty`) a database with members or records unless ``force``, which
    first empties members, records and every table that references them.
    Reports progress as (what, done now, total) with what one of "members", "records",
    "links", "indexes".
    """
    if records < 100:
        raise ValueError("--scale needs at least 100 records")
    report = progress or (lambda _label, _n, _total: None)
    rng = random.Random(seed)
    n_members = max(10, records // RECORDS_PER_MEMBER)
    password_hash = await auth.hash_password(DEMO_PASSWORD)
    details = await _detail_pool(plugins, rng)
    media_types = sorted(details)
    lineage = plan_lineage(rng, records)

    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            if not await is_empty(connection):
                if not force:
                    raise NotEmpty("the database already has members or records; "
                                   "pass --force to replace them")
                await connection.execute("truncate members, records restart identity cascade")
            await connection.execute("set local maintenance_work_mem = '512MB'")
            indexes = await _secondary_indexes(connection, ["records", "record_sources"])
            for name, _ in indexes:
                await connection.execute(f"drop index {name}")

            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            start = now - dt.timedelta(days=730)
            members = list(_member_rows(rng, n_members, password_hash, start))
            await connection.copy_records_to_table(
                "members", records=members,
                columns=("handle", "display_name", "bio", "skills", "role", "password_hash",
                         "created_at", "updated_at"),
            )
            member_ids = [r["id"] for r in await connection.fetch(
                "select id from members order by id")]
            report("members", n_members, n_members)

            step = (now - start) / (records + 1)
            created = [start + step * (i + 1) for i in range(records)]
            designated = set(lineage.designated)
            for batch in _batches(_record_rows(rng, records, member_ids, media_types, details,
                                               created, designated, lineage), BATCH):
                await connection.copy_records_to_table(
                    "records", records=batch, columns=RECORD_COLUMNS)
                report("records", len(batch), records)
            base, last, count = await connection.fetchrow(
                "select min(id), max(id), count(*) from records")
            if last - base + 1 != count or count != records:
                raise RuntimeError("record ids are not contiguous; cannot place the lineage")

            positions: dict[int, int] = {}
            edge_rows = []
            for remix, source in lineage.edges:
                positions[remix] = positions.get(remix, 0) + 1
                edge_rows.append((base + remix, base + source, rng.choice(NOTES),
                                  positions[remix], created[remix]))
            for batch in _batches(iter(edge_rows), BATCH):
                await connection.copy_records_to_table(
                    "record_sources", records=batch, columns=EDGE_COLUMNS)
                report("links", len(batch), len(edge_rows))

            for _, ddl in indexes:
                await connection.execute(ddl)
                report("indexes", 1, len(indexes))
        await connection.execute("analyze members")
        await connection.execute("analyze records")
        await connection.execute("analyze record_sources")
        root_descendants = await connection.fetchval(
            """with recursive d(id) as (
                   select $1::bigint
                 union
                   select s.remix_id from d join record_sources s on s.source_id = d.id
               ) select count(*) - 1 from d""",
            base + lineage.root,
        )
    finally:
        await connection.close()
    return ScaleReport(members=n_members, records=records, remix_links=len(edge_rows),
                       root_id=base + lineage.root, leaf_id=base + lineage.leaf,
                       root_descendants=root_descendants)


def _member_rows(
    rng: random.Random, count: int, password_hash: str, start: dt.datetime,
) -> Iterator[tuple[Any, ...]]:
    for i in range(count):
        first = FIRST[i % len(FIRST)]
        skills = rng.sample(SKILLS, rng.randint(1, 4))
        display = f"{first} {rng.choice(LAST)}"
        created = start + dt.timedelta(minutes=i)
        yield (f"{first.lower()}{i}", display,
               f"{first} works on {' and '.join(skills)}.", skills,
               "ADMIN" if i == 0 else "EDITOR" if i == 1 else "MEMBER", password_hash,
               created, created)


def _record_rows(
    rng: random.Random, total: int, member_ids: list[int], media_types: list[str],
    details: dict[str, list[tuple[str, str]]], created: list[dt.datetime],
    designated: set[int], lineage: _Lineage,
) -> Iterator[tuple[Any, ...]]:
    n_members = len(member_ids)
    remixes = {remix for remix, _ in lineage.edges}
    for i in range(total):
        media_type = media_types[i % len(media_types)]
        detail_json, text = details[media_type][rng.randrange(DETAIL_VARIANTS)]
        # A few prolific members: the author index is skewed towards the first members.
        author = member_ids[int(n_members * rng.random() ** 2)]
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {i}"
        tags = rng.sample(TAGS, rng.randint(0, 3))
        status, deleted = "PUBLISHED", None
        if i in designated:
            if i == lineage.root:
                tags.append(ROOT_TAG)
            elif i == lineage.leaf:
                tags.append(LEAF_TAG)
        else:
            u = rng.random()
            if u < 0.05:
                status = "DRAFT"
            elif u < 0.07:
                status = "UNPUBLISHED"
            elif u < 0.075 and i not in remixes:
                deleted = created[i]  # a tombstone (maybe remixed: credit stays)
        kind = "remix" if i in remixes else "original"
        at = created[i]
        yield (author, media_type, title,
               f"An {kind} {media_type} piece about {title.split()[1].lower()}.", tags,
               rng.choice(LICENSES), status, detail_json, text, at, at,
               at if status != "DRAFT" else None, deleted)


def _batches(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
