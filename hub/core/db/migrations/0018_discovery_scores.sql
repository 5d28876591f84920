-- Stored discovery values: FRESH and UNDERSEEN (hub/domain/records/discovery.py) read a
-- record's counted hearts, distinct viewers and FRESH's sort key from this row instead of
-- aggregating every record's hearts and views on each read.
--
-- A table of its own, not columns of records: a heart or a view flush would otherwise
-- rewrite the record row (its stored search vector recomputed, the heart's FOR SHARE lock on
-- the record turned into a deadlock between concurrent hearts), and records is read by every
-- path. The feed joins it by primary key (records.rules.FEED's source); FRESH walks its index.
create table record_discovery (
    record_id       bigint primary key references records (id) on delete cascade,
    -- V: distinct viewers ever (record_views).
    viewers         bigint not null default 0,
    -- H: hearts from accounts at least hub.heart_min_account_age old, as of the last write of
    -- this row (a young account's heart becomes counted at the hourly refresh).
    counted_hearts  bigint not null default 0,
    -- FRESH's score, in order: see hub_fresh_key.
    fresh_key       bigint not null default -9223372036854775808
);
-- FRESH: a page is a walk of this index (keyset over fresh_key, then the id).
create index record_discovery_fresh_idx on record_discovery (fresh_key desc, record_id desc);

-- FRESH's score (H + C·m) / (V + C) · 0.5^(age_days / 14), C = 50, as a key in the same order:
-- on any one day, ln(score) = ln(ratio) + (ln 2 / 14)·published_day − (ln 2 / 14)·today, and
-- the last term is shared by every row, so ln(ratio) + (ln 2 / 14)·published_day (days since
-- 2000-01-01), × 10^12 as a bigint, orders as the score does — and never needs a daily
-- rewrite (a cursor even stays valid across days). The formula's clamp greatest(0, age)
-- only matters for a date in the future, which published_at/created_at (now() when written)
-- never are. A ratio of 0 (no counted hearts and a mean of 0) is a score of 0 whatever the
-- age: the smallest key, ties by id.
create function hub_fresh_key(hearts bigint, viewers bigint, mean float8, since timestamptz)
returns bigint language sql stable as $$
    select case when x.ratio > 0
                then round((ln(x.ratio) + ln(2::float8) / 14
                            * (since::date - date '2000-01-01')) * 1e12::float8)::bigint
                else -9223372036854775808 end
    from (select (hearts + 50 * mean) / (greatest(viewers, hearts) + 50)::float8 as ratio) x
$$;

-- Recompute the rows of the records ``ids`` from scratch (a missing row is made). Their rows
-- are locked first, in id order, and the counts read by the next statement, which sees every
-- transaction committed meanwhile: two hearts on one record at once both end up counted (the
-- second waits for the first's commit), and concurrent flushes cannot deadlock.
create function hub_discovery_refresh(ids bigint[]) returns bigint language plpgsql as $$
declare
    changed bigint;
begin
    insert into record_discovery (record_id)
        select r.id from records r where r.id = any(ids) order by r.id on conflict do nothing;
    perform 1 from record_discovery d where d.record_id = any(ids) order by d.record_id
        for update;
    update record_discovery d
       set viewers = x.viewers, counted_hearts = x.hearts,
           fresh_key = hub_fresh_key(x.hearts, x.viewers, x.mean, x.since)
      from (select r.id, coalesce(r.published_at, r.created_at) as since,
                   (select count(*) from hearts h where h.record_id = r.id
                       and h.member_since <= now() - coalesce(nullif(current_setting(
                           'hub.heart_min_account_age', true), ''), '72 hours')::interval)
                       as hearts,
                   (select count(distinct v.viewer) from record_views v
                     where v.record_id = r.id) as viewers,
                   coalesce((select mt.hearts::float8 / greatest(mt.viewers, mt.hearts, 1)
                               from media_type_means mt where mt.media_type = r.media_type), 0)
                       as mean
              from records r where r.id = any(ids)) x
     where d.record_id = x.id
       and (d.viewers, d.counted_hearts, d.fresh_key) is distinct from
           (x.viewers, x.hearts, hub_fresh_key(x.hearts, x.viewers, x.mean, x.since));
    get diagnostics changed = row_count;
    return changed;
end $$;

-- Every record's row, from scratch, after the means changed (hourly) and after the seeds: the
-- same values as hub_discovery_refresh, aggregated in one pass over hearts and record_views
-- (a lookup per record costs far more at scale). The rows are locked in id order first, as
-- hub_discovery_refresh locks them, so a flush or a heart meanwhile waits instead of
-- deadlocking.
create function hub_discovery_refresh_all() returns bigint language plpgsql as $$
declare
    changed bigint;
begin
    insert into record_discovery (record_id)
        select r.id from records r order by r.id on conflict do nothing;
    perform 1 from record_discovery d order by d.record_id for update;
    update record_discovery d
       set viewers = x.viewers, counted_hearts = x.hearts,
           fresh_key = hub_fresh_key(x.hearts, x.viewers, x.mean, x.since)
      from (select r.id, coalesce(r.published_at, r.created_at) as since,
                   coalesce(h.n, 0) as hearts, coalesce(v.n, 0) as viewers,
                   coalesce(mt.hearts::float8 / greatest(mt.viewers, mt.hearts, 1), 0) as mean
              from records r
              left join (select h.record_id, count(*) as n from hearts h
                          where h.member_since <= now() - coalesce(nullif(current_setting(
                                'hub.heart_min_account_age', true), ''), '72 hours')::interval
                          group by h.record_id) h on h.record_id = r.id
              left join (select v.record_id, count(distinct v.viewer) as n from record_views v
                          group by v.record_id) v on v.record_id = r.id
              left join media_type_means mt on mt.media_type = r.media_type) x
     where d.record_id = x.id
       and (d.viewers, d.counted_hearts, d.fresh_key) is distinct from
           (x.viewers, x.hearts, hub_fresh_key(x.hearts, x.viewers, x.mean, x.since));
    get diagnostics changed = row_count;
    return changed;
end $$;

-- Every writer is covered (the API's heart mutation in its own transaction, the view
-- buffer's flush, the seeds, a script): one recompute per statement, for the records it
-- touched.
create function hub_discovery_of_changed() returns trigger language plpgsql as $$
begin
    perform hub_discovery_refresh(array(select distinct c.record_id from changed c));
    return null;
end $$;
create trigger hearts_discovery_insert after insert on hearts
    referencing new table as changed for each statement
    execute function hub_discovery_of_changed();
create trigger hearts_discovery_delete after delete on hearts
    referencing old table as changed for each statement
    execute function hub_discovery_of_changed();
create trigger record_views_discovery_insert after insert on record_views
    referencing new table as changed for each statement
    execute function hub_discovery_of_changed();
create trigger record_views_discovery_delete after delete on record_views
    referencing old table as changed for each statement
    execute function hub_discovery_of_changed();

-- A new record gets its row; a record whose publication (or creation) date or media type
-- changes, its key.
create function hub_discovery_of_records() returns trigger language plpgsql as $$
begin
    perform hub_discovery_refresh(array(select n.id from changed n));
    return null;
end $$;
create trigger records_discovery_insert after insert on records
    referencing new table as changed for each statement
    execute function hub_discovery_of_records();
create function hub_discovery_of_record() returns trigger language plpgsql as $$
begin
    perform hub_discovery_refresh(array[new.id]);
    return null;
end $$;
create trigger records_discovery_update after update of published_at, created_at, media_type
    on records for each row when (old.published_at is distinct from new.published_at
                                  or old.created_at is distinct from new.created_at
                                  or old.media_type is distinct from new.media_type)
    execute function hub_discovery_of_record();

-- The backfill.
select hub_discovery_refresh_all();
