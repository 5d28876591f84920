"""``addCompilationItem``, ``moveCompilationItem``, ``removeCompilationItem``: the items of a
DRAFT compilation. Only published, undeleted records join; positions stay 1..n."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from hub.api.compilations.mutations.common import payload, require_editorial, require_team
from hub.api.compilations.types import Compilation, CompilationItem
from hub.api.context import Context
from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.relay import encode_id
from hub.core.validation import Problems, clean_text
from hub.domain.compilations import service, store
from hub.domain.compilations.service import MAX_NOTE


@strawberry.input(description="Appends a published record to a DRAFT compilation.")
class AddCompilationItemInput:
    compilation_id: strawberry.ID = strawberry.field(description="The compilation.")
    record_id: strawberry.ID = strawberry.field(description="A published record.")
    note: str = strawberry.field(default="", description=f"Why it is here (≤ {MAX_NOTE:,}).")
    weight: Decimal = strawberry.field(default=Decimal(1), description="Its weight in the "
                                       "credit split: positive, up to 1,000,000, at most 6 "
                                       "places.")


@strawberry.input(description="Moves an item to another place; the others shift.")
class MoveCompilationItemInput:
    item_id: strawberry.ID = strawberry.field(description="The item.")
    position: int = strawberry.field(description="Its new 1-based place.")


@strawberry.input(description="Names a compilation item.")
class CompilationItemIdInput:
    item_id: strawberry.ID = strawberry.field(description="The item.")


@strawberry.type(description="The item and its compilation after the mutation, or the errors.")
class CompilationItemPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written.",
                                              directives=sized_list(MAX_USER_ERRORS))
    compilation: Compilation | None = strawberry.field(
        default=None, description="The compilation after the change; null when `errors` is not empty.")
    item: CompilationItem | None = strawberry.field(
        default=None, description="The item added or moved; null after a removal and when `errors` "
        "is not empty.")


async def add_item(context: Context, input: AddCompilationItemInput) -> CompilationItemPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await service.locked(tx, input.compilation_id, "compilationId")
        viewer = await require_team(tx, context, row)
        service.require_draft(row)
        problems = Problems()
        note = problems.check(clean_text, input.note, "note", max_length=MAX_NOTE)
        weight = problems.check(service.checked_weight, input.weight)
        with problems.collecting():
            record = await service.publishable_record(tx, context.viewer_id, input.record_id)
        problems.raise_any()
        if await store.has_item(tx, row["id"], record["id"]):
            raise InputProblem(ErrorCode.CONFLICT, "The record is already in the compilation.",
                               "recordId")
        await service.require_room(tx, row, 1, "recordId")
        item = await service.append_item(tx, row, viewer, record["id"], note, weight)
        return Outcome(payload(context, await store.touch(tx, row["id"]),
                               item=CompilationItem.from_row(item)))

    return await run_mutation(context, CompilationItemPayload, work)


async def move_item(context: Context, input: MoveCompilationItemInput) -> CompilationItemPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row, item = await service.locked_item(tx, input.item_id)
        viewer = await require_team(tx, context, row)
        service.require_draft(row)
        count = await store.item_count(tx, row["id"])
        if not 1 <= input.position <= count:
            raise InputProblem(ErrorCode.INVALID_POSITION, f"position must be between 1 and "
                               f"{count}.", "position")
        await store.move_item(tx, row["id"], item["position"], input.position)
        await store.add_history(tx, row["id"], viewer, "move_item", None, None,
                                f"{item['position']} → {input.position}")
        moved = await store.item_by_id(tx, item["id"])
        return Outcome(payload(context, await store.touch(tx, row["id"]),
                               item=CompilationItem.from_row(moved)))

    return await run_mutation(context, CompilationItemPayload, work)


async def remove_item(context: Context, input: CompilationItemIdInput) -> CompilationItemPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row, item = await service.locked_item(tx, input.item_id)
        viewer = await require_team(tx, context, row)
        service.require_draft(row)
        await store.remove_item(tx, item["id"])
        await store.add_history(tx, row["id"], viewer, "remove_item", None, None,
                                encode_id("Record", item["record_id"]))
        return Outcome(payload(context, await store.touch(tx, row["id"])))

    return await run_mutation(context, CompilationItemPayload, work)
