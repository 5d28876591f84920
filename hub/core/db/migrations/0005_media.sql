-- Media files: content-addressed blobs, the records that use them, and the publications that
-- use them. No reference counts: a blob may be deleted only when no row below names it, and
-- that is checked in SQL (hub/media/store.py) under a per-blob advisory lock.

create table blobs (
    sha256      text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
    size        bigint not null check (size > 0),
    mime_type   text not null,
    created_at  timestamptz not null default now()
);

-- A file attached to a record. The same blob may be attached to many records (and once per
-- record); the metadata is what the record's media-type plugin read from it.
create table record_media (
    id                bigint generated always as identity primary key,
    record_id         bigint not null references records (id),
    sha256            text not null references blobs (sha256),
    filename          text not null,
    metadata          jsonb not null default '{}',
    thumbnail_sha256  text references blobs (sha256),
    created_at        timestamptz not null default now(),
    unique (record_id, sha256)
);
create index record_media_sha256_idx on record_media (sha256);
create index record_media_thumbnail_idx on record_media (thumbnail_sha256)
    where thumbnail_sha256 is not null;

-- A blob used by a publication (a book's EPUB, a TV cut's timeline, or a record's media copied
-- into one). `publication` is the publishing slice's key for the artifact; while a row names
-- a blob, the blob stays, whatever happens to the records it came from.
create table publication_media (
    publication  text not null,
    sha256       text not null references blobs (sha256),
    role         text not null default '',
    created_at   timestamptz not null default now(),
    primary key (publication, sha256)
);
create index publication_media_sha256_idx on publication_media (sha256);
