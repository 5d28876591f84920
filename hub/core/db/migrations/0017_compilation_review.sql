-- Review with four eyes, fuller: an assignee (the editor of the team asked to review), and
-- review comments, on the whole compilation or on one item, seen by its editors team only.

-- The editor of the team asked to review (never the submitter); kept across a return, so a
-- resubmission goes back to the same reviewer. Cleared when they leave the team.
alter table compilations add column assignee_id bigint references members (id);
-- "The review queue assigned to me": compilations IN_REVIEW by assignee, newest first.
create index compilations_review_queue_idx on compilations (assignee_id, created_at desc, id desc)
where status = 'IN_REVIEW' and assignee_id is not null;

create table compilation_review_comments (
    id              bigint generated always as identity primary key,
    compilation_id  bigint not null references compilations (id),
    -- The item commented on; null for a comment on the whole compilation, and once the item
    -- is removed (the comment stays, naming the record in record_id).
    item_id         bigint references compilation_items (id) on delete set null,
    record_id       bigint references records (id),
    author_id       bigint not null references members (id),
    body            text not null,
    -- The review step the comment was part of: COMMENT (written during review), APPROVE or
    -- RETURN (sent with the decision).
    kind            text not null default 'COMMENT' check (kind in ('COMMENT', 'APPROVE', 'RETURN')),
    created_at      timestamptz not null default now()
);
create index compilation_review_comments_compilation_idx
    on compilation_review_comments (compilation_id, id);
create index compilation_review_comments_item_idx
    on compilation_review_comments (item_id, id) where item_id is not null;
