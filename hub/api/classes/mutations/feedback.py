"""Mutation of a submission's feedback thread: give feedback (instructors and learners)."""

from __future__ import annotations

import strawberry

from hub.api.classes.mutations.common import ERRORS, actor, event
from hub.api.classes.types import Feedback
from hub.api.context import Context
from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.core.relay import encode_id, input_pk
from hub.core.validation import clean_text
from hub.domain.classes import services, store
from hub.domain.classes.services import MAX_FEEDBACK


@strawberry.input(description="A message in a submission's feedback thread.")
class GiveFeedbackInput:
    submission_id: strawberry.ID = strawberry.field(description="The submission.")
    body: str = strawberry.field(description=f"At most {MAX_FEEDBACK:,} characters.")


@strawberry.type(description="The new feedback, or the errors that stopped it.")
class FeedbackPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS,
                                              directives=sized_list(MAX_USER_ERRORS))
    feedback: Feedback | None = strawberry.field(
        default=None, description="The new feedback; null when `errors` is not empty.")


async def give_feedback(context: Context, input: GiveFeedbackInput) -> FeedbackPayload:
    author_id = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        submission_id = input_pk(input.submission_id, "Submission", "submissionId")
        rows = await store.submissions_by_ids(tx, [submission_id])
        if not rows:
            raise InputProblem(ErrorCode.NOT_FOUND, "No such submission.", "submissionId")
        class_row, teachers = await services.locked_class(
            tx, actor(context), rows[0]["class_id"], "submissionId")
        enrolled = await store.enrollment_for_update(tx, class_row["id"], author_id)
        if author_id not in teachers and enrolled is None:
            raise Forbidden("Only the class's instructors and learners can give feedback.")
        body = clean_text(input.body, "body", max_length=MAX_FEEDBACK, required=True)
        row = await store.insert_feedback(tx, submission_id, author_id, body)
        return Outcome({"feedback": Feedback.from_row(row)},
                       [event("feedback.given", context, "Feedback", row["id"],
                              submission=encode_id("Submission", submission_id))])

    return await run_mutation(context, FeedbackPayload, work)
