-- Remix lineage: "remix_id was made from source_id". The edges form a directed acyclic graph
-- (cycles are refused by addSource under a lock, see hub/lineage/mutations.py). Records are
-- never hard-deleted (a deleted record stays as a tombstone), so both ends always exist.

create table record_sources (
    remix_id    bigint not null references records (id),
    source_id   bigint not null references records (id),
    -- The remix author's words on what was taken ("the drum loop from the intro").
    note        text not null default '',
    -- The order the author listed the sources in; Record.sources pages by it.
    position    int not null,
    created_at  timestamptz not null default now(),
    primary key (remix_id, source_id),
    constraint record_sources_not_self check (remix_id <> source_id)
);

-- The primary key serves the walk towards ancestors (remix_id -> source_id) and
-- Record.sources; this index serves the walk towards descendants (source_id -> remix_id),
-- Record.remixes (keyset on remix_id, newest first) and Record.remixCount. Both walks are
-- index-only scans, so a recursive CTE over millions of edges touches only the edges it needs.
create index record_sources_source_idx on record_sources (source_id, remix_id);
