"""SQL of comments and moderation: the reads a write checks first, and the writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from hub.core.db import Executor
from hub.core.pages import ROW
from hub.core.rules import Listing
from hub.domain.conversations import rules
from hub.domain.records import rules as records

COLUMNS = rules.COLUMNS.format(t="c", viewer="$2::bigint")

# The subject column of each kind of subject, and who may see (and so comment on) one.
SUBJECTS = {
    "Record": ("record_id", rules.ON_RECORD),
    "Collaboration": ("collaboration_id", rules.ON_COLLABORATION),
    "Lesson": ("lesson_id", rules.ON_LESSON),
    "Compilation": ("compilation_id", rules.ON_COMPILATION),
}


async def comments_by_ids(ex: Executor, ids: Sequence[int], viewer: int | None,
                          ) -> list[asyncpg.Record]:
    """Comment rows by id that ``viewer`` may see (rules.VISIBLE), as rules.COLUMNS reads them."""
    visible = rules.VISIBLE.sql("c", "$2::bigint")
    rows: list[asyncpg.Record] = await ex.fetch(
        f"select {COLUMNS} from comments c where c.id = any($1::bigint[]) and {visible}",
        list(ids), viewer)
    return rows


async def subject_visible(ex: Executor, kind: str, pk: int, viewer: int) -> bool:
    """Whether the subject exists and ``viewer`` may see it, by its slice's own rule (asked of
    a stand-in comment row naming it)."""
    column, rule = SUBJECTS[kind]
    found: bool = await ex.fetchval(
        f"select {rule.sql('c', '$2::bigint')} from (select $1::bigint as {column}) c",
        pk, viewer)
    return found


async def record_details(ex: Executor, record_id: int) -> asyncpg.Record:
    """A record's media type and details: its plugin says what a comment may point into
    (``hub_comment_anchors``)."""
    row: asyncpg.Record = await ex.fetchrow(
        "select media_type, details from records where id = $1", record_id)
    return row


async def record_author(ex: Executor, record_id: int) -> int | None:
    author: int | None = await ex.fetchval(
        f"select author_id from records r where r.id = $1 and not {records.DELETED.sql('r')}",
        record_id)
    return author


async def members_by_handles(ex: Executor, handles: Sequence[str]) -> dict[str, int]:
    """The ids of the members with these handles (any letter case), by lower-cased handle."""
    rows = await ex.fetch("select lower(handle) as handle, id from members "
                          "where lower(handle) = any($1::text[])", [h.lower() for h in handles])
    return {row["handle"]: row["id"] for row in rows}


async def comment_for_update(ex: Executor, pk: int) -> asyncpg.Record | None:
    """The stored comment (locked: an edit, a delete and a moderation act wait for each
    other), whatever its state."""
    return await ex.fetchrow("select * from comments where id = $1 for update", pk)


async def insert_comment(ex: Executor, values: dict[str, Any]) -> int:
    names = list(values)
    placeholders = ", ".join(f"${i + 1}" for i in range(len(names)))
    pk: int = await ex.fetchval(
        f"insert into comments ({', '.join(names)}) values ({placeholders}) returning id",
        *values.values())
    return pk


async def edit_comment(ex: Executor, pk: int, body: str, body_html: str,
                       mention_ids: list[int]) -> None:
    """The new body; the one it replaces joins the history."""
    await ex.execute("insert into comment_edits (comment_id, body) "
                     "select id, body from comments where id = $1", pk)
    await ex.execute("update comments set body = $2, body_html = $3, mention_ids = $4, "
                     "edited_at = now() where id = $1", pk, body, body_html, mention_ids)


async def delete_comment(ex: Executor, pk: int) -> None:
    """A tombstone: the body leaves the comment (kept in its history, for moderators)."""
    await ex.execute("insert into comment_edits (comment_id, body) "
                     "select id, body from comments where id = $1", pk)
    await ex.execute("update comments set body = '', body_html = '', mention_ids = '{}', "
                     "quote = null, quote_offset = null, deleted_at = now() where id = $1", pk)


async def set_hidden(ex: Executor, pk: int, hidden_by: int | None) -> None:
    await ex.execute("update comments set hidden_at = case when $2::bigint is null then null "
                     "else now() end, hidden_by = $2 where id = $1", pk, hidden_by)


async def resolve_reports(ex: Executor, comment_id: int, moderator: int) -> None:
    await ex.execute("update comment_reports set resolved_at = now(), resolved_by = $2 "
                     "where comment_id = $1 and resolved_at is null", comment_id, moderator)


async def report(ex: Executor, comment_id: int, reporter: int, reason: str, text: str) -> int:
    """One report per member per comment: reporting again replaces the reason and reopens it."""
    pk: int = await ex.fetchval(
        "insert into comment_reports (comment_id, reporter_id, reason, text) "
        "values ($1, $2, $3, $4) on conflict (comment_id, reporter_id) do update set "
        "reason = excluded.reason, text = excluded.text, created_at = now(), "
        "resolved_at = null, resolved_by = null returning id", comment_id, reporter, reason, text)
    return pk


async def log(ex: Executor, actor: int, action: str, *, comment_id: int | None = None,
              member_id: int | None = None, reason: str = "") -> None:
    await ex.execute("insert into moderation_log (actor_id, action, comment_id, member_id, "
                     "reason) values ($1, $2, $3, $4, $5)",
                     actor, action, comment_id, member_id, reason)


async def set_suspended(ex: Executor, member_id: int, suspended: bool) -> bool:
    """Whether the member exists (suspending twice keeps the first moment)."""
    status: str = await ex.execute(
        "update members set suspended_at = case when $2 then coalesce(suspended_at, now()) "
        "end where id = $1", member_id, suspended)
    return status != "UPDATE 0"


async def is_moderator(ex: Executor, member_id: int) -> bool:
    found: bool = await ex.fetchval("select exists (select 1 from members where id = $1 and "
                                    "role = any($2::text[]))", member_id,
                                    list(rules.MODERATOR_ROLES))
    return found


async def moderated_row(ex: Executor, listing: Listing, pk: int, viewer: int | None,
                        ) -> asyncpg.Record | None:
    """One row of a moderators' list (the queue, the log) by id, under the list's own rule."""
    where = listing.from_where(ROW, "$2::bigint", None)
    return await ex.fetchrow(f"select {listing.select(ROW, '$2::bigint')} from {where} "
                             f"and {ROW}.id = $1", pk, viewer)
