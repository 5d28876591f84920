-- The outbox: one row per committed change, written in the change's own transaction (see
-- hub/realtime/outbox.py). Every hub instance LISTENs on the channel `hub_events`; the rows
-- feed GraphQL subscriptions (live and resumed from a cursor) and the `hub_event` plugin hook.

create table events (
    id          bigint generated always as identity primary key,
    -- What happened: record.published, remix.created, submission.created, ...
    kind        text not null,
    -- The global ID of the thing that changed.
    subject     text not null,
    -- The member global ID of whoever made the change, if anyone.
    actor       text,
    payload     jsonb not null default '{}',
    created_at  timestamptz not null default now()
);

-- Replay (`after:` on a subscription) reads one kind after an id; pruning reads by age.
create index events_kind_id on events (kind, id);
create index events_created_at on events (created_at);

-- One delivery cursor per plugin implementing `hub_event`. A hub instance leases a row
-- (leased_by/leased_until) and delivers that plugin's events in id order, so exactly one
-- instance serves each plugin at a time and a crashed instance's lease simply runs out.
create table event_consumers (
    consumer        text primary key,
    last_event_id   bigint not null,
    leased_by       text,
    leased_until    timestamptz,
    updated_at      timestamptz not null default now()
);

-- Events a plugin still refused after every retry: kept for inspection and manual replay.
create table event_failures (
    consumer    text not null,
    event_id    bigint not null,
    attempts    int not null,
    error       text not null,
    failed_at   timestamptz not null default now(),
    primary key (consumer, event_id)
);

-- How far pruning (events older than HUB_EVENT_RETENTION_HOURS) has gone: a subscriber
-- resuming from a cursor below it has missed events and is told so, never silently.
create table event_retention (
    singleton       boolean primary key default true check (singleton),
    pruned_through  bigint not null default 0
);
insert into event_retention default values;
