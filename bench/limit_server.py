"""The benchmark's "limit": what one HTTP round trip and one SQL statement cost on this machine.

A raw aiohttp handler on ``POST /graphql`` that reads the request's ``operationName`` and
``variables`` (the query text is ignored), runs ONE SQL statement that builds the hub's
response with ``json_build_object``/``json_agg``, and returns PostgreSQL's JSON text as-is,
wrapped in ``{"data": …}``. No GraphQL parsing, validation, execution or DataLoaders, no JSON
decoding in Python: no GraphQL server can beat it on the same database, so ``hub/limit`` says
how much of the possible the hub reaches.

    python bench/limit_server.py --database-url postgresql://… --port 8302
"""

from __future__ import annotations

import argparse
import base64

import asyncpg
import orjson
from aiohttp import web


def gid(type_name: str, column: str) -> str:
    """SQL for the hub's opaque global ID (hub/relay.py: urlsafe base64, no padding)."""
    return (f"rtrim(translate(encode(convert_to('{type_name}:' || {column}, 'UTF8'), 'base64'), "
            f"E'+/\\n', '-_'), '=')")


def cursor(*columns: str) -> str:
    """SQL for a keyset cursor (an opaque string, as long as the hub's)."""
    values = ", ".join(columns)
    return (f"rtrim(translate(encode(convert_to(json_build_array({values})::text, 'UTF8'), "
            f"'base64'), '+/', '-_'), '=')")


def details(alias: str) -> str:
    """The stored details with the GraphQL type name (the whole object: every field)."""
    return (f"{alias}.details || jsonb_build_object('__typename', "
            f"initcap({alias}.media_type) || 'Details')")


SOURCES_OF = f"""(
    select coalesce(json_agg(json_build_object(
               'recordId', {gid('Record', 'x.id')}, 'note', s.note,
               'node', case when x.status = 'PUBLISHED' and x.deleted_at is null
                            then json_build_object('id', {gid('Record', 'x.id')}, 'title', x.title)
                       end,
               'author', json_build_object('handle', xm.handle)) order by s.position), '[]')
    from (select * from record_sources s where s.remix_id = r.id
          order by s.position, s.source_id limit {{limit}}) s
    join records x on x.id = s.source_id join members xm on xm.id = x.author_id)"""

FEED = f"""
select json_build_object('records', json_build_object(
    'edges', coalesce(json_agg(json_build_object(
        'cursor', {cursor('r.created_at', 'r.id')},
        'node', json_build_object(
            'id', {gid('Record', 'r.id')}, 'title', r.title, 'mediaType', r.media_type,
            'tags', r.tags, 'publishedAt', r.published_at,
            'author', json_build_object('id', {gid('Member', 'm.id')}, 'handle', m.handle,
                                        'displayName', m.display_name),
            'details', {details('r')},
            'remixCount', (select count(*) from record_sources c where c.source_id = r.id),
            'sources', json_build_object('edges', {SOURCES_OF.format(limit=5)}))
    ) order by r.created_at desc, r.id desc) filter (where r.n <= $1), '[]'),
    'pageInfo', json_build_object(
        'hasNextPage', count(*) > $1,
        'endCursor', (array_agg({cursor('r.created_at', 'r.id')}
                                order by r.created_at, r.id) filter (where r.n <= $1))[1]))
)::text
from (select r.*, row_number() over (order by r.created_at desc, r.id desc) as n
      from records r where r.status = 'PUBLISHED' and r.deleted_at is null
      order by r.created_at desc, r.id desc limit $1 + 1) r
join members m on m.id = r.author_id
"""

# The feed by FRESH: the hub's stored keys (record_discovery, migration 0018), walked by
# their index; its cursors are the hub's, to the character (hub_b64url, migration 0007).
FRESH_CURSOR = "hub_b64url('[' || {t}.fresh_key || ',' || {t}.id || ']')"
FRESH_FEED = f"""
select json_build_object('records', json_build_object(
    'edges', coalesce(json_agg(json_build_object(
        'cursor', {FRESH_CURSOR.format(t='r')},
        'node', json_build_object(
            'id', {gid('Record', 'r.id')}, 'title', r.title, 'mediaType', r.media_type,
            'heartCount', (select count(*) from hearts h where h.record_id = r.id),
            'author', json_build_object('handle', m.handle))
    ) order by r.fresh_key desc, r.id desc) filter (where r.n <= $1), '[]'),
    'pageInfo', json_build_object(
        'hasNextPage', count(*) > $1,
        'endCursor', (array_agg({FRESH_CURSOR.format(t='r')}
                                order by r.fresh_key, r.id) filter (where r.n <= $1))[1]))
)::text
from (select r.*, d.fresh_key,
             row_number() over (order by d.fresh_key desc, d.record_id desc) as n
      from records r join record_discovery d on d.record_id = r.id
      where r.status = 'PUBLISHED' and r.deleted_at is null
      order by d.fresh_key desc, d.record_id desc limit $1 + 1) r
join members m on m.id = r.author_id
"""

RECORD_PAGE = f"""
with recursive walk(id, depth) as (
        select s.source_id, 1 from record_sources s where s.remix_id = $1
      union
        select s.source_id, w.depth + 1 from walk w join record_sources s on s.remix_id = w.id
        where w.depth < 10
    ),
    nearest as (select id, min(depth) as depth from walk group by id)
select json_build_object('record', (
    select json_build_object(
        'id', {gid('Record', 'r.id')}, 'title', r.title, 'description', r.description,
        'mediaType', r.media_type, 'tags', r.tags, 'license', r.license, 'status', r.status,
        'version', r.version, 'createdAt', r.created_at, 'publishedAt', r.published_at,
        'details', {details('r')},
        'author', json_build_object(
            'id', {gid('Member', 'm.id')}, 'handle', m.handle, 'displayName', m.display_name,
            'bio', m.bio,
            'records', json_build_object('nodes', (
                select coalesce(json_agg(json_build_object(
                    'id', {gid('Record', 'a.id')}, 'title', a.title, 'mediaType', a.media_type)
                    order by a.created_at desc, a.id desc), '[]')
                from (select * from records a
                      where a.author_id = m.id and a.deleted_at is null
                        and a.status = 'PUBLISHED'
                      order by a.created_at desc, a.id desc limit 5) a))),
        'remixCount', (select count(*) from record_sources c where c.source_id = r.id),
        'sources', json_build_object('edges', {SOURCES_OF.format(limit=10)}),
        'ancestors', (
            select coalesce(json_agg(json_build_object(
                'depth', n.depth, 'recordId', {gid('Record', 'x.id')},
                'tombstone', not (x.status = 'PUBLISHED' and x.deleted_at is null),
                'author', json_build_object('handle', xm.handle),
                'record', case when x.status = 'PUBLISHED' and x.deleted_at is null
                               then json_build_object('title', x.title) end)
                order by n.depth, n.id), '[]')
            from nearest n join records x on x.id = n.id join members xm on xm.id = x.author_id))
    from records r join members m on m.id = r.author_id
    where r.id = $1 and r.status = 'PUBLISHED' and r.deleted_at is null)
)::text
"""

MEMBER_PAGE = f"""
select json_build_object('member', (
    select json_build_object(
        'id', {gid('Member', 'm.id')}, 'handle', m.handle, 'displayName', m.display_name,
        'bio', m.bio, 'skills', m.skills, 'role', m.role,
        'records', (
            select json_build_object(
                'totalCount', (select count(*) from records c where c.author_id = m.id
                               and c.deleted_at is null and c.status = 'PUBLISHED'),
                'nodes', coalesce(json_agg(json_build_object(
                    'id', {gid('Record', 'r.id')}, 'title', r.title, 'mediaType', r.media_type,
                    'publishedAt', r.published_at) order by r.created_at desc, r.id desc)
                    filter (where r.n <= $2), '[]'),
                'pageInfo', json_build_object(
                    'hasNextPage', count(*) > $2,
                    'endCursor', (array_agg({cursor('r.created_at', 'r.id')}
                                            order by r.created_at, r.id)
                                  filter (where r.n <= $2))[1]))
            from (select r.*, row_number() over (order by r.created_at desc, r.id desc) as n
                  from records r
                  where r.author_id = m.id and r.deleted_at is null and r.status = 'PUBLISHED'
                  order by r.created_at desc, r.id desc limit $2 + 1) r))
    from members m where lower(m.handle) = lower($1))
)::text
"""

SEARCH = f"""
with hits as (
    select r.id, r.title, r.media_type, r.author_id, r.created_at from records r
    where r.status = 'PUBLISHED' and r.deleted_at is null
      and r.search @@ websearch_to_tsquery('english', $1)
      and ($2::text is null or r.media_type = $2)
)
select json_build_object('records', json_build_object(
    'totalCount', (select count(*) from hits),
    'nodes', (select coalesce(json_agg(json_build_object(
                  'id', {gid('Record', 'h.id')}, 'title', h.title, 'mediaType', h.media_type,
                  'author', json_build_object('handle', m.handle))
                  order by h.created_at desc, h.id desc), '[]')
              from (select * from hits order by created_at desc, id desc limit $3) h
              join members m on m.id = h.author_id))
)::text
"""

# The hub's anonymous class page: every class but drafts; a lesson is readable (body, prompt)
# only as the first lesson of a free-preview class (hub/classes/types.py); instructors the
# creator first, then in the order they joined; viewerEnrollment null (nobody signed in).
CLASS_PAGE = f"""
select json_build_object('class', (
    select json_build_object(
        'id', {gid('Class', 'c.id')}, 'slug', c.slug, 'title', c.title, 'summary', c.summary,
        'description', c.description, 'skill', c.skill, 'level', c.level, 'status', c.status,
        'freePreview', c.free_preview,
        'lessonCount', (select count(*) from lessons n where n.class_id = c.id),
        'submissionsCount', (
            select count(*) from submissions s
            where s.class_id = c.id and exists (
                select 1 from records r where r.id = s.record_id and r.status = 'PUBLISHED'
                and r.deleted_at is null)),
        'instructors', (
            select coalesce(json_agg(json_build_object(
                'id', {gid('Member', 'm.id')}, 'handle', m.handle, 'displayName', m.display_name)
                order by i.member_id <> c.created_by, i.added_at, i.member_id), '[]')
            from class_instructors i join members m on m.id = i.member_id
            where i.class_id = c.id),
        'lessons', (
            select coalesce(json_agg(json_build_object(
                'id', {gid('Lesson', 'l.id')}, 'position', l.position, 'title', l.title,
                'locked', not v.readable, 'body', case when v.readable then l.body end,
                'prompt', case when v.readable then l.prompt end) order by l.position), '[]')
            from lessons l cross join lateral (
                select c.free_preview and l.position = 1 as readable) v
            where l.class_id = c.id),
        'viewerEnrollment', null)
    from classes c where c.slug = lower(btrim($1)) and c.status <> 'DRAFT')
)::text
"""

UPDATE_PROFILE = f"""
with viewer as (
    select member_id from sessions
    where token_hash = sha256(convert_to($1, 'UTF8')) and expires_at > now()
)
update members m set bio = $2, updated_at = now() from viewer v where m.id = v.member_id
returning json_build_object('updateProfile', json_build_object(
    'errors', '[]'::json,
    'member', json_build_object('id', {gid('Member', 'm.id')}, 'handle', m.handle, 'bio', m.bio)
))::text
"""


# --- collaborations (schema/operations/collaborations), as an anonymous visitor sees them -----

# A collaboration's status: an OPEN one past its deadline reads as CLOSED (the hub computes it
# the same way, hub/domain/collaborations/rules.py).
STATUS = "case when c.status = 'OPEN' and c.deadline <= now() then 'CLOSED' else c.status end"
OPEN_SLOTS = ("(select coalesce(sum(n.count - n.filled), 0) from collaboration_needs n "
              "where n.collaboration_id = c.id)")


def iso_cursor(timestamp: str, pk: str) -> str:
    """The hub's keyset cursor of (timestamptz, id) (hub/core/rules.py, Ordering.cursor_sql)."""
    return f"""hub_b64url('["' || hub_iso({timestamp}) || '",' || ({pk})::text || ']')"""


def owners(members: str) -> str:
    """The owners, the creator first (joined first), then co-owners as added."""
    return f"""(select coalesce(json_agg(json_build_object({members})
                                 order by o.added_at, m.id), '[]')
               from collaboration_owners o join members m on m.id = o.member_id
               where o.collaboration_id = c.id)"""


# Credits through lineage: the accepted contributors (first acceptance first), then the authors
# of the ancestors (50 generations) of the accepted records and the results, nearest first.
CREDITS = """(
    with recursive roots(id) as (
            select k.record_id from contributions k
            where k.collaboration_id = c.id and k.accepted_at is not null
          union
            select x.record_id from collaboration_results x where x.collaboration_id = c.id),
        up(id, depth) as (
            select s.source_id, 1 from roots join record_sources s on s.remix_id = roots.id
          union
            select s.source_id, up.depth + 1 from up
            join record_sources s on s.remix_id = up.id where up.depth < 50),
        credited as (
            select member_id, min(accepted_at) as first_accepted, min(depth) as depth from (
                select k.contributor_id as member_id, k.accepted_at, 0 as depth
                from contributions k
                where k.collaboration_id = c.id and k.accepted_at is not null
              union all
                select r.author_id, null, up.depth from up join records r on r.id = up.id) t
            group by member_id)
    select coalesce(json_agg(json_build_object(
               'id', hub_global_id('Member', m.id), 'handle', m.handle,
               'displayName', m.display_name)
               order by k.first_accepted, k.depth, m.id), '[]')
    from credited k join members m on m.id = k.member_id)"""

COLLABORATION_PAGE = f"""
select json_build_object('collaboration', (
    select json_build_object(
        'id', hub_global_id('Collaboration', c.id), 'title', c.title,
        'briefHtml', c.brief_html, 'status', {STATUS}, 'deadline', hub_iso(c.deadline),
        'tags', to_json(c.tags), 'openSlots', {OPEN_SLOTS},
        'owners', {owners("'id', hub_global_id('Member', m.id), 'handle', m.handle, "
                          "'displayName', m.display_name")},
        'steps', (
            select coalesce(json_agg(json_build_object(
                'id', hub_global_id('CollaborationStep', s.id), 'position', s.position,
                'title', s.title, 'description', s.description, 'deadline', hub_iso(s.deadline),
                'needs', (
                    select coalesce(json_agg(json_build_object(
                        'id', hub_global_id('CollaborationNeed', n.id),
                        'mediaType', n.media_type, 'skill', n.skill, 'count', n.count,
                        'description', n.description, 'filled', n.filled,
                        'remaining', n.count - n.filled) order by n.id), '[]')
                    from collaboration_needs n where n.step_id = s.id))
                order by s.position, s.id), '[]')
            from collaboration_steps s where s.collaboration_id = c.id),
        'contributions', (
            select json_build_object(
                'totalCount', (select count(*) from contributions t
                               where t.collaboration_id = c.id),
                'pageInfo', json_build_object(
                    'hasNextPage', count(*) > $2,
                    'endCursor', (array_agg({iso_cursor('k.created_at', 'k.id')}
                                            order by k.created_at, k.id)
                                  filter (where k.n <= $2))[1]),
                'nodes', coalesce(json_agg(json_build_object(
                    'id', hub_global_id('Contribution', k.id), 'status', k.status,
                    'note', k.note, 'credited', k.accepted_at is not null,
                    'declineReason', null, 'createdAt', hub_iso(k.created_at),
                    'need', json_build_object('id', hub_global_id('CollaborationNeed', n.id),
                                              'mediaType', n.media_type, 'skill', n.skill),
                    'record', case when r.status = 'PUBLISHED' and r.deleted_at is null
                                   then json_build_object(
                                       'id', hub_global_id('Record', r.id), 'title', r.title,
                                       'mediaType', r.media_type,
                                       'author', json_build_object('handle', ra.handle)) end,
                    'contributor', json_build_object(
                        'id', hub_global_id('Member', km.id), 'handle', km.handle,
                        'displayName', km.display_name))
                    order by k.created_at desc, k.id desc) filter (where k.n <= $2), '[]'))
            from (select k.*, row_number() over (order by k.created_at desc, k.id desc) as n
                  from contributions k where k.collaboration_id = c.id
                  order by k.created_at desc, k.id desc limit $2 + 1) k
            join collaboration_needs n on n.id = k.need_id
            join records r on r.id = k.record_id join members ra on ra.id = r.author_id
            join members km on km.id = k.contributor_id),
        'credits', {CREDITS},
        'results', (
            select coalesce(json_agg(case when r.status = 'PUBLISHED' and r.deleted_at is null
                                          then json_build_object(
                                              'id', hub_global_id('Record', r.id),
                                              'title', r.title, 'mediaType', r.media_type) end
                                     order by x.position, r.id), '[]')
            from collaboration_results x join records r on r.id = x.record_id
            where x.collaboration_id = c.id))
    from collaborations c where c.id = $1 and c.status <> 'DRAFT')
)::text
"""

# The open calls: OPEN (and not past the deadline), a slot still free, narrowed by a need's
# media type or skill and by the full-text search; nearest deadline first.
OPEN_CALLS = f"""
with hits as (
    select c.* from collaborations c
    where c.status = 'OPEN' and c.deadline > now()
      and exists (select 1 from collaboration_needs n
                  where n.collaboration_id = c.id and n.filled < n.count)
      and ($2::text is null or exists (select 1 from collaboration_needs n
                                       where n.collaboration_id = c.id and n.media_type = $2))
      and ($3::text is null or exists (select 1 from collaboration_needs n
                                       where n.collaboration_id = c.id and n.skill = $3))
      and ($4::text is null or c.search @@ websearch_to_tsquery('english', $4))
)
select json_build_object('collaborations', json_build_object(
    'totalCount', (select count(*) from hits),
    'pageInfo', json_build_object(
        'hasNextPage', count(*) > $1,
        'endCursor', (array_agg({iso_cursor('c.deadline', 'c.id')}
                                order by c.deadline desc, c.id desc)
                      filter (where c.n <= $1))[1]),
    'nodes', coalesce(json_agg(json_build_object(
        'id', hub_global_id('Collaboration', c.id), 'title', c.title,
        'deadline', hub_iso(c.deadline), 'tags', to_json(c.tags), 'openSlots', {OPEN_SLOTS},
        'owners', {owners("'handle', m.handle, 'displayName', m.display_name")},
        'steps', (
            select coalesce(json_agg(json_build_object(
                'position', s.position, 'title', s.title, 'deadline', hub_iso(s.deadline),
                'needs', (select coalesce(json_agg(json_build_object(
                              'mediaType', n.media_type, 'skill', n.skill,
                              'remaining', n.count - n.filled) order by n.id), '[]')
                          from collaboration_needs n where n.step_id = s.id))
                order by s.position, s.id), '[]')
            from collaboration_steps s where s.collaboration_id = c.id))
        order by c.deadline, c.id) filter (where c.n <= $1), '[]'))
)::text
from (select h.*, row_number() over (order by h.deadline, h.id) as n from hits h
      order by h.deadline, h.id limit $1 + 1) c
"""


def label(value: str | None) -> str | None:
    """A media type or skill as the hub's filters clean it (lower case, single spaces)."""
    return " ".join(value.split()).lower() or None if value else None


def global_pk(global_id: str, expected: str = "Record") -> int:
    raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    type_name, _, pk = raw.partition(":")
    if type_name != expected:
        raise ValueError(global_id)
    return int(pk)


def record_pk(global_id: str) -> int:
    return global_pk(global_id, "Record")


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else ""


RECORD_COMMENTS = f"""
select json_build_object('record', (
    select json_build_object(
        'id', {gid('Record', 'r.id')}, 'title', r.title,
        'heartCount', (select count(*) from hearts h where h.record_id = r.id),
        'viewerHearted', false,
        'comments', (
            select json_build_object(
                'totalCount', (select count(*) from comments t where t.record_id = r.id
                               and t.parent_id is null),
                'nodes', coalesce(json_agg(json_build_object(
                    'id', {gid('Comment', 'c.id')},
                    'bodyHtml', case when c.deleted_at is null and c.hidden_at is null
                                     then c.body_html end,
                    'atSeconds', c.at_seconds,
                    'quote', case when c.deleted_at is null and c.hidden_at is null
                                  then c.quote end,
                    'createdAt', hub_iso(c.created_at),
                    'edited', c.edited_at is not null, 'deleted', c.deleted_at is not null,
                    'author', json_build_object('handle', cm.handle,
                                                'displayName', cm.display_name),
                    'replies', json_build_object('totalCount', (
                        select count(*) from comments y where y.parent_id = c.id)))
                    order by c.created_at, c.id) filter (where c.n <= 50), '[]'),
                'pageInfo', json_build_object(
                    'hasNextPage', count(*) > 50,
                    'endCursor', (array_agg({cursor('c.created_at', 'c.id')}
                                            order by c.created_at desc, c.id desc)
                                  filter (where c.n <= 50))[1]))
            from (select c.*, row_number() over (order by c.created_at, c.id) as n
                  from comments c where c.record_id = r.id and c.parent_id is null
                  order by c.created_at, c.id limit 51) c
            join members cm on cm.id = c.author_id))
    from records r where r.id = $1 and r.status = 'PUBLISHED' and r.deleted_at is null)
)::text
"""

# operationName -> (SQL, arguments from (variables, request))
OPERATIONS = {
    "BenchFeed": (FEED, lambda v, _r: (min(int(v.get("first", 50)), 100),)),
    "Feed": (FEED, lambda v, _r: (min(int(v.get("first", 20)), 100),)),
    "BenchFreshFeed": (FRESH_FEED, lambda v, _r: (min(int(v.get("first", 20)), 100),)),
    "BenchRecordPage": (RECORD_PAGE, lambda v, _r: (record_pk(v["id"]),)),
    "MemberPage": (MEMBER_PAGE, lambda v, _r: (v["handle"], min(int(v.get("first", 20)), 100))),
    "Search": (SEARCH, lambda v, _r: (v["text"], v.get("mediaType"),
                                      min(int(v.get("first", 20)), 100))),
    "ClassPage": (CLASS_PAGE, lambda v, _r: (v["slug"],)),
    "BenchRecordComments": (RECORD_COMMENTS, lambda v, _r: (record_pk(v["id"]),)),
    "BenchUpdateProfile": (UPDATE_PROFILE, lambda v, r: (_bearer(r), v["bio"])),
    "CollaborationPage": (COLLABORATION_PAGE, lambda v, _r: (
        global_pk(v["id"], "Collaboration"), min(int(v.get("first", 20)), 100))),
    "OpenCalls": (OPEN_CALLS, lambda v, _r: (
        min(int(v.get("first", 20)), 100), label(v.get("mediaType")), label(v.get("skill")),
        (v.get("search") or "").strip() or None)),
}

POOL = web.AppKey("pool", asyncpg.Pool)


async def graphql(request: web.Request) -> web.Response:
    body = orjson.loads(await request.read())
    sql, arguments = OPERATIONS[body["operationName"]]
    data = await request.app[POOL].fetchval(sql, *arguments(body.get("variables") or {}, request))
    if data is None:  # UPDATE ... RETURNING found no session
        return web.Response(status=401, body=b'{"errors":[{"message":"UNAUTHENTICATED"}]}',
                            content_type="application/json")
    return web.Response(body=b'{"data":' + data.encode() + b"}", content_type="application/json")


def create_app(database_url: str, pool_size: int) -> web.Application:
    app = web.Application()

    async def open_pool(app: web.Application) -> None:
        app[POOL] = await asyncpg.create_pool(database_url, min_size=pool_size,
                                              max_size=pool_size)

    async def close_pool(app: web.Application) -> None:
        await app[POOL].close()

    app.on_startup.append(open_pool)
    app.on_cleanup.append(close_pool)
    app.router.add_post("/graphql", graphql)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8302)
    parser.add_argument("--pool-size", type=int, default=10)
    args = parser.parse_args()
    web.run_app(create_app(args.database_url, args.pool_size), host=args.host, port=args.port,
                print=None, access_log=None)


if __name__ == "__main__":
    main()
