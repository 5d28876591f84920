"""Rate limits: log-in attempts per handle and per address, mutations and comments per member.

The counters live in PostgreSQL (the ``rate_limits`` table, migration 0013), so every hub
instance behind a load balancer counts against the same limit. Each limited key has a
one-minute window that starts at its first hit; a hit is one statement — an upsert that adds
one and returns the count — so checking costs one round trip, sent outside any transaction
(a counter row is never locked while a request does its work, e.g. while a password is
hashed). Several keys checked together (a log-in's handle and address) share that statement.

Refused attempts count too, so hammering a key does not earn a fresh allowance; the window
still ends one minute after it began. Ended windows are deleted by the scheduled pruning
(hub/realtime/pruning.py), which keeps the table as small as the keys active in the last
minute.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from hub.core.db import Executor
from hub.core.errors import CodedError

WINDOW_SECONDS = 60

# One statement for any number of keys: a key whose window has ended starts a new one.
# ``started_at`` on the right-hand side is the row's old value in both CASEs.
_HIT = f"""
insert into rate_limits as r (bucket, started_at, hits)
select bucket, now(), 1 from unnest($1::text[]) as bucket
on conflict (bucket) do update set
    hits = case when r.started_at > now() - interval '{WINDOW_SECONDS} s'
                then r.hits + 1 else 1 end,
    started_at = case when r.started_at > now() - interval '{WINDOW_SECONDS} s'
                      then r.started_at else now() end
returning bucket, hits,
          extract(epoch from r.started_at + interval '{WINDOW_SECONDS} s' - now())::float8
              as seconds_left
"""

# Statement deleting windows that have ended (run by the pruning schedule).
PRUNE = f"delete from rate_limits where started_at < now() - interval '{WINDOW_SECONDS} s'"


class RateLimited(CodedError):
    code = "RATE_LIMITED"

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"Too many {what}; try again in {retry_after} s.", retryAfter=retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    """One kind of limit: its name (the prefix of its keys, and the label of its refusals in
    ``/metrics``), how many hits a key may have per window, and what the refusal says."""

    name: str
    per_minute: int
    what: str

    def bucket(self, key: str) -> str:
        return f"{self.name}:{key}"


class RateLimits:
    """The hub's limits, one set per app; the counts are shared through the database.

    ``on_refused`` is told the :class:`Limit`'s name of every refusal (the metrics count them).
    """

    def __init__(self, login_attempts_per_minute: int, mutations_per_minute: int,
                 on_refused: Callable[[str], None] | None = None, *,
                 comments_per_minute: int = 10) -> None:
        self.login_by_handle = Limit("login-handle", login_attempts_per_minute,
                                     "log-in attempts for this handle")
        # Per handle slows down guessing one account's password; per address slows down
        # trying one password against many accounts (more room: people share addresses).
        self.login_by_address = Limit("login-address", login_attempts_per_minute * 5,
                                      "log-in attempts from here")
        self.mutations_by_member = Limit("mutations", mutations_per_minute, "changes")
        # Comment floods: new comments and replies, counted with the mutation (one statement).
        self.comments_by_member = Limit("comments", comments_per_minute, "comments")
        self.on_refused = on_refused

    async def hit(self, db: Executor, *hits: tuple[Limit, str]) -> None:
        """Count one hit for each ``(limit, key)``, in one statement; raise
        :class:`RateLimited` (for the first limit passed that is over) when any is over."""
        buckets = [limit.bucket(key) for limit, key in hits]
        rows = {row["bucket"]: row for row in await db.fetch(_HIT, buckets)}
        for (limit, _), bucket in zip(hits, buckets, strict=True):
            row = rows[bucket]
            if row["hits"] > limit.per_minute:
                if self.on_refused is not None:
                    self.on_refused(limit.name)
                raise RateLimited(limit.what, max(1, math.ceil(row["seconds_left"])))

    async def log_in(self, db: Executor, handle: str, address: str) -> None:
        await self.hit(db, (self.login_by_handle, handle.strip().lower()[:100]),
                       (self.login_by_address, address))

    async def mutation(self, db: Executor, member_id: int, *also: Limit) -> None:
        """A member's change, and the narrower limits ``also`` it counts against (a new
        comment: ``comments_by_member``), in one statement."""
        await self.hit(db, (self.mutations_by_member, str(member_id)),
                       *((limit, str(member_id)) for limit in also))

