"""SQL for the remix lineage (table ``record_sources``, an edge "remix was made from source"):
the walks of rules.py for many roots at once, and the writes (with the cycle check)."""

from __future__ import annotations

import asyncpg

from hub.core.db import Executor
from hub.domain.lineage.rules import MAX_ENTRIES, Walk, nearest, walk_cte
from hub.domain.records import rules as records

# Every edge insert takes this transaction-level advisory lock before its cycle check; see
# hub/lineage/mutations.py for why one global lock is the right trade. ("lineage" in ASCII.)
LINEAGE_LOCK_KEY = 0x6C696E65616765

# --- walks ---------------------------------------------------------------------------------------


async def walk_records(
    ex: Executor, root_ids: list[int], walk: Walk, max_depth: int, viewer: int | None,
) -> list[asyncpg.Record]:
    """Ancestors (or descendants) of each root, each record once at its shortest ``depth``,
    nearest first, at most :data:`rules.MAX_ENTRIES` per root. Rows carry ``_root``,
    ``depth`` and the record's columns with ``_visible`` (tombstones included)."""
    if max_depth < 1:
        return []
    columns = records.COLUMNS_SEEN.format(t="r", viewer="$3::bigint")
    return await ex.fetch(
        f"""with recursive {walk_cte("walk", walk, "select unnest($1::bigint[])", "$2")}
            select k.root as _root, k.depth, {columns}
            from ({nearest("walk")}) k join records r on r.id = k.id
            where k.rank <= {MAX_ENTRIES}
            order by k.root, k.depth, k.id""",
        root_ids, max_depth, viewer,
    )


async def graph_records(
    ex: Executor, root_id: int, walks: list[Walk], max_depth: int, limit: int,
    viewer: int | None,
) -> list[asyncpg.Record]:
    """The nodes of a lineage graph: the root (``generation`` 0), its ancestors (negative
    generations) and/or descendants (positive), nearest first, at most ``limit`` rows."""
    # The root; naming $2 here types it also when no walk does (maxDepth 0).
    ctes, parts = [], ["select $1::bigint, 0, 0 where $2::int >= 0"]
    for walk in walks if max_depth > 0 else []:
        name = walk.name.lower()
        sign = "-" if walk is Walk.ANCESTORS else ""
        ctes.append(walk_cte(name, walk, "select $1::bigint", "$2::int"))
        parts.append(f"select id, {sign}min(depth), min(depth) from {name} group by id")
    columns = records.COLUMNS_SEEN.format(t="r", viewer="$4::bigint")
    with_ctes = f"with recursive {', '.join(ctes)}" if ctes else ""
    return await ex.fetch(
        f"""{with_ctes}
            select n.generation, {columns}
            from ({' union all '.join(parts)}) as n(id, generation, distance)
            join records r on r.id = n.id
            order by n.distance, n.generation, n.id
            limit $3""",
        root_id, max_depth, limit, viewer,
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
