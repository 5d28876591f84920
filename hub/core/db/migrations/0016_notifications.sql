-- Notifications: what happened to a member's work, written with the change that caused it
-- (hub/domain/notifications), read as `viewer { notifications }`.

create table notifications (
    id                bigint generated always as identity primary key,
    recipient_id      bigint not null references members (id),
    -- The API's NotificationKind.
    kind              text not null,
    -- The latest member who caused it (a grouped notification has more: notification_actors).
    actor_id          bigint references members (id),
    -- What it is about; each may be null (the kind says which are set). Whether the recipient
    -- may see them is decided when the notification is read, by the subjects' own rules.
    record_id         bigint references records (id),
    collaboration_id  bigint references collaborations (id),
    compilation_id    bigint references compilations (id),
    -- RECORD_HEARTED groups the hearts of one record per day: 'record:<id>:<day>'; null for
    -- kinds that are never grouped.
    group_key         text,
    -- When it was written, or when its group last grew (the inbox is newest first by it).
    created_at        timestamptz not null default now(),
    read_at           timestamptz,
    -- Set when an email digest carried it (hub_notify), so no digest carries it twice.
    emailed_at        timestamptz
);
-- One row per group: a heart the same day adds an actor to it.
create unique index notifications_group_key on notifications (recipient_id, kind, group_key)
    where group_key is not null;
-- The inbox, newest first (keyset), and its unread part with the unread count.
create index notifications_inbox_idx on notifications (recipient_id, created_at desc, id desc);
create index notifications_unread_idx on notifications (recipient_id, created_at desc, id desc)
    where read_at is null;
-- The digest's sweep: notifications not yet emailed.
create index notifications_unemailed_idx on notifications (recipient_id, id)
    where emailed_at is null;

-- The members behind a grouped notification ("12 members hearted …"), once each: its actor
-- count is a count of these rows, so no counter is updated per heart.
create table notification_actors (
    notification_id  bigint not null references notifications (id) on delete cascade,
    member_id        bigint not null references members (id),
    created_at       timestamptz not null default now(),
    primary key (notification_id, member_id)
);
create index notification_actors_newest_idx
    on notification_actors (notification_id, created_at desc, member_id desc);

-- A member's choice per kind; a kind without a row is on in the inbox and in the digest.
create table notification_preferences (
    member_id  bigint not null references members (id),
    kind       text not null,
    inbox      boolean not null,
    email      boolean not null,
    primary key (member_id, kind)
);

-- Where a member's digest goes, and whether they unsubscribed (one click from the email).
create table notification_emails (
    member_id        bigint primary key references members (id),
    address          text not null,
    unsubscribed_at  timestamptz,
    last_digest_at   timestamptz
);

-- FOLLOWED_COLLABORATION_CLOSING: which collaborations the sweep has announced already.
create table collaboration_closing_notices (
    collaboration_id  bigint primary key references collaborations (id) on delete cascade,
    deadline          timestamptz not null,
    noticed_at        timestamptz not null default now()
);
