-- Integrity of reviews, credits and lineage (issue 14).

-- Approval pins the version of every item's record (hub/compilations/mutations.py): publishing
-- refuses a record whose version moved since, and sends an APPROVED compilation back to review.
-- Null until the compilation is first approved. Compilations approved before pins existed are
-- taken to have been approved at their records' current versions.
alter table compilation_items add column approved_version int;
update compilation_items i set approved_version = r.version
from compilations c, records r
where c.id = i.compilation_id and r.id = i.record_id
  and c.status in ('APPROVED', 'PUBLISHED', 'ARCHIVED');

-- A payout window of 0 days let one editor propose and finalize at once: at least one day.
update compilations set payout_window_days = 1 where payout_window_days < 1;
alter table compilations drop constraint compilations_payout_window_days_check;
alter table compilations add constraint compilations_payout_window_days_check
    check (payout_window_days between 1 and 365);

-- Frozen payout lines no longer store record titles (a source may be its author's draft): the
-- title is read at display time, through the record's visibility for the viewer.
update payout_lines l set breakdown = (
    select coalesce(jsonb_agg(part - 'recordTitle' order by n), '[]'::jsonb)
    from jsonb_array_elements(l.breakdown) with ordinality as p(part, n)
)
where exists (select 1 from jsonb_array_elements(l.breakdown) as p(part) where part ? 'recordTitle');

-- Sources removed from records (removeSource): who removed which, when, with the link as it
-- was. Only records never published (nor any of their remixes) lose sources; a published
-- lineage keeps its credit (hub/lineage/mutations.py).
create table record_source_removals (
    id          bigint generated always as identity primary key,
    remix_id    bigint not null references records (id),
    source_id   bigint not null references records (id),
    note        text not null,
    position    int not null,
    linked_at   timestamptz not null,
    removed_by  bigint references members (id),
    removed_at  timestamptz not null default now()
);
create index record_source_removals_remix_idx on record_source_removals (remix_id, id);
