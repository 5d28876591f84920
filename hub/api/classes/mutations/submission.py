"""Mutation of a learner's submission: answer a lesson with one's own published record."""

from __future__ import annotations

import strawberry

from hub.api.classes.mutations.common import ERRORS, event
from hub.api.classes.mutations.enrollment import enrolled_lesson
from hub.api.classes.types import Submission
from hub.api.context import Context
from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.relay import encode_id
from hub.domain.classes import services, store


@strawberry.input(description="Answer a lesson with one of your published records.")
class SubmitToLessonInput:
    lesson_id: strawberry.ID = strawberry.field(description="The lesson.")
    record_id: strawberry.ID = strawberry.field(description="Your published record.")


@strawberry.type(description="The new submission, or the errors that stopped it.")
class SubmissionPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS,
                                              directives=sized_list(MAX_USER_ERRORS))
    submission: Submission | None = strawberry.field(
        default=None, description="The new submission; null when `errors` is not empty.")


async def submit_to_lesson(context: Context, input: SubmitToLessonInput) -> SubmissionPayload:
    member_id = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        class_row, lesson, _ = await enrolled_lesson(tx, context, input.lesson_id, "lessonId")
        record_id = await services.own_published_record(tx, member_id, input.record_id)
        row = await store.insert_submission(tx, class_row["id"], lesson["id"], member_id, record_id)
        if row is None:
            raise InputProblem(ErrorCode.ALREADY_SUBMITTED,
                               "This record is already submitted to this lesson.", "recordId")
        return Outcome({"submission": Submission.from_row(row)},
                       [event("submission.created", context, "Submission", row["id"],
                              lesson=encode_id("Lesson", lesson["id"]),
                              record=encode_id("Record", record_id))])

    return await run_mutation(context, SubmissionPayload, work)
