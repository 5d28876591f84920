-- State every hub instance shares through PostgreSQL (README "Running many instances").

-- Rate limits (hub/core/ratelimit.py): one row per limited key, counting the hits of a
-- one-minute window that starts at the key's first hit. Unlogged: counters are worth no WAL,
-- and a crashed server forgetting them only gives everybody a fresh minute. Rows whose window
-- has ended are pruned (hub/realtime/pruning.py).
create unlogged table rate_limits (
    -- The limit and its key: 'login-handle:ada', 'login-address:10.0.0.1', 'mutations:42'.
    bucket      text primary key,
    started_at  timestamptz not null,
    hits        int not null
);

-- Deliveries a `hub_event` consumer made, per endpoint (the webhook plugin's receiver URLs):
-- a retry, a restart or another instance never sends an accepted event to an endpoint again.
-- Pruned after HUB_DELIVERY_RETENTION_HOURS.
create table event_deliveries (
    consumer      text not null,
    event_id      bigint not null,
    -- What the consumer delivered to (for hub_webhooks: a URL).
    endpoint      text not null,
    delivered_at  timestamptz not null default now(),
    primary key (consumer, event_id, endpoint)
);
create index event_deliveries_delivered_at on event_deliveries (delivered_at);

-- Pruning event_failures by age (HUB_EVENT_FAILURE_RETENTION_HOURS).
create index event_failures_failed_at on event_failures (failed_at);
