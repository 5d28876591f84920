"""``createCompilation`` and ``addCompilationEditor``: a compilation and its editors team."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from hub.api.compilations.mutations.common import (
    CompilationPayload,
    payload,
    require_editorial,
    require_team,
)
from hub.api.compilations.settings import UnboundSettingsInput, chosen_settings
from hub.api.context import Context
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.events import Event
from hub.core.relay import encode_id, input_pk
from hub.core.validation import Problems, clean_text
from hub.domain.compilations import credits, service, store, workflow
from hub.domain.compilations.service import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    MAX_WINDOW_DAYS,
    MIN_WINDOW_DAYS,
)


@strawberry.input(description="A new compilation; it starts as a DRAFT with you as its editor.")
class CreateCompilationInput:
    title: str = strawberry.field(description=f"At most {MAX_TITLE} characters.")
    target: str = strawberry.field(description="The publishing target's key (`book`, `tv`…).")
    settings: UnboundSettingsInput | None = strawberry.field(
        default=None, description="The target's settings: exactly one member, named after the "
        "target. Omitted: the target's defaults.",
    )
    description: str = strawberry.field(default="", description=f"At most {MAX_DESCRIPTION:,}.")
    lineage_share: Decimal = strawberry.field(
        default=Decimal("0.5"), description="Share of an item's value that flows to its "
        "sources (0–1, at most 6 places)."
    )
    max_depth: int = strawberry.field(default=3, description="Lineage steps credit flows down "
                                      f"(0–{credits.MAX_DEPTH}).")
    editors_percent: Decimal = strawberry.field(
        default=Decimal(0), description="Percent of each pool shared by the editors, off the "
        "top (0–100, at most 4 places)."
    )
    payout_window_days: int = strawberry.field(
        default=14, description="Days a payout proposal stays open for comments before an "
        f"editor other than its proposer may finalize it ({MIN_WINDOW_DAYS}–{MAX_WINDOW_DAYS})."
    )


@strawberry.input(description="Adds a member to a compilation's editors team.")
class AddCompilationEditorInput:
    compilation_id: strawberry.ID = strawberry.field(description="The compilation.")
    member_id: strawberry.ID = strawberry.field(description="An EDITOR or ADMIN.")


def _settings(context: Context, input: CreateCompilationInput) -> tuple[str, dict[str, Any]]:
    target = input.target.strip()
    if target not in context.plugins.publishing_targets:
        raise InputProblem(ErrorCode.TARGET_NOT_ENABLED, f"The publishing target {target!r} is "
                           "not enabled.", "target")
    if input.settings is None:
        return target, {}
    try:
        key, settings = chosen_settings(input.settings)
    except ValueError as error:
        raise InputProblem(ErrorCode.INVALID_INPUT, str(error), "settings") from None
    if key != target:
        raise InputProblem(ErrorCode.INVALID_INPUT, f"settings are for {key!r}, but the target "
                           f"is {target!r}.", "settings")
    return target, settings


async def create_compilation(context: Context, input: CreateCompilationInput) -> CompilationPayload:
    viewer = require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        problems = Problems()
        title = problems.check(clean_text, input.title, "title", max_length=MAX_TITLE,
                               required=True)
        description = problems.check(clean_text, input.description, "description",
                                     max_length=MAX_DESCRIPTION)
        target, settings = problems.check(_settings, context, input) or (None, None)
        share = problems.check(service.checked_decimal, input.lineage_share, "lineageShare",
                               Decimal(0), Decimal(1), 6)
        percent = problems.check(service.checked_decimal, input.editors_percent,
                                 "editorsPercent", Decimal(0), Decimal(100), 4)
        if not 0 <= input.max_depth <= credits.MAX_DEPTH:
            problems.add(ErrorCode.INVALID_INPUT, f"maxDepth must be between 0 and "
                         f"{credits.MAX_DEPTH}.", "maxDepth")
        if not MIN_WINDOW_DAYS <= input.payout_window_days <= MAX_WINDOW_DAYS:
            problems.add(ErrorCode.INVALID_INPUT, "payoutWindowDays must be at least "
                         f"{MIN_WINDOW_DAYS} (a day for comments before another editor "
                         f"finalizes) and at most {MAX_WINDOW_DAYS}.", "payoutWindowDays")
        problems.raise_any()
        row = await store.insert_compilation(
            tx, title=title, description=description, target=target, settings=settings,
            lineage_share=share, max_depth=input.max_depth, editors_percent=percent,
            payout_window_days=input.payout_window_days, created_by=viewer,
        )
        await store.add_editor(tx, row["id"], viewer, viewer)
        await store.add_history(tx, row["id"], viewer, "create", None, workflow.DRAFT)
        return Outcome(payload(context, row), [Event(
            "compilation.created", encode_id("Compilation", row["id"]), context.viewer_global_id,
            {"status": row["status"], "target": target})])

    return await run_mutation(context, CompilationPayload, work)


async def add_editor(context: Context, input: AddCompilationEditorInput) -> CompilationPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await service.locked(tx, input.compilation_id, "compilationId")
        viewer = await require_team(tx, context, row)
        member_id = input_pk(input.member_id, "Member", "memberId")
        role = await tx.fetchval("select role from members where id = $1", member_id)
        if role is None:
            raise InputProblem(ErrorCode.NOT_FOUND, "No such member.", "memberId")
        if role not in ("EDITOR", "ADMIN"):
            raise InputProblem(ErrorCode.NOT_AN_EDITOR, "Only EDITORs and ADMINs can join an "
                               "editors team.", "memberId")
        if not await store.add_editor(tx, row["id"], member_id, viewer):
            raise InputProblem(ErrorCode.CONFLICT, "The member is already an editor.", "memberId")
        await store.add_history(tx, row["id"], viewer, "add_editor", None, None,
                                encode_id("Member", member_id))
        return Outcome(payload(context, await store.touch(tx, row["id"])), [Event(
            "compilation.editor_added", encode_id("Compilation", row["id"]),
            context.viewer_global_id, {"member": encode_id("Member", member_id)})])

    return await run_mutation(context, CompilationPayload, work)
