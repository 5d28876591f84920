"""GraphQL types of Class Projects: classes, lessons, enrollments, submissions, feedback.

Visibility rules, declared here and applied wherever these are read (``class``, ``classes``,
``node``/``nodes``, ``_entities``, ``Member.classesTeaching``, nested fields):

* A DRAFT class is visible to its instructors and ADMINs only; PUBLISHED and ARCHIVED classes
  to everyone (ARCHIVED classes take no new enrollments).
* Everyone who sees a class sees its title, summary, description, instructors and the titles
  of its lessons. A lesson's ``body``, ``prompt`` and ``video`` are *readable* by the class's
  instructors, ADMINs and enrolled members whose subscription counts as active; for everyone
  else they are null (``locked: true``) — except the first lesson when the class's
  ``freePreview`` is on.
* Submissions are learners' published records, so everyone who sees the class sees them. A
  submission's feedback thread is for the class's participants (instructors and enrolled
  members), ADMINs and the submitter; null for others.
* An enrollment is visible to its member, the class's instructors and ADMINs
  (``Member.enrollments`` is null for everyone else).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from hub.api.federation import priced_connection, sized_list
from hub.api.members.subscription import viewer_subscription_active
from hub.api.nodes import node_resolver
from hub.api.relay import Connection, Node, connection_from_rows
from hub.core.relay import PageArgs, decode_id, encode_id
from hub.domain.classes import loaders
from hub.domain.classes.store import CLASSES_NEWEST, ENROLLMENTS_NEWEST, FEEDBACK_OLDEST, SUBMISSIONS_NEWEST

if TYPE_CHECKING:
    from hub.api.context import Context
    from hub.api.members.types import Member
    from hub.api.records.types import Record

MemberRef = Annotated["Member", strawberry.lazy("hub.api.members.types")]
RecordRef = Annotated["Record", strawberry.lazy("hub.api.records.types")]


@strawberry.enum(description="Where a class is in its life.")
class ClassStatus(enum.Enum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    ARCHIVED = "ARCHIVED"


@strawberry.enum(description="Who a class is for.")
class ClassLevel(enum.Enum):
    BEGINNER = "BEGINNER"
    INTERMEDIATE = "INTERMEDIATE"
    ADVANCED = "ADVANCED"


# --- who may see what ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """The viewer's relation to one class."""

    instructor: bool = False
    admin: bool = False
    enrolled: bool = False
    subscribed: bool = False

    @property
    def reads_lessons(self) -> bool:
        return self.instructor or self.admin or (self.enrolled and self.subscribed)

    @property
    def participant(self) -> bool:
        """Instructors and enrolled members: who may give feedback."""
        return self.instructor or self.enrolled


async def instructor_ids(context: Context, class_id: int) -> list[int]:
    rows = await context.loader(loaders.InstructorsByClassIdLoader).load(class_id)
    return [row["id"] for row in rows]


async def class_access(context: Context, class_id: int) -> Access:
    """Each part costs one batched statement per request at most, and nothing when anonymous."""
    viewer = context.viewer_id
    if viewer is None:
        return Access()
    enrollment = await context.loader(loaders.EnrollmentByViewerLoader).load((class_id, viewer))
    return Access(
        instructor=viewer in await instructor_ids(context, class_id),
        admin=context.is_admin,
        enrolled=enrollment is not None,
        subscribed=enrollment is not None and await viewer_subscription_active(context),
    )


async def class_visible(context: Context, row: Any) -> bool:
    """The class rule in this module's docstring."""
    if row is None:
        return False
    if row["status"] != "DRAFT" or context.is_admin:
        return True
    return context.viewer_id is not None and context.viewer_id in await instructor_ids(
        context, row["id"]
    )


@node_resolver("Class")
async def load_class(context: Context, pk: int) -> Class | None:
    row = await context.loader(loaders.ClassByIdLoader).load(pk)
    return Class.from_row(row) if await class_visible(context, row) else None


# --- classes ------------------------------------------------------------------------------------


@strawberry.federation.type(keys=["id"], name="Class", description="A Class Project: a series "
                            "of lessons taught by professionals, answered by learners' records.")
class Class(Node):
    id: strawberry.ID = strawberry.field(description="The class's opaque global ID.")
    slug: str = strawberry.field(description="Made from the title; unique and never changes.")
    title: str = strawberry.field(description="The class's title.")
    summary: str = strawberry.field(description="One or two sentences for class listings.")
    description: str = strawberry.field(description="What the class teaches, in full.")
    skill: str = strawberry.field(description="The skill it teaches (a lower-case label).")
    level: ClassLevel = strawberry.field(description="BEGINNER, INTERMEDIATE or ADVANCED.")
    status: ClassStatus = strawberry.field(description="DRAFT, PUBLISHED or ARCHIVED.")
    free_preview: bool = strawberry.field(
        description="When true, everyone may read the first lesson's body, prompt and video."
    )
    created_at: dt.datetime = strawberry.field(description="When the class was created.")
    updated_at: dt.datetime = strawberry.field(description="When the class last changed.")
    published_at: dt.datetime | None = strawberry.field(description="When first published.")
    pk: strawberry.Private[int]

    # At most mutations.MAX_INSTRUCTORS (10) and MAX_LESSONS (200): that module imports this one.
    @strawberry.field(description="Who teaches the class, the creator first.",
                      directives=sized_list(10))
    async def instructors(self, info: Info) -> list[MemberRef]:
        from hub.api.members.types import Member

        rows = await info.context.loader(loaders.InstructorsByClassIdLoader).load(self.pk)
        return [Member.from_row(row) for row in rows]

    @strawberry.field(description="The lessons in order. Bodies, prompts and videos are null "
                      "(`locked`) unless you may read them.", directives=sized_list(200))
    async def lessons(self, info: Info) -> list[Lesson]:
        context: Context = info.context
        rows = await context.loader(loaders.LessonsByClassIdLoader).load(self.pk)
        if not rows:
            return []
        access = await class_access(context, self.pk)
        return [Lesson.from_row(row, lesson_readable(access, self.free_preview, row))
                for row in rows]

    @strawberry.field(description="How many lessons the class has.")
    async def lesson_count(self, info: Info) -> int:
        return await info.context.loader(loaders.LessonCountByClassIdLoader).load(self.pk)

    @strawberry.field(description="How many records learners submitted to the class's lessons.")
    async def submissions_count(self, info: Info) -> int:
        return await info.context.loader(loaders.SubmissionCountByClassIdLoader).load(self.pk)

    @strawberry.field(description="Your enrollment in this class; null when you are not "
                      "enrolled or not signed in.")
    async def viewer_enrollment(self, info: Info) -> Enrollment | None:
        context: Context = info.context
        if context.viewer_id is None:
            return None
        row = await context.loader(loaders.EnrollmentByViewerLoader).load(
            (self.pk, context.viewer_id)
        )
        return Enrollment.from_row(row) if row is not None else None

    @strawberry.field(description="True when you teach this class (you may edit it).")
    async def viewer_is_instructor(self, info: Info) -> bool:
        viewer = info.context.viewer_id
        return viewer is not None and viewer in await instructor_ids(info.context, self.pk)

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID, **_representation: Any,
    ) -> Class | None:
        return await load_class(info.context, decode_id(id, "Class"))

    @classmethod
    def from_row(cls, row: Any) -> Class:
        return cls(
            id=strawberry.ID(encode_id("Class", row["id"])), pk=row["id"], slug=row["slug"],
            title=row["title"], summary=row["summary"], description=row["description"],
            skill=row["skill"], level=ClassLevel(row["level"]), status=ClassStatus(row["status"]),
            free_preview=row["free_preview"], created_at=row["created_at"],
            updated_at=row["updated_at"], published_at=row["published_at"],
        )


def classes_connection(rows: Any, page: PageArgs, count: Any = None) -> Connection[Class]:
    return connection_from_rows(rows, page, CLASSES_NEWEST, Class.from_row, count=count)


# --- lessons ------------------------------------------------------------------------------------


def lesson_readable(access: Access, free_preview: bool, row: Any) -> bool:
    return access.reads_lessons or (free_preview and row["position"] == 1)


@strawberry.type(description="One lesson of a class: instructions (text and a video) and a "
                 "call to action that learners answer with a record.")
class Lesson(Node):
    id: strawberry.ID = strawberry.field(description="The lesson's opaque global ID.")
    position: int = strawberry.field(description="1-based place in the class; 1..n, no gaps.")
    title: str = strawberry.field(description="The lesson's title (visible to everyone).")
    body: str | None = strawberry.field(description="The instructions; null when locked.")
    prompt: str | None = strawberry.field(
        description="The call to action learners answer with a record; null when locked."
    )
    locked: bool = strawberry.field(
        description="True when body, prompt and video are hidden from you (enroll with an "
        "active subscription to read them)."
    )
    created_at: dt.datetime = strawberry.field(description="When the lesson was added.")
    updated_at: dt.datetime = strawberry.field(description="When the lesson last changed.")
    pk: strawberry.Private[int]
    class_pk: strawberry.Private[int]
    video_pk: strawberry.Private[int | None]

    @strawberry.field(description="The lesson's video, a published film record; null when "
                      "locked, absent or no longer published.")
    async def video(self, info: Info) -> RecordRef | None:
        from hub.api.records.types import load_record

        return await load_record(info.context, self.video_pk) if self.video_pk else None

    @strawberry.field(name="class", description="The class this lesson belongs to.")
    async def class_(self, info: Info) -> Class | None:
        return await load_class(info.context, self.class_pk)

    @strawberry.field(description="Whether you marked this lesson complete.")
    async def viewer_completed(self, info: Info) -> bool:
        viewer = info.context.viewer_id
        if viewer is None:
            return False
        done = await info.context.loader(loaders.CompletedLessonIdsLoader).load(
            (self.class_pk, viewer)
        )
        return self.pk in done

    @strawberry.field(description="Learners' records answering this lesson, newest first.",
                      directives=priced_connection())
    async def submissions(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Submission]:
        context: Context = info.context
        page = PageArgs.of(first, after, last, before)
        rows = await context.loader(loaders.SubmissionsByLessonLoader).load(
            loaders.PageKey(self.pk, page)
        )
        return connection_from_rows(
            rows, page, SUBMISSIONS_NEWEST, Submission.from_row,
            count=lambda: context.loader(loaders.SubmissionCountByLessonIdLoader).load(self.pk),
        )

    @classmethod
    def from_row(cls, row: Any, readable: bool) -> Lesson:
        return cls(
            id=strawberry.ID(encode_id("Lesson", row["id"])), pk=row["id"],
            class_pk=row["class_id"], position=row["position"], title=row["title"],
            body=row["body"] if readable else None, prompt=row["prompt"] if readable else None,
            video_pk=row["video_record_id"] if readable else None, locked=not readable,
            created_at=row["created_at"], updated_at=row["updated_at"],
        )


@node_resolver("Lesson")
async def load_lesson(context: Context, pk: int) -> Lesson | None:
    row = await context.loader(loaders.LessonByIdLoader).load(pk)
    if row is None:
        return None
    class_row = await context.loader(loaders.ClassByIdLoader).load(row["class_id"])
    if not await class_visible(context, class_row):
        return None
    access = await class_access(context, row["class_id"])
    return Lesson.from_row(row, lesson_readable(access, class_row["free_preview"], row))


# --- enrollments --------------------------------------------------------------------------------


@strawberry.type(description="A member taking a class, with their progress.")
class Enrollment(Node):
    id: strawberry.ID = strawberry.field(description="The enrollment's opaque global ID.")
    enrolled_at: dt.datetime = strawberry.field(description="When the member enrolled.")
    completed_lessons: int = strawberry.field(
        description="How many of the class's lessons the member marked complete."
    )
    progress: float = strawberry.field(
        description="completedLessons / the class's lesson count, from 0 to 1 (0 without lessons)."
    )
    pk: strawberry.Private[int]
    class_pk: strawberry.Private[int]
    member_pk: strawberry.Private[int]

    @strawberry.field(name="class", description="The class.")
    async def class_(self, info: Info) -> Class | None:
        return await load_class(info.context, self.class_pk)

    @strawberry.field(description="The enrolled member.")
    async def member(self, info: Info) -> MemberRef:
        from hub.api.members.types import load_member

        member = await load_member(info.context, self.member_pk)
        assert member is not None, "enrollments.member_id references members"
        return member

    @classmethod
    def from_row(cls, row: Any) -> Enrollment:
        total = row["lesson_count"]
        return cls(
            id=strawberry.ID(encode_id("Enrollment", row["id"])), pk=row["id"],
            class_pk=row["class_id"], member_pk=row["member_id"], enrolled_at=row["enrolled_at"],
            completed_lessons=row["completed"],
            progress=round(row["completed"] / total, 4) if total else 0.0,
        )


@node_resolver("Enrollment")
async def load_enrollment(context: Context, pk: int) -> Enrollment | None:
    row = await context.loader(loaders.EnrollmentByIdLoader).load(pk)
    if row is None or context.viewer_id is None:
        return None
    own = row["member_id"] == context.viewer_id or context.is_admin
    if own or (await class_access(context, row["class_id"])).instructor:
        return Enrollment.from_row(row)
    return None


# --- submissions and feedback -------------------------------------------------------------------


@strawberry.type(description="A learner's record submitted in answer to a lesson.")
class Submission(Node):
    id: strawberry.ID = strawberry.field(description="The submission's opaque global ID.")
    created_at: dt.datetime = strawberry.field(description="When it was submitted.")
    pk: strawberry.Private[int]
    class_pk: strawberry.Private[int]
    lesson_pk: strawberry.Private[int]
    member_pk: strawberry.Private[int]
    record_pk: strawberry.Private[int]

    @strawberry.field(description="The lesson it answers.")
    async def lesson(self, info: Info) -> Lesson | None:
        return await load_lesson(info.context, self.lesson_pk)

    @strawberry.field(description="The submitted record; null once it is no longer published.")
    async def record(self, info: Info) -> RecordRef | None:
        from hub.api.records.types import load_record

        return await load_record(info.context, self.record_pk)

    @strawberry.field(description="The learner who submitted it.")
    async def learner(self, info: Info) -> MemberRef:
        from hub.api.members.types import load_member

        member = await load_member(info.context, self.member_pk)
        assert member is not None, "submissions.member_id references members"
        return member

    @strawberry.field(description="The feedback thread, oldest first; null unless you take "
                      "part in the class (instructor or enrolled), submitted it, or are an admin.",
                      directives=priced_connection())
    async def feedback(
        self, info: Info, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Feedback] | None:
        context: Context = info.context
        page = PageArgs.of(first, after, last, before)
        if not await reads_feedback(context, self.class_pk, self.member_pk):
            return None
        rows = await context.loader(loaders.FeedbackBySubmissionLoader).load(
            loaders.PageKey(self.pk, page)
        )
        return connection_from_rows(
            rows, page, FEEDBACK_OLDEST, Feedback.from_row,
            count=lambda: context.loader(loaders.FeedbackCountBySubmissionIdLoader).load(self.pk),
        )

    @classmethod
    def from_row(cls, row: Any) -> Submission:
        return cls(
            id=strawberry.ID(encode_id("Submission", row["id"])), pk=row["id"],
            class_pk=row["class_id"], lesson_pk=row["lesson_id"], member_pk=row["member_id"],
            record_pk=row["record_id"], created_at=row["created_at"],
        )


async def reads_feedback(context: Context, class_id: int, submitter_id: int) -> bool:
    if context.viewer_id is None:
        return False
    if context.viewer_id == submitter_id or context.is_admin:
        return True
    return (await class_access(context, class_id)).participant


@node_resolver("Submission")
async def load_submission(context: Context, pk: int) -> Submission | None:
    row = await context.loader(loaders.SubmissionByIdLoader).load(pk)
    if row is None:
        return None
    class_row = await context.loader(loaders.ClassByIdLoader).load(row["class_id"])
    return Submission.from_row(row) if await class_visible(context, class_row) else None


@strawberry.type(description="One message in a submission's feedback thread.")
class Feedback(Node):
    id: strawberry.ID = strawberry.field(description="The feedback's opaque global ID.")
    body: str = strawberry.field(description="The feedback.")
    created_at: dt.datetime = strawberry.field(description="When it was given.")
    pk: strawberry.Private[int]
    author_pk: strawberry.Private[int]
    submission_pk: strawberry.Private[int]

    @strawberry.field(description="Who gave it: an instructor or a fellow learner.")
    async def author(self, info: Info) -> MemberRef:
        from hub.api.members.types import load_member

        member = await load_member(info.context, self.author_pk)
        assert member is not None, "feedback.author_id references members"
        return member

    @classmethod
    def from_row(cls, row: Any) -> Feedback:
        return cls(
            id=strawberry.ID(encode_id("Feedback", row["id"])), pk=row["id"],
            author_pk=row["author_id"], submission_pk=row["submission_id"], body=row["body"],
            created_at=row["created_at"],
        )


@node_resolver("Feedback")
async def load_feedback(context: Context, pk: int) -> Feedback | None:
    row = await context.loader(loaders.FeedbackByIdLoader).load(pk)
    if row is None:
        return None
    submission = await context.loader(loaders.SubmissionByIdLoader).load(row["submission_id"])
    if not await reads_feedback(context, submission["class_id"], submission["member_id"]):
        return None
    return Feedback.from_row(row)


# --- on Member (the fields live in hub/members/types.py and call these) -------------------------


async def classes_teaching(context: Context, member_pk: int, page: PageArgs) -> Connection[Class]:
    rows = await context.loader(loaders.ClassesByInstructorLoader).load(
        loaders.PageKey(member_pk, page, context.viewer_id, context.is_admin)
    )
    return classes_connection(rows, page)


async def enrollments_of(
    context: Context, member_pk: int, page: PageArgs,
) -> Connection[Enrollment] | None:
    if context.viewer_id != member_pk and not context.is_admin:
        return None
    rows = await context.loader(loaders.EnrollmentsByMemberLoader).load(
        loaders.PageKey(member_pk, page)
    )
    return connection_from_rows(rows, page, ENROLLMENTS_NEWEST, Enrollment.from_row)
