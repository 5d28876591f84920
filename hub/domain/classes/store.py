"""SQL for Class Projects. Functions take an :class:`Executor`.

What a viewer may read is declared once in hub/domain/classes/rules.py: the lists are its
listings (read by hub/core/pages.py), and the rows read here by id carry the rules' verdicts
for the viewer (``_visible``, ``readable``…). Lesson positions are kept 1..n without gaps by the
services, which lock the class row (``FOR UPDATE``) before touching its lessons.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from hub.core.db import Executor
from hub.domain.classes import rules

# Rows written, or read for a write: their stored columns.
CLASS_COLUMNS = rules.CLASS_COLUMNS.format(t="c")
LESSON_STORED = (
    "l.id, l.class_id, l.position, l.title, l.body, l.prompt, l.video_record_id, "
    "l.created_at, l.updated_at"
)
SUBMISSION_COLUMNS = rules.SUBMISSIONS.select("s")
FEEDBACK_COLUMNS = rules.FEEDBACK.select("f")

MAX_SLUG = 60
# With room for the "-<n>" suffix that keeps slugs unique: no slug is longer.
LONGEST_SLUG = MAX_SLUG + 12

# Any constant shared by every hub process; serialises slug choice between concurrent creates.
SLUG_LOCK_KEY = 0x636C617373736C67


# --- classes ------------------------------------------------------------------------------------


async def classes_by_ids(
    ex: Executor, ids: list[int], viewer: int | None,
) -> list[asyncpg.Record]:
    """Class rows (drafts included) with ``_visible``: whether ``viewer`` may see each."""
    columns = rules.CLASS_COLUMNS_SEEN.format(t="c", viewer="$2::bigint")
    return await ex.fetch(f"select {columns} from classes c where c.id = any($1::bigint[])",
                          ids, viewer)


async def values_of(
    ex: Executor, table: str, expression: str, ids: list[int], viewer: int | None,
) -> list[asyncpg.Record]:
    """``(id, value)`` of the rows of ``table`` with these ids: ``expression`` (SQL over the
    row ``{t}`` and the viewer ``{viewer}``, e.g. a rule's condition) for each."""
    value = expression.format(t="t", viewer="$2::bigint")
    # The viewer is passed only to an expression that names it (PostgreSQL types each one).
    given = (viewer,) if "$2::bigint" in value else ()
    return await ex.fetch(f"select t.id, {value} as value from {table} t "
                          "where t.id = any($1::bigint[])", ids, *given)


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
    assert row is not None, "insert … returning gives the row"
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


# --- lessons ------------------------------------------------------------------------------------


async def lessons_by_ids(
    ex: Executor, ids: list[int], viewer: int | None,
) -> list[asyncpg.Record]:
    """Lesson rows with ``readable`` and ``viewer_completed`` for ``viewer``, and
    ``_visible``: whether they may see the lesson's class."""
    columns = rules.LESSON_COLUMNS.format(t="l", viewer="$2::bigint")
    visible = rules.of_class(rules.VISIBLE).sql("l", "$2::bigint")
    return await ex.fetch(f"select {columns}, {visible} as _visible from lessons l "
                          "where l.id = any($1::bigint[])", ids, viewer)


async def lesson_count(ex: Executor, class_id: int) -> int:
    return await ex.fetchval("select count(*) from lessons where class_id = $1", class_id)


async def lesson_by_id(ex: Executor, lesson_id: int) -> asyncpg.Record | None:
    return await ex.fetchrow(f"select {LESSON_STORED} from lessons l where l.id = $1", lesson_id)


async def insert_lesson(
    ex: Executor, *, class_id: int, title: str, body: str, prompt: str,
    video_record_id: int | None,
) -> asyncpg.Record:
    """Append a lesson (the caller holds the class lock, so ``max + 1`` is free)."""
    return await ex.fetchrow(
        f"""insert into lessons as l (class_id, position, title, body, prompt, video_record_id)
            values ($1, (select coalesce(max(position), 0) + 1 from lessons where class_id = $1),
                    $2, $3, $4, $5)
            returning {LESSON_STORED}""",
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
            where l.id = $1 returning {LESSON_STORED}""",
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

_ENROLLMENT_SELECT = "select " + rules.ENROLLMENT_COLUMNS.format(t="e")


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


async def enrollments_by_ids(
    ex: Executor, ids: list[int], viewer: int | None = None,
) -> list[asyncpg.Record]:
    """Enrollment rows with their progress counts, and ``_visible`` for ``viewer``."""
    visible = rules.ENROLLMENT_VISIBLE.sql("e", "$2::bigint")
    return await ex.fetch(f"{_ENROLLMENT_SELECT}, {visible} as _visible from enrollments e "
                          "where e.id = any($1::bigint[])", ids, viewer)


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


async def submissions_by_ids(
    ex: Executor, ids: list[int], viewer: int | None = None,
) -> list[asyncpg.Record]:
    """Submission rows with ``_visible`` (``viewer`` may see the class) and
    ``reads_feedback`` (they may read its feedback thread)."""
    visible = rules.of_class(rules.VISIBLE).sql("s", "$2::bigint")
    feedback = rules.READS_FEEDBACK.sql("s", "$2::bigint")
    return await ex.fetch(
        f"select {SUBMISSION_COLUMNS}, {visible} as _visible, {feedback} as reads_feedback "
        "from submissions s where s.id = any($1::bigint[])", ids, viewer)


async def insert_feedback(
    ex: Executor, submission_id: int, author_id: int, body: str,
) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""insert into feedback as f (submission_id, author_id, body) values ($1, $2, $3)
            returning {FEEDBACK_COLUMNS}""",
        submission_id, author_id, body,
    )


async def feedback_by_ids(
    ex: Executor, ids: list[int], viewer: int | None = None,
) -> list[asyncpg.Record]:
    """Feedback rows with ``_visible``: whether ``viewer`` may read the submission's thread."""
    visible = ("exists (select 1 from submissions f_s where f_s.id = f.submission_id and "
               + rules.READS_FEEDBACK.sql("f_s", "$2::bigint") + ")")
    return await ex.fetch(f"select {FEEDBACK_COLUMNS}, {visible} as _visible from feedback f "
                          "where f.id = any($1::bigint[])", ids, viewer)
