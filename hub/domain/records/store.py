"""SQL for records' writes and lookups by id. Functions take an :class:`Executor`; lists are
the listings of rules.py (read through hub/core/pages.py)."""

from __future__ import annotations

from typing import Any

import asyncpg

from hub.core.db import Executor
from hub.domain.records import discovery, rules

COLUMNS = rules.COLUMNS.format(t="r")


async def records_by_ids(ex: Executor, ids: list[int], viewer: int | None = None,
                         ) -> list[asyncpg.Record]:
    """Records by id, deleted and drafts included, each with ``_visible``: whether ``viewer``
    may see it (hub/domain/records/rules.py)."""
    columns = rules.COLUMNS_SEEN.format(t="r", viewer="$2::bigint")
    return await ex.fetch(f"select {columns} from records r where r.id = any($1::bigint[])",
                          ids, viewer)


async def record_for_update(ex: Executor, record_id: int, viewer: int | None,
                            ) -> asyncpg.Record | None:
    """A record locked for this transaction, with ``_nameable``: whether ``viewer`` may name
    it in a write (rules.NAMEABLE; a deleted one is then refused as deleted, not hidden)."""
    nameable = rules.NAMEABLE.sql("r", "$2::bigint")
    return await ex.fetchrow(
        f"select {COLUMNS}, {nameable} as _nameable from records r where r.id = $1 for update",
        record_id, viewer,
    )


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


async def refresh_means(ex: Executor, older_than_seconds: float) -> bool:
    """Recompute every media type's mean for FRESH (discovery.REFRESH_MEANS) if the stored
    ones are older than ``older_than_seconds`` (0: now), and then every record's stored
    discovery values (the mean is in every FRESH key, and hearts of accounts that have
    reached the minimum age since count from now on). Returns whether it recomputed."""
    status = await ex.execute(discovery.REFRESH_MEANS, older_than_seconds)
    if status.split()[-1] == "0":  # fresh enough (or nothing to average yet)
        return False
    await ex.execute(discovery.REFRESH_ALL)
    return True

