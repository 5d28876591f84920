-- Event ids in commit order, assigned at COMMIT (hub/realtime/outbox.py).
--
-- Until now the outbox took an advisory lock before inserting, so ids taken at insert were
-- handed out in commit order; but that lock was held from the insert through the app's
-- remaining round trips and the COMMIT, serializing every event-writing transaction of the
-- whole hub behind the slowest client of the database. Now a row is inserted with a
-- provisional id (negative, never visible to anyone else: it is replaced before the commit
-- becomes visible), and a deferred constraint trigger gives it its final id while PostgreSQL
-- commits: it takes the same advisory lock there, and the lock is released only after the
-- commit is visible, so the next writer's id is greater than every id already visible. What
-- is serialized is PostgreSQL's own commit work (the trigger, the WAL flush), never an app
-- round trip.

-- The final ids continue where the identity column stopped (cursors handed out stay valid).
create sequence events_commit_id as bigint;
select setval('events_commit_id', last_value, is_called) from events_id_seq;
alter table events alter column id drop identity;
alter sequence events_commit_id owned by events.id;

-- Provisional ids: increasing from the bottom of bigint, so within one transaction (the
-- only place one is ever seen) they follow the insert order, like the final ids.
create sequence events_provisional_id as bigint
    minvalue -9223372036854775808 maxvalue -1 start with -9223372036854775808;
alter sequence events_provisional_id owned by events.id;
alter table events alter column id set default nextval('events_provisional_id');

create function events_take_commit_id() returns trigger language plpgsql as $$
declare
    final_id bigint;
begin
    -- The key is OUTBOX_LOCK_KEY (hub/realtime/outbox.py). Taken again by each row of one
    -- transaction at no cost; held until the commit is visible to everyone.
    perform pg_advisory_xact_lock(7527030540137229940);
    final_id := nextval('events_commit_id');
    update events set id = final_id where id = new.id;
    -- Queued now, delivered by PostgreSQL at commit (never for a rollback): it wakes every
    -- hub instance's listener, which reads the rows (the payload is only informative).
    perform pg_notify('hub_events', final_id::text);
    return null;
end $$;

-- Deferred: it fires at COMMIT, in the order the rows were inserted (the events of one
-- transaction keep their order). A row inserted with an explicit positive id (a repair by
-- hand) keeps it.
create constraint trigger events_commit_id after insert on events
    deferrable initially deferred for each row when (new.id < 0)
    execute function events_take_commit_id();
