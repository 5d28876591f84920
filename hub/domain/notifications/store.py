"""SQL of notifications besides their writing (service.py): reads by id, marking read,
preferences."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from hub.core.db import Executor
from hub.domain.notifications import rules


async def notifications_by_ids(ex: Executor, ids: Sequence[int]) -> list[asyncpg.Record]:
    return list(await ex.fetch(
        f"select {rules.NOTIFICATIONS.select('n')} from notifications n "
        "where n.id = any($1::bigint[])", list(ids)))


async def recipients_of(ex: Executor, ids: Sequence[int]) -> dict[int, int]:
    """Each existing notification's recipient, locked for the update that follows."""
    rows = await ex.fetch("select id, recipient_id from notifications "
                          "where id = any($1::bigint[]) order by id for update", list(ids))
    return {row["id"]: row["recipient_id"] for row in rows}


async def mark_read(ex: Executor, member_id: int, ids: Sequence[int] | None) -> int:
    """Mark ``ids`` (all the member's unread when None) read; returns how many changed."""
    if ids is None:
        status = await ex.execute("update notifications set read_at = now() "
                                  "where recipient_id = $1 and read_at is null", member_id)
    else:
        status = await ex.execute(
            "update notifications set read_at = now() where recipient_id = $1 "
            "and id = any($2::bigint[]) and read_at is null", member_id, list(ids))
    return int(status.rsplit(" ", 1)[-1])


async def set_preference(ex: Executor, member_id: int, kind: str, inbox: bool,
                         email: bool) -> None:
    await ex.execute(
        "insert into notification_preferences (member_id, kind, inbox, email) "
        "values ($1, $2, $3, $4) on conflict (member_id, kind) do update "
        "set inbox = excluded.inbox, email = excluded.email", member_id, kind, inbox, email)


async def preferences_of(ex: Executor, member_id: int) -> list[asyncpg.Record]:
    """Every kind, with the member's choice or the default (on, both)."""
    return list(await ex.fetch(
        "select k.kind, coalesce(p.inbox, true) as inbox, coalesce(p.email, true) as email "
        "from unnest($2::text[]) with ordinality as k(kind, n) "
        "left join notification_preferences p on p.member_id = $1 and p.kind = k.kind "
        "order by k.n", member_id, list(rules.KINDS)))
