"""Members, records and their remix links of the scale seed."""


from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import asyncpg
import orjson

from hub.plugins import HubPlugins
from hub.seed.demo import ADJECTIVES, FIRST, LAST, NOUNS, SKILLS
from hub.seed.lineage import NOTES
from hub.seed.samples import sample_details
from hub.seed.scale.lineage import Lineage
from hub.seed.scale.world import (
    BATCH,
    DETAIL_VARIANTS,
    EDGE_COLUMNS,
    EDITOR_EVERY,
    LEAF_TAG,
    LICENSES,
    MEMBER_COLUMNS,
    RECORD_COLUMNS,
    ROOT_TAG,
    TAGS,
    Progress,
    Row,
    World,
    batches,
    copy_rows,
    new_ids,
)


async def detail_pool(
    plugins: HubPlugins, rng: random.Random,
) -> dict[str, list[tuple[str, str]]]:
    """(details JSON, search text) variants per media type, from each plugin's
    ``hub_sample_details`` and normalised by its own hooks; a media type whose plugin offers
    none is left out (hub.seed.samples logs it)."""
    pool: dict[str, list[tuple[str, str]]] = {}
    for media_type in plugins.media_types:
        variants = await sample_details(plugins, media_type, DETAIL_VARIANTS, rng.randrange(2**32))
        if variants:
            pool[media_type] = [(orjson.dumps(details).decode(), text)
                                for details, text in variants]
    return pool


async def load_members(
    connection: asyncpg.Connection, rng: random.Random, count: int, password_hash: str,
) -> World:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=730)
    rows = list(_member_rows(rng, count, password_hash, start))
    await copy_rows(connection, "members", MEMBER_COLUMNS, rows)
    ids = await new_ids(connection, "members", count)
    skilled: dict[str, list[int]] = {}
    for member_id, row in zip(ids, rows, strict=True):
        for skill in row[MEMBER_COLUMNS.index("skills")]:
            skilled.setdefault(skill, []).append(member_id)
    role = MEMBER_COLUMNS.index("role")
    return World(start=start, now=now, members=ids,
                  editors=[i for i, row in zip(ids, rows, strict=True) if row[role] != "MEMBER"],
                  skilled=skilled)


async def load_records(
    connection: asyncpg.Connection, rng: random.Random, world: World, records: int,
    details: dict[str, list[tuple[str, str]]], lineage: Lineage, report: Progress,
) -> None:
    step = (world.now - world.start) / (records + 1)
    world.created = [world.start + step * (i + 1) for i in range(records)]
    rows = _record_rows(rng, records, world.members, sorted(details), details, world.created,
                        set(lineage.designated), lineage)
    for batch in batches(_catalogued(rows, world), BATCH):
        await connection.copy_records_to_table("records", records=batch, columns=RECORD_COLUMNS)
        report("records", len(batch), records)
    base, last, count = await connection.fetchrow(
        "select min(id), max(id), count(*) from records")
    if last - base + 1 != count or count != records:
        raise RuntimeError("record ids are not contiguous; cannot place the lineage")
    world.base = base


def _catalogued(rows: Iterator[Row], world: World) -> Iterator[Row]:
    """Pass the record rows on, noting the published ones (by media type and author) and the
    details of each, for the classes and compilations."""
    author, media, status = (RECORD_COLUMNS.index(c) for c in ("author_id", "media_type",
                                                               "status"))
    detail, deleted = RECORD_COLUMNS.index("details"), RECORD_COLUMNS.index("deleted_at")
    for index, row in enumerate(rows):
        if row[status] == "PUBLISHED" and row[deleted] is None:
            world.published.setdefault(row[media], []).append(index)
            world.by_author.setdefault(row[author], []).append(index)
        world.details.append(row[detail])  # one of a few variants: shared, not copied
        yield row


async def load_links(
    connection: asyncpg.Connection, rng: random.Random, world: World, lineage: Lineage,
    report: Progress,
) -> int:
    positions: dict[int, int] = {}
    edge_rows: list[Row] = []
    for remix, source in lineage.edges:
        positions[remix] = positions.get(remix, 0) + 1
        edge_rows.append((world.record_id(remix), world.record_id(source), rng.choice(NOTES),
                          positions[remix], world.created[remix]))
    for batch in batches(iter(edge_rows), BATCH):
        await connection.copy_records_to_table(
            "record_sources", records=batch, columns=EDGE_COLUMNS)
        report("links", len(batch), len(edge_rows))
    return len(edge_rows)


def _member_rows(
    rng: random.Random, count: int, password_hash: str, start: dt.datetime,
) -> Iterator[Row]:
    for i in range(count):
        first = FIRST[i % len(FIRST)]
        skills = rng.sample(SKILLS, rng.randint(1, 4))
        display = f"{first} {rng.choice(LAST)}"
        created = start + dt.timedelta(minutes=i)
        yield (f"{first.lower()}{i}", display,
               f"{first} works on {' and '.join(skills)}.", skills, _role(i), password_hash,
               created, created)


def _role(i: int) -> str:
    if i == 0:
        return "ADMIN"
    return "EDITOR" if i % EDITOR_EVERY == 1 else "MEMBER"


# --- classes ------------------------------------------------------------------------------------



def _record_rows(
    rng: random.Random, total: int, member_ids: list[int], media_types: list[str],
    details: dict[str, list[tuple[str, str]]], created: list[dt.datetime],
    designated: set[int], lineage: Lineage,
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
