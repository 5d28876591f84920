-- What PostGraphile serves in the benchmark (schema bench_pgl, recreated by bench/run.py).
--
-- The hub's tables are left as they are; these views expose what an anonymous visitor may see
-- (published, not deleted records; classes that are not drafts, with locked lessons' bodies
-- and prompts null), smart comments declare the keys and relations that PostGraphile cannot
-- infer from views, and four functions cover what plain CRUD cannot: a member by
-- case-insensitive handle, full-text search, the ancestors walk (the same recursive CTE shape
-- as hub/lineage/store.py) and a class's instructors in the hub's order. This is what a
-- PostGraphile user would write to serve the same API; every query reads the same tables and
-- indexes as the hub.

drop schema if exists bench_pgl cascade;
create schema bench_pgl;

create view bench_pgl.members as
    select id, handle, display_name, bio, skills, role, created_at from public.members;
comment on view bench_pgl.members is E'@primaryKey id';

create view bench_pgl.records as
    select id, author_id, media_type, title, description, tags, license, status, details,
           version, created_at, updated_at, published_at
    from public.records
    where status = 'PUBLISHED' and deleted_at is null;
comment on view bench_pgl.records is
    E'@primaryKey id\n'
    '@foreignKey (author_id) references bench_pgl.members (id)|@fieldName author|@foreignFieldName records';

create view bench_pgl.record_sources as
    select remix_id, source_id, note, position, created_at from public.record_sources;
comment on view bench_pgl.record_sources is
    E'@primaryKey remix_id,source_id\n'
    '@foreignKey (remix_id) references bench_pgl.records (id)|@fieldName remix|@foreignFieldName sources\n'
    '@foreignKey (source_id) references bench_pgl.records (id)|@fieldName source|@foreignFieldName remixes';

-- Query.memberByHandle: handles are unique case-insensitively (an expression index, which
-- PostGraphile cannot turn into a lookup field by itself).
create function bench_pgl.member_by_handle(handle text) returns bench_pgl.members
    language sql stable as $$
        select m.* from bench_pgl.members m where lower(m.handle) = lower(member_by_handle.handle)
    $$;

-- Query.searchRecords: the hub's records(filter: {search, mediaType}), newest first.
create function bench_pgl.search_records(search_text text, media_type text default null)
    returns setof bench_pgl.records
    language sql stable as $$
        select r.id, r.author_id, r.media_type, r.title, r.description, r.tags, r.license,
               r.status, r.details, r.version, r.created_at, r.updated_at, r.published_at
        from public.records r
        where r.status = 'PUBLISHED' and r.deleted_at is null
          and r.search @@ websearch_to_tsquery('english', search_records.search_text)
          and (search_records.media_type is null or r.media_type = search_records.media_type)
        order by r.created_at desc, r.id desc
    $$;

-- Record.ancestors: each ancestor once at its shortest depth, nearest first, at most 10,000;
-- a record the visitor may not see is a tombstone (author kept, title null), as in the hub.
create function bench_pgl.records_ancestors(r bench_pgl.records, max_depth int default 10)
    returns table (depth int, record_id bigint, tombstone boolean, author_handle text,
                   title text)
    language sql stable as $$
        with recursive walk(id, depth) as (
                select s.source_id, 1 from public.record_sources s where s.remix_id = r.id
              union
                select s.source_id, w.depth + 1 from walk w
                join public.record_sources s on s.remix_id = w.id
                where w.depth < records_ancestors.max_depth
            ),
            nearest as (select w.id, min(w.depth) as depth from walk w group by w.id)
        select n.depth, n.id, not (x.status = 'PUBLISHED' and x.deleted_at is null), m.handle,
               case when x.status = 'PUBLISHED' and x.deleted_at is null then x.title end
        from nearest n
        join public.records x on x.id = n.id
        join public.members m on m.id = x.author_id
        order by n.depth, n.id
        limit 10000
    $$;

-- Class pages (schema/operations/class_page.graphql), as an anonymous visitor sees them
-- (hub/classes/types.py): every class but drafts, found by its unique slug (Query.classBySlug).
create view bench_pgl.classes as
    select id, slug, title, summary, description, skill, level, status, free_preview,
           created_by, created_at, updated_at, published_at
    from public.classes
    where status <> 'DRAFT';
comment on view bench_pgl.classes is E'@primaryKey id\n@unique slug';

-- Class.lessons: titles for everyone; body and prompt only where an anonymous visitor may read
-- them (the first lesson of a free-preview class), null and `locked` elsewhere.
create view bench_pgl.lessons as
    select l.id, l.class_id, l.position, l.title, not r.readable as locked,
           case when r.readable then l.body end as body,
           case when r.readable then l.prompt end as prompt
    from public.lessons l
    join public.classes c on c.id = l.class_id
    cross join lateral (select c.free_preview and l.position = 1 as readable) r
    where c.status <> 'DRAFT';
comment on view bench_pgl.lessons is
    E'@primaryKey id\n'
    '@foreignKey (class_id) references bench_pgl.classes (id)|@fieldName class|@foreignFieldName lessons';

-- Class.submissions { totalCount }: the hub's submissionsCount counts submissions whose record
-- is still published and not deleted.
create view bench_pgl.submissions as
    select s.id, s.class_id, s.lesson_id, s.member_id, s.record_id, s.created_at
    from public.submissions s
    join public.records r on r.id = s.record_id
    where r.status = 'PUBLISHED' and r.deleted_at is null;
comment on view bench_pgl.submissions is
    E'@primaryKey id\n'
    '@foreignKey (class_id) references bench_pgl.classes (id)|@fieldName class|@foreignFieldName submissions';

-- Class.instructors: the creator first, then in the order they joined (as the hub lists them).
create function bench_pgl.classes_instructors(c bench_pgl.classes)
    returns setof bench_pgl.members
    language sql stable as $$
        select m.* from public.class_instructors i
        join bench_pgl.members m on m.id = i.member_id
        where i.class_id = c.id
        order by i.member_id <> c.created_by, i.added_at, i.member_id
    $$;
