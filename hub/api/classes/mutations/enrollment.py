"""Mutations of a learner's enrollment: enroll, leave, complete a lesson.

The subscription checks stay here, beside the members slice's subscription API they call
(hub/api/members/subscription.py: its rule, its billing plugins)."""

from __future__ import annotations

from typing import Any

import strawberry

from hub.api.classes.mutations.class_ import ClassPayload
from hub.api.classes.mutations.common import ERRORS, actor, event
from hub.api.classes.mutations.lesson import LessonIdInput
from hub.api.classes.types import Class, Enrollment, Lesson
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
from hub.core.errors import ErrorCode, InputProblem
from hub.core.relay import encode_id, input_pk
from hub.domain.classes import services, store


@strawberry.input(description="Names a class to enroll in or leave.")
class EnrollInput:
    class_id: strawberry.ID = strawberry.field(description="The class.")


@strawberry.type(description="Your enrollment after the mutation, or the errors.")
class EnrollmentPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS,
                                              directives=sized_list(MAX_USER_ERRORS))
    enrollment: Enrollment | None = strawberry.field(
        default=None, description="Your new enrollment; null when `errors` is not empty.")


@strawberry.type(description="The lesson you completed and your progress, or the errors.")
class CompleteLessonPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS,
                                              directives=sized_list(MAX_USER_ERRORS))
    lesson: Lesson | None = strawberry.field(
        default=None, description="The lesson you completed; null when `errors` is not empty.")
    enrollment: Enrollment | None = strawberry.field(
        default=None,
        description="Your enrollment with its new progress; null when `errors` is not empty.")


async def require_subscription(tx: Executor, member_id: int) -> None:
    """Inside the transaction, with the subscription row locked against concurrent changes."""
    if not counts_as_active(await subscription_for_share(tx, member_id)):
        raise InputProblem(ErrorCode.SUBSCRIPTION_REQUIRED,
                           "This needs an active subscription.", None)


async def enrolled_lesson(
    tx: Executor, context: Context, global_id: str, field: str,
) -> tuple[Any, Any, int]:
    """(class, lesson, enrollment id) for a lesson the viewer learns with an active subscription."""
    member_id = context.require_viewer()
    class_row, lesson, _ = await services.lesson_in_locked_class(
        tx, actor(context), global_id, field)
    enrollment = await store.enrollment_for_update(tx, class_row["id"], member_id)
    if enrollment is None:
        raise InputProblem(ErrorCode.NOT_ENROLLED, "Enroll in the class first.", field)
    await require_subscription(tx, member_id)
    return class_row, lesson, enrollment["id"]


async def enroll(context: Context, input: EnrollInput) -> EnrollmentPayload:
    member_id = context.require_viewer()
    if not await viewer_subscription_active(context):
        # Billing plugins may know better (a payment that just went through); ask them before
        # the transaction, as they may take a network round trip.
        assert context.viewer_row is not None
        await refresh_from_billing(context, member_id, context.viewer_row["handle"])

    async def work(tx: Executor) -> Outcome:
        class_row, teachers = await services.locked_class(
            tx, actor(context), input_pk(input.class_id, "Class", "classId"), "classId"
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
        await require_subscription(tx, member_id)
        enrollment_id = await store.insert_enrollment(tx, class_row["id"], member_id)
        row = (await store.enrollments_by_ids(tx, [enrollment_id]))[0]
        return Outcome({"enrollment": Enrollment.from_row(row)},
                       [event("enrollment.created", context, "Enrollment", enrollment_id,
                              **{"class": encode_id("Class", class_row["id"])})])

    return await run_mutation(context, EnrollmentPayload, work)


async def leave_class(context: Context, input: EnrollInput) -> ClassPayload:
    member_id = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        class_row, _ = await services.locked_class(
            tx, actor(context), input_pk(input.class_id, "Class", "classId"), "classId"
        )
        enrollment = await store.enrollment_for_update(tx, class_row["id"], member_id)
        if enrollment is None:
            raise InputProblem(ErrorCode.NOT_ENROLLED, "You are not enrolled in this class.",
                               "classId")
        await store.delete_enrollment(tx, enrollment["id"])
        return Outcome({"class_": Class.from_row(class_row)},
                       [event("enrollment.left", context, "Enrollment", enrollment["id"])])

    return await run_mutation(context, ClassPayload, work)


async def complete_lesson(context: Context, input: LessonIdInput) -> CompleteLessonPayload:
    member_id = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        _, lesson, enrollment_id = await enrolled_lesson(tx, context, input.lesson_id, "lessonId")
        await store.insert_completion(tx, member_id, lesson["id"])
        enrollment = (await store.enrollments_by_ids(tx, [enrollment_id]))[0]
        return Outcome({"lesson": Lesson.from_row(lesson, readable=True),
                        "enrollment": Enrollment.from_row(enrollment)})

    return await run_mutation(context, CompleteLessonPayload, work)
