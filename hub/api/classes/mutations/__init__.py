"""Mutations of Class Projects, one module per entity (class_, instructor, lesson,
enrollment, submission, feedback), each with its inputs and payloads; the rules they apply
are hub/domain/classes/services.py's (its docstring states them). This module gathers them
into the schema's ``Mutation`` fields, in the order the schema has always listed them.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from hub.api.classes.arguments import input_argument
from hub.api.classes.mutations import class_, enrollment, feedback, instructor, lesson, submission
from hub.api.classes.mutations.class_ import ClassIdInput, ClassPayload, CreateClassInput, UpdateClassInput
from hub.api.classes.mutations.enrollment import CompleteLessonPayload, EnrollInput, EnrollmentPayload
from hub.api.classes.mutations.feedback import FeedbackPayload, GiveFeedbackInput
from hub.api.classes.mutations.instructor import ClassInstructorInput
from hub.api.classes.mutations.lesson import (
    AddLessonInput,
    LessonIdInput,
    LessonPayload,
    MoveLessonInput,
    RemoveLessonPayload,
    UpdateLessonInput,
)
from hub.api.classes.mutations.submission import SubmissionPayload, SubmitToLessonInput

# hub/seed/scale/classes.py names the slug rules here (they live in the domain).
from hub.domain.classes.services import slugify, unique_slug

__all__ = ["ClassesMutation", "slugify", "unique_slug"]

# Each mutation's single `input`, described.
CreateClassArg = Annotated[CreateClassInput, input_argument("The new class.")]
UpdateClassArg = Annotated[UpdateClassInput, input_argument("The class and the fields to change.")]
ClassIdArg = Annotated[ClassIdInput, input_argument("The class.")]
ClassInstructorArg = Annotated[ClassInstructorInput, input_argument("The class and the member.")]
AddLessonArg = Annotated[AddLessonInput, input_argument("The class and the new lesson.")]
UpdateLessonArg = Annotated[UpdateLessonInput, input_argument("The lesson and the fields to change.")]
MoveLessonArg = Annotated[MoveLessonInput, input_argument("The lesson and its new position.")]
LessonIdArg = Annotated[LessonIdInput, input_argument("The lesson.")]
EnrollArg = Annotated[EnrollInput, input_argument("The class.")]
SubmitToLessonArg = Annotated[SubmitToLessonInput, input_argument("The lesson and your record.")]
GiveFeedbackArg = Annotated[GiveFeedbackInput, input_argument("The submission and the message.")]


@strawberry.type
class ClassesMutation:
    @strawberry.mutation(description="Create a class as a DRAFT; you become its instructor.")
    async def create_class(self, info: Info, input: CreateClassArg) -> ClassPayload:
        return await class_.create_class(info.context, input)

    @strawberry.mutation(description="Change a class you teach (the slug stays).")
    async def update_class(self, info: Info, input: UpdateClassArg) -> ClassPayload:
        return await class_.update_class(info.context, input)

    @strawberry.mutation(description="Publish a class you teach (it needs a lesson); an "
                         "archived class reopens.")
    async def publish_class(self, info: Info, input: ClassIdArg) -> ClassPayload:
        return await class_.publish_class(info.context, input)

    @strawberry.mutation(description="Archive a published class you teach: it stays visible "
                         "but takes no new enrollments.")
    async def archive_class(self, info: Info, input: ClassIdArg) -> ClassPayload:
        return await class_.archive_class(info.context, input)

    @strawberry.mutation(description="Add a co-instructor to a class you teach.")
    async def add_instructor(self, info: Info, input: ClassInstructorArg) -> ClassPayload:
        return await instructor.add_instructor(info.context, input)

    @strawberry.mutation(description="Remove an instructor from a class you teach (one stays).")
    async def remove_instructor(self, info: Info, input: ClassInstructorArg) -> ClassPayload:
        return await instructor.remove_instructor(info.context, input)

    @strawberry.mutation(description="Append a lesson to a class you teach.")
    async def add_lesson(self, info: Info, input: AddLessonArg) -> LessonPayload:
        return await lesson.add_lesson(info.context, input)

    @strawberry.mutation(description="Change a lesson of a class you teach.")
    async def update_lesson(self, info: Info, input: UpdateLessonArg) -> LessonPayload:
        return await lesson.update_lesson(info.context, input)

    @strawberry.mutation(description="Move a lesson to a 1-based position; the others shift so "
                         "positions stay 1..n (INVALID_POSITION outside that range).")
    async def move_lesson(self, info: Info, input: MoveLessonArg) -> LessonPayload:
        return await lesson.move_lesson(info.context, input)

    @strawberry.mutation(description="Remove a lesson without submissions; later lessons move up.")
    async def remove_lesson(self, info: Info, input: LessonIdArg) -> RemoveLessonPayload:
        return await lesson.remove_lesson(info.context, input)

    @strawberry.mutation(description="Enroll in a published class (needs an active "
                         "subscription: SUBSCRIPTION_REQUIRED; ALREADY_ENROLLED if you are).")
    async def enroll(self, info: Info, input: EnrollArg) -> EnrollmentPayload:
        return await enrollment.enroll(info.context, input)

    @strawberry.mutation(description="Leave a class (your completions and submissions are kept).")
    async def leave_class(self, info: Info, input: EnrollArg) -> ClassPayload:
        return await enrollment.leave_class(info.context, input)

    @strawberry.mutation(description="Mark a lesson of a class you take as complete.")
    async def complete_lesson(self, info: Info, input: LessonIdArg) -> CompleteLessonPayload:
        return await enrollment.complete_lesson(info.context, input)

    @strawberry.mutation(description="Answer a lesson with your own published record.")
    async def submit_to_lesson(self, info: Info, input: SubmitToLessonArg) -> SubmissionPayload:
        return await submission.submit_to_lesson(info.context, input)

    @strawberry.mutation(description="Give feedback on a submission in a class you teach or take.")
    async def give_feedback(self, info: Info, input: GiveFeedbackArg) -> FeedbackPayload:
        return await feedback.give_feedback(info.context, input)
