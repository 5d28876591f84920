-- A collaboration's cover image: an image file (a blob of the media slice), one per
-- collaboration. While a row names a blob (as file or thumbnail) the blob stays; replacing
-- or removing the cover releases the old one (hub/domain/media/store.py counts this table
-- among a blob's users, and a cover of a collaboration past DRAFT is public).
create table collaboration_covers (
    collaboration_id  bigint primary key references collaborations (id) on delete cascade,
    sha256            text not null references blobs (sha256),
    filename          text not null,
    metadata          jsonb not null default '{}',
    thumbnail_sha256  text references blobs (sha256),
    created_at        timestamptz not null default now()
);
create index collaboration_covers_sha256_idx on collaboration_covers (sha256);
create index collaboration_covers_thumbnail_idx on collaboration_covers (thumbnail_sha256)
    where thumbnail_sha256 is not null;
