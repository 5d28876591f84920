"""SQL for the remix lineage (table ``record_sources``, an edge "remix was made from source").

Walks over the graph are recursive CTEs, never Python loops over queries:

* each walk starts from many roots at once (``unnest``), so a DataLoader batch is one
  statement;
* the recursive term follows one edge per step on an index (the primary key
  ``(remix_id, source_id)`` towards ancestors, ``record_sources_source_idx
  (source_id, remix_id)`` towards descendants);
* ``UNION`` (not ``UNION ALL``) drops a (root, record, depth) row already produced, so a
  record reached by many paths of the same length (diamonds) is expanded once per depth,
  and the depth cap bounds the work even on a graph that is wide and deep;
* the outer query keeps each record once at its shortest depth, nearest first, and caps the
  number of rows per root.
"""

from __future__ import annotations

import enum
from typing import Any

import asyncpg

from hub.core.db import Executor
from hub.core.relay import Ordering, PageArgs
from hub.domain.records.store import COLUMNS

# Every edge insert takes this transaction-level advisory lock before its cycle check; see
# hub/lineage/mutations.py for why one global lock is the right trade. ("lineage" in ASCII.)
LINEAGE_LOCK_KEY = 0x6C696E65616765

# Record.sources: in the order the author listed them.
SOURCE_ORDER = Ordering(("s.position", "s.source_id"), ("bigint", "bigint"), descending=False)
# Record.remixes: newest remix first (ids grow with time), on record_sources_source_idx.
REMIX_ORDER = Ordering(("s.remix_id",), ("bigint",), descending=True)

EDGE_COLUMNS = "s.remix_id, s.source_id, s.note, s.position, s.created_at as added_at"


class Walk(enum.Enum):
    """Which way a walk follows the edges: (column we come from, column we go to)."""

    ANCESTORS = ("remix_id", "source_id")
    DESCENDANTS = ("source_id", "remix_id")


# --- direct links --------------------------------------------------------------------------------


async def links_of_records(
    ex: Executor, record_ids: list[int], walk: Walk, page: PageArgs,
) -> list[asyncpg.Record]:
    """One page of direct sources (or remixes) per record, all records in one statement.

    Each row is the linked record (deleted and drafts included: the caller decides what is a
    tombstone) with the edge's ``note``/``added_at`` and ``_from``, the record it belongs to.
    """
    near, far = walk.value
    ordering = SOURCE_ORDER if walk is Walk.ANCESTORS else REMIX_ORDER
    params: list[Any] = [record_ids]
    keyset, order_by, limit = ordering.page_sql(page, params)
    conditions = [f"s.{near} = a.id"] + keyset
    return await ex.fetch(
        f"""select p.* from unnest($1::bigint[]) as a(id)
            cross join lateral (
                select a.id as _from, {EDGE_COLUMNS}, {COLUMNS}, {ordering.select_keys()}
                from record_sources s join records r on r.id = s.{far}
                where {' and '.join(conditions)} order by {order_by} limit {limit}
            ) p""",
        *params,
    )


async def link_counts(ex: Executor, record_ids: list[int], walk: Walk) -> dict[int, int]:
    """How many direct sources (or remixes) each record has."""
    near, _ = walk.value
    rows = await ex.fetch(
        f"""select {near} as id, count(*) as n from record_sources
            where {near} = any($1::bigint[]) group by {near}""",
        record_ids,
    )
    return {row["id"]: row["n"] for row in rows}


# --- walks ---------------------------------------------------------------------------------------


def _walk_cte(walk: Walk, prefix: str = "") -> str:
    """CTEs ``{prefix}walk(root, id, depth)``: every record reachable from each root in ``$1``
    within ``$2`` steps, once per distinct depth; ``{prefix}ranked``: each record once per
    root at its shortest depth, numbered nearest first."""
    near, far = walk.value
    return f"""{prefix}walk(root, id, depth) as (
            select a.id, s.{far}, 1 from unnest($1::bigint[]) as a(id)
            join record_sources s on s.{near} = a.id
          union
            select w.root, s.{far}, w.depth + 1 from {prefix}walk w
            join record_sources s on s.{near} = w.id
            where w.depth < $2
        ),
        {prefix}ranked as (
            select root, id, min(depth) as depth,
                   row_number() over (partition by root order by min(depth), id) as rank
            from {prefix}walk group by root, id
        )"""


async def walk_records(
    ex: Executor, root_ids: list[int], walk: Walk, max_depth: int, limit: int,
) -> list[asyncpg.Record]:
    """Ancestors (or descendants) of each root, each record once at its shortest ``depth``,
    nearest first, at most ``limit`` per root. Rows carry ``_root``, ``depth`` and the
    record's columns (tombstones included)."""
    if max_depth < 1:
        return []
    return await ex.fetch(
        f"""with recursive {_walk_cte(walk)}
            select k.root as _root, k.depth, {COLUMNS}
            from ranked k join records r on r.id = k.id
            where k.rank <= $3
            order by k.root, k.depth, k.id""",
        root_ids, max_depth, limit,
    )


async def graph_records(
    ex: Executor, root_id: int, walks: list[Walk], max_depth: int, limit: int,
) -> list[asyncpg.Record]:
    """The nodes of a lineage graph: the root (``generation`` 0), its ancestors (negative
    generations) and/or descendants (positive), nearest first, at most ``limit`` rows."""
    ctes = ["root_node(id) as (select ($1::bigint[])[1] where $2::int >= 0)"]
    parts = ["select id, 0 as generation, 0 as distance from root_node"]
    for walk in walks if max_depth > 0 else []:
        prefix = f"{walk.name.lower()}_"
        sign = "-" if walk is Walk.ANCESTORS else ""
        ctes.append(_walk_cte(walk, prefix))
        parts.append(f"select id, {sign}depth, depth from {prefix}ranked")
    return await ex.fetch(
        f"""with recursive {', '.join(ctes)},
            nodes(id, generation, distance) as ({' union all '.join(parts)})
            select n.generation, {COLUMNS} from nodes n join records r on r.id = n.id
            order by n.distance, n.generation, n.id
            limit $3""",
        [root_id], max_depth, limit,
    )


async def edges_among(ex: Executor, record_ids: list[int]) -> list[asyncpg.Record]:
    """Every edge whose both ends are in ``record_ids`` (the edges of a drawn graph)."""
    return await ex.fetch(
        """select remix_id, source_id from record_sources
           where remix_id = any($1::bigint[]) and source_id = any($1::bigint[])
           order by remix_id, position, source_id""",
        record_ids,
    )


# --- writes --------------------------------------------------------------------------------------


async def lock_lineage(ex: Executor) -> None:
    """Serialise every edge insert until this transaction ends (commit or rollback)."""
    await ex.execute("select pg_advisory_xact_lock($1)", LINEAGE_LOCK_KEY)


async def reaches(ex: Executor, start_id: int, target_id: int) -> bool:
    """Whether ``target_id`` is ``start_id`` or one of its ancestors.

    Exhaustive (no depth cap: a cycle check must not miss a long path); ``UNION`` on the id
    alone keeps each ancestor once, and PostgreSQL evaluates the recursive CTE lazily, so
    ``exists`` stops as soon as the target turns up.
    """
    return await ex.fetchval(
        """with recursive up(id) as (
               select $1::bigint
             union
               select s.source_id from up join record_sources s on s.remix_id = up.id
           )
           select exists (select 1 from up where id = $2::bigint)""",
        start_id, target_id,
    )


async def source_ids_of(ex: Executor, remix_id: int) -> list[int]:
    rows = await ex.fetch(
        "select source_id from record_sources where remix_id = $1 order by position", remix_id
    )
    return [row["source_id"] for row in rows]


async def insert_sources(
    ex: Executor, remix_id: int, sources: list[tuple[int, str]],
) -> None:
    """Append ``(source id, note)`` pairs after the record's existing sources, in order."""
    if not sources:
        return
    await ex.execute(
        """insert into record_sources (remix_id, source_id, note, position)
           select $1, t.source_id, t.note,
                  coalesce((select max(position) from record_sources where remix_id = $1), 0)
                  + t.ord
           from unnest($2::bigint[], $3::text[]) with ordinality as t(source_id, note, ord)""",
        remix_id, [source for source, _ in sources], [note for _, note in sources],
    )


async def is_source(ex: Executor, remix_id: int, source_id: int) -> bool:
    return bool(await ex.fetchval(
        "select exists (select 1 from record_sources where remix_id = $1 and source_id = $2)",
        remix_id, source_id,
    ))


async def lineage_ever_published(ex: Executor, remix_id: int) -> bool:
    """Whether the record or any record made from it (at any distance) has ever been
    published, i.e. whether its sources have been credited in public. The records walked are
    share-locked, so a remix being published meanwhile waits for the caller to commit.

    Uncapped like :func:`reaches`, and short: a record never published cannot be a source of
    anyone else's record (only of its author's own), so its descent is its author's drafts."""
    rows = await ex.fetch(
        """with recursive down(id) as (
               select $1::bigint
             union
               select s.remix_id from down join record_sources s on s.source_id = down.id
           )
           select r.published_at is not null as published from records r
           where r.id in (select id from down) for share""",
        remix_id,
    )
    return any(row["published"] for row in rows)


async def delete_source(ex: Executor, remix_id: int, source_id: int, removed_by: int) -> bool:
    """Remove the link, keeping it in ``record_source_removals`` (who removed it, when)."""
    status = await ex.execute(
        """with removed as (
               delete from record_sources where remix_id = $1 and source_id = $2
               returning remix_id, source_id, note, position, created_at)
           insert into record_source_removals (remix_id, source_id, note, position, linked_at,
                                               removed_by)
           select remix_id, source_id, note, position, created_at, $3 from removed""",
        remix_id, source_id, removed_by,
    )
    return status.endswith(" 1")
