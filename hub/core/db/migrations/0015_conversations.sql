-- Conversations: comments on records, collaborations, lessons and compilations, their edit
-- history, reports, the moderation log, the MODERATOR role and suspended members.

alter table members drop constraint members_role_check;
alter table members add constraint members_role_check
    check (role in ('MEMBER', 'EDITOR', 'MODERATOR', 'ADMIN'));
-- A suspended member reads but does not write (every mutation refuses them).
alter table members add column suspended_at timestamptz;

create table comments (
    id               bigint generated always as identity primary key,
    author_id        bigint not null references members (id),
    -- The subject: exactly one of these. A reply carries its root's subject, so a thread is
    -- read by one rule whatever its depth.
    record_id        bigint references records (id),
    collaboration_id bigint references collaborations (id),
    lesson_id        bigint references lessons (id) on delete cascade,
    compilation_id   bigint references compilations (id) on delete cascade,
    -- The root comment this one replies to (one level deep: a root is never a reply).
    parent_id        bigint references comments (id) on delete cascade,
    body             text not null,
    -- body rendered to safe HTML at write time (no raw HTML, links rel="nofollow ugc").
    body_html        text not null,
    -- The members the body mentions (@handle), resolved at write time, in order of mention.
    mention_ids      bigint[] not null default '{}',
    -- Anchors: a moment of a music or film record, or a passage of a writing record.
    at_seconds       double precision check (at_seconds >= 0),
    quote            text,
    quote_offset     integer check (quote_offset >= 0),
    created_at       timestamptz not null default now(),
    edited_at        timestamptz,
    deleted_at       timestamptz,
    hidden_at        timestamptz,
    hidden_by        bigint references members (id),
    check (num_nonnulls(record_id, collaboration_id, lesson_id, compilation_id) = 1),
    check ((quote is null) = (quote_offset is null)),
    check (at_seconds is null or quote is null)
);
-- A subject's top-level comments, oldest first (and newest first, backward).
create index comments_record_idx on comments (record_id, created_at, id)
    where record_id is not null and parent_id is null;
create index comments_collaboration_idx on comments (collaboration_id, created_at, id)
    where collaboration_id is not null and parent_id is null;
create index comments_lesson_idx on comments (lesson_id, created_at, id)
    where lesson_id is not null and parent_id is null;
create index comments_compilation_idx on comments (compilation_id, created_at, id)
    where compilation_id is not null and parent_id is null;
create index comments_parent_idx on comments (parent_id, created_at, id)
    where parent_id is not null;
-- The comment flood check and "a member's comments".
create index comments_author_idx on comments (author_id, created_at);

-- Every earlier body of an edited comment, oldest first.
create table comment_edits (
    id          bigint generated always as identity primary key,
    comment_id  bigint not null references comments (id) on delete cascade,
    body        text not null,
    replaced_at timestamptz not null default now()
);
create index comment_edits_comment_idx on comment_edits (comment_id, id);

-- One report per member per comment (reporting again updates it); resolved when a moderator
-- hides or restores the comment.
create table comment_reports (
    id          bigint generated always as identity primary key,
    comment_id  bigint not null references comments (id) on delete cascade,
    reporter_id bigint not null references members (id),
    reason      text not null check (reason in ('SPAM', 'HARASSMENT', 'HATE', 'OFF_TOPIC',
                                                'PERSONAL_DATA', 'OTHER')),
    text        text not null default '',
    created_at  timestamptz not null default now(),
    resolved_at timestamptz,
    resolved_by bigint references members (id),
    unique (comment_id, reporter_id)
);
create index comment_reports_open_idx on comment_reports (created_at, id)
    where resolved_at is null;

-- Every moderation act, never updated or deleted.
create table moderation_log (
    id          bigint generated always as identity primary key,
    actor_id    bigint not null references members (id),
    action      text not null check (action in ('HIDE', 'RESTORE', 'SUSPEND', 'UNSUSPEND')),
    comment_id  bigint references comments (id) on delete set null,
    member_id   bigint references members (id),
    reason      text not null default '',
    created_at  timestamptz not null default now()
);
create index moderation_log_created_idx on moderation_log (created_at desc, id desc);
