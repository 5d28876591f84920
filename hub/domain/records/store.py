"""SQL for records. Functions take an :class:`Executor`; visibility is applied here for lists
and by :func:`hub.records.types.visible` for single rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from hub.core.db import Executor
from hub.core.relay import Ordering, PageArgs

COLUMNS = (
    "r.id, r.author_id, r.media_type, r.title, r.description, r.tags, r.license, r.status, "
    "r.details, r.version, r.created_at, r.updated_at, r.published_at, r.deleted_at"
)

ORDERINGS = {
    "NEWEST": Ordering(("r.created_at", "r.id"), ("timestamptz", "bigint"), descending=True),
    "OLDEST": Ordering(("r.created_at", "r.id"), ("timestamptz", "bigint"), descending=False),
    "TITLE": Ordering(("lower(r.title)", "r.id"), ("text", "bigint"), descending=False),
}

PUBLIC = "r.status = 'PUBLISHED' and r.deleted_at is null"


@dataclass(frozen=True)
class RecordFilter:
    media_type: str | None = None
    author_id: int | None = None
    tag: str | None = None
    search: str | None = None


def _filter_sql(record_filter: RecordFilter, params: list[Any]) -> list[str]:
    conditions = [PUBLIC]
    if record_filter.media_type:
        params.append(record_filter.media_type)
        conditions.append(f"r.media_type = ${len(params)}")
    if record_filter.author_id is not None:
        params.append(record_filter.author_id)
        conditions.append(f"r.author_id = ${len(params)}")
    if record_filter.tag:
        params.append(record_filter.tag.strip().lower())
        conditions.append(f"r.tags @> array[${len(params)}]::text[]")
    if record_filter.search and record_filter.search.strip():
        params.append(record_filter.search.strip())
        conditions.append(f"r.search @@ websearch_to_tsquery('english', ${len(params)})")
    return conditions


async def list_records(
    ex: Executor, record_filter: RecordFilter, order: str, page: PageArgs,
) -> list[asyncpg.Record]:
    ordering = ORDERINGS[order]
    params: list[Any] = []
    conditions = _filter_sql(record_filter, params)
    keyset, order_by, limit = ordering.page_sql(page, params)
    return await ex.fetch(
        f"select {COLUMNS}, {ordering.select_keys()} from records r "
        f"where {' and '.join(conditions + keyset)} order by {order_by} limit {limit}",
        *params,
    )


async def count_records(ex: Executor, record_filter: RecordFilter) -> int:
    params: list[Any] = []
    where = " and ".join(_filter_sql(record_filter, params))
    return await ex.fetchval(f"select count(*) from records r where {where}", *params)


async def records_by_ids(ex: Executor, ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(f"select {COLUMNS} from records r where r.id = any($1::bigint[])", ids)


async def record_for_update(ex: Executor, record_id: int) -> asyncpg.Record | None:
    return await ex.fetchrow(f"select {COLUMNS} from records r where r.id = $1 for update", record_id)


async def records_of_authors(
    ex: Executor, author_ids: list[int], with_drafts_of: int | None, order: str, page: PageArgs,
) -> list[asyncpg.Record]:
    """One page of records per author, all authors in one statement (LATERAL + keyset).

    Drafts and unpublished records are included for ``with_drafts_of`` (the viewer's own).
    """
    ordering = ORDERINGS[order]
    params: list[Any] = [author_ids, with_drafts_of]
    keyset, order_by, limit = ordering.page_sql(page, params)
    conditions = [
        "r.author_id = a.id", "r.deleted_at is null",
        "(r.status = 'PUBLISHED' or r.author_id = $2::bigint)",
    ] + keyset
    return await ex.fetch(
        f"""select p.* from unnest($1::bigint[]) as a(id)
            cross join lateral (
                select {COLUMNS}, {ordering.select_keys()} from records r
                where {' and '.join(conditions)} order by {order_by} limit {limit}
            ) p""",
        *params,
    )


async def counts_of_authors(
    ex: Executor, author_ids: list[int], with_drafts_of: int | None,
) -> dict[int, int]:
    """Visible records per author (drafts counted for ``with_drafts_of`` only)."""
    rows = await ex.fetch(
        """select author_id, count(*) as n from records
           where author_id = any($1::bigint[]) and deleted_at is null
             and (status = 'PUBLISHED' or author_id = $2::bigint)
           group by author_id""",
        author_ids, with_drafts_of,
    )
    return {row["author_id"]: row["n"] for row in rows}


async def insert_record(
    ex: Executor, *, author_id: int, media_type: str, title: str, description: str,
    tags: list[str], license: str, details: dict[str, Any], details_text: str,
) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""insert into records as r (author_id, media_type, title, description, tags, license,
                                      details, details_text)
            values ($1, $2, $3, $4, $5, $6, $7, $8) returning {COLUMNS}""",
        author_id, media_type, title, description, tags, license, details, details_text,
    )


async def update_record(
    ex: Executor, record_id: int, changes: dict[str, Any],
) -> asyncpg.Record:
    """Apply ``changes`` (column → value) and bump the version."""
    params: list[Any] = [record_id]
    assignments = []
    for column, value in changes.items():
        params.append(value)
        assignments.append(f"{column} = ${len(params)}")
    return await ex.fetchrow(
        f"""update records as r set {', '.join(assignments + ['version = r.version + 1',
                                                             'updated_at = now()'])}
            where r.id = $1 returning {COLUMNS}""",
        *params,
    )
