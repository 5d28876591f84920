"""GraphQL types of Class Projects: classes, lessons, enrollments, submissions, feedback.

Who may see what is declared once, in hub/domain/classes/rules.py (its docstring states the
rules); the resolvers here read rows that carry the rules' verdicts for the viewer
(``_visible``, ``readable``…) or lists that apply them (``context.pages(listing)``), and each
field's compiled twin renders the same declarations (hub/api/classes/twins.py).

(Over 400 lines: the slice's five types refer to each other, and Strawberry resolves them
most simply from one module.)
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from hub.api.classes import twins
from hub.api.classes.arguments import After, Before, First, Last
from hub.api.compiled.derive import twin
from hub.api.conversations import twins as conversation_twins
from hub.api.conversations.types import comments_field
from hub.api.federation import priced_connection, sized_list
from hub.api.nodes import node_resolver
from hub.api.relay import Connection, Node, connection_from_rows
from hub.core.pages import CountKey, PageKey
from hub.core.relay import PageArgs, decode_id, encode_id
from hub.core.rules import Listing, Table
from hub.domain.classes import loaders, rules
from hub.domain.conversations import rules as conversation_rules

if TYPE_CHECKING:
    from hub.api.context import Context
    from hub.api.members.types import Member
    from hub.api.records.types import Record

MemberRef = Annotated["Member", strawberry.lazy("hub.api.members.types")]
RecordRef = Annotated["Record", strawberry.lazy("hub.api.records.types")]


@strawberry.enum(description="Where a class is in its life.")
class ClassStatus(enum.Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Being written: visible to its "
                                  "instructors and admins only; takes no enrollments.")
    PUBLISHED = strawberry.enum_value("PUBLISHED", description="Open: visible to everyone, "
                                      "takes enrollments.")
    ARCHIVED = strawberry.enum_value("ARCHIVED", description="Closed: still visible to "
                                     "everyone, takes no new enrollments.")


@strawberry.enum(description="Who a class is for.")
class ClassLevel(enum.Enum):
    BEGINNER = strawberry.enum_value("BEGINNER", description="For learners new to the skill.")
    INTERMEDIATE = strawberry.enum_value("INTERMEDIATE",
                                         description="For learners who know the basics.")
    ADVANCED = strawberry.enum_value("ADVANCED", description="For experienced practitioners.")


def _visible(row: Any) -> bool:
    """Whether a row read by id may be shown to the viewer it was read for (rules.py)."""
    return row is not None and bool(row["_visible"])


@node_resolver("Class")
async def load_class(context: Context, pk: int) -> Class | None:
    row = await context.loader(loaders.ClassByIdLoader).load(pk)
    return Class.from_row(row) if _visible(row) else None


# --- classes ------------------------------------------------------------------------------------


@strawberry.federation.type(keys=["id"], name="Class", description="A Class Project: a series "
                            "of lessons taught by professionals, answered by learners' records.")
class Class(Node):
    table: ClassVar[Table] = rules.CLASSES  # the plain fields named like its columns

    id: strawberry.ID = strawberry.field(description="The class's opaque global ID.")
    slug: str = strawberry.field(description="Made from the title; unique and never changes.")
    title: str = strawberry.field(description="The class's title.")
    summary: str = strawberry.field(description="One or two sentences for class listings.")
    description: str = strawberry.field(description="What the class teaches, in full.")
    skill: str = strawberry.field(description="The skill it teaches (a lower-case label).")
    level: ClassLevel = strawberry.field(description="Who the class is for.")
    status: ClassStatus = strawberry.field(description="Where the class is in its life (a DRAFT "
                                          "is seen by its instructors and admins only).")
    free_preview: bool = strawberry.field(
        description="When true, everyone may read the first lesson's body, prompt and video."
    )
    created_at: dt.datetime = strawberry.field(description="When the class was created.")
    updated_at: dt.datetime = strawberry.field(description="When the class last changed.")
    published_at: dt.datetime | None = strawberry.field(
        description="When first published; null for a draft never published.")
    pk: strawberry.Private[int]

    @strawberry.field(description="Who teaches the class, the creator first.",
                      directives=sized_list(rules.MAX_INSTRUCTORS),
                      metadata=twin(twins.INSTRUCTORS))
    async def instructors(self, info: Info) -> list[MemberRef]:
        from hub.api.members.types import Member

        rows = await _all_of(info.context, rules.INSTRUCTORS, self.pk)
        return [Member.from_row(row) for row in rows]

    @strawberry.field(description="The lessons in order. Bodies, prompts and videos are null "
                      "(`locked`) unless you may read them.",
                      directives=sized_list(rules.MAX_LESSONS), metadata=twin(twins.LESSONS))
    async def lessons(self, info: Info) -> list[Lesson]:
        return [Lesson.from_row(row)
                for row in await _all_of(info.context, rules.LESSONS_OF_CLASS, self.pk)]

    @strawberry.field(description="How many lessons the class has.",
                      metadata=twin(twins.computed(rules.CLASSES, "lesson_count")))
    async def lesson_count(self, info: Info) -> int:
        count: int = await info.context.loader(loaders.LessonCountLoader).load(self.pk)
        return count

    @strawberry.field(description="How many records learners submitted to the class's lessons "
                      "and still publish (what `Lesson.submissions` lists).",
                      metadata=twin(twins.computed(rules.CLASSES, "submissions_count")))
    async def submissions_count(self, info: Info) -> int:
        count: int = await info.context.loader(loaders.SubmissionsCountLoader).load(self.pk)
        return count

    @strawberry.field(description="Your enrollment in this class; null when you are not "
                      "enrolled or not signed in.", metadata=twin(twins.VIEWER_ENROLLMENT))
    async def viewer_enrollment(self, info: Info) -> Enrollment | None:
        context: Context = info.context
        if context.viewer_id is None:
            return None
        row = await context.loader(loaders.EnrollmentByViewerLoader).load(
            (self.pk, context.viewer_id)
        )
        return Enrollment.from_row(row) if row is not None else None

    @strawberry.field(description="True when you teach this class (you may edit it); false "
                      "when signed out.",
                      metadata=twin(twins.holds(rules.TEACHES)))
    async def viewer_is_instructor(self, info: Info) -> bool:
        return bool(await info.context.loader(loaders.TeachesLoader).load(self.pk))

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


async def _all_of(context: Context, listing: Listing, parent: int) -> list[Any]:
    """Every row of a short list (capped by the mutations: one page holds them all)."""
    order = listing.default_order
    rows: list[Any] = await context.pages(listing).load(PageKey(parent, order, rules.WHOLE_LIST))
    return rows


def classes_connection(rows: Any, page: PageArgs, count: Any = None) -> Connection[Class]:
    return connection_from_rows(rows, page, rules.CLASS_ORDERINGS["NEWEST"], Class.from_row,
                                count=count)


# --- lessons ------------------------------------------------------------------------------------


@strawberry.type(description="One lesson of a class: instructions (text and a video) and a "
                 "call to action that learners answer with a record.")
class Lesson(Node):
    # Its rows carry ``readable`` for the viewer (rules.LESSON_COLUMNS).
    table: ClassVar[Table] = rules.LESSONS

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
    comments = comments_field(conversation_rules.OF_LESSON, conversation_twins.OF_LESSON,
                              "lesson")
    # Whether the viewer completed it, when the row read says (not in a mutation's payload).
    completed: strawberry.Private[bool | None] = None

    @strawberry.field(description="The lesson's video, a published film record; null when "
                      "locked, absent or no longer published.", metadata=twin(twins.VIDEO))
    async def video(self, info: Info) -> RecordRef | None:
        from hub.api.records.types import load_record

        return await load_record(info.context, self.video_pk) if self.video_pk else None

    @strawberry.field(name="class", description="The class this lesson belongs to; null when the "
                      "class is not visible to you (a lesson is shown only where its class is, "
                      "so in practice never).",
                      metadata=twin(twins.CLASS_OF))
    async def class_(self, info: Info) -> Class | None:
        return await load_class(info.context, self.class_pk)

    @strawberry.field(description="Whether you marked this lesson complete; false when signed "
                      "out.",
                      metadata=twin(twins.COMPLETED))
    async def viewer_completed(self, info: Info) -> bool:
        if self.completed is not None:
            return self.completed
        return bool(await info.context.loader(loaders.CompletedLoader).load(self.pk))

    @strawberry.field(description="Learners' records answering this lesson, newest first.",
                      directives=priced_connection(), metadata=twin(twins.SUBMISSIONS))
    async def submissions(
        self, info: Info, first: First = None, after: After = None,
        last: Last = None, before: Before = None,
    ) -> Connection[Submission]:
        context: Context = info.context
        page = PageArgs.of(first, after, last, before)
        listing = rules.SUBMISSIONS_OF_LESSON
        rows = await context.pages(listing).load(PageKey(self.pk, listing.default_order, page))
        return connection_from_rows(
            rows, page, listing.orderings[listing.default_order], Submission.from_row,
            count=lambda: context.counts(listing).load(CountKey(self.pk)),
        )

    @classmethod
    def from_row(cls, row: Any, readable: bool | None = None) -> Lesson:
        """A lesson from a row read for the viewer (with ``readable`` and
        ``viewer_completed``), or from a row a mutation wrote (``readable`` given)."""
        if readable is None:
            readable = row["readable"]
        return cls(
            id=strawberry.ID(encode_id("Lesson", row["id"])), pk=row["id"],
            class_pk=row["class_id"], position=row["position"], title=row["title"],
            body=row["body"] if readable else None, prompt=row["prompt"] if readable else None,
            video_pk=row["video_record_id"] if readable else None, locked=not readable,
            created_at=row["created_at"], updated_at=row["updated_at"],
            completed=row.get("viewer_completed"),
        )


@node_resolver("Lesson")
async def load_lesson(context: Context, pk: int) -> Lesson | None:
    row = await context.loader(loaders.LessonByIdLoader).load(pk)
    return Lesson.from_row(row) if _visible(row) else None


# --- enrollments --------------------------------------------------------------------------------


@strawberry.type(description="A member taking a class, with their progress; visible to that "
                 "member, the class's instructors and admins.")
class Enrollment(Node):
    table: ClassVar[Table] = rules.ENROLLMENTS  # the plain fields named like its columns

    id: strawberry.ID = strawberry.field(description="The enrollment's opaque global ID.")
    enrolled_at: dt.datetime = strawberry.field(description="When the member enrolled.")
    completed_lessons: int = strawberry.field(
        description="How many of the class's lessons the member marked complete."
    )
    progress: float = strawberry.field(
        description="completedLessons / the class's lesson count, from 0 to 1 (0 without "
        "lessons), rounded to 4 decimal places.",
    )
    pk: strawberry.Private[int]
    class_pk: strawberry.Private[int]
    member_pk: strawberry.Private[int]

    @strawberry.field(name="class", description="The class taken; null if you may not see it.",
                      metadata=twin(twins.CLASS_OF))
    async def class_(self, info: Info) -> Class | None:
        return await load_class(info.context, self.class_pk)

    @strawberry.field(description="The enrolled member.", metadata=twin(twins.MEMBER))
    async def member(self, info: Info) -> MemberRef:
        from hub.api.members.types import load_member

        member = await load_member(info.context, self.member_pk)
        assert member is not None, "enrollments.member_id references members"
        return member

    @classmethod
    def from_row(cls, row: Any) -> Enrollment:
        return cls(
            id=strawberry.ID(encode_id("Enrollment", row["id"])), pk=row["id"],
            class_pk=row["class_id"], member_pk=row["member_id"], enrolled_at=row["enrolled_at"],
            completed_lessons=row["completed_lessons"], progress=row["progress"],
        )


@node_resolver("Enrollment")
async def load_enrollment(context: Context, pk: int) -> Enrollment | None:
    row = await context.loader(loaders.EnrollmentByIdLoader).load(pk)
    return Enrollment.from_row(row) if _visible(row) else None


# --- submissions and feedback -------------------------------------------------------------------


@strawberry.type(description="A learner's record submitted in answer to a lesson.")
class Submission(Node):
    table: ClassVar[Table] = rules.SUBMISSIONS  # the plain fields named like its columns

    id: strawberry.ID = strawberry.field(description="The submission's opaque global ID.")
    created_at: dt.datetime = strawberry.field(description="When it was submitted.")
    pk: strawberry.Private[int]
    class_pk: strawberry.Private[int]
    lesson_pk: strawberry.Private[int]
    member_pk: strawberry.Private[int]
    record_pk: strawberry.Private[int]

    @strawberry.field(description="The lesson it answers (its body only where you may read it); "
                      "null when you may not see its class.",
                      metadata=twin(twins.LESSON_OF))
    async def lesson(self, info: Info) -> Lesson | None:
        return await load_lesson(info.context, self.lesson_pk)

    @strawberry.field(description="The submitted record; null once it is no longer published.",
                      metadata=twin(twins.RECORD))
    async def record(self, info: Info) -> RecordRef | None:
        from hub.api.records.types import load_record

        return await load_record(info.context, self.record_pk)

    @strawberry.field(description="The learner who submitted it.", metadata=twin(twins.MEMBER))
    async def learner(self, info: Info) -> MemberRef:
        from hub.api.members.types import load_member

        member = await load_member(info.context, self.member_pk)
        assert member is not None, "submissions.member_id references members"
        return member

    @strawberry.field(description="The feedback thread, oldest first; null unless you take "
                      "part in the class (instructor or enrolled), submitted it, or are an admin.",
                      directives=priced_connection(), metadata=twin(twins.FEEDBACK))
    async def feedback(
        self, info: Info, first: First = None, after: After = None,
        last: Last = None, before: Before = None,
    ) -> Connection[Feedback] | None:
        context: Context = info.context
        page = PageArgs.of(first, after, last, before)
        row = await context.loader(loaders.SubmissionByIdLoader).load(self.pk)
        if row is None or not row["reads_feedback"]:
            return None
        listing = rules.FEEDBACK_OF_SUBMISSION
        rows = await context.pages(listing).load(PageKey(self.pk, listing.default_order, page))
        return connection_from_rows(
            rows, page, listing.orderings[listing.default_order], Feedback.from_row,
            count=lambda: context.counts(listing).load(CountKey(self.pk)),
        )

    @classmethod
    def from_row(cls, row: Any) -> Submission:
        return cls(
            id=strawberry.ID(encode_id("Submission", row["id"])), pk=row["id"],
            class_pk=row["class_id"], lesson_pk=row["lesson_id"], member_pk=row["member_id"],
            record_pk=row["record_id"], created_at=row["created_at"],
        )


@node_resolver("Submission")
async def load_submission(context: Context, pk: int) -> Submission | None:
    row = await context.loader(loaders.SubmissionByIdLoader).load(pk)
    return Submission.from_row(row) if _visible(row) else None


@strawberry.type(description="One message in a submission's feedback thread, seen by whoever "
                 "may read the thread.")
class Feedback(Node):
    table: ClassVar[Table] = rules.FEEDBACK  # the plain fields named like its columns

    id: strawberry.ID = strawberry.field(description="The feedback's opaque global ID.")
    body: str = strawberry.field(description="The message, as written (plain text).")
    created_at: dt.datetime = strawberry.field(description="When it was given.")
    pk: strawberry.Private[int]
    author_pk: strawberry.Private[int]
    submission_pk: strawberry.Private[int]

    @strawberry.field(description="Who gave it: an instructor or a fellow learner.",
                      metadata=twin(twins.AUTHOR))
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
    return Feedback.from_row(row) if _visible(row) else None


# --- on Member (the fields live in hub/members/types.py and call these) -------------------------


async def classes_teaching(context: Context, member_pk: int, page: PageArgs) -> Connection[Class]:
    listing = rules.TAUGHT_BY
    rows = await context.pages(listing).load(PageKey(member_pk, listing.default_order, page))
    return classes_connection(rows, page,
                              count=lambda: context.counts(listing).load(CountKey(member_pk)))


async def enrollments_of(
    context: Context, member_pk: int, page: PageArgs,
) -> Connection[Enrollment] | None:
    if context.viewer_id != member_pk and not context.is_admin:
        return None
    listing = rules.ENROLLMENTS_OF_MEMBER
    rows = await context.pages(listing).load(PageKey(member_pk, listing.default_order, page))
    return connection_from_rows(rows, page, listing.orderings[listing.default_order],
                                Enrollment.from_row,
                                count=lambda: context.counts(listing).load(CountKey(member_pk)))
