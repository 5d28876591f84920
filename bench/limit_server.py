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


def record_pk(global_id: str) -> int:
    raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    type_name, _, pk = raw.partition(":")
    if type_name != "Record":
        raise ValueError(global_id)
    return int(pk)


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else ""


# operationName -> (SQL, arguments from (variables, request))
OPERATIONS = {
    "BenchFeed": (FEED, lambda v, _r: (min(int(v.get("first", 50)), 100),)),
    "Feed": (FEED, lambda v, _r: (min(int(v.get("first", 20)), 100),)),
    "BenchRecordPage": (RECORD_PAGE, lambda v, _r: (record_pk(v["id"]),)),
    "MemberPage": (MEMBER_PAGE, lambda v, _r: (v["handle"], min(int(v.get("first", 20)), 100))),
    "Search": (SEARCH, lambda v, _r: (v["text"], v.get("mediaType"),
                                      min(int(v.get("first", 20)), 100))),
    "ClassPage": (CLASS_PAGE, lambda v, _r: (v["slug"],)),
    "BenchUpdateProfile": (UPDATE_PROFILE, lambda v, r: (_bearer(r), v["bio"])),
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
