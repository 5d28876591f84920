-- Class Projects: member subscriptions, classes with their instructors and ordered lessons,
-- enrollments, lesson completions, submissions (learners' records) and their feedback.

-- A member without a row has no subscription (status NONE). One row per member: the hub keeps
-- the current state only; billing history belongs to the billing system.
create table subscriptions (
    member_id           bigint primary key references members (id) on delete cascade,
    status              text not null
                        check (status in ('NONE', 'ACTIVE', 'PAST_DUE', 'CANCELED')),
    plan                text,
    current_period_end  timestamptz,
    -- Who set it last: 'admin' (setSubscription), 'cli' (recordhub set-subscription) or
    -- 'billing' (the hub_billing_subscription hook).
    source              text not null,
    updated_at          timestamptz not null default now()
);

create table classes (
    id            bigint generated always as identity primary key,
    -- Made from the title at creation, unique, never changed afterwards (links stay valid).
    slug          text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title         text not null,
    summary       text not null default '',
    description   text not null default '',
    skill         text not null,
    level         text not null check (level in ('BEGINNER', 'INTERMEDIATE', 'ADVANCED')),
    status        text not null default 'DRAFT'
                  check (status in ('DRAFT', 'PUBLISHED', 'ARCHIVED')),
    -- When true, the first lesson's body, prompt and video are readable by everyone.
    free_preview  boolean not null default false,
    created_by    bigint not null references members (id),
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    published_at  timestamptz,
    search        tsvector generated always as (
        setweight(to_tsvector('english'::regconfig, title), 'A') ||
        setweight(to_tsvector('english'::regconfig, summary), 'B') ||
        setweight(to_tsvector('simple'::regconfig, skill), 'B') ||
        setweight(to_tsvector('english'::regconfig, description), 'C')
    ) stored
);
-- classes(...) lists one status at a time, newest first; skill and level narrow it.
create index classes_status_newest_idx on classes (status, created_at desc, id desc);
create index classes_skill_idx on classes (skill, status, created_at desc, id desc);
create index classes_level_idx on classes (level, status, created_at desc, id desc);
create index classes_search_idx on classes using gin (search);

create table class_instructors (
    class_id   bigint not null references classes (id) on delete cascade,
    member_id  bigint not null references members (id),
    added_at   timestamptz not null default now(),
    primary key (class_id, member_id)
);
-- classes(filter: {instructor}) and Member.classesTeaching.
create index class_instructors_member_idx on class_instructors (member_id, class_id);

create table lessons (
    id               bigint generated always as identity primary key,
    class_id         bigint not null references classes (id) on delete cascade,
    position         int not null check (position > 0),
    title            text not null,
    body             text not null default '',
    prompt           text not null default '',
    video_record_id  bigint references records (id),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    -- Deferred so a reorder may shift positions row by row inside one transaction; at commit
    -- positions are unique again (and the service keeps them 1..n without gaps).
    constraint lessons_class_position_key unique (class_id, position)
        deferrable initially deferred
);

create table enrollments (
    id           bigint generated always as identity primary key,
    class_id     bigint not null references classes (id) on delete cascade,
    member_id    bigint not null references members (id) on delete cascade,
    enrolled_at  timestamptz not null default now(),
    unique (class_id, member_id)
);
-- Member.enrollments, newest first.
create index enrollments_member_idx on enrollments (member_id, enrolled_at desc, id desc);

-- Kept when a learner leaves a class, so re-enrolling restores their progress.
create table lesson_completions (
    member_id     bigint not null references members (id) on delete cascade,
    lesson_id     bigint not null references lessons (id) on delete cascade,
    completed_at  timestamptz not null default now(),
    primary key (member_id, lesson_id)
);
create index lesson_completions_lesson_idx on lesson_completions (lesson_id);

create table submissions (
    id          bigint generated always as identity primary key,
    -- Denormalised from the lesson so Class.submissionsCount is one index scan.
    class_id    bigint not null references classes (id) on delete cascade,
    lesson_id   bigint not null references lessons (id),
    member_id   bigint not null references members (id),
    record_id   bigint not null references records (id),
    created_at  timestamptz not null default now(),
    unique (lesson_id, record_id)
);
-- Lesson.submissions, newest first.
create index submissions_lesson_idx on submissions (lesson_id, created_at desc, id desc);
create index submissions_class_idx on submissions (class_id);

create table feedback (
    id             bigint generated always as identity primary key,
    submission_id  bigint not null references submissions (id) on delete cascade,
    author_id      bigint not null references members (id),
    body           text not null,
    created_at     timestamptz not null default now()
);
-- A submission's thread, oldest first.
create index feedback_thread_idx on feedback (submission_id, created_at, id);
