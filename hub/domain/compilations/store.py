"""SQL for compilations: the compilation rows, editors, items, history, publications and
payouts. Functions take an :class:`Executor`. Who may see a compilation is declared once, in
hub/domain/compilations/rules.py: lists page through its ``LISTING`` (hub/core/pages.py), and
rows read by ID carry ``_visible`` for the viewer.

(Over 400 lines: one statement per function for the six tables of a compilation; the
workflow, credits and publishing rules live in their own modules.)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg

from hub.core.db import Executor
from hub.domain.compilations import rules

COLUMNS = rules.COMPILATIONS.select("c")

ITEM_COLUMNS = (
    "i.id, i.compilation_id, i.record_id, i.position, i.note, i.weight, i.created_at, "
    "i.approved_version"
)
PROPOSAL_COLUMNS = (
    "p.id, p.compilation_id, p.status, p.pool_minor, p.currency, p.rules, p.proposed_by, "
    "p.created_at, p.window_closes_at, p.finalized_by, p.finalized_at"
)


# --- compilations --------------------------------------------------------------------------------


async def compilations_by_ids(
    ex: Executor, ids: list[int], viewer: int | None,
) -> list[asyncpg.Record]:
    """Compilation rows by id, each with ``_visible``: whether ``viewer`` may see it."""
    seen = rules.COLUMNS_SEEN.format(t="c", viewer="$2::bigint")
    return await ex.fetch(f"select {seen} from compilations c where c.id = any($1::bigint[])",
                          ids, viewer)


async def compilation_for_update(ex: Executor, compilation_id: int) -> asyncpg.Record | None:
    return await ex.fetchrow(
        f"select {COLUMNS} from compilations c where c.id = $1 for update", compilation_id
    )


async def insert_compilation(
    ex: Executor, *, title: str, description: str, target: str, settings: dict[str, Any],
    lineage_share: Decimal, max_depth: int, editors_percent: Decimal, payout_window_days: int,
    created_by: int,
) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""insert into compilations as c (title, description, target, settings, lineage_share,
                max_depth, editors_percent, payout_window_days, created_by)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning {COLUMNS}""",
        title, description, target, settings, lineage_share, max_depth, editors_percent,
        payout_window_days, created_by,
    )


async def set_status(
    ex: Executor, compilation_id: int, status: str, submitted_by: int | None,
) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""update compilations as c set status = $2, submitted_by = $3, updated_at = now(),
                version = c.version + 1
            where c.id = $1 returning {COLUMNS}""",
        compilation_id, status, submitted_by,
    )


async def touch(ex: Executor, compilation_id: int) -> asyncpg.Record:
    """Mark a change to the compilation's items or team: a new ``version``, ``updated_at``."""
    return await ex.fetchrow(
        f"""update compilations as c set updated_at = now(), version = c.version + 1
            where c.id = $1 returning {COLUMNS}""",
        compilation_id,
    )


# The columns updateCompilation may change (names are never taken from input).
UPDATABLE = ("title", "description", "settings")


async def update_compilation(
    ex: Executor, compilation_id: int, changes: dict[str, Any],
) -> asyncpg.Record:
    """Set the ``changes`` (columns of :data:`UPDATABLE`), a new version and ``updated_at``."""
    names = [name for name in UPDATABLE if name in changes]
    sets = "".join(f"{name} = ${n}, " for n, name in enumerate(names, start=2))
    return await ex.fetchrow(
        f"""update compilations as c set {sets}updated_at = now(), version = c.version + 1
            where c.id = $1 returning {COLUMNS}""",
        compilation_id, *(changes[name] for name in names),
    )


async def delete_compilation(ex: Executor, compilation_id: int) -> None:
    """Delete a DRAFT and everything that hangs off it (a draft has no publications and no
    payouts: those need a PUBLISHED compilation)."""
    for table in ("compilation_review_comments", "compilation_history", "compilation_items",
                  "compilation_editors"):
        await ex.execute(f"delete from {table} where compilation_id = $1", compilation_id)
    await ex.execute("delete from compilations where id = $1", compilation_id)


# --- editors ------------------------------------------------------------------------------------


async def add_editor(ex: Executor, compilation_id: int, member_id: int, added_by: int | None) -> bool:
    status = await ex.execute(
        """insert into compilation_editors (compilation_id, member_id, added_by)
           values ($1, $2, $3) on conflict do nothing""",
        compilation_id, member_id, added_by,
    )
    return status.endswith(" 1")


async def editors_of(ex: Executor, compilation_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        """select e.compilation_id, e.member_id, e.added_at from compilation_editors e
           where e.compilation_id = any($1::bigint[]) order by e.compilation_id, e.added_at,
           e.member_id""",
        compilation_ids,
    )


async def remove_editor(ex: Executor, compilation_id: int, member_id: int) -> bool:
    """Remove the editor; one who leaves the team no longer reviews it (the assignee is
    cleared in the same statement)."""
    return bool(await ex.fetchval(
        """with gone as (delete from compilation_editors
                         where compilation_id = $1 and member_id = $2 returning member_id),
                unassigned as (update compilations set assignee_id = null
                               where id = $1 and assignee_id = $2 and exists (select from gone))
           select count(*) from gone""",
        compilation_id, member_id,
    ))


async def editor_count(ex: Executor, compilation_id: int) -> int:
    return await ex.fetchval(
        "select count(*) from compilation_editors where compilation_id = $1", compilation_id
    )


async def is_editor(ex: Executor, compilation_id: int, member_id: int) -> bool:
    return bool(await ex.fetchval(
        "select exists (select 1 from compilation_editors where compilation_id = $1 "
        "and member_id = $2)", compilation_id, member_id,
    ))


# --- items --------------------------------------------------------------------------------------


async def items_of(ex: Executor, compilation_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        f"""select {ITEM_COLUMNS} from compilation_items i
            where i.compilation_id = any($1::bigint[]) order by i.compilation_id, i.position""",
        compilation_ids,
    )


async def item_by_id(ex: Executor, item_id: int) -> asyncpg.Record | None:
    return await ex.fetchrow(f"select {ITEM_COLUMNS} from compilation_items i where i.id = $1",
                             item_id)


async def has_item(ex: Executor, compilation_id: int, record_id: int) -> bool:
    return bool(await ex.fetchval(
        "select exists (select 1 from compilation_items where compilation_id = $1 "
        "and record_id = $2)", compilation_id, record_id,
    ))


async def item_count(ex: Executor, compilation_id: int) -> int:
    return await ex.fetchval(
        "select count(*) from compilation_items where compilation_id = $1", compilation_id
    )


async def append_item(
    ex: Executor, *, compilation_id: int, record_id: int, note: str, weight: Decimal,
    added_by: int,
) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""insert into compilation_items as i (compilation_id, record_id, position, note, weight,
                                                added_by)
            values ($1, $2, (select coalesce(max(position), 0) + 1 from compilation_items
                             where compilation_id = $1), $3, $4, $5)
            returning {ITEM_COLUMNS}""",
        compilation_id, record_id, note, weight, added_by,
    )


async def move_item(ex: Executor, compilation_id: int, old: int, new: int) -> None:
    """Move the item at ``old`` to ``new``, shifting the ones between by one (positions stay
    1..n; the unique constraint is deferred to the commit)."""
    if new < old:
        step, low, high = "+ 1", new, old
    else:
        step, low, high = "- 1", old, new
    await ex.execute(
        f"""update compilation_items
            set position = case when position = $2 then $3 else position {step} end
            where compilation_id = $1 and position between $4 and $5""",
        compilation_id, old, new, low, high,
    )


async def update_item(
    ex: Executor, item_id: int, note: str, weight: Decimal,
) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""update compilation_items as i set note = $2, weight = $3 where i.id = $1
            returning {ITEM_COLUMNS}""",
        item_id, note, weight,
    )


async def remove_item(ex: Executor, item_id: int) -> None:
    row = await ex.fetchrow(
        "delete from compilation_items where id = $1 returning compilation_id, position", item_id
    )
    if row is None:
        return  # already gone: the caller found it under the compilation's lock, so never here
    await ex.execute(
        "update compilation_items set position = position - 1 "
        "where compilation_id = $1 and position > $2",
        row["compilation_id"], row["position"],
    )


# --- pinned versions ----------------------------------------------------------------------------
# Approval pins the version of every item's record; publishing needs them unchanged. Both take
# a share lock on the records, so an edit racing an approval or a publication waits for it
# (and an approval that waited pins the version the edit made).

_ITEM_RECORDS_FOR_SHARE = """
    select r.id, r.version from records r
    where r.id in (select record_id from compilation_items where compilation_id = $1)
    order by r.id for share"""


async def pin_versions(ex: Executor, compilation_id: int) -> None:
    """Pin every item at its record's current version (at approval)."""
    await ex.execute(
        f"""with locked as ({_ITEM_RECORDS_FOR_SHARE})
            update compilation_items i set approved_version = locked.version
            from locked where i.compilation_id = $1 and i.record_id = locked.id""",
        compilation_id,
    )


async def lock_item_records(ex: Executor, compilation_id: int) -> None:
    """Hold the items' records unchanged until this transaction ends (publishing)."""
    await ex.execute(_ITEM_RECORDS_FOR_SHARE, compilation_id)


async def changed_items(ex: Executor, compilation_id: int) -> list[asyncpg.Record]:
    """The items whose record is public but no longer at its pinned version (or was never
    pinned), in order. Unpublished and deleted records are left to RECORD_UNAVAILABLE."""
    return await ex.fetch(
        """select i.id as item_id, i.position, i.record_id, i.approved_version, r.version
           from compilation_items i join records r on r.id = i.record_id
           where i.compilation_id = $1 and r.status = 'PUBLISHED' and r.deleted_at is null
             and i.approved_version is distinct from r.version
           order by i.position""",
        compilation_id,
    )


# --- history ------------------------------------------------------------------------------------


async def add_history(
    ex: Executor, compilation_id: int, actor_id: int | None, action: str,
    from_status: str | None, to_status: str | None, reason: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """A history entry: ``reason`` is its text for older clients, ``details`` its facts for
    the typed event (see migration 0014 for the keys each action writes)."""
    await ex.execute(
        """insert into compilation_history (compilation_id, actor_id, action, from_status,
                                            to_status, reason, details)
           values ($1, $2, $3, $4, $5, $6, $7)""",
        compilation_id, actor_id, action, from_status, to_status, reason, details or {},
    )


async def history_of(ex: Executor, compilation_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        """select h.id, h.compilation_id, h.actor_id, h.action, h.from_status, h.to_status,
                  h.reason, h.at, h.details
           from compilation_history h where h.compilation_id = any($1::bigint[])
           order by h.compilation_id, h.id""",
        compilation_ids,
    )


# --- publications ------------------------------------------------------------------------------


async def insert_publication(ex: Executor, compilation_id: int, published_by: int) -> asyncpg.Record:
    return await ex.fetchrow(
        """insert into publications (compilation_id, version, published_by)
           values ($1, (select coalesce(max(version), 0) + 1 from publications
                        where compilation_id = $1), $2)
           returning id, compilation_id, version, published_by, published_at""",
        compilation_id, published_by,
    )


async def next_version(ex: Executor, compilation_id: int) -> int:
    return await ex.fetchval(
        "select coalesce(max(version), 0) + 1 from publications where compilation_id = $1",
        compilation_id,
    )


async def insert_file(
    ex: Executor, publication_id: int, position: int, name: str, mime_type: str, size: int,
    sha256: str,
) -> None:
    await ex.execute(
        """insert into publication_files (publication_id, position, name, mime_type, size, sha256)
           values ($1, $2, $3, $4, $5, $6)""",
        publication_id, position, name, mime_type, size, sha256,
    )


async def publications_of(ex: Executor, compilation_ids: list[int]) -> list[asyncpg.Record]:
    """Every publication of the compilations, newest version first, with its files as a
    JSON array (in the order the target rendered them)."""
    return await ex.fetch(
        """select p.id, p.compilation_id, p.version, p.published_by, p.published_at,
                  coalesce((select jsonb_agg(jsonb_build_object(
                        'name', f.name, 'mime_type', f.mime_type, 'size', f.size,
                        'sha256', f.sha256) order by f.position)
                    from publication_files f where f.publication_id = p.id), '[]') as files
           from publications p where p.compilation_id = any($1::bigint[])
           order by p.compilation_id, p.version desc""",
        compilation_ids,
    )


async def published_file(ex: Executor, sha256: str, name: str) -> asyncpg.Record | None:
    return await ex.fetchrow(
        "select f.mime_type, f.size from publication_files f where f.sha256 = $1 and f.name = $2 "
        "limit 1",
        sha256, name,
    )


# --- what plugins and credits see ----------------------------------------------------------------


async def item_records(ex: Executor, compilation_id: int) -> list[asyncpg.Record]:
    """The items in order with their records and authors (deleted records included)."""
    return await ex.fetch(
        """select i.id as item_id, i.position, i.note, i.weight, r.id as record_id, r.title,
                  r.description, r.media_type, r.details, r.license, r.status, r.deleted_at,
                  r.author_id, m.handle, m.display_name
           from compilation_items i join records r on r.id = i.record_id
           join members m on m.id = r.author_id
           where i.compilation_id = $1 order by i.position""",
        compilation_id,
    )


async def lineage_of(ex: Executor, record_ids: list[int], max_depth: int) -> list[asyncpg.Record]:
    """The lineage edges within ``max_depth`` steps of the records (remix_id → source_id)."""
    return await ex.fetch(
        """with recursive walk(id, depth) as (
               select a.id, 0 from unnest($1::bigint[]) as a(id)
             union
               select s.source_id, w.depth + 1 from walk w
               join record_sources s on s.remix_id = w.id where w.depth < $2
           )
           select distinct s.remix_id, s.source_id from record_sources s
           where s.remix_id in (select id from walk where depth < $2)""",
        record_ids, max_depth,
    )


async def record_authors(ex: Executor, record_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        """select r.id, r.title, r.status, r.deleted_at, r.author_id, m.handle, m.display_name
           from records r join members m on m.id = r.author_id where r.id = any($1::bigint[])""",
        record_ids,
    )


# --- payouts ------------------------------------------------------------------------------------


async def insert_proposal(
    ex: Executor, *, compilation_id: int, pool_minor: int, currency: str, rules: dict[str, Any],
    proposed_by: int, window_days: int,
) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""insert into payout_proposals as p (compilation_id, pool_minor, currency, rules,
                proposed_by, window_closes_at)
            values ($1, $2, $3, $4, $5, now() + make_interval(days => $6))
            returning {PROPOSAL_COLUMNS}""",
        compilation_id, pool_minor, currency, rules, proposed_by, window_days,
    )


async def insert_lines(ex: Executor, proposal_id: int, lines: list[tuple[int, int, str, Any]]) -> None:
    await ex.executemany(
        """insert into payout_lines (proposal_id, member_id, amount_minor, share, breakdown)
           values ($1, $2, $3, $4, $5)""",
        [(proposal_id, member, amount, share, breakdown) for member, amount, share, breakdown in lines],
    )


async def proposals_of(ex: Executor, compilation_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        f"""select {PROPOSAL_COLUMNS} from payout_proposals p
            where p.compilation_id = any($1::bigint[]) order by p.compilation_id, p.id desc""",
        compilation_ids,
    )


async def proposals_by_ids(ex: Executor, ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        f"select {PROPOSAL_COLUMNS} from payout_proposals p where p.id = any($1::bigint[])", ids
    )


async def proposal_for_update(ex: Executor, proposal_id: int) -> asyncpg.Record | None:
    return await ex.fetchrow(
        f"select {PROPOSAL_COLUMNS}, now() as now from payout_proposals p where p.id = $1 "
        "for update",
        proposal_id,
    )


async def finalize_proposal(ex: Executor, proposal_id: int, member_id: int) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""update payout_proposals as p set status = 'FINALIZED', finalized_by = $2,
                finalized_at = now()
            where p.id = $1 returning {PROPOSAL_COLUMNS}""",
        proposal_id, member_id,
    )


async def lines_of(ex: Executor, proposal_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        """select l.proposal_id, l.member_id, l.amount_minor, l.share, l.breakdown
           from payout_lines l where l.proposal_id = any($1::bigint[])
           order by l.proposal_id, l.amount_minor desc, l.member_id""",
        proposal_ids,
    )


async def lines_of_members(ex: Executor, member_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        """select l.proposal_id, l.member_id, l.amount_minor, l.share, l.breakdown
           from payout_lines l where l.member_id = any($1::bigint[])
           order by l.member_id, l.proposal_id desc""",
        member_ids,
    )


async def has_line(ex: Executor, proposal_id: int, member_id: int) -> bool:
    return bool(await ex.fetchval(
        "select exists (select 1 from payout_lines where proposal_id = $1 and member_id = $2)",
        proposal_id, member_id,
    ))


async def insert_comment(ex: Executor, proposal_id: int, author_id: int, body: str) -> asyncpg.Record:
    return await ex.fetchrow(
        """insert into payout_comments (proposal_id, author_id, body) values ($1, $2, $3)
           returning id, proposal_id, author_id, body, created_at""",
        proposal_id, author_id, body,
    )


async def comments_of(ex: Executor, proposal_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        """select c.id, c.proposal_id, c.author_id, c.body, c.created_at from payout_comments c
           where c.proposal_id = any($1::bigint[]) order by c.proposal_id, c.id""",
        proposal_ids,
    )
