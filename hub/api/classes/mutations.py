"""Mutations of Class Projects and the service logic behind them.

Permission rules:

* Any signed-in member creates a class (as a DRAFT) and becomes its instructor. Instructors
  (and ADMINs, for moderation) edit, publish and archive it, add co-instructors and manage its
  lessons; anyone else gets FORBIDDEN. A draft someone may not see is NOT_FOUND, so its
  existence does not leak.
* ``enroll`` needs a subscription that counts as active (SUBSCRIPTION_REQUIRED; the billing
  plugins are asked first, see ``hub_billing_subscription``) and a PUBLISHED class.
  ``completeLesson`` and ``submitToLesson`` need an enrollment (NOT_ENROLLED) and an active
  subscription. ``leaveClass`` deletes the enrollment; completions and submissions are kept,
  so re-enrolling restores progress.
* ``submitToLesson`` takes the learner's own published record. ``giveFeedback`` is for the
  class's instructors and enrolled members (FORBIDDEN for others).
* Lesson positions are 1-based and stay 1..n without gaps: every change to a class's lessons
  locks the class row first, so concurrent moves apply one after the other. A lesson that has
  submissions cannot be removed (the learners' work would lose its context).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import strawberry
from strawberry.types import Info

from hub.api.classes.types import Class, ClassLevel, Enrollment, Feedback, Lesson, Submission
from hub.api.context import Context
from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.members.subscription import (
    counts_as_active,
    refresh_from_billing,
    subscription_for_share,
    viewer_subscription_active,
)
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.core.events import Event
from hub.core.relay import encode_id, input_pk
from hub.core.validation import Problems, clean_labels, clean_text
from hub.domain.classes import store
from hub.domain.classes.rules import MAX_INSTRUCTORS, MAX_LESSONS
from hub.domain.members import store as member_store
from hub.domain.records import store as record_store

MAX_TITLE = 200
MAX_SUMMARY = 500
MAX_DESCRIPTION = 10_000
MAX_SKILL = 40
MAX_LESSON_BODY = 20_000
MAX_PROMPT = 2_000
MAX_FEEDBACK = 5_000
VIDEO_MEDIA_TYPE = "film"


# --- inputs and payloads ------------------------------------------------------------------------


@strawberry.input(description="A new class; it starts as a DRAFT and you become its instructor.")
class CreateClassInput:
    title: str = strawberry.field(description=f"At most {MAX_TITLE} characters; the slug is "
                                  "made from it.")
    skill: str = strawberry.field(description="The skill taught, e.g. `songwriting`.")
    level: ClassLevel = strawberry.field(description="Who the class is for.")
    summary: str = strawberry.field(default="", description=f"At most {MAX_SUMMARY} characters.")
    description: str = strawberry.field(default="", description=f"At most {MAX_DESCRIPTION:,}.")
    free_preview: bool = strawberry.field(
        default=False, description="Let everyone read the first lesson in full."
    )


@strawberry.input(description="Changes to a class; omitted fields stay as they are. The slug "
                  "never changes.")
class UpdateClassInput:
    id: strawberry.ID = strawberry.field(description="The class.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title.")
    summary: str | None = strawberry.field(default=strawberry.UNSET, description="New summary.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="New description."
    )
    skill: str | None = strawberry.field(default=strawberry.UNSET, description="New skill.")
    level: ClassLevel | None = strawberry.field(default=strawberry.UNSET, description="New level.")
    free_preview: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Turn the first lesson's free preview on or off."
    )


@strawberry.input(description="Names a class.")
class ClassIdInput:
    id: strawberry.ID = strawberry.field(description="The class's ID.")


@strawberry.input(description="Adds or removes a co-instructor.")
class ClassInstructorInput:
    class_id: strawberry.ID = strawberry.field(description="The class.")
    member_id: strawberry.ID = strawberry.field(description="The member.")


@strawberry.input(description="A new lesson, appended after the class's last lesson.")
class AddLessonInput:
    class_id: strawberry.ID = strawberry.field(description="The class.")
    title: str = strawberry.field(description=f"At most {MAX_TITLE} characters.")
    body: str = strawberry.field(default="", description="The instructions (Markdown).")
    prompt: str = strawberry.field(default="", description="The call to action for learners.")
    video_record_id: strawberry.ID | None = strawberry.field(
        default=None, description="A published film record with the video instructions."
    )


@strawberry.input(description="Changes to a lesson; omitted fields stay as they are.")
class UpdateLessonInput:
    id: strawberry.ID = strawberry.field(description="The lesson.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title.")
    body: str | None = strawberry.field(default=strawberry.UNSET, description="New instructions.")
    prompt: str | None = strawberry.field(default=strawberry.UNSET, description="New prompt.")
    video_record_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A published film record; null removes the video."
    )


@strawberry.input(description="Move a lesson to another place in its class.")
class MoveLessonInput:
    lesson_id: strawberry.ID = strawberry.field(description="The lesson.")
    position: int = strawberry.field(description="The new 1-based position, 1..lesson count.")


@strawberry.input(description="Names a lesson.")
class LessonIdInput:
    lesson_id: strawberry.ID = strawberry.field(description="The lesson.")


@strawberry.input(description="Names a class to enroll in or leave.")
class EnrollInput:
    class_id: strawberry.ID = strawberry.field(description="The class.")


@strawberry.input(description="Answer a lesson with one of your published records.")
class SubmitToLessonInput:
    lesson_id: strawberry.ID = strawberry.field(description="The lesson.")
    record_id: strawberry.ID = strawberry.field(description="Your published record.")


@strawberry.input(description="A message in a submission's feedback thread.")
class GiveFeedbackInput:
    submission_id: strawberry.ID = strawberry.field(description="The submission.")
    body: str = strawberry.field(description=f"At most {MAX_FEEDBACK:,} characters.")


@strawberry.type(description="The class after the mutation, or the errors that stopped it.")
class ClassPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if so.",
                                              directives=sized_list(MAX_USER_ERRORS))
    class_: Class | None = strawberry.field(default=None, name="class", description="The class.")


@strawberry.type(description="The lesson after the mutation, or the errors that stopped it.")
class LessonPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if so.",
                                              directives=sized_list(MAX_USER_ERRORS))
    lesson: Lesson | None = strawberry.field(default=None, description="The lesson.")


@strawberry.type(description="The class without the removed lesson, or the errors.")
class RemoveLessonPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if so.",
                                              directives=sized_list(MAX_USER_ERRORS))
    removed_lesson_id: strawberry.ID | None = strawberry.field(
        default=None, description="The ID the removed lesson had."
    )
    class_: Class | None = strawberry.field(default=None, name="class",
                                            description="The class, renumbered.")


@strawberry.type(description="Your enrollment after the mutation, or the errors.")
class EnrollmentPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if so.",
                                              directives=sized_list(MAX_USER_ERRORS))
    enrollment: Enrollment | None = strawberry.field(default=None, description="The enrollment.")


@strawberry.type(description="The lesson you completed and your progress, or the errors.")
class CompleteLessonPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if so.",
                                              directives=sized_list(MAX_USER_ERRORS))
    lesson: Lesson | None = strawberry.field(default=None, description="The lesson.")
    enrollment: Enrollment | None = strawberry.field(default=None, description="Your progress.")


@strawberry.type(description="The new submission, or the errors that stopped it.")
class SubmissionPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if so.",
                                              directives=sized_list(MAX_USER_ERRORS))
    submission: Submission | None = strawberry.field(default=None, description="The submission.")


@strawberry.type(description="The new feedback, or the errors that stopped it.")
class FeedbackPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written, if so.",
                                              directives=sized_list(MAX_USER_ERRORS))
    feedback: Feedback | None = strawberry.field(default=None, description="The feedback.")


# --- shared checks ------------------------------------------------------------------------------


def slugify(title: str) -> str:
    """``"Writing a Verse: 101"`` → ``"writing-a-verse-101"`` (ASCII, at most 60 characters)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:store.MAX_SLUG].strip("-")
    return slug or "class"


def unique_slug(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _event(kind: str, context: Context, type_name: str, pk: int, **payload: Any) -> Event:
    return Event(kind=kind, subject=encode_id(type_name, pk), actor=context.viewer_global_id,
                 payload=payload)


async def _locked_class(tx: Executor, context: Context, class_id: int, field: str) -> tuple[Any, list[int]]:
    """The class, locked for this transaction, and its instructors' ids; NOT_FOUND unless the
    viewer may see it."""
    row = await store.class_for_update(tx, class_id)
    teachers = await store.instructor_ids(tx, class_id) if row is not None else []
    hidden = row is not None and row["status"] == "DRAFT" and not (
        context.is_admin or context.viewer_id in teachers
    )
    if row is None or hidden:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such class.", field)
    return row, teachers


def _require_teacher(context: Context, teachers: list[int]) -> None:
    if context.viewer_id not in teachers and not context.is_admin:
        raise Forbidden("Only the class's instructors can do this.")


async def _class_to_edit(tx: Executor, context: Context, global_id: str, field: str) -> Any:
    row, teachers = await _locked_class(tx, context, input_pk(global_id, "Class", field), field)
    _require_teacher(context, teachers)
    return row


async def _lesson_in_locked_class(
    tx: Executor, context: Context, global_id: str, field: str,
) -> tuple[Any, Any, list[int]]:
    """(class, lesson, instructor ids) with the class locked; the lesson is read after the lock,
    so its position is current."""
    lesson_id = input_pk(global_id, "Lesson", field)
    lesson = await store.lesson_by_id(tx, lesson_id)
    if lesson is None:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such lesson.", field)
    class_row, teachers = await _locked_class(tx, context, lesson["class_id"], field)
    lesson = await store.lesson_by_id(tx, lesson_id)
    if lesson is None:  # removed while we waited for the lock
        raise InputProblem(ErrorCode.NOT_FOUND, "No such lesson.", field)
    return class_row, lesson, teachers


async def _video(tx: Executor, global_id: str | None) -> int | None:
    """The record id of a lesson video: a published film record (INVALID_VIDEO otherwise)."""
    if global_id is None:
        return None
    record_id = input_pk(global_id, "Record", "videoRecordId")
    rows = await record_store.records_by_ids(tx, [record_id])
    row = rows[0] if rows else None
    if row is None or row["deleted_at"] is not None or row["status"] != "PUBLISHED":
        raise InputProblem(ErrorCode.INVALID_VIDEO, "The video must be a published record.",
                           "videoRecordId")
    if row["media_type"] != VIDEO_MEDIA_TYPE:
        raise InputProblem(ErrorCode.INVALID_VIDEO, "The video must be a film record; this one "
                           f"is {row['media_type']!r}.", "videoRecordId")
    return record_id


def _class_fields(input: Any) -> dict[str, Any]:
    """Cleaned columns from a create or update input (UNSET and null fields are skipped);
    the problems of every field are raised together."""
    given = {name: getattr(input, name) for name in
             ("title", "summary", "description", "skill", "level", "free_preview")}
    given = {k: v for k, v in given.items() if v not in (None, strawberry.UNSET)}
    problems = Problems()
    changes: dict[str, Any] = {}
    if "title" in given:
        changes["title"] = problems.check(clean_text, given["title"], "title",
                                          max_length=MAX_TITLE, required=True)
    if "summary" in given:
        changes["summary"] = problems.check(clean_text, given["summary"], "summary",
                                            max_length=MAX_SUMMARY)
    if "description" in given:
        changes["description"] = problems.check(clean_text, given["description"], "description",
                                                max_length=MAX_DESCRIPTION)
    if "skill" in given:
        skills = problems.check(clean_labels, [given["skill"]], "skill", max_items=1,
                                max_length=MAX_SKILL)
        changes["skill"] = skills[0] if skills else None
    if "level" in given:
        changes["level"] = given["level"].value
    if "free_preview" in given:
        changes["free_preview"] = given["free_preview"]
    problems.raise_any()
    return changes


def _lesson_fields(input: Any, problems: Problems) -> dict[str, Any]:
    """Cleaned columns from a lesson input; each problem is noted in ``problems``."""
    changes: dict[str, Any] = {}
    if input.title not in (None, strawberry.UNSET):
        changes["title"] = problems.check(clean_text, input.title, "title",
                                          max_length=MAX_TITLE, required=True)
    if input.body not in (None, strawberry.UNSET):
        changes["body"] = problems.check(clean_text, input.body, "body",
                                         max_length=MAX_LESSON_BODY)
    if input.prompt not in (None, strawberry.UNSET):
        changes["prompt"] = problems.check(clean_text, input.prompt, "prompt",
                                           max_length=MAX_PROMPT)
    return changes


# --- classes ------------------------------------------------------------------------------------


async def create_class(context: Context, input: CreateClassInput) -> ClassPayload:
    creator = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        fields = _class_fields(input)
        slug = unique_slug(slugify(fields["title"]), await store.taken_slugs(tx, slugify(fields["title"])))
        row = await store.insert_class(
            tx, slug=slug, title=fields["title"], summary=fields.get("summary", ""),
            description=fields.get("description", ""), skill=fields["skill"],
            level=fields["level"], free_preview=fields.get("free_preview", False),
            created_by=creator,
        )
        return Outcome({"class_": Class.from_row(row)},
                       [_event("class.created", context, "Class", row["id"], slug=slug)])

    return await run_mutation(context, ClassPayload, work)


async def update_class(context: Context, input: UpdateClassInput) -> ClassPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row = await _class_to_edit(tx, context, input.id, "id")
        changes = _class_fields(input)
        if changes:
            row = await store.update_class(tx, row["id"], changes)
        return Outcome({"class_": Class.from_row(row)},
                       [_event("class.updated", context, "Class", row["id"])])

    return await run_mutation(context, ClassPayload, work)


async def publish_class(context: Context, input: ClassIdInput) -> ClassPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row = await _class_to_edit(tx, context, input.id, "id")
        if row["status"] == "PUBLISHED":
            return Outcome({"class_": Class.from_row(row)})
        if await store.lesson_count(tx, row["id"]) == 0:
            raise InputProblem(ErrorCode.INVALID_STATE,
                               "Add at least one lesson before publishing the class.", "id")
        row = await store.update_class(tx, row["id"], {
            "status": "PUBLISHED", "published_at": row["published_at"] or dt.datetime.now(dt.UTC),
        })
        return Outcome({"class_": Class.from_row(row)},
                       [_event("class.published", context, "Class", row["id"])])

    return await run_mutation(context, ClassPayload, work)


async def archive_class(context: Context, input: ClassIdInput) -> ClassPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row = await _class_to_edit(tx, context, input.id, "id")
        if row["status"] == "ARCHIVED":
            return Outcome({"class_": Class.from_row(row)})
        if row["status"] != "PUBLISHED":
            raise InputProblem(ErrorCode.INVALID_STATE,
                               "Only a published class can be archived; this one is a draft.", "id")
        row = await store.update_class(tx, row["id"], {"status": "ARCHIVED"})
        return Outcome({"class_": Class.from_row(row)},
                       [_event("class.archived", context, "Class", row["id"])])

    return await run_mutation(context, ClassPayload, work)


async def add_instructor(context: Context, input: ClassInstructorInput) -> ClassPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row, teachers = await _locked_class(tx, context, input_pk(input.class_id, "Class", "classId"),
                                            "classId")
        _require_teacher(context, teachers)
        member_id = input_pk(input.member_id, "Member", "memberId")
        if not await member_store.members_by_ids(tx, [member_id]):
            raise InputProblem(ErrorCode.NOT_FOUND, "No such member.", "memberId")
        if member_id not in teachers and len(teachers) >= MAX_INSTRUCTORS:
            raise InputProblem(ErrorCode.INVALID_STATE,
                               f"A class has at most {MAX_INSTRUCTORS} instructors.", "memberId")
        await store.add_instructor(tx, row["id"], member_id)
        return Outcome({"class_": Class.from_row(row)},
                       [_event("class.instructor_added", context, "Class", row["id"],
                               member=encode_id("Member", member_id))])

    return await run_mutation(context, ClassPayload, work)


async def remove_instructor(context: Context, input: ClassInstructorInput) -> ClassPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row, teachers = await _locked_class(tx, context, input_pk(input.class_id, "Class", "classId"),
                                            "classId")
        _require_teacher(context, teachers)
        member_id = input_pk(input.member_id, "Member", "memberId")
        if member_id not in teachers:
            raise InputProblem(ErrorCode.NOT_FOUND, "That member does not teach this class.",
                               "memberId")
        if len(teachers) == 1:
            raise InputProblem(ErrorCode.INVALID_STATE, "A class keeps at least one instructor.",
                               "memberId")
        await store.remove_instructor(tx, row["id"], member_id)
        return Outcome({"class_": Class.from_row(row)})

    return await run_mutation(context, ClassPayload, work)


# --- lessons ------------------------------------------------------------------------------------


async def add_lesson(context: Context, input: AddLessonInput) -> LessonPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        class_row = await _class_to_edit(tx, context, input.class_id, "classId")
        problems = Problems()
        fields = _lesson_fields(input, problems)
        video = None
        with problems.collecting():
            video = await _video(tx, input.video_record_id)
        problems.raise_any()
        if await store.lesson_count(tx, class_row["id"]) >= MAX_LESSONS:
            raise InputProblem(ErrorCode.INVALID_STATE,
                               f"A class has at most {MAX_LESSONS} lessons.", "classId")
        row = await store.insert_lesson(
            tx, class_id=class_row["id"], title=fields["title"], body=fields.get("body", ""),
            prompt=fields.get("prompt", ""), video_record_id=video,
        )
        return Outcome({"lesson": Lesson.from_row(row, readable=True)},
                       [_event("lesson.added", context, "Lesson", row["id"],
                               **{"class": encode_id("Class", class_row["id"])})])

    return await run_mutation(context, LessonPayload, work)


async def update_lesson(context: Context, input: UpdateLessonInput) -> LessonPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        _, lesson, teachers = await _lesson_in_locked_class(tx, context, input.id, "id")
        _require_teacher(context, teachers)
        problems = Problems()
        changes = _lesson_fields(input, problems)
        if input.video_record_id is not strawberry.UNSET:
            with problems.collecting():
                changes["video_record_id"] = await _video(tx, input.video_record_id)
        problems.raise_any()
        if changes:
            lesson = await store.update_lesson(tx, lesson["id"], changes)
        return Outcome({"lesson": Lesson.from_row(lesson, readable=True)})

    return await run_mutation(context, LessonPayload, work)


async def move_lesson(context: Context, input: MoveLessonInput) -> LessonPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        class_row, lesson, teachers = await _lesson_in_locked_class(
            tx, context, input.lesson_id, "lessonId"
        )
        _require_teacher(context, teachers)
        count = await store.lesson_count(tx, class_row["id"])
        if not 1 <= input.position <= count:
            raise InputProblem(
                ErrorCode.INVALID_POSITION,
                f"position must be between 1 and {count} (the class has {count} lessons); "
                f"got {input.position}.", "position",
            )
        if input.position != lesson["position"]:
            await store.move_lesson(tx, class_row["id"], lesson["id"], lesson["position"],
                                    input.position)
            lesson = await store.lesson_by_id(tx, lesson["id"])
        return Outcome({"lesson": Lesson.from_row(lesson, readable=True)})

    return await run_mutation(context, LessonPayload, work)


async def remove_lesson(context: Context, input: LessonIdInput) -> RemoveLessonPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        class_row, lesson, teachers = await _lesson_in_locked_class(
            tx, context, input.lesson_id, "lessonId"
        )
        _require_teacher(context, teachers)
        submitted = await store.submission_count_of_lesson(tx, lesson["id"])
        if submitted:
            raise InputProblem(
                ErrorCode.INVALID_STATE,
                f"This lesson has {submitted} submission(s); learners' work keeps it in place. "
                "Edit it instead.", "lessonId",
            )
        await store.delete_lesson(tx, lesson)
        return Outcome(
            {"class_": Class.from_row(class_row),
             "removed_lesson_id": strawberry.ID(encode_id("Lesson", lesson["id"]))},
            [_event("lesson.removed", context, "Lesson", lesson["id"])],
        )

    return await run_mutation(context, RemoveLessonPayload, work)


# --- enrollment ---------------------------------------------------------------------------------


async def _require_subscription(tx: Executor, member_id: int) -> None:
    """Inside the transaction, with the subscription row locked against concurrent changes."""
    if not counts_as_active(await subscription_for_share(tx, member_id)):
        raise InputProblem(ErrorCode.SUBSCRIPTION_REQUIRED,
                           "This needs an active subscription.", None)


async def enroll(context: Context, input: EnrollInput) -> EnrollmentPayload:
    member_id = context.require_viewer()
    if not await viewer_subscription_active(context):
        # Billing plugins may know better (a payment that just went through); ask them before
        # the transaction, as they may take a network round trip.
        assert context.viewer_row is not None
        await refresh_from_billing(context, member_id, context.viewer_row["handle"])

    async def work(tx: Executor) -> Outcome:
        class_row, teachers = await _locked_class(
            tx, context, input_pk(input.class_id, "Class", "classId"), "classId"
        )
        if class_row["status"] != "PUBLISHED":
            state = "archived" if class_row["status"] == "ARCHIVED" else "not published yet"
            raise InputProblem(ErrorCode.INVALID_STATE,
                               f"This class is {state}; it takes no enrollments.", "classId")
        if member_id in teachers:
            raise InputProblem(ErrorCode.INVALID_STATE,
                               "You teach this class; instructors do not enroll.", "classId")
        if await store.enrollment_for_update(tx, class_row["id"], member_id):
            raise InputProblem(ErrorCode.ALREADY_ENROLLED,
                               "You are already enrolled in this class.", "classId")
        await _require_subscription(tx, member_id)
        enrollment_id = await store.insert_enrollment(tx, class_row["id"], member_id)
        row = (await store.enrollments_by_ids(tx, [enrollment_id]))[0]
        return Outcome({"enrollment": Enrollment.from_row(row)},
                       [_event("enrollment.created", context, "Enrollment", enrollment_id,
                               **{"class": encode_id("Class", class_row["id"])})])

    return await run_mutation(context, EnrollmentPayload, work)


async def leave_class(context: Context, input: EnrollInput) -> ClassPayload:
    member_id = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        class_row, _ = await _locked_class(
            tx, context, input_pk(input.class_id, "Class", "classId"), "classId"
        )
        enrollment = await store.enrollment_for_update(tx, class_row["id"], member_id)
        if enrollment is None:
            raise InputProblem(ErrorCode.NOT_ENROLLED, "You are not enrolled in this class.",
                               "classId")
        await store.delete_enrollment(tx, enrollment["id"])
        return Outcome({"class_": Class.from_row(class_row)},
                       [_event("enrollment.left", context, "Enrollment", enrollment["id"])])

    return await run_mutation(context, ClassPayload, work)


async def _enrolled_lesson(
    tx: Executor, context: Context, global_id: str, field: str,
) -> tuple[Any, Any, int]:
    """(class, lesson, enrollment id) for a lesson the viewer learns with an active subscription."""
    member_id = context.require_viewer()
    class_row, lesson, _ = await _lesson_in_locked_class(tx, context, global_id, field)
    enrollment = await store.enrollment_for_update(tx, class_row["id"], member_id)
    if enrollment is None:
        raise InputProblem(ErrorCode.NOT_ENROLLED, "Enroll in the class first.", field)
    await _require_subscription(tx, member_id)
    return class_row, lesson, enrollment["id"]


async def complete_lesson(context: Context, input: LessonIdInput) -> CompleteLessonPayload:
    member_id = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        _, lesson, enrollment_id = await _enrolled_lesson(tx, context, input.lesson_id, "lessonId")
        await store.insert_completion(tx, member_id, lesson["id"])
        enrollment = (await store.enrollments_by_ids(tx, [enrollment_id]))[0]
        return Outcome({"lesson": Lesson.from_row(lesson, readable=True),
                        "enrollment": Enrollment.from_row(enrollment)})

    return await run_mutation(context, CompleteLessonPayload, work)


# --- submissions and feedback -------------------------------------------------------------------


async def _own_published_record(tx: Executor, member_id: int, global_id: str) -> int:
    record_id = input_pk(global_id, "Record", "recordId")
    rows = await record_store.records_by_ids(tx, [record_id], member_id)
    row = rows[0] if rows else None
    if row is None or not row["_visible"]:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such record.", "recordId")
    if row["author_id"] != member_id:
        raise InputProblem(ErrorCode.NOT_YOUR_RECORD,
                           "You can only submit your own records.", "recordId")
    if row["status"] != "PUBLISHED":
        raise InputProblem(ErrorCode.RECORD_NOT_PUBLISHED,
                           "Publish the record before submitting it.", "recordId")
    return record_id


async def submit_to_lesson(context: Context, input: SubmitToLessonInput) -> SubmissionPayload:
    member_id = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        class_row, lesson, _ = await _enrolled_lesson(tx, context, input.lesson_id, "lessonId")
        record_id = await _own_published_record(tx, member_id, input.record_id)
        row = await store.insert_submission(tx, class_row["id"], lesson["id"], member_id, record_id)
        if row is None:
            raise InputProblem(ErrorCode.ALREADY_SUBMITTED,
                               "This record is already submitted to this lesson.", "recordId")
        return Outcome({"submission": Submission.from_row(row)},
                       [_event("submission.created", context, "Submission", row["id"],
                               lesson=encode_id("Lesson", lesson["id"]),
                               record=encode_id("Record", record_id))])

    return await run_mutation(context, SubmissionPayload, work)


async def give_feedback(context: Context, input: GiveFeedbackInput) -> FeedbackPayload:
    author_id = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        submission_id = input_pk(input.submission_id, "Submission", "submissionId")
        rows = await store.submissions_by_ids(tx, [submission_id])
        if not rows:
            raise InputProblem(ErrorCode.NOT_FOUND, "No such submission.", "submissionId")
        class_row, teachers = await _locked_class(tx, context, rows[0]["class_id"], "submissionId")
        enrolled = await store.enrollment_for_update(tx, class_row["id"], author_id)
        if author_id not in teachers and enrolled is None:
            raise Forbidden("Only the class's instructors and learners can give feedback.")
        body = clean_text(input.body, "body", max_length=MAX_FEEDBACK, required=True)
        row = await store.insert_feedback(tx, submission_id, author_id, body)
        return Outcome({"feedback": Feedback.from_row(row)},
                       [_event("feedback.given", context, "Feedback", row["id"],
                               submission=encode_id("Submission", submission_id))])

    return await run_mutation(context, FeedbackPayload, work)



@strawberry.type
class ClassesMutation:
    @strawberry.mutation(description="Create a class as a DRAFT; you become its instructor.")
    async def create_class(self, info: Info, input: CreateClassInput) -> ClassPayload:
        return await create_class(info.context, input)

    @strawberry.mutation(description="Change a class you teach (the slug stays).")
    async def update_class(self, info: Info, input: UpdateClassInput) -> ClassPayload:
        return await update_class(info.context, input)

    @strawberry.mutation(description="Publish a class you teach (it needs a lesson); an "
                         "archived class reopens.")
    async def publish_class(self, info: Info, input: ClassIdInput) -> ClassPayload:
        return await publish_class(info.context, input)

    @strawberry.mutation(description="Archive a published class you teach: it stays visible "
                         "but takes no new enrollments.")
    async def archive_class(self, info: Info, input: ClassIdInput) -> ClassPayload:
        return await archive_class(info.context, input)

    @strawberry.mutation(description="Add a co-instructor to a class you teach.")
    async def add_instructor(self, info: Info, input: ClassInstructorInput) -> ClassPayload:
        return await add_instructor(info.context, input)

    @strawberry.mutation(description="Remove an instructor from a class you teach (one stays).")
    async def remove_instructor(self, info: Info, input: ClassInstructorInput) -> ClassPayload:
        return await remove_instructor(info.context, input)

    @strawberry.mutation(description="Append a lesson to a class you teach.")
    async def add_lesson(self, info: Info, input: AddLessonInput) -> LessonPayload:
        return await add_lesson(info.context, input)

    @strawberry.mutation(description="Change a lesson of a class you teach.")
    async def update_lesson(self, info: Info, input: UpdateLessonInput) -> LessonPayload:
        return await update_lesson(info.context, input)

    @strawberry.mutation(description="Move a lesson to a 1-based position; the others shift so "
                         "positions stay 1..n (INVALID_POSITION outside that range).")
    async def move_lesson(self, info: Info, input: MoveLessonInput) -> LessonPayload:
        return await move_lesson(info.context, input)

    @strawberry.mutation(description="Remove a lesson without submissions; later lessons move up.")
    async def remove_lesson(self, info: Info, input: LessonIdInput) -> RemoveLessonPayload:
        return await remove_lesson(info.context, input)

    @strawberry.mutation(description="Enroll in a published class (needs an active "
                         "subscription: SUBSCRIPTION_REQUIRED; ALREADY_ENROLLED if you are).")
    async def enroll(self, info: Info, input: EnrollInput) -> EnrollmentPayload:
        return await enroll(info.context, input)

    @strawberry.mutation(description="Leave a class (your completions and submissions are kept).")
    async def leave_class(self, info: Info, input: EnrollInput) -> ClassPayload:
        return await leave_class(info.context, input)

    @strawberry.mutation(description="Mark a lesson of a class you take as complete.")
    async def complete_lesson(self, info: Info, input: LessonIdInput) -> CompleteLessonPayload:
        return await complete_lesson(info.context, input)

    @strawberry.mutation(description="Answer a lesson with your own published record.")
    async def submit_to_lesson(self, info: Info, input: SubmitToLessonInput) -> SubmissionPayload:
        return await submit_to_lesson(info.context, input)

    @strawberry.mutation(description="Give feedback on a submission in a class you teach or take.")
    async def give_feedback(self, info: Info, input: GiveFeedbackInput) -> FeedbackPayload:
        return await give_feedback(info.context, input)
