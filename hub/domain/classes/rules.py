"""The read rules of Class Projects, each declared once (hub/core/rules.py says how both the
executor's loaders and the compiled twins render them).

Who sees what — applied by every read path (``class``, ``classes``, ``node``/``nodes``,
``_entities``, ``Member.classesTeaching``, nested fields):

* A class is visible (:data:`VISIBLE`) unless it is a DRAFT; a draft to its instructors and
  ADMINs only. ARCHIVED classes are visible but take no new enrollments.
* Everyone who sees a class sees its title, summary, description, instructors and the titles
  of its lessons. A lesson's ``body``, ``prompt`` and ``video`` are readable
  (:data:`LESSON_READABLE`) by the class's instructors, ADMINs and enrolled members whose
  subscription counts as active (:data:`READS_LESSONS`); for everyone else they are null
  (``locked``) — except the first lesson of a class whose ``freePreview`` is on.
* A submission is listed while its record is published and not deleted
  (:data:`PUBLIC_SUBMISSION`); everyone who sees the class sees it. Its feedback thread is for
  the submitter, the class's participants (instructors and enrolled members) and ADMINs
  (:data:`READS_FEEDBACK`).
* An enrollment is visible to its member, the class's instructors and ADMINs
  (:data:`ENROLLMENT_VISIBLE`).

Every condition is over a row ``{t}`` and the viewer ``{viewer}`` (null when anonymous, which
no ``= {viewer}`` matches). Aliases inside a condition are ``{t}_<x>``, so a condition can be
rendered over a row that is itself an alias inside another condition (:func:`on`).
"""

from __future__ import annotations

from typing import Any

from hub.core.relay import PageArgs, decode_id
from hub.core.rules import (
    EVERY_ROW,
    Condition,
    Filter,
    Key,
    Listing,
    Ordering,
    Table,
    newest_first,
    of_viewer,
    oldest_first,
)
from hub.core.search import checked_search
from hub.domain.members.rules import MEMBERS
from hub.domain.members.subscriptions import COUNTS_AS_ACTIVE
from hub.domain.records import rules as records

# At most this many instructors and lessons per class (the mutations enforce it; lists of
# them are not paged).
MAX_INSTRUCTORS = 10
MAX_LESSONS = 200


def on(condition: Condition, t: str) -> Condition:
    """``condition`` over another row: its ``{t}`` is ``t`` (an SQL alias over ``{t}``, such
    as ``{t}_c``), its viewer still ``{viewer}``."""
    return Condition(condition.template.format(t=t, viewer="{viewer}"))


def of_class(condition: Condition) -> Condition:
    """A condition on a class, over a row that names its class in ``{t}.class_id``."""
    return Condition("exists (select 1 from classes {t}_c where {t}_c.id = {t}.class_id and "
                     + on(condition, "{t}_c").sql("{t}", "{viewer}") + ")")


# --- the viewer -------------------------------------------------------------------------------

# The viewer is an ADMIN (their role as stored; the request reads the same row).
ADMIN = of_viewer("exists (select 1 from members {t}_adm where {t}_adm.id = {viewer} "
                  "and {t}_adm.role = 'ADMIN')")
# The viewer's subscription counts as active: the members slice's rule, embedded.
SUBSCRIBED = of_viewer("exists (select 1 from subscriptions {t}_sub where {t}_sub.member_id = "
                       "{viewer} and " + COUNTS_AS_ACTIVE.format(s="{t}_sub") + ")")

# A submission is listed while its record is published and not deleted.
PUBLIC_SUBMISSION = Condition(
    "exists (select 1 from records {t}_r where {t}_r.id = {t}.record_id and "
    + on(records.PUBLISHED & ~records.DELETED, "{t}_r").sql("{t}", "{viewer}") + ")")

# --- classes (conditions over a class row) --------------------------------------------------

TEACHES = of_viewer("exists (select 1 from class_instructors {t}_ci where {t}_ci.class_id = "
                    "{t}.id and {t}_ci.member_id = {viewer})")
ENROLLED = of_viewer("exists (select 1 from enrollments {t}_en where {t}_en.class_id = {t}.id "
                     "and {t}_en.member_id = {viewer})")
DRAFT = Condition("{t}.status = 'DRAFT'")

VISIBLE = ~DRAFT | TEACHES | ADMIN  # class visibility: the one place it is decided
READS_LESSONS = TEACHES | ADMIN | (ENROLLED & SUBSCRIBED)
PARTICIPANT = TEACHES | ENROLLED  # who may give feedback

CLASSES = Table("classes", (
    "id", "slug", "title", "summary", "description", "skill", "level", "status",
    "free_preview", "created_by", "created_at", "updated_at", "published_at",
), {
    "lesson_count": "select count(*) from lessons {t}_l where {t}_l.class_id = {t}.id",
    # Submissions whose record is public (PUBLIC_SUBMISSION, over {t}_s).
    "submissions_count": "select count(*) from submissions {t}_s where {t}_s.class_id = {t}.id "
                         "and " + on(PUBLIC_SUBMISSION, "{t}_s").template,
})
# A class row as the API reads it: its stored columns (the counts are read when asked).
CLASS_COLUMNS = ", ".join(f"{{t}}.{column}" for column in CLASSES.columns)
# … and, where it is looked up by id (drafts included), whether the viewer may see it.
CLASS_COLUMNS_SEEN = CLASS_COLUMNS + ", " + VISIBLE.sql("{t}", "{viewer}") + " as _visible"


def _member_id(value: Any) -> int:
    return decode_id(value, "Member")


def _enum(value: Any) -> Any:
    return getattr(value, "value", value) or None


def _skill(value: str | None) -> str | None:
    return value.strip().lower() if value else None


def _search(value: str | None) -> str | None:
    return (checked_search(value) or "").strip() or None


CLASS_FILTERS = {
    # Always given: the API's filter defaults it to PUBLISHED.
    "status": Filter("{t}.status = {p}", "text", _enum),
    "skill": Filter("{t}.skill = {p}", "text", _skill),
    "level": Filter("{t}.level = {p}", "text", _enum),
    "instructor": Filter("exists (select 1 from class_instructors {t}_fi where {t}_fi.class_id "
                         "= {t}.id and {t}_fi.member_id = {p})", "bigint", _member_id),
    "search": Filter("{t}.search @@ (select websearch_to_tsquery('english', {p}))", "text",
                     _search),
}
CLASS_ORDERINGS = {"NEWEST": newest_first()}

# Query.classes: the classes the viewer may see, narrowed by the filter.
ALL_CLASSES = Listing(source="classes {t}", columns=CLASS_COLUMNS, where=VISIBLE,
                      orderings=CLASS_ORDERINGS, filters=CLASS_FILTERS)
# Member.classesTeaching: the classes a member teaches that the viewer may see.
TAUGHT_BY = Listing(source="class_instructors {t}_ti join classes {t} on {t}.id = {t}_ti.class_id",
                    columns=CLASS_COLUMNS, where=VISIBLE, parent="{t}_ti.member_id",
                    orderings=CLASS_ORDERINGS)
# Class.instructors: the creator first, then in the order they joined. The creator is read
# from the class's own row ({parent}), which the page already has.
INSTRUCTORS = Listing(
    source="class_instructors {t}_i join members {t} on {t}.id = {t}_i.member_id",
    columns=MEMBERS.select("{t}"), where=EVERY_ROW, parent="{t}_i.class_id",
    parent_table="classes",
    orderings={"CREATOR_FIRST": Ordering((Key("({t}_i.member_id <> {parent}.created_by)::int",
                                              "bigint"),
                                          Key("{t}_i.added_at", "timestamptz"),
                                          Key("{t}_i.member_id", "bigint")), False)},
)

# --- lessons (conditions over a lesson row) -------------------------------------------------

# The class's flag read by its key for each first lesson: an `exists` under the OR of
# LESSON_READABLE is planned as a hashed scan of every free-preview class instead.
FIRST_OF_PREVIEW = Condition("{t}.position = 1 and coalesce((select {t}_fp.free_preview from "
                             "classes {t}_fp where {t}_fp.id = {t}.class_id), false)")
LESSON_READABLE = of_class(READS_LESSONS) | FIRST_OF_PREVIEW
COMPLETED = of_viewer("exists (select 1 from lesson_completions {t}_lc where {t}_lc.lesson_id = "
                      "{t}.id and {t}_lc.member_id = {viewer})")

# A lesson row carries whether the viewer may read it (``readable``) and has completed it;
# its body and prompt are read through ``readable``.
LESSONS = Table("lessons", ("id", "position", "title", "created_at", "updated_at"), {
    "body": "case when {t}.readable then {t}.body end",
    "prompt": "case when {t}.readable then {t}.prompt end",
    "locked": "not {t}.readable",
})
LESSON_COLUMNS = (
    "{t}.id, {t}.class_id, {t}.position, {t}.title, {t}.body, {t}.prompt, {t}.video_record_id, "
    "{t}.created_at, {t}.updated_at, " + LESSON_READABLE.sql("{t}", "{viewer}") + " as readable, "
    + COMPLETED.sql("{t}", "{viewer}") + " as viewer_completed"
)
# Class.lessons: every lesson, by position (at most MAX_LESSONS: one page holds them all).
LESSONS_OF_CLASS = Listing(source="lessons {t}", columns=LESSON_COLUMNS, where=EVERY_ROW,
                           parent="{t}.class_id",
                           orderings={"POSITION": Ordering((Key("{t}.position", "bigint"),), False)})
# The one page a short list (lessons, instructors) is read in: the mutations cap both.
WHOLE_LIST = PageArgs(limit=max(MAX_LESSONS, MAX_INSTRUCTORS), forward=True, after=None,
                      before=None)

# --- enrollments ------------------------------------------------------------------------------

_COMPLETED = ("select count(*) from lesson_completions {t}_lc join lessons {t}_l on "
              "{t}_l.id = {t}_lc.lesson_id where {t}_l.class_id = {t}.class_id "
              "and {t}_lc.member_id = {t}.member_id")
_LESSON_COUNT = "select count(*) from lessons {t}_l where {t}_l.class_id = {t}.class_id"
ENROLLMENTS = Table("enrollments", ("id", "class_id", "member_id", "enrolled_at"), {
    "completed_lessons": _COMPLETED,
    # completedLessons / the class's lesson count, rounded to 4 places half away from zero (0
    # without lessons); a numeric quotient, so a tie (1/32) is seen as one.
    "progress": ("select coalesce(round({t}_p.completed::numeric / nullif({t}_p.total, 0), 4), "
                 f"0)::float8 from (select ({_COMPLETED}) as completed, ({_LESSON_COUNT}) "
                 "as total) {t}_p"),
})
ENROLLMENT_VISIBLE = of_viewer("{t}.member_id = {viewer}") | ADMIN | of_class(TEACHES)
ENROLLMENT_COLUMNS = ENROLLMENTS.select("{t}")
# Member.enrollments (for the member themself and ADMINs): newest enrollment first.
ENROLLMENTS_OF_MEMBER = Listing(source="enrollments {t}", columns=ENROLLMENT_COLUMNS,
                                where=EVERY_ROW, parent="{t}.member_id",
                                orderings={"NEWEST": newest_first("enrolled_at")})

# --- submissions and feedback ---------------------------------------------------------------

SUBMISSIONS = Table("submissions", ("id", "class_id", "lesson_id", "member_id", "record_id",
                                    "created_at"))
# Over a submission row: who may read its feedback thread.
READS_FEEDBACK = of_viewer("{t}.member_id = {viewer}") | ADMIN | of_class(PARTICIPANT)
SUBMISSIONS_OF_LESSON = Listing(source="submissions {t}", columns=SUBMISSIONS.select("{t}"),
                                where=PUBLIC_SUBMISSION, parent="{t}.lesson_id",
                                orderings={"NEWEST": newest_first()})

FEEDBACK = Table("feedback", ("id", "submission_id", "author_id", "body", "created_at"))
FEEDBACK_OF_SUBMISSION = Listing(source="feedback {t}", columns=FEEDBACK.select("{t}"),
                                 where=EVERY_ROW, parent="{t}.submission_id",
                                 orderings={"OLDEST": oldest_first()})
