-- Hearts, views and follows: appreciation without a race for popularity, and the follows an
-- activity feed is built on.

-- One heart per member per record. A heart count is a count of these rows (an index range
-- on the primary key): no counter row that every heart would update, so concurrent hearts on
-- one record never wait for each other.
create table hearts (
    record_id     bigint not null references records (id),
    member_id     bigint not null references members (id),
    -- When the member's account was created (members.created_at, which never changes), kept
    -- here so FRESH counts the hearts of accounts old enough without a join.
    member_since  timestamptz not null,
    created_at    timestamptz not null default now(),
    primary key (record_id, member_id)
);
-- FRESH's count of a record's hearts from accounts old enough: an index-only range.
create index hearts_counted_idx on hearts (record_id, member_since);

-- Every writer of hearts (the API, the seeds) gets member_since right: it is filled here.
create function hub_heart_member_since() returns trigger language plpgsql as $$
begin
    new.member_since := (select m.created_at from members m where m.id = new.member_id);
    return new;
end $$;
create trigger hearts_member_since before insert on hearts
    for each row execute function hub_heart_member_since();
-- "What did this member heart", and deleting a member's hearts.
create index hearts_member_idx on hearts (member_id, created_at desc);

-- A view: one row per viewer per record per day, written in batches by the hub's view buffer
-- (hub/domain/hearts/views.py), never per request. ``viewer`` is a hash: of the member's id,
-- or of an anonymous reader's address and user agent (the address itself is not kept).
create table record_views (
    record_id   bigint not null references records (id),
    viewer      bytea not null,
    day         date not null,
    primary key (record_id, viewer, day)
);
-- FRESH and UNDERSEEN count a record's distinct viewers over this index (index-only).
create index record_views_viewer_idx on record_views (record_id, viewer);

-- Each media type's hearts and distinct viewers over its published records, the mean FRESH
-- smooths toward. Refreshed by every hub process from time to time
-- (hub/domain/records/discovery.py, REFRESH_MEANS), not computed per read: at scale the
-- aggregate reads every heart and view.
create table media_type_means (
    media_type    text primary key,
    hearts        bigint not null,
    viewers       bigint not null,
    refreshed_at  timestamptz not null default now()
);

-- A member following another member.
create table member_follows (
    follower_id  bigint not null references members (id),
    followed_id  bigint not null references members (id),
    created_at   timestamptz not null default now(),
    primary key (follower_id, followed_id),
    check (follower_id <> followed_id)
);
-- Member.followers, newest first (keyset), and Member.followerCount.
create index member_follows_followed_idx on member_follows (followed_id, created_at desc,
                                                            follower_id desc);
-- Member.following, newest first.
create index member_follows_follower_idx on member_follows (follower_id, created_at desc,
                                                            followed_id desc);

-- A member following a collaboration (its calls and what becomes of them).
create table collaboration_follows (
    member_id         bigint not null references members (id),
    collaboration_id  bigint not null references collaborations (id),
    created_at        timestamptz not null default now(),
    primary key (member_id, collaboration_id)
);
create index collaboration_follows_collaboration_idx
    on collaboration_follows (collaboration_id, created_at desc, member_id desc);

-- viewer.activity: the published records of the members one follows, newest first.
create index records_author_published_idx on records (author_id, published_at desc, id desc)
    where status = 'PUBLISHED' and deleted_at is null;
