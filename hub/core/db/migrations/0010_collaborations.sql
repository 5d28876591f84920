-- Collaborations: open calls that members answer with their records. A collaboration has
-- owners, ordered steps, and in each step needs (slots of a media type and skill); members
-- offer records to needs (contributions), owners decide, accepted records fill the slots,
-- and completing the collaboration names its result records.

create table collaborations (
    id            bigint generated always as identity primary key,
    title         text not null,
    -- The brief as written (Markdown) and as rendered for display (safe HTML, rendered by the
    -- hub at write time with raw HTML disabled, so both read paths serve the same text).
    brief         text not null default '',
    brief_html    text not null default '',
    status        text not null default 'DRAFT'
                  check (status in ('DRAFT', 'OPEN', 'CLOSED', 'COMPLETED', 'ARCHIVED')),
    deadline      timestamptz not null,
    tags          text[] not null default '{}',
    -- The needs' media types, skills and descriptions, kept here by every write to the needs,
    -- so that the full-text search covers them with one index.
    needs_text    text not null default '',
    created_by    bigint not null references members (id),
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    opened_at     timestamptz,
    completed_at  timestamptz,
    search        tsvector generated always as (
        setweight(to_tsvector('english'::regconfig, title), 'A') ||
        setweight(to_tsvector('simple'::regconfig, hub_tags_text(tags)), 'B') ||
        setweight(to_tsvector('english'::regconfig, brief), 'C') ||
        setweight(to_tsvector('english'::regconfig, needs_text), 'C')
    ) stored
);
create index collaborations_status_newest_idx on collaborations (status, created_at desc, id desc);
create index collaborations_deadline_idx on collaborations (deadline, id);
create index collaborations_tags_idx on collaborations using gin (tags);
create index collaborations_search_idx on collaborations using gin (search);

create table collaboration_owners (
    collaboration_id  bigint not null references collaborations (id) on delete cascade,
    member_id         bigint not null references members (id),
    added_at          timestamptz not null default now(),
    primary key (collaboration_id, member_id)
);
create index collaboration_owners_member_idx on collaboration_owners (member_id, collaboration_id);

create table collaboration_steps (
    id                bigint generated always as identity primary key,
    collaboration_id  bigint not null references collaborations (id) on delete cascade,
    position          int not null check (position > 0),
    title             text not null,
    description       text not null default '',
    deadline          timestamptz not null,
    unique (collaboration_id, position) deferrable initially deferred
);

create table collaboration_needs (
    id                bigint generated always as identity primary key,
    step_id           bigint not null references collaboration_steps (id) on delete cascade,
    collaboration_id  bigint not null references collaborations (id) on delete cascade,
    media_type        text not null,
    skill             text not null default '',
    count             int not null check (count between 1 and 100),
    description       text not null default '',
    -- Accepted contributions holding a slot. Raised only by a conditional update
    -- (filled < count), so concurrent accepts can never overfill a need.
    filled            int not null default 0 check (filled >= 0 and filled <= count),
    created_at        timestamptz not null default now()
);
create index collaboration_needs_step_idx on collaboration_needs (step_id, id);
create index collaboration_needs_collaboration_idx on collaboration_needs (collaboration_id, media_type, skill);

create table contributions (
    id                bigint generated always as identity primary key,
    need_id           bigint not null references collaboration_needs (id) on delete cascade,
    collaboration_id  bigint not null references collaborations (id) on delete cascade,
    record_id         bigint not null references records (id),
    contributor_id    bigint not null references members (id),
    note              text not null default '',
    status            text not null default 'OFFERED'
                      check (status in ('OFFERED', 'SHORTLISTED', 'ACCEPTED', 'DECLINED',
                                        'WITHDRAWN')),
    -- The owners' words when declining, shown to the contributor and the owners only.
    reason            text,
    -- The records of earlier steps this one builds on; written to the lineage on acceptance.
    source_ids        bigint[] not null default '{}',
    created_at        timestamptz not null default now(),
    decided_at        timestamptz,
    -- Set once, on acceptance, and kept when the contribution is withdrawn: the credit stays.
    accepted_at       timestamptz,
    withdrawn_at      timestamptz,
    unique (need_id, record_id)
);
create index contributions_need_idx on contributions (need_id, created_at desc, id desc);
create index contributions_collaboration_idx on contributions (collaboration_id, created_at desc, id desc);
create index contributions_record_idx on contributions (record_id, created_at desc, id desc);
create index contributions_contributor_idx on contributions (contributor_id, collaboration_id);

-- The records a completed collaboration names as its results, in order.
create table collaboration_results (
    collaboration_id  bigint not null references collaborations (id) on delete cascade,
    record_id         bigint not null references records (id),
    position          int not null,
    primary key (collaboration_id, record_id)
);

-- Who takes part in a collaboration, and as what (Member.collaborations(role:)).
create view collaboration_members as
    select collaboration_id, member_id, 'OWNER'::text as role from collaboration_owners
    union all
    select distinct collaboration_id, contributor_id, 'CONTRIBUTOR'::text from contributions;
