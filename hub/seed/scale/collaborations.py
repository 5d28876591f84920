"""Collaborations at benchmark scale, for ``recordhub seed --scale N`` (hub/seed/scale/):
one per :data:`COLLABORATION_EVERY` records, made in set-based SQL after the records.

Each has two owners, two steps (the most common media type, then the second), one need per
step (:data:`NEED_COUNTS` slots) and, unless it is a DRAFT, :data:`OFFERS_PER_NEED`
contributions per need in every state (:data:`CONTRIBUTION_CYCLE`: one ACCEPTED, one WITHDRAWN
after its acceptance, the others offered, shortlisted or declined with a reason), records of
the need's media type by their own authors. Statuses follow :data:`CYCLE`; a COMPLETED one
names its accepted second-step records as results. Deterministic: every choice is arithmetic
on the row numbers.
"""

from __future__ import annotations

import asyncpg

COLLABORATION_EVERY = 100  # records per collaboration
CYCLE = ("OPEN", "OPEN", "CLOSED", "COMPLETED", "DRAFT", "OPEN", "ARCHIVED")
NEED_COUNTS = (2, 3)  # slots of the first and second step's need
OFFERS_PER_NEED = 5
CONTRIBUTION_CYCLE = ("ACCEPTED", "OFFERED", "SHORTLISTED", "DECLINED", "WITHDRAWN")

_COLLABORATIONS = """
with m as (select array_agg(id order by id) as ids from members),
     g as (select g, (array[{cycle}])[1 + (g - 1) % {cycle_length}] as status
           from generate_series(1, $1::int) g)
insert into collaborations (title, brief, brief_html, status, deadline, tags, created_by,
                            created_at, updated_at, opened_at, completed_at)
select 'Open call #' || g, 'We need **words** and **music** for piece #' || g || '.',
       '<p>We need <strong>words</strong> and <strong>music</strong> for piece #' || g
       || '.</p>' || chr(10),
       status, now() + make_interval(days => 30 + g % 60), array['collab', 'call-' || g % 10],
       m.ids[1 + (g * 7919) % cardinality(m.ids)],
       now() - make_interval(mins => g), now() - make_interval(mins => g),
       case when status <> 'DRAFT' then now() - make_interval(mins => g) end,
       case when status = 'COMPLETED' then now() end
from g, m order by g
"""

_OWNERS = """
with m as (select array_agg(id order by id) as ids from members)
insert into collaboration_owners (collaboration_id, member_id)
select c.id, c.created_by from collaborations c
union
select c.id, m.ids[1 + (c.id * 104729) % cardinality(m.ids)] from collaborations c, m
"""

_STEPS = """
insert into collaboration_steps (collaboration_id, position, title, description, deadline)
select c.id, p, (array['Words', 'Music'])[p], 'Step ' || p || ' of the call.',
       c.deadline - make_interval(days => 20 / p)
from collaborations c, generate_series(1, 2) p
"""

_NEEDS = """
with kinds as (select media_type, row_number() over (order by count(*) desc, media_type) as rank
               from records where status = 'PUBLISHED' and deleted_at is null
               group by media_type)
insert into collaboration_needs (step_id, collaboration_id, media_type, skill, count,
                                 description)
select s.id, s.collaboration_id, k.media_type, (array['lyrics', 'piano'])[s.position],
       (array[{counts}])[s.position], 'What step ' || s.position || ' needs.'
from collaboration_steps s
join kinds k on k.rank = least(s.position, (select max(rank) from kinds))
"""

# Each need's offers: records of its media type, spread by the need's id, one per author.
_CONTRIBUTIONS = """
with pub as (select media_type, array_agg(id order by id) as ids,
                    array_agg(author_id order by id) as authors
             from records where status = 'PUBLISHED' and deleted_at is null
             group by media_type),
     offers as (
       select n.id as need_id, n.collaboration_id, o,
              1 + ((n.id * 31 + o * 7) % cardinality(p.ids)) as pick, p.ids, p.authors,
              (array[{cycle}])[o] as status
       from collaboration_needs n
       join collaborations c on c.id = n.collaboration_id and c.status <> 'DRAFT'
       join pub p on p.media_type = n.media_type
       cross join generate_series(1, {per_need}) o
       where cardinality(p.ids) >= {per_need})
insert into contributions (need_id, collaboration_id, record_id, contributor_id, note, status,
                           reason, created_at, decided_at, accepted_at, withdrawn_at)
select need_id, collaboration_id, ids[pick], authors[pick], 'Offer ' || o || '.', status,
       case when status = 'DECLINED' then 'Not quite what we need.' end,
       now() - make_interval(mins => o),
       case when status in ('ACCEPTED', 'DECLINED', 'WITHDRAWN') then now() end,
       case when status in ('ACCEPTED', 'WITHDRAWN') then now() end,
       case when status = 'WITHDRAWN' then now() end
from offers
on conflict (need_id, record_id) do nothing
"""

_FILLED = """
update collaboration_needs n set filled = k.accepted
from (select need_id, count(*) as accepted from contributions where status = 'ACCEPTED'
      group by need_id) k
where k.need_id = n.id
"""

_NEEDS_TEXT = """
update collaborations c set needs_text = t.text
from (select s.collaboration_id,
             string_agg(concat_ws(' ', s.title, n.media_type, n.skill, n.description), ' '
                        order by s.position, n.id) as text
      from collaboration_steps s left join collaboration_needs n on n.step_id = s.id
      group by s.collaboration_id) t
where t.collaboration_id = c.id
"""

_RESULTS = """
insert into collaboration_results (collaboration_id, record_id, position)
select k.collaboration_id, k.record_id,
       row_number() over (partition by k.collaboration_id order by k.id)
from contributions k
join collaborations c on c.id = k.collaboration_id and c.status = 'COMPLETED'
join collaboration_needs n on n.id = k.need_id
join collaboration_steps s on s.id = n.step_id and s.position = 2
where k.status = 'ACCEPTED'
"""


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


async def load_collaborations(connection: asyncpg.Connection, records: int) -> int:
    """Make ``records // COLLABORATION_EVERY`` collaborations; returns how many."""
    count = max(1, records // COLLABORATION_EVERY)
    await connection.execute(_COLLABORATIONS.format(cycle=_quoted(CYCLE),
                                                    cycle_length=len(CYCLE)), count)
    await connection.execute(_OWNERS)
    await connection.execute(_STEPS)
    await connection.execute(_NEEDS.format(counts=", ".join(map(str, NEED_COUNTS))))
    await connection.execute(_CONTRIBUTIONS.format(cycle=_quoted(CONTRIBUTION_CYCLE),
                                                   per_need=OFFERS_PER_NEED))
    await connection.execute(_FILLED)
    await connection.execute(_NEEDS_TEXT)
    await connection.execute(_RESULTS)
    for table in ("collaborations", "collaboration_owners", "collaboration_steps",
                  "collaboration_needs", "contributions", "collaboration_results"):
        await connection.execute(f"analyze {table}")
    return count
