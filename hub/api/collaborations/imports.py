"""``importCollaborationResults``: an editor brings a completed collaboration's results into a
compilation they edit, in one mutation (one transaction: all of them, or nothing).

The compilation's rules are the compilations slice's, applied through its domain store: only
EDITORs and ADMINs work on compilations, only the compilation's editors (or an admin) change
it, items change only while it is a DRAFT, and an item is a published record. Results already
in the compilation are skipped, so importing twice adds nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from hub.api.compilations.mutations.common import changed_event
from hub.api.compilations.types import Compilation
from hub.api.context import Context
from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.core.relay import encode_id
from hub.core.validation import Problems
from hub.domain.collaborations import store as collaborations
from hub.domain.compilations import store as compilations
from hub.domain.compilations import workflow

EDITORIAL_ROLES = frozenset({"EDITOR", "ADMIN"})
MAX_ITEMS = 500  # as the compilations slice caps a compilation


@strawberry.input(description="Imports a completed collaboration's results into a compilation.")
class ImportCollaborationResultsInput:
    collaboration_id: strawberry.ID = strawberry.field(description="A COMPLETED collaboration.")
    compilation_id: strawberry.ID = strawberry.field(description="A DRAFT compilation you edit.")


@strawberry.type(description="The compilation after the import, or the errors that stopped it.")
class ImportCollaborationResultsPayload:
    errors: list[UserError] = strawberry.field(directives=sized_list(MAX_USER_ERRORS),
                                               description="Why nothing was imported; empty on "
                                               "success.")
    compilation: Compilation | None = strawberry.field(
        default=None, description="The compilation with its new items; null on errors.")
    imported: int = strawberry.field(default=0, description="How many results became items "
                                     "(those already in the compilation are skipped).")


async def import_results(context: Context, input: ImportCollaborationResultsInput,
                         ) -> ImportCollaborationResultsPayload:
    viewer = context.require_viewer()
    if context.viewer_role not in EDITORIAL_ROLES:
        raise Forbidden("Only editors and admins work on compilations.")

    async def work(tx: Executor) -> Outcome:
        from hub.core.relay import input_pk

        problems = Problems()
        collaboration_pk = problems.check(input_pk, input.collaboration_id, "Collaboration",
                                          "collaborationId")
        compilation_pk = problems.check(input_pk, input.compilation_id, "Compilation",
                                        "compilationId")
        problems.raise_any()
        row = await compilations.compilation_for_update(tx, compilation_pk)
        if row is None:
            raise InputProblem(ErrorCode.NOT_FOUND, "No such compilation.", "compilationId")
        if not context.is_admin and not await compilations.is_editor(tx, row["id"], viewer):
            raise Forbidden("Only this compilation's editors can do this.")
        if row["status"] not in workflow.EDITABLE_STATUSES:
            raise InputProblem(ErrorCode.INVALID_STATE, "Items change only while the "
                               f"compilation is a DRAFT; it is {row['status']}.",
                               "compilationId")
        collaboration = await collaborations.collaboration_for_update(tx, collaboration_pk,
                                                                      viewer)
        if collaboration is None or not collaboration["_visible"]:
            raise InputProblem(ErrorCode.NOT_FOUND, "No such collaboration.", "collaborationId")
        if collaboration["status"] != "COMPLETED":
            raise InputProblem(ErrorCode.INVALID_STATE, "Only a completed collaboration has "
                               f"results; this one is {collaboration['status']}.",
                               "collaborationId")
        results = await tx.fetch(
            """select r.id, r.status, r.deleted_at from collaboration_results x
               join records r on r.id = x.record_id
               where x.collaboration_id = $1 order by x.position for share of r""",
            collaboration_pk)
        for record in results:
            if record["status"] != "PUBLISHED" or record["deleted_at"] is not None:
                raise InputProblem(ErrorCode.RECORD_NOT_PUBLISHED, "A result of this "
                                   "collaboration is no longer published; only published "
                                   "records can join a compilation.", "collaborationId")
        new = [record["id"] for record in results
               if not await compilations.has_item(tx, row["id"], record["id"])]
        if await compilations.item_count(tx, row["id"]) + len(new) > MAX_ITEMS:
            raise InputProblem(ErrorCode.TOO_LONG, f"A compilation holds at most {MAX_ITEMS} "
                               "items.", "compilationId")
        note = f"From the collaboration “{collaboration['title']}”."
        for record_id in new:
            await compilations.append_item(tx, compilation_id=row["id"], record_id=record_id,
                                           note=note, weight=Decimal(1), added_by=viewer)
            record_gid = encode_id("Record", record_id)
            await compilations.add_history(tx, row["id"], viewer, "add_item", None, None,
                                           record_gid, {"record": record_gid})
        touched = await compilations.touch(tx, row["id"])
        # The compilation's other editors see the items arrive (compilationUpdated).
        events = [changed_event(context, touched, "ITEM_ADDED")] if new else []
        return Outcome({"compilation": Compilation.from_row(touched, context),
                        "imported": len(new)}, events)

    return await run_mutation(context, ImportCollaborationResultsPayload, work)


@strawberry.type
class CollaborationImportsMutation:
    @strawberry.mutation(description="Add a completed collaboration's results to a DRAFT "
                         "compilation you edit, as items, in one step (editors and admins).")
    async def import_collaboration_results(self, info: Info, input: Annotated[
            ImportCollaborationResultsInput, strawberry.argument(description="From where to "
                                                                 "where.")],
    ) -> ImportCollaborationResultsPayload:
        return await import_results(info.context, input)
