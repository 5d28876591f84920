"""SQL for members and their sessions. Functions take an :class:`Executor`."""

from __future__ import annotations

import datetime as dt

import asyncpg

from hub.core.db import Executor
from hub.domain.members import rules

COLUMNS = rules.COLUMNS.format(t="m")


class HandleTaken(Exception):
    pass


async def insert_member(
    ex: Executor, handle: str, display_name: str, password_hash: str,
) -> asyncpg.Record:
    try:
        return await ex.fetchrow(
            f"""insert into members as m (handle, display_name, password_hash)
                values ($1, $2, $3) returning {COLUMNS}""",
            handle, display_name, password_hash,
        )
    except asyncpg.UniqueViolationError:
        raise HandleTaken(handle) from None


async def credentials_by_handle(ex: Executor, handle: str) -> asyncpg.Record | None:
    return await ex.fetchrow(
        f"select {COLUMNS}, m.password_hash from members m where lower(m.handle) = lower($1)",
        handle,
    )


async def member_by_handle(ex: Executor, handle: str) -> asyncpg.Record | None:
    return await ex.fetchrow(
        f"select {COLUMNS} from members m where lower(m.handle) = lower($1)", handle
    )


async def members_by_ids(ex: Executor, ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(f"select {COLUMNS} from members m where m.id = any($1::bigint[])", ids)


async def update_profile(
    ex: Executor, member_id: int, display_name: str | None, bio: str | None,
    skills: list[str] | None,
) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""update members as m set
               display_name = coalesce($2, m.display_name),
               bio = coalesce($3, m.bio),
               skills = coalesce($4, m.skills),
               updated_at = now()
            where m.id = $1 returning {COLUMNS}""",
        member_id, display_name, bio, skills,
    )


async def set_role(ex: Executor, handle: str, role: str) -> asyncpg.Record | None:
    """The member after the change, with ``previous_role``; None when no member has ``handle``."""
    return await ex.fetchrow(
        f"""update members as m set role = $2, updated_at = now()
            from (select id, role from members where lower(handle) = lower($1) for update) old
            where m.id = old.id returning {COLUMNS}, old.role as previous_role""",
        handle, role,
    )


# --- sessions ---------------------------------------------------------------------------------


async def insert_session(
    ex: Executor, token_hash: bytes, member_id: int, expires_at: dt.datetime,
) -> None:
    await ex.execute(
        "insert into sessions (token_hash, member_id, expires_at) values ($1, $2, $3)",
        token_hash, member_id, expires_at,
    )


async def member_by_session(ex: Executor, token_hash: bytes) -> asyncpg.Record | None:
    """The member a live session belongs to (one statement per authenticated request)."""
    return await ex.fetchrow(
        f"""select {COLUMNS} from sessions s join members m on m.id = s.member_id
            where s.token_hash = $1 and s.expires_at > now()""",
        token_hash,
    )


async def session_of(ex: Executor, token_hash: bytes) -> asyncpg.Record | None:
    """The member of a live session, as :func:`member_by_session` gives it, and the session's
    ``expires_at`` (open WebSockets check both while they last)."""
    return await ex.fetchrow(
        f"""select {COLUMNS}, s.expires_at from sessions s join members m on m.id = s.member_id
            where s.token_hash = $1 and s.expires_at > now()""",
        token_hash,
    )


async def delete_session(ex: Executor, token_hash: bytes) -> bool:
    return await ex.execute("delete from sessions where token_hash = $1", token_hash) != "DELETE 0"
