"""SQL for Class Projects. Functions take an :class:`Executor`.

Lists apply the class visibility rule in SQL (:func:`_visible_sql`); single rows are checked
by :func:`hub.classes.types.class_visible`. Lesson positions are kept 1..n without gaps by the
services, which lock the class row (``FOR UPDATE``) before touching its lessons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from hub.core.db import Executor
from hub.core.relay import Ordering, PageArgs

CLASS_COLUMNS = (
    "c.id, c.slug, c.title, c.summary, c.description, c.skill, c.level, c.status, "
    "c.free_preview, c.created_by, c.created_at, c.updated_at, c.published_at"
)
LESSON_COLUMNS = (
    "l.id, l.class_id, l.position, l.title, l.body, l.prompt, l.video_record_id, "
    "l.created_at, l.updated_at"
)
MEMBER_COLUMNS = "m.id, m.handle, m.display_name, m.bio, m.skills, m.role, m.created_at, m.updated_at"
SUBMISSION_COLUMNS = "s.id, s.class_id, s.lesson_id, s.member_id, s.record_id, s.created_at"
FEEDBACK_COLUMNS = "f.id, f.submission_id, f.author_id, f.body, f.created_at"

CLASSES_NEWEST = Ordering(("c.created_at", "c.id"), ("timestamptz", "bigint"), descending=True)
ENROLLMENTS_NEWEST = Ordering(("e.enrolled_at", "e.id"), ("timestamptz", "bigint"), descending=True)
SUBMISSIONS_NEWEST = Ordering(("s.created_at", "s.id"), ("timestamptz", "bigint"), descending=True)
FEEDBACK_OLDEST = Ordering(("f.created_at", "f.id"), ("timestamptz", "bigint"), descending=False)

# A submission is listed while its record is published and not deleted.
SUBMITTED_RECORD_PUBLIC = (
    "exists (select 1 from records r where r.id = s.record_id "
    "and r.status = 'PUBLISHED' and r.deleted_at is null)"
)

MAX_SLUG = 60
# With room for the "-<n>" suffix that keeps slugs unique: no slug is longer.
LONGEST_SLUG = MAX_SLUG + 12

# Any constant shared by every hub process; serialises slug choice between concurrent creates.
SLUG_LOCK_KEY = 0x636C617373736C67


def _visible_sql(viewer_param: str, admin_param: str) -> str:
    """The class visibility rule: drafts only for their instructors and admins."""
    return (
        f"(c.status <> 'DRAFT' or {admin_param}::boolean or exists ("
        f"select 1 from class_instructors v where v.class_id = c.id "
        f"and v.member_id = {viewer_param}::bigint))"
    )


@dataclass(frozen=True)
class ClassFilter:
    status: str = "PUBLISHED"
    skill: str | None = None
    level: str | None = None
    instructor_id: int | None = None
    search: str | None = None


def _filter_sql(
    class_filter: ClassFilter, viewer_id: int | None, is_admin: bool, params: list[Any],
) -> list[str]:
    params.extend([viewer_id, is_admin, class_filter.status])
    conditions = [_visible_sql(f"${len(params) - 2}", f"${len(params) - 1}"),
                  f"c.status = ${len(params)}"]
    if class_filter.skill:
        params.append(class_filter.skill.strip().lower())
        conditions.append(f"c.skill = ${len(params)}")
    if class_filter.level:
        params.append(class_filter.level)
        conditions.append(f"c.level = ${len(params)}")
    if class_filter.instructor_id is not None:
        params.append(class_filter.instructor_id)
        conditions.append(f"exists (select 1 from class_instructors i where i.class_id = c.id "
                          f"and i.member_id = ${len(params)})")
    if class_filter.search and class_filter.search.strip():
        params.append(class_filter.search.strip())
        conditions.append(f"c.search @@ websearch_to_tsquery('english', ${len(params)})")
    return conditions


# --- classes ------------------------------------------------------------------------------------


async def list_classes(
    ex: Executor, class_filter: ClassFilter, viewer_id: int | None, is_admin: bool,
    page: PageArgs,
) -> list[asyncpg.Record]:
    params: list[Any] = []
    conditions = _filter_sql(class_filter, viewer_id, is_admin, params)
    keyset, order_by, limit = CLASSES_NEWEST.page_sql(page, params)
    return await ex.fetch(
        f"select {CLASS_COLUMNS}, {CLASSES_NEWEST.select_keys()} from classes c "
        f"where {' and '.join(conditions + keyset)} order by {order_by} limit {limit}",
        *params,
    )


async def count_classes(
    ex: Executor, class_filter: ClassFilter, viewer_id: int | None, is_admin: bool,
) -> int:
    params: list[Any] = []
    where = " and ".join(_filter_sql(class_filter, viewer_id, is_admin, params))
    return await ex.fetchval(f"select count(*) from classes c where {where}", *params)


async def classes_by_ids(ex: Executor, ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(f"select {CLASS_COLUMNS} from classes c where c.id = any($1::bigint[])", ids)


async def class_id_by_slug(ex: Executor, slug: str) -> int | None:
    return await ex.fetchval("select id from classes where slug = $1", slug)


async def class_for_update(ex: Executor, class_id: int) -> asyncpg.Record | None:
    """The class row, locked: every change to a class or its lessons takes this lock first, so
    concurrent reorders of one class run one after the other."""
    return await ex.fetchrow(f"select {CLASS_COLUMNS} from classes c where c.id = $1 for update",
                             class_id)


async def taken_slugs(ex: Executor, base: str) -> set[str]:
    """Slugs equal to ``base`` or ``base-<n>``, after taking the slug lock for this transaction."""
    await ex.execute("select pg_advisory_xact_lock($1)", SLUG_LOCK_KEY)
    rows = await ex.fetch(
        "select slug from classes where slug = $1 or slug ~ ('^' || $1 || '-[0-9]+$')", base
    )
    return {row["slug"] for row in rows}


async def insert_class(
    ex: Executor, *, slug: str, title: str, summary: str, description: str, skill: str,
    level: str, free_preview: bool, created_by: int,
) -> asyncpg.Record:
    row = await ex.fetchrow(
        f"""insert into classes as c (slug, title, summary, description, skill, level,
                                      free_preview, created_by)
            values ($1, $2, $3, $4, $5, $6, $7, $8) returning {CLASS_COLUMNS}""",
        slug, title, summary, description, skill, level, free_preview, created_by,
    )
    await ex.execute("insert into class_instructors (class_id, member_id) values ($1, $2)",
                     row["id"], created_by)
    return row


async def update_class(ex: Executor, class_id: int, changes: dict[str, Any]) -> asyncpg.Record:
    """Apply ``changes`` (column → value)."""
    params: list[Any] = [class_id]
    assignments = []
    for column, value in changes.items():
        params.append(value)
        assignments.append(f"{column} = ${len(params)}")
    return await ex.fetchrow(
        f"""update classes as c set {', '.join([*assignments, 'updated_at = now()'])}
            where c.id = $1 returning {CLASS_COLUMNS}""",
        *params,
    )


# --- instructors --------------------------------------------------------------------------------


async def instructors_of_classes(ex: Executor, class_ids: list[int]) -> list[asyncpg.Record]:
    """Member rows of each class's instructors (with ``class_id``): the creator first, then in
    the order they joined."""
    return await ex.fetch(
        f"""select i.class_id, {MEMBER_COLUMNS} from class_instructors i
            join members m on m.id = i.member_id
            join classes c on c.id = i.class_id
            where i.class_id = any($1::bigint[])
            order by i.class_id, i.member_id <> c.created_by, i.added_at, i.member_id""",
        class_ids,
    )


async def instructor_ids(ex: Executor, class_id: int) -> list[int]:
    rows = await ex.fetch("select member_id from class_instructors where class_id = $1", class_id)
    return [row["member_id"] for row in rows]


async def add_instructor(ex: Executor, class_id: int, member_id: int) -> None:
    await ex.execute(
        """insert into class_instructors (class_id, member_id) values ($1, $2)
           on conflict do nothing""",
        class_id, member_id,
    )


async def remove_instructor(ex: Executor, class_id: int, member_id: int) -> None:
    await ex.execute("delete from class_instructors where class_id = $1 and member_id = $2",
                     class_id, member_id)


async def classes_of_instructors(
    ex: Executor, member_ids: list[int], viewer_id: int | None, is_admin: bool, page: PageArgs,
) -> list[asyncpg.Record]:
    """One page of classes per instructor (with ``instructor_id``), all in one statement."""
    params: list[Any] = [member_ids, viewer_id, is_admin]
    keyset, order_by, limit = CLASSES_NEWEST.page_sql(page, params)
    conditions = ["exists (select 1 from class_instructors i where i.class_id = c.id "
                  "and i.member_id = k.id)", _visible_sql("$2", "$3"), *keyset]
    return await ex.fetch(
        f"""select k.id as instructor_id, p.* from unnest($1::bigint[]) as k(id)
            cross join lateral (
                select {CLASS_COLUMNS}, {CLASSES_NEWEST.select_keys()} from classes c
                where {' and '.join(conditions)} order by {order_by} limit {limit}
            ) p""",
        *params,
    )


# --- lessons ------------------------------------------------------------------------------------


async def lessons_of_classes(ex: Executor, class_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        f"select {LESSON_COLUMNS} from lessons l where l.class_id = any($1::bigint[]) "
        "order by l.class_id, l.position",
        class_ids,
    )


async def lessons_by_ids(ex: Executor, ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(f"select {LESSON_COLUMNS} from lessons l where l.id = any($1::bigint[])", ids)


async def lesson_counts(ex: Executor, class_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        """select k.id, (select count(*) from lessons l where l.class_id = k.id) as n
           from unnest($1::bigint[]) as k(id)""",
        class_ids,
    )


async def lesson_count(ex: Executor, class_id: int) -> int:
    return await ex.fetchval("select count(*) from lessons where class_id = $1", class_id)


async def lesson_by_id(ex: Executor, lesson_id: int) -> asyncpg.Record | None:
    return await ex.fetchrow(f"select {LESSON_COLUMNS} from lessons l where l.id = $1", lesson_id)


async def insert_lesson(
    ex: Executor, *, class_id: int, title: str, body: str, prompt: str,
    video_record_id: int | None,
) -> asyncpg.Record:
    """Append a lesson (the caller holds the class lock, so ``max + 1`` is free)."""
    return await ex.fetchrow(
        f"""insert into lessons as l (class_id, position, title, body, prompt, video_record_id)
            values ($1, (select coalesce(max(position), 0) + 1 from lessons where class_id = $1),
                    $2, $3, $4, $5)
            returning {LESSON_COLUMNS}""",
        class_id, title, body, prompt, video_record_id,
    )


async def update_lesson(ex: Executor, lesson_id: int, changes: dict[str, Any]) -> asyncpg.Record:
    params: list[Any] = [lesson_id]
    assignments = []
    for column, value in changes.items():
        params.append(value)
        assignments.append(f"{column} = ${len(params)}")
    return await ex.fetchrow(
        f"""update lessons as l set {', '.join([*assignments, 'updated_at = now()'])}
            where l.id = $1 returning {LESSON_COLUMNS}""",
        *params,
    )


async def move_lesson(ex: Executor, class_id: int, lesson_id: int, old: int, new: int) -> None:
    """Put the lesson at ``new`` and shift the ones in between by one; the deferred unique
    constraint allows the transient duplicates while rows are updated."""
    await ex.execute(
        """update lessons set position = case
               when id = $2 then $4::int
               when $4::int < $3::int and position >= $4::int and position < $3::int
                 then position + 1
               when $4::int > $3::int and position > $3::int and position <= $4::int
                 then position - 1
               else position end,
             updated_at = case when id = $2 then now() else updated_at end
           where class_id = $1 and position between least($3::int, $4::int)
                                                and greatest($3::int, $4::int)""",
        class_id, lesson_id, old, new,
    )


async def delete_lesson(ex: Executor, lesson: Any) -> None:
    """Delete and close the gap, so positions stay 1..n."""
    await ex.execute("delete from lessons where id = $1", lesson["id"])
    await ex.execute(
        "update lessons set position = position - 1 where class_id = $1 and position > $2",
        lesson["class_id"], lesson["position"],
    )


async def submission_count_of_lesson(ex: Executor, lesson_id: int) -> int:
    return await ex.fetchval("select count(*) from submissions where lesson_id = $1", lesson_id)


# --- enrollments and completions ----------------------------------------------------------------

_ENROLLMENT_SELECT = """
    select e.id, e.class_id, e.member_id, e.enrolled_at,
           (select count(*) from lesson_completions lc join lessons l on l.id = lc.lesson_id
             where l.class_id = e.class_id and lc.member_id = e.member_id) as completed,
           (select count(*) from lessons l where l.class_id = e.class_id) as lesson_count
"""


async def enrollments_by_pairs(
    ex: Executor, pairs: Sequence[tuple[int, int]],
) -> list[asyncpg.Record]:
    """Enrollments for (class id, member id) pairs, with progress counts."""
    return await ex.fetch(
        f"""{_ENROLLMENT_SELECT} from enrollments e
            join unnest($1::bigint[], $2::bigint[]) as k(class_id, member_id)
              on e.class_id = k.class_id and e.member_id = k.member_id""",
        [p[0] for p in pairs], [p[1] for p in pairs],
    )


async def enrollments_by_ids(ex: Executor, ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(f"{_ENROLLMENT_SELECT} from enrollments e where e.id = any($1::bigint[])",
                          ids)


async def enrollments_of_members(
    ex: Executor, member_ids: list[int], page: PageArgs,
) -> list[asyncpg.Record]:
    params: list[Any] = [member_ids]
    keyset, order_by, limit = ENROLLMENTS_NEWEST.page_sql(page, params)
    conditions = ["e.member_id = k.id", *keyset]
    return await ex.fetch(
        f"""select p.* from unnest($1::bigint[]) as k(id)
            cross join lateral (
                {_ENROLLMENT_SELECT}, {ENROLLMENTS_NEWEST.select_keys()} from enrollments e
                where {' and '.join(conditions)} order by {order_by} limit {limit}
            ) p""",
        *params,
    )


async def enrollment_for_update(
    ex: Executor, class_id: int, member_id: int,
) -> asyncpg.Record | None:
    return await ex.fetchrow(
        "select id from enrollments where class_id = $1 and member_id = $2 for update",
        class_id, member_id,
    )


async def insert_enrollment(ex: Executor, class_id: int, member_id: int) -> int:
    return await ex.fetchval(
        "insert into enrollments (class_id, member_id) values ($1, $2) returning id",
        class_id, member_id,
    )


async def delete_enrollment(ex: Executor, enrollment_id: int) -> None:
    await ex.execute("delete from enrollments where id = $1", enrollment_id)


async def completed_lessons(
    ex: Executor, pairs: Sequence[tuple[int, int]],
) -> list[asyncpg.Record]:
    """(class id, member id, lesson id) of every completion for the given pairs."""
    return await ex.fetch(
        """select l.class_id, lc.member_id, lc.lesson_id from lesson_completions lc
           join lessons l on l.id = lc.lesson_id
           join unnest($1::bigint[], $2::bigint[]) as k(class_id, member_id)
             on l.class_id = k.class_id and lc.member_id = k.member_id""",
        [p[0] for p in pairs], [p[1] for p in pairs],
    )


async def insert_completion(ex: Executor, member_id: int, lesson_id: int) -> None:
    await ex.execute(
        """insert into lesson_completions (member_id, lesson_id) values ($1, $2)
           on conflict do nothing""",
        member_id, lesson_id,
    )


# --- submissions and feedback -------------------------------------------------------------------


async def insert_submission(
    ex: Executor, class_id: int, lesson_id: int, member_id: int, record_id: int,
) -> asyncpg.Record | None:
    """The new submission, or None when this record was already submitted to this lesson."""
    return await ex.fetchrow(
        f"""insert into submissions as s (class_id, lesson_id, member_id, record_id)
            values ($1, $2, $3, $4) on conflict (lesson_id, record_id) do nothing
            returning {SUBMISSION_COLUMNS}""",
        class_id, lesson_id, member_id, record_id,
    )


async def submissions_by_ids(ex: Executor, ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        f"select {SUBMISSION_COLUMNS} from submissions s where s.id = any($1::bigint[])", ids
    )


async def submissions_of_lessons(
    ex: Executor, lesson_ids: list[int], page: PageArgs,
) -> list[asyncpg.Record]:
    params: list[Any] = [lesson_ids]
    keyset, order_by, limit = SUBMISSIONS_NEWEST.page_sql(page, params)
    conditions = ["s.lesson_id = k.id", SUBMITTED_RECORD_PUBLIC, *keyset]
    return await ex.fetch(
        f"""select p.* from unnest($1::bigint[]) as k(id)
            cross join lateral (
                select {SUBMISSION_COLUMNS}, {SUBMISSIONS_NEWEST.select_keys()} from submissions s
                where {' and '.join(conditions)} order by {order_by} limit {limit}
            ) p""",
        *params,
    )


async def submission_counts_of_lessons(ex: Executor, lesson_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        f"""select k.id, (select count(*) from submissions s
                          where s.lesson_id = k.id and {SUBMITTED_RECORD_PUBLIC}) as n
            from unnest($1::bigint[]) as k(id)""",
        lesson_ids,
    )


async def submission_counts(ex: Executor, class_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        f"""select k.id, (select count(*) from submissions s
                          where s.class_id = k.id and {SUBMITTED_RECORD_PUBLIC}) as n
            from unnest($1::bigint[]) as k(id)""",
        class_ids,
    )


async def insert_feedback(
    ex: Executor, submission_id: int, author_id: int, body: str,
) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""insert into feedback as f (submission_id, author_id, body) values ($1, $2, $3)
            returning {FEEDBACK_COLUMNS}""",
        submission_id, author_id, body,
    )


async def feedback_by_ids(ex: Executor, ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(f"select {FEEDBACK_COLUMNS} from feedback f where f.id = any($1::bigint[])",
                          ids)


async def feedback_of_submissions(
    ex: Executor, submission_ids: list[int], page: PageArgs,
) -> list[asyncpg.Record]:
    params: list[Any] = [submission_ids]
    keyset, order_by, limit = FEEDBACK_OLDEST.page_sql(page, params)
    conditions = ["f.submission_id = k.id", *keyset]
    return await ex.fetch(
        f"""select p.* from unnest($1::bigint[]) as k(id)
            cross join lateral (
                select {FEEDBACK_COLUMNS}, {FEEDBACK_OLDEST.select_keys()} from feedback f
                where {' and '.join(conditions)} order by {order_by} limit {limit}
            ) p""",
        *params,
    )


async def feedback_counts(ex: Executor, submission_ids: list[int]) -> list[asyncpg.Record]:
    return await ex.fetch(
        """select k.id, (select count(*) from feedback f where f.submission_id = k.id) as n
           from unnest($1::bigint[]) as k(id)""",
        submission_ids,
    )
