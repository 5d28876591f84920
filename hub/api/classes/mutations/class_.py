"""Mutations of a class itself: create, update, publish, archive (the rules are
hub/domain/classes/services.py's)."""

from __future__ import annotations

import datetime as dt

import strawberry

from hub.api.classes.mutations.common import ERRORS, actor, event, given
from hub.api.classes.types import Class, ClassLevel
from hub.api.context import Context
from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.domain.classes import services, store
from hub.domain.classes.services import MAX_DESCRIPTION, MAX_SUMMARY, MAX_TITLE

CLASS_FIELDS = ("title", "summary", "description", "skill", "level", "free_preview")


@strawberry.input(description="A new class; it starts as a DRAFT and you become its instructor.")
class CreateClassInput:
    title: str = strawberry.field(description=f"At most {MAX_TITLE} characters; the slug is "
                                  "made from it.")
    skill: str = strawberry.field(description="The skill taught, e.g. `songwriting`.")
    level: ClassLevel = strawberry.field(description="Who the class is for.")
    summary: str = strawberry.field(default="", description=f"At most {MAX_SUMMARY} characters.")
    description: str = strawberry.field(default="", description=f"At most {MAX_DESCRIPTION:,} "
                                      "characters.")
    free_preview: bool = strawberry.field(
        default=False, description="Let everyone read the first lesson in full."
    )


@strawberry.input(description="Changes to a class; omitted fields stay as they are. The slug "
                  "never changes.")
class UpdateClassInput:
    id: strawberry.ID = strawberry.field(description="The class.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title; "
                                         "omitted or null keeps it.")
    summary: str | None = strawberry.field(default=strawberry.UNSET, description="New "
                                           "summary; omitted or null keeps it.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="New description; omitted or null keeps it."
    )
    skill: str | None = strawberry.field(default=strawberry.UNSET, description="New skill; "
                                         "omitted or null keeps it.")
    level: ClassLevel | None = strawberry.field(default=strawberry.UNSET, description="New "
                                                "level; omitted or null keeps it.")
    free_preview: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Turn the first lesson's free preview on or off; "
        "omitted or null keeps it."
    )


@strawberry.input(description="Names a class.")
class ClassIdInput:
    id: strawberry.ID = strawberry.field(description="The class's global ID.")


@strawberry.type(description="The class after the mutation, or the errors that stopped it.")
class ClassPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS,
                                              directives=sized_list(MAX_USER_ERRORS))
    class_: Class | None = strawberry.field(
        default=None, name="class",
        description="The class after the mutation; null when `errors` is not empty.")


async def create_class(context: Context, input: CreateClassInput) -> ClassPayload:
    creator = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        fields = services.class_fields(given(input, CLASS_FIELDS))
        base = services.slugify(fields["title"])
        slug = services.unique_slug(base, await store.taken_slugs(tx, base))
        row = await store.insert_class(
            tx, slug=slug, title=fields["title"], summary=fields.get("summary", ""),
            description=fields.get("description", ""), skill=fields["skill"],
            level=fields["level"], free_preview=fields.get("free_preview", False),
            created_by=creator,
        )
        return Outcome({"class_": Class.from_row(row)},
                       [event("class.created", context, "Class", row["id"], slug=slug)])

    return await run_mutation(context, ClassPayload, work)


async def update_class(context: Context, input: UpdateClassInput) -> ClassPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row = await services.class_to_edit(tx, actor(context), input.id, "id")
        changes = services.class_fields(given(input, CLASS_FIELDS))
        if changes:
            row = await store.update_class(tx, row["id"], changes)
        return Outcome({"class_": Class.from_row(row)},
                       [event("class.updated", context, "Class", row["id"])])

    return await run_mutation(context, ClassPayload, work)


async def publish_class(context: Context, input: ClassIdInput) -> ClassPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row = await services.class_to_edit(tx, actor(context), input.id, "id")
        if row["status"] == "PUBLISHED":
            return Outcome({"class_": Class.from_row(row)})
        if await store.lesson_count(tx, row["id"]) == 0:
            raise InputProblem(ErrorCode.INVALID_STATE,
                               "Add at least one lesson before publishing the class.", "id")
        row = await store.update_class(tx, row["id"], {
            "status": "PUBLISHED", "published_at": row["published_at"] or dt.datetime.now(dt.UTC),
        })
        return Outcome({"class_": Class.from_row(row)},
                       [event("class.published", context, "Class", row["id"])])

    return await run_mutation(context, ClassPayload, work)


async def archive_class(context: Context, input: ClassIdInput) -> ClassPayload:
    context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row = await services.class_to_edit(tx, actor(context), input.id, "id")
        if row["status"] == "ARCHIVED":
            return Outcome({"class_": Class.from_row(row)})
        if row["status"] != "PUBLISHED":
            raise InputProblem(ErrorCode.INVALID_STATE,
                               "Only a published class can be archived; this one is a draft.", "id")
        row = await store.update_class(tx, row["id"], {"status": "ARCHIVED"})
        return Outcome({"class_": Class.from_row(row)},
                       [event("class.archived", context, "Class", row["id"])])

    return await run_mutation(context, ClassPayload, work)
