-- Members, their sessions, and records: the foundation slice.

create table members (
    id            bigint generated always as identity primary key,
    handle        text not null,
    display_name  text not null,
    bio           text not null default '',
    skills        text[] not null default '{}',
    role          text not null default 'MEMBER' check (role in ('MEMBER', 'EDITOR', 'ADMIN')),
    password_hash text not null,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    search        tsvector generated always as (
        setweight(to_tsvector('simple'::regconfig, handle), 'A') ||
        setweight(to_tsvector('english'::regconfig, display_name), 'A') ||
        setweight(to_tsvector('english'::regconfig, bio), 'C')
    ) stored
);
-- Handles are unique regardless of case: "Ada" and "ada" are the same member.
create unique index members_handle_key on members (lower(handle));
create index members_skills_idx on members using gin (skills);
create index members_search_idx on members using gin (search);
-- Keyset order of members(...): newest first, id as the tie-break.
create index members_created_idx on members (created_at desc, id desc);

create table sessions (
    token_hash  bytea primary key,
    member_id   bigint not null references members (id) on delete cascade,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null
);
create index sessions_member_idx on sessions (member_id);
create index sessions_expires_idx on sessions (expires_at);

-- array_to_string is only STABLE (its output for some element types depends on settings);
-- for text[] it is deterministic, which a generated column needs declared.
create function hub_tags_text(tags text[]) returns text
    language sql immutable parallel safe
    as $$ select array_to_string(tags, ' ') $$;

create table records (
    id            bigint generated always as identity primary key,
    author_id     bigint not null references members (id),
    media_type    text not null,
    title         text not null,
    description   text not null default '',
    tags          text[] not null default '{}',
    license       text not null,
    status        text not null default 'DRAFT'
                  check (status in ('DRAFT', 'PUBLISHED', 'UNPUBLISHED')),
    details       jsonb not null default '{}',
    -- Text the media-type plugin contributes to search (lyrics, a story's text...).
    details_text  text not null default '',
    version       int not null default 1,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    published_at  timestamptz,
    deleted_at    timestamptz,
    search        tsvector generated always as (
        setweight(to_tsvector('english'::regconfig, title), 'A') ||
        setweight(to_tsvector('english'::regconfig, description), 'B') ||
        setweight(to_tsvector('simple'::regconfig, hub_tags_text(tags)), 'B') ||
        setweight(to_tsvector('english'::regconfig, left(details_text, 100000)), 'C')
    ) stored
);

-- The public feed: published, not deleted, in each order the API offers.
create index records_feed_newest_idx on records (created_at desc, id desc)
    where status = 'PUBLISHED' and deleted_at is null;
create index records_feed_title_idx on records (lower(title), id)
    where status = 'PUBLISHED' and deleted_at is null;
create index records_media_type_idx on records (media_type, created_at desc, id desc)
    where status = 'PUBLISHED' and deleted_at is null;
-- A member's own records (drafts included for the author).
create index records_author_idx on records (author_id, created_at desc, id desc)
    where deleted_at is null;
create index records_tags_idx on records using gin (tags);
create index records_search_idx on records using gin (search);
