"""SQL of hearts and follows: the writes, and the lookups the writes check first."""

from __future__ import annotations

import asyncpg

from hub.core.db import Executor
from hub.domain.collaborations import rules as collaborations
from hub.domain.records import rules as records


async def record_to_heart(ex: Executor, record_id: int, viewer: int) -> asyncpg.Record | None:
    """The record a member hearts, with ``_visible`` (records.VISIBLE) and whether it is
    published. Locked FOR SHARE: concurrent hearts share the lock (none waits for another),
    while an unpublish or delete waits for them, so no heart lands on a record that stopped
    being published in between."""
    visible = records.VISIBLE.sql("r", "$2::bigint")
    published = records.PUBLISHED.sql("r")
    return await ex.fetchrow(
        f"select r.id, r.author_id, {visible} as _visible, {published} as _published "
        "from records r where r.id = $1 for share", record_id, viewer)


async def add_heart(ex: Executor, record_id: int, member_id: int) -> bool:
    """Idempotent: a second heart by the same member is no change (returns False)."""
    status = await ex.execute("insert into hearts (record_id, member_id) values ($1, $2) "
                              "on conflict do nothing", record_id, member_id)
    return status != "INSERT 0 0"


async def remove_heart(ex: Executor, record_id: int, member_id: int) -> None:
    await ex.execute("delete from hearts where record_id = $1 and member_id = $2",
                     record_id, member_id)


async def member_exists(ex: Executor, member_id: int) -> bool:
    found: bool = await ex.fetchval("select exists (select 1 from members where id = $1)",
                                    member_id)
    return found


async def follow_member(ex: Executor, follower_id: int, followed_id: int) -> None:
    await ex.execute("insert into member_follows (follower_id, followed_id) values ($1, $2) "
                     "on conflict do nothing", follower_id, followed_id)


async def unfollow_member(ex: Executor, follower_id: int, followed_id: int) -> None:
    await ex.execute("delete from member_follows where follower_id = $1 and followed_id = $2",
                     follower_id, followed_id)


async def collaboration_visible(ex: Executor, collaboration_id: int, viewer: int) -> bool:
    """Whether the collaboration exists and ``viewer`` may see it (collaborations.VISIBLE)."""
    visible = collaborations.VISIBLE.sql("c", "$2::bigint")
    found: bool = await ex.fetchval(
        f"select exists (select 1 from collaborations c where c.id = $1 and {visible})",
        collaboration_id, viewer)
    return found


async def follow_collaboration(ex: Executor, member_id: int, collaboration_id: int) -> None:
    await ex.execute("insert into collaboration_follows (member_id, collaboration_id) "
                     "values ($1, $2) on conflict do nothing", member_id, collaboration_id)


async def unfollow_collaboration(ex: Executor, member_id: int, collaboration_id: int) -> None:
    await ex.execute("delete from collaboration_follows where member_id = $1 "
                     "and collaboration_id = $2", member_id, collaboration_id)
