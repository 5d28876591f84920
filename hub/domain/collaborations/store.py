"""SQL for collaborations' writes and the lookups they lock. Reads are the listings of
rules.py (through hub/core/pages.py and loaders.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from hub.core.db import Executor
from hub.domain.collaborations import rules

COLUMNS = rules.COLUMNS.format(t="c")
STEP_COLUMNS = rules.STEPS.select("s")
NEED_COLUMNS = rules.NEEDS.select("n")
CONTRIBUTION_COLUMNS = rules.CONTRIBUTIONS.select("k") + ", k.reason, k.source_ids"


async def insert_collaboration(
    ex: Executor, *, owner: int, title: str, brief: str, brief_html: str,
    deadline: dt.datetime, tags: list[str],
) -> asyncpg.Record:
    row = await ex.fetchrow(
        f"""insert into collaborations as c (title, brief, brief_html, deadline, tags, created_by)
            values ($1, $2, $3, $4, $5, $6) returning {COLUMNS}""",
        title, brief, brief_html, deadline, tags, owner)
    assert row is not None  # an insert … returning returns its row
    await ex.execute("insert into collaboration_owners (collaboration_id, member_id) "
                     "values ($1, $2)", row["id"], owner)
    return row


async def collaboration_for_update(ex: Executor, pk: int, viewer: int | None,
                                   ) -> asyncpg.Record | None:
    """A collaboration locked for this transaction, with ``_visible`` and ``_owner``."""
    visible = rules.VISIBLE.sql("c", "$2::bigint")
    owner = rules.OWNED.sql("c", "$2::bigint")
    return await ex.fetchrow(
        f"select {COLUMNS}, {visible} as _visible, {owner} as _owner from collaborations c "
        "where c.id = $1 for update of c", pk, viewer)


async def update_collaboration(ex: Executor, pk: int, changes: dict[str, Any]) -> asyncpg.Record:
    params: list[Any] = [pk]
    assignments = ["updated_at = now()"]
    for column, value in changes.items():
        params.append(value)
        assignments.append(f"{column} = ${len(params)}")
    return await ex.fetchrow(
        f"update collaborations c set {', '.join(assignments)} where c.id = $1 "
        f"returning {COLUMNS}", *params)


async def refresh_needs_text(ex: Executor, pk: int) -> None:
    """Keep the needs' words in the collaboration's search text (the search covers needs)."""
    await ex.execute(
        """update collaborations set needs_text = coalesce((
               select string_agg(concat_ws(' ', s.title, n.media_type, n.skill, n.description),
                                 ' ' order by s.position, n.id)
               from collaboration_steps s
               left join collaboration_needs n on n.step_id = s.id
               where s.collaboration_id = $1), '')
           where id = $1""", pk)


async def owner_ids(ex: Executor, pk: int) -> list[int]:
    rows = await ex.fetch("select member_id from collaboration_owners where collaboration_id = $1 "
                          "order by added_at, member_id", pk)
    return [row["member_id"] for row in rows]


async def add_owner(ex: Executor, pk: int, member: int) -> bool:
    status = await ex.execute(
        "insert into collaboration_owners (collaboration_id, member_id) values ($1, $2) "
        "on conflict do nothing", pk, member)
    return status.endswith(" 1")


async def remove_owner(ex: Executor, pk: int, member: int) -> None:
    await ex.execute("delete from collaboration_owners where collaboration_id = $1 "
                     "and member_id = $2", pk, member)


# --- steps and needs ----------------------------------------------------------------------------


async def insert_step(ex: Executor, pk: int, *, title: str, description: str,
                      deadline: dt.datetime) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""insert into collaboration_steps as s (collaboration_id, position, title, description,
                                                  deadline)
            values ($1, coalesce((select max(position) from collaboration_steps
                                  where collaboration_id = $1), 0) + 1, $2, $3, $4)
            returning {STEP_COLUMNS}""", pk, title, description, deadline)


async def step(ex: Executor, step_id: int) -> asyncpg.Record | None:
    return await ex.fetchrow(f"select {STEP_COLUMNS} from collaboration_steps s where s.id = $1",
                             step_id)


async def delete_step(ex: Executor, step_id: int) -> None:
    """Remove a step and close the gap in the positions after it."""
    row = await ex.fetchrow("delete from collaboration_steps where id = $1 "
                            "returning collaboration_id, position", step_id)
    if row is None:
        return  # already gone (the caller checked it existed under its lock)
    await ex.execute("update collaboration_steps set position = position - 1 "
                     "where collaboration_id = $1 and position > $2",
                     row["collaboration_id"], row["position"])


async def insert_need(ex: Executor, step_row: Any, *, media_type: str, skill: str, count: int,
                      description: str) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""insert into collaboration_needs as n (step_id, collaboration_id, media_type, skill,
                                                  count, description)
            values ($1, $2, $3, $4, $5, $6) returning {NEED_COLUMNS}""",
        step_row["id"], step_row["collaboration_id"], media_type, skill, count, description)


async def need(ex: Executor, need_id: int) -> asyncpg.Record | None:
    return await ex.fetchrow(
        f"select {NEED_COLUMNS}, s.deadline as step_deadline, s.position as step_position "
        "from collaboration_needs n join collaboration_steps s on s.id = n.step_id "
        "where n.id = $1", need_id)


async def update_need(ex: Executor, need_id: int, changes: dict[str, Any]) -> asyncpg.Record:
    params: list[Any] = [need_id]
    assignments = []
    for column, value in changes.items():
        params.append(value)
        assignments.append(f"{column} = ${len(params)}")
    return await ex.fetchrow(
        f"update collaboration_needs n set {', '.join(assignments)} where n.id = $1 "
        f"returning {NEED_COLUMNS}", *params)


async def delete_need(ex: Executor, need_id: int) -> None:
    await ex.execute("delete from collaboration_needs where id = $1", need_id)


async def has_contributions(ex: Executor, *, need_id: int | None = None,
                            step_id: int | None = None) -> bool:
    if need_id is not None:
        return bool(await ex.fetchval(
            "select exists (select 1 from contributions where need_id = $1)", need_id))
    return bool(await ex.fetchval(
        "select exists (select 1 from contributions k join collaboration_needs n "
        "on n.id = k.need_id where n.step_id = $1)", step_id))


async def count_needs(ex: Executor, pk: int) -> int:
    count: int = await ex.fetchval(
        "select count(*) from collaboration_needs where collaboration_id = $1", pk)
    return count


# --- contributions ------------------------------------------------------------------------------


async def insert_contribution(
    ex: Executor, need_row: Any, *, record_id: int, contributor: int, note: str,
    source_ids: list[int],
) -> asyncpg.Record | None:
    """The new contribution; None when this record was already offered to this need."""
    return await ex.fetchrow(
        f"""insert into contributions as k (need_id, collaboration_id, record_id, contributor_id,
                                            note, source_ids)
            values ($1, $2, $3, $4, $5, $6) on conflict (need_id, record_id) do nothing
            returning {CONTRIBUTION_COLUMNS}""",
        need_row["id"], need_row["collaboration_id"], record_id, contributor, note, source_ids)


async def contribution_for_update(ex: Executor, pk: int) -> asyncpg.Record | None:
    return await ex.fetchrow(
        f"select {CONTRIBUTION_COLUMNS} from contributions k where k.id = $1 for update", pk)


async def set_contribution(ex: Executor, pk: int, changes: dict[str, Any]) -> asyncpg.Record:
    params: list[Any] = [pk]
    assignments = []
    for column, value in changes.items():
        params.append(value)
        assignments.append(f"{column} = ${len(params)}")
    return await ex.fetchrow(
        f"update contributions k set {', '.join(assignments)} where k.id = $1 "
        f"returning {CONTRIBUTION_COLUMNS}", *params)


async def take_slot(ex: Executor, need_id: int) -> bool:
    """Fill one slot of the need if one is free. A conditional update: concurrent accepts
    queue on the need's row, and each re-checks ``filled < count`` once the one before it
    commits, so a need never takes more than its count."""
    status = await ex.execute(
        "update collaboration_needs set filled = filled + 1 where id = $1 and filled < count",
        need_id)
    return status == "UPDATE 1"


async def free_slot(ex: Executor, need_id: int) -> None:
    await ex.execute("update collaboration_needs set filled = filled - 1 where id = $1", need_id)


async def accepted_records_before(ex: Executor, collaboration_id: int, position: int,
                                  ) -> list[int]:
    """Records accepted in the steps before ``position`` (still accepted), in step order."""
    rows = await ex.fetch(
        """select k.record_id from contributions k
           join collaboration_needs n on n.id = k.need_id
           join collaboration_steps s on s.id = n.step_id
           where k.collaboration_id = $1 and s.position < $2 and k.status = 'ACCEPTED'
           order by s.position, k.accepted_at, k.id""", collaboration_id, position)
    return list(dict.fromkeys(row["record_id"] for row in rows))


async def set_results(ex: Executor, pk: int, record_ids: list[int]) -> None:
    await ex.execute("delete from collaboration_results where collaboration_id = $1", pk)
    await ex.execute(
        """insert into collaboration_results (collaboration_id, record_id, position)
           select $1, t.id, t.ord from unnest($2::bigint[]) with ordinality as t(id, ord)""",
        pk, record_ids)


async def result_ids(ex: Executor, pk: int) -> list[int]:
    rows = await ex.fetch("select record_id from collaboration_results where collaboration_id = $1 "
                          "order by position", pk)
    return [row["record_id"] for row in rows]


async def results_for_share(ex: Executor, pk: int) -> list[asyncpg.Record]:
    """The result records of a collaboration in order (``id``, ``status``, ``deleted_at``),
    locked against an unpublish until the transaction ends."""
    return await ex.fetch(
        """select r.id, r.status, r.deleted_at from collaboration_results x
           join records r on r.id = x.record_id
           where x.collaboration_id = $1 order by x.position for share of r""", pk)
