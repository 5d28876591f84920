"""Demo hearts, views and follows, added to the demo community by :func:`hub.seed.seed_demo`:
most published records hearted by a few members (never their authors), seen by more members
than hearted them over the last weeks, and a web of follows among members and of members
following the open collaborations — enough for FRESH, UNDERSEEN and `viewer.activity` to
show something."""

from __future__ import annotations

import datetime as dt
import random

from hub.core.db import Executor
from hub.domain.community.views import member_viewer
from hub.domain.records.store import refresh_means


async def seed_community(tx: Executor, now: dt.datetime, rng: random.Random) -> dict[str, int]:
    members = [row["id"] for row in await tx.fetch("select id from members order by id")]
    records = await tx.fetch("select id, author_id from records where status = 'PUBLISHED' "
                             "and deleted_at is null order by id")
    hearts: list[tuple[int, int]] = []
    views: list[tuple[int, bytes, dt.date]] = []
    for record in records:
        others = [m for m in members if m != record["author_id"]]
        seen = rng.sample(others, rng.randint(0, min(len(others), 20)))
        # Some hearted it, from among those who saw it: rates differ from record to record.
        hearted = seen[: int(len(seen) * rng.random() * 0.6)]
        hearts.extend((record["id"], member) for member in hearted)
        views.extend((record["id"], member_viewer(member),
                      (now - dt.timedelta(days=rng.randint(0, 30))).date()) for member in seen)
    follows: set[tuple[int, int]] = set()
    for member in members:
        for followed in rng.sample(members, rng.randint(2, 8)):
            if followed != member:
                follows.add((member, followed))
    await tx.execute("insert into hearts (record_id, member_id) select * from "
                     "unnest($1::bigint[], $2::bigint[])",
                     [r for r, _ in hearts], [m for _, m in hearts])
    await tx.execute("insert into record_views (record_id, viewer, day) select * from "
                     "unnest($1::bigint[], $2::bytea[], $3::date[])",
                     [r for r, _, _ in views], [v for _, v, _ in views], [d for _, _, d in views])
    await tx.execute("insert into member_follows (follower_id, followed_id) select * from "
                     "unnest($1::bigint[], $2::bigint[])",
                     [f for f, _ in sorted(follows)], [t for _, t in sorted(follows)])
    collaboration_follows = await tx.fetchval(
        "with made as (insert into collaboration_follows (member_id, collaboration_id) "
        "select m.id, c.id from members m cross join collaborations c "
        "where c.status <> 'DRAFT' and m.id % 3 = c.id % 3 on conflict do nothing returning 1) "
        "select count(*) from made")
    await refresh_means(tx, 0)  # FRESH's means, then every record's stored values
    return {"hearts": len(hearts), "views": len(views), "follows": len(follows),
            "collaboration_follows": int(collaboration_follows)}
