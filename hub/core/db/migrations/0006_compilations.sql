-- Compilations: an editorial team's ordered selection of published records, reviewed,
-- published to a target (a book, a TV cut) as versioned publications, and paid out.

create table compilations (
    id                  bigint generated always as identity primary key,
    title               text not null,
    description         text not null default '',
    -- The publishing-target plugin's key and its settings (JSON keyed by the settings type's
    -- Python field names); kept when the plugin is disabled, like record details.
    target              text not null,
    settings            jsonb not null default '{}',
    status              text not null default 'DRAFT'
                        check (status in ('DRAFT', 'IN_REVIEW', 'APPROVED', 'PUBLISHED', 'ARCHIVED')),
    -- Credit rules (hub/compilations/credits.py).
    lineage_share       numeric(7, 6) not null default 0.5 check (lineage_share between 0 and 1),
    max_depth           int not null default 3 check (max_depth between 0 and 10),
    editors_percent     numeric(7, 4) not null default 0 check (editors_percent between 0 and 100),
    payout_window_days  int not null default 14 check (payout_window_days between 0 and 365),
    created_by          bigint not null references members (id),
    -- Who moved it to IN_REVIEW last: approving needs someone else.
    submitted_by        bigint references members (id),
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now()
);
-- Keyset order of compilations(...): newest first, per filter.
create index compilations_newest_idx on compilations (created_at desc, id desc);
create index compilations_status_idx on compilations (status, created_at desc, id desc);
create index compilations_target_idx on compilations (target, created_at desc, id desc);

create table compilation_editors (
    compilation_id  bigint not null references compilations (id),
    member_id       bigint not null references members (id),
    added_by        bigint references members (id),
    added_at        timestamptz not null default now(),
    primary key (compilation_id, member_id)
);
create index compilation_editors_member_idx on compilation_editors (member_id);

create table compilation_items (
    id              bigint generated always as identity primary key,
    compilation_id  bigint not null references compilations (id),
    record_id       bigint not null references records (id),
    -- 1..n without gaps; every change locks the compilation row first.
    position        int not null check (position > 0),
    note            text not null default '',
    weight          numeric(18, 6) not null default 1 check (weight > 0),
    added_by        bigint references members (id),
    created_at      timestamptz not null default now(),
    unique (compilation_id, record_id),
    unique (compilation_id, position) deferrable initially deferred
);
create index compilation_items_record_idx on compilation_items (record_id);

create table compilation_history (
    id              bigint generated always as identity primary key,
    compilation_id  bigint not null references compilations (id),
    actor_id        bigint references members (id),
    action          text not null,
    from_status     text,
    to_status       text,
    reason          text not null default '',
    at              timestamptz not null default now()
);
create index compilation_history_idx on compilation_history (compilation_id, id);

create table publications (
    id              bigint generated always as identity primary key,
    compilation_id  bigint not null references compilations (id),
    version         int not null check (version > 0),
    published_by    bigint references members (id),
    published_at    timestamptz not null default now(),
    unique (compilation_id, version)
);

-- The files of a publication: blobs (hub/media), kept by publication_media while listed here.
create table publication_files (
    publication_id  bigint not null references publications (id),
    position        int not null,
    name            text not null,
    mime_type       text not null,
    size            bigint not null,
    sha256          text not null references blobs (sha256),
    primary key (publication_id, name)
);
create index publication_files_sha256_idx on publication_files (sha256, name);

create table payout_proposals (
    id                bigint generated always as identity primary key,
    compilation_id    bigint not null references compilations (id),
    status            text not null default 'PROPOSED' check (status in ('PROPOSED', 'FINALIZED')),
    pool_minor        bigint not null check (pool_minor > 0),
    currency          text not null,
    -- The rules the split used, frozen with it (lineage share, depth, editors' percent).
    rules             jsonb not null,
    proposed_by       bigint references members (id),
    created_at        timestamptz not null default now(),
    window_closes_at  timestamptz not null,
    finalized_by      bigint references members (id),
    finalized_at      timestamptz
);
create index payout_proposals_compilation_idx on payout_proposals (compilation_id, id desc);

create table payout_lines (
    proposal_id  bigint not null references payout_proposals (id),
    member_id    bigint not null references members (id),
    amount_minor bigint not null check (amount_minor >= 0),
    share        text not null,
    breakdown    jsonb not null,
    primary key (proposal_id, member_id)
);
create index payout_lines_member_idx on payout_lines (member_id, proposal_id desc);

create table payout_comments (
    id           bigint generated always as identity primary key,
    proposal_id  bigint not null references payout_proposals (id),
    author_id    bigint not null references members (id),
    body         text not null,
    created_at   timestamptz not null default now()
);
create index payout_comments_proposal_idx on payout_comments (proposal_id, id);
