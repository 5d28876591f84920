"""Notifications for the demo and scale seeds, derived in SQL from what the seed already made
(hearts, remixes, decided contributions, class feedback), as the hub would have written them:
hearts grouped per record (one notification for today, its hearters its actors), never for
the actor themself. The older half of each member's notifications is read, so inboxes show
both states and an unread count."""

from __future__ import annotations

from hub.core.db import Executor

_HEARTED = """
with made as (
    insert into notifications (recipient_id, kind, record_id, actor_id, group_key, created_at)
    select r.author_id, 'RECORD_HEARTED', r.id, max(h.member_id),
           'record:' || r.id || ':' || current_date, max(h.created_at)
      from records r join hearts h on h.record_id = r.id and h.member_id <> r.author_id
     group by r.id, r.author_id
    returning id, record_id)
insert into notification_actors (notification_id, member_id, created_at)
select made.id, h.member_id, h.created_at
  from made join hearts h on h.record_id = made.record_id
  join records r on r.id = made.record_id and h.member_id <> r.author_id
"""

_REMIXED = """
insert into notifications (recipient_id, kind, record_id, actor_id, created_at)
select s.author_id, 'RECORD_REMIXED', x.id, x.author_id, coalesce(x.published_at, x.created_at)
  from record_sources l
  join records x on x.id = l.remix_id and x.status = 'PUBLISHED'
  join records s on s.id = l.source_id
 where s.author_id <> x.author_id
"""

_CONTRIBUTIONS = """
insert into notifications (recipient_id, kind, record_id, collaboration_id, actor_id, created_at)
select k.contributor_id, 'CONTRIBUTION_' || k.status, k.record_id, k.collaboration_id,
       (select min(o.member_id) from collaboration_owners o
         where o.collaboration_id = k.collaboration_id), coalesce(k.decided_at, k.created_at)
  from contributions k
 where k.status in ('ACCEPTED', 'DECLINED')
   and k.contributor_id <> (select min(o.member_id) from collaboration_owners o
                             where o.collaboration_id = k.collaboration_id)
"""

_FEEDBACK = """
insert into notifications (recipient_id, kind, record_id, actor_id, created_at)
select s.member_id, 'CLASS_FEEDBACK', s.record_id, f.author_id, f.created_at
  from feedback f join submissions s on s.id = f.submission_id
 where f.author_id <> s.member_id
"""

# The older half of each member's notifications is read.
_READ = """
update notifications n set read_at = n.created_at
  from (select id, row_number() over (partition by recipient_id order by created_at desc, id desc)
               as nth, count(*) over (partition by recipient_id) as total
          from notifications) o
 where o.id = n.id and o.nth > (o.total + 1) / 2
"""


async def seed_notifications(ex: Executor) -> int:
    """Write the notifications; returns how many."""
    for statement in (_HEARTED, _REMIXED, _CONTRIBUTIONS, _FEEDBACK, _READ):
        await ex.execute(statement)
    count: int = await ex.fetchval("select count(*) from notifications")
    return count
