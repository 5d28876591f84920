"""Mutations of a class's instructors: add and remove a co-instructor."""

from __future__ import annotations

import strawberry

from hub.api.classes.mutations.class_ import ClassPayload
from hub.api.classes.mutations.common import actor, event
from hub.api.classes.types import Class
from hub.api.context import Context
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.relay import encode_id, input_pk
from hub.domain.classes import services, store
from hub.domain.classes.rules import MAX_INSTRUCTORS
from hub.domain.members import store as member_store


@strawberry.input(description="Adds or removes a co-instructor.")
class ClassInstructorInput:
    class_id: strawberry.ID = strawberry.field(description="The class (one you teach).")
    member_id: strawberry.ID = strawberry.field(description="The member to add or remove.")


async def add_instructor(context: Context, input: ClassInstructorInput) -> ClassPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row, teachers = await services.locked_class(
            tx, actor(context), input_pk(input.class_id, "Class", "classId"), "classId")
        services.require_teacher(actor(context), teachers)
        member_id = input_pk(input.member_id, "Member", "memberId")
        if not await member_store.members_by_ids(tx, [member_id]):
            raise InputProblem(ErrorCode.NOT_FOUND, "No such member.", "memberId")
        if member_id not in teachers and len(teachers) >= MAX_INSTRUCTORS:
            raise InputProblem(ErrorCode.INVALID_STATE,
                               f"A class has at most {MAX_INSTRUCTORS} instructors.", "memberId")
        await store.add_instructor(tx, row["id"], member_id)
        return Outcome({"class_": Class.from_row(row)},
                       [event("class.instructor_added", context, "Class", row["id"],
                              member=encode_id("Member", member_id))])

    return await run_mutation(context, ClassPayload, work)


async def remove_instructor(context: Context, input: ClassInstructorInput) -> ClassPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row, teachers = await services.locked_class(
            tx, actor(context), input_pk(input.class_id, "Class", "classId"), "classId")
        services.require_teacher(actor(context), teachers)
        member_id = input_pk(input.member_id, "Member", "memberId")
        if member_id not in teachers:
            raise InputProblem(ErrorCode.NOT_FOUND, "That member does not teach this class.",
                               "memberId")
        if len(teachers) == 1:
            raise InputProblem(ErrorCode.INVALID_STATE, "A class keeps at least one instructor.",
                               "memberId")
        await store.remove_instructor(tx, row["id"], member_id)
        return Outcome({"class_": Class.from_row(row)},
                       [event("class.instructor_removed", context, "Class", row["id"],
                              member=encode_id("Member", member_id))])

    return await run_mutation(context, ClassPayload, work)
