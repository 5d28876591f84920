"""``importCollaborationResults``: an editor brings a completed collaboration's results into a
compilation they edit, in one mutation (one transaction: all of them, or nothing).

The compilation's rules are the compilations slice's own, called from its domain service
(hub/domain/compilations/service.py), not restated here: only EDITORs and ADMINs work on
compilations, only the compilation's editors (or an admin) change it, items change only while
it is a DRAFT, an item is a published record, a compilation holds at most 500 items. Results
already in the compilation are skipped, so importing twice adds nothing.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from hub.api.compilations.types import Compilation
from hub.api.context import Context
from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.relay import input_pk
from hub.core.validation import Problems
from hub.domain.collaborations import store as collaborations
from hub.domain.compilations import service as compilation_rules
from hub.domain.compilations import store as compilation_store


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
    compilation_rules.require_editorial(context.viewer_role)

    async def work(tx: Executor) -> Outcome:
        problems = Problems()
        collaboration_pk = problems.check(input_pk, input.collaboration_id, "Collaboration",
                                          "collaborationId")
        problems.check(input_pk, input.compilation_id, "Compilation", "compilationId")
        problems.raise_any()
        # The compilation first, locked as every compilation change locks it.
        row = await compilation_rules.locked(tx, input.compilation_id, "compilationId")
        await compilation_rules.require_team(tx, row, viewer, context.is_admin)
        compilation_rules.require_draft(row, "compilationId")
        collaboration = await collaborations.collaboration_for_update(tx, collaboration_pk,
                                                                      viewer)
        if collaboration is None or not collaboration["_visible"]:
            raise InputProblem(ErrorCode.NOT_FOUND, "No such collaboration.", "collaborationId")
        if collaboration["status"] != "COMPLETED":
            raise InputProblem(ErrorCode.INVALID_STATE, "Only a completed collaboration has "
                               f"results; this one is {collaboration['status']}.",
                               "collaborationId")
        results = await collaborations.results_for_share(tx, collaboration_pk)
        for record in results:
            compilation_rules.require_published(record, "collaborationId")
        note = f"From the collaboration “{collaboration['title']}”."
        imported = await compilation_rules.add_records(
            tx, row, viewer, [record["id"] for record in results], note, "compilationId")
        touched = await compilation_store.touch(tx, row["id"])
        return Outcome({"compilation": Compilation.from_row(touched, context),
                        "imported": imported})

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
