"""``submitCompilation``, ``approveCompilation``, ``returnCompilation``,
``archiveCompilation``: the review workflow (hub/domain/compilations/workflow.py allows only
its transitions; INVALID_STATE otherwise). ``approveCompilation`` needs an editor other than
the submitter (OWN_SUBMISSION) and pins the version of every item's record; a return needs a
reason."""

from __future__ import annotations

from typing import Any

import strawberry

from hub.api.compilations.mutations.common import (
    CompilationPayload,
    payload,
    require_editorial,
    require_team,
    status_event,
)
from hub.api.context import Context
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.events import Event
from hub.core.validation import clean_text
from hub.domain.compilations import service, store, workflow
from hub.domain.compilations.service import MAX_REASON


@strawberry.input(description="Sends a compilation back to DRAFT.")
class ReturnCompilationInput:
    id: strawberry.ID = strawberry.field(description="The compilation.")
    reason: str = strawberry.field(description=f"What to change (required, ≤ {MAX_REASON:,}).")


async def transition(
    tx: Executor, context: Context, row: Any, action: str, reason: str = "",
    details: dict[str, Any] | None = None,
) -> tuple[Any, Event]:
    """Move the locked ``row`` by ``action`` (the team only); the updated row and its event."""
    viewer = await require_team(tx, context, row)
    updated = await service.transition(tx, row, viewer, action, reason, details)
    return updated, status_event(context, updated, row["status"])


async def change_status(
    context: Context, global_id: str, action: str, reason: str = "",
) -> CompilationPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await service.locked(tx, global_id)
        if action == "approve":
            await require_team(tx, context, row)
            if row["status"] == workflow.IN_REVIEW and row["submitted_by"] == context.viewer_id:
                raise InputProblem(ErrorCode.OWN_SUBMISSION, "You submitted this compilation; "
                                   "another editor must approve it.")
            if row["status"] == workflow.IN_REVIEW:
                await store.pin_versions(tx, row["id"])
        if action == "submit":
            await require_team(tx, context, row)
            if not await store.item_count(tx, row["id"]) and row["status"] == workflow.DRAFT:
                raise InputProblem(ErrorCode.INVALID_STATE, "Add items before submitting.")
        clean_reason = reason
        if action == "return":
            clean_reason = clean_text(reason, "reason", max_length=MAX_REASON, required=True)
        updated, event = await transition(tx, context, row, action, clean_reason)
        return Outcome(payload(context, updated), [event])

    return await run_mutation(context, CompilationPayload, work)
