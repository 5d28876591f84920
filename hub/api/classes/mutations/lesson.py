"""Mutations of a class's lessons: add, update, move, remove (positions stay 1..n; the class
row is locked first, hub/domain/classes/services.py)."""

from __future__ import annotations

import strawberry

from hub.api.classes.mutations.common import ERRORS, actor, event, given
from hub.api.classes.types import Class, Lesson
from hub.api.context import Context
from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.relay import encode_id
from hub.core.validation import Problems
from hub.domain.classes import services, store
from hub.domain.classes.rules import MAX_LESSONS
from hub.domain.classes.services import MAX_TITLE

LESSON_FIELDS = ("title", "body", "prompt")


@strawberry.input(description="A new lesson, appended after the class's last lesson.")
class AddLessonInput:
    class_id: strawberry.ID = strawberry.field(description="The class.")
    title: str = strawberry.field(description=f"At most {MAX_TITLE} characters.")
    body: str = strawberry.field(default="", description="The instructions (Markdown).")
    prompt: str = strawberry.field(default="", description="The call to action for learners.")
    video_record_id: strawberry.ID | None = strawberry.field(
        default=None, description="A published film record with the video instructions; "
        "omitted or null: no video."
    )


@strawberry.input(description="Changes to a lesson; omitted fields stay as they are.")
class UpdateLessonInput:
    id: strawberry.ID = strawberry.field(description="The lesson.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title; "
                                         "omitted or null keeps it.")
    body: str | None = strawberry.field(default=strawberry.UNSET, description="New "
                                        "instructions; omitted or null keeps them.")
    prompt: str | None = strawberry.field(default=strawberry.UNSET, description="New "
                                          "prompt; omitted or null keeps it.")
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


@strawberry.type(description="The lesson after the mutation, or the errors that stopped it.")
class LessonPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS,
                                              directives=sized_list(MAX_USER_ERRORS))
    lesson: Lesson | None = strawberry.field(
        default=None,
        description="The lesson after the mutation (readable: you teach it); null when "
        "`errors` is not empty.")


@strawberry.type(description="The class without the removed lesson, or the errors.")
class RemoveLessonPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS,
                                              directives=sized_list(MAX_USER_ERRORS))
    removed_lesson_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global ID the removed lesson had (drop it from caches); "
        "null when `errors` is not empty."
    )
    class_: Class | None = strawberry.field(default=None, name="class",
                                            description="The class, its later lessons moved up one "
                                            "position; null when `errors` is not empty.")


async def add_lesson(context: Context, input: AddLessonInput) -> LessonPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        class_row = await services.class_to_edit(tx, actor(context), input.class_id, "classId")
        problems = Problems()
        fields = services.lesson_fields(given(input, LESSON_FIELDS), problems)
        video = None
        with problems.collecting():
            video = await services.video(tx, input.video_record_id)
        problems.raise_any()
        if await store.lesson_count(tx, class_row["id"]) >= MAX_LESSONS:
            raise InputProblem(ErrorCode.INVALID_STATE,
                               f"A class has at most {MAX_LESSONS} lessons.", "classId")
        row = await store.insert_lesson(
            tx, class_id=class_row["id"], title=fields["title"], body=fields.get("body", ""),
            prompt=fields.get("prompt", ""), video_record_id=video,
        )
        return Outcome({"lesson": Lesson.from_row(row, readable=True)},
                       [event("lesson.added", context, "Lesson", row["id"],
                              **{"class": encode_id("Class", class_row["id"])})])

    return await run_mutation(context, LessonPayload, work)


async def update_lesson(context: Context, input: UpdateLessonInput) -> LessonPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        _, lesson, teachers = await services.lesson_in_locked_class(
            tx, actor(context), input.id, "id")
        services.require_teacher(actor(context), teachers)
        problems = Problems()
        changes = services.lesson_fields(given(input, LESSON_FIELDS), problems)
        if input.video_record_id is not strawberry.UNSET:
            with problems.collecting():
                changes["video_record_id"] = await services.video(tx, input.video_record_id)
        problems.raise_any()
        if not changes:
            return Outcome({"lesson": Lesson.from_row(lesson, readable=True)})
        lesson = await store.update_lesson(tx, lesson["id"], changes)
        return Outcome({"lesson": Lesson.from_row(lesson, readable=True)},
                       [event("lesson.updated", context, "Lesson", lesson["id"])])

    return await run_mutation(context, LessonPayload, work)


async def move_lesson(context: Context, input: MoveLessonInput) -> LessonPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        class_row, lesson, teachers = await services.lesson_in_locked_class(
            tx, actor(context), input.lesson_id, "lessonId"
        )
        services.require_teacher(actor(context), teachers)
        count = await store.lesson_count(tx, class_row["id"])
        if not 1 <= input.position <= count:
            raise InputProblem(
                ErrorCode.INVALID_POSITION,
                f"position must be between 1 and {count} (the class has {count} lessons); "
                f"got {input.position}.", "position",
            )
        if input.position == lesson["position"]:
            return Outcome({"lesson": Lesson.from_row(lesson, readable=True)})
        await store.move_lesson(tx, class_row["id"], lesson["id"], lesson["position"],
                                input.position)
        moved = event("lesson.moved", context, "Lesson", lesson["id"], position=input.position)
        lesson = await store.lesson_by_id(tx, lesson["id"])
        return Outcome({"lesson": Lesson.from_row(lesson, readable=True)}, [moved])

    return await run_mutation(context, LessonPayload, work)


async def remove_lesson(context: Context, input: LessonIdInput) -> RemoveLessonPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        class_row, lesson, teachers = await services.lesson_in_locked_class(
            tx, actor(context), input.lesson_id, "lessonId"
        )
        services.require_teacher(actor(context), teachers)
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
            [event("lesson.removed", context, "Lesson", lesson["id"])],
        )

    return await run_mutation(context, RemoveLessonPayload, work)
