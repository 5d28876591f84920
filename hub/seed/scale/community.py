"""Hearts, views, follows and comments for the scale seed (hub/seed/scale/), generated in SQL
inside its transaction: every published record is seen by 20 members and hearted by the first 10 of
them (never by its author), and every member follows 5 others. The members are picked by
arithmetic on the ids, so the same seed gives the same data, and nothing crosses the wire."""

from __future__ import annotations

import asyncpg

from hub.domain.records.store import refresh_means

HEARTS_PER_RECORD = 10
VIEWERS_PER_RECORD = 20
FOLLOWS_PER_MEMBER = 5

# The k-th member picked for record (or member) x: spread over all members by two primes.
_PICK = "ms.ids[1 + ((x.id * 31 + k * 977) % ms.n)]"
_MEMBERS = "(select array_agg(id order by id) as ids, count(*) as n from members) ms"


async def load_community(connection: asyncpg.Connection) -> tuple[int, int]:
    """Insert the views, hearts and follows; returns (hearts, follows)."""
    published = "x.status = 'PUBLISHED' and x.deleted_at is null"
    # The viewer key of a member, as hub/domain/community/views.member_viewer writes it.
    await connection.execute(
        f"insert into record_views (record_id, viewer, day) "
        f"select x.id, substring(sha256(convert_to('member:' || {_PICK}, 'UTF8')) for 16), "
        f"current_date - (k % 7) from records x, {_MEMBERS}, "
        f"generate_series(0, {VIEWERS_PER_RECORD - 1}) k "
        f"where {published} and {_PICK} <> x.author_id on conflict do nothing")
    hearts = await connection.execute(
        f"insert into hearts (record_id, member_id) select x.id, {_PICK} "
        f"from records x, {_MEMBERS}, generate_series(0, {HEARTS_PER_RECORD - 1}) k "
        f"where {published} and {_PICK} <> x.author_id on conflict do nothing")
    follows = await connection.execute(
        f"insert into member_follows (follower_id, followed_id) select x.id, {_PICK} "
        f"from members x, {_MEMBERS}, generate_series(1, {FOLLOWS_PER_MEMBER}) k "
        f"where {_PICK} <> x.id on conflict do nothing")
    # FRESH's means for the data just made, then every record's stored values with them.
    await refresh_means(connection, 0)
    return int(hearts.split()[-1]), int(follows.split()[-1])


async def load_comments(connection: asyncpg.Connection) -> int:
    """One comment per two records: on every other published record, by a member picked as
    above (the first of two picks that is not its author); returns how many."""
    x = "x.status = 'PUBLISHED' and x.deleted_at is null and x.id % 2 = 0"
    made = await connection.execute(
        f"insert into comments (author_id, record_id, body, body_html) "
        f"select distinct on (x.id) {_PICK}, x.id, 'Lovely work.', '<p>Lovely work.</p>\n' "
        f"from records x, {_MEMBERS}, generate_series(1, 2) k "
        f"where {x} and {_PICK} <> x.author_id order by x.id, k")
    return int(made.split()[-1])
