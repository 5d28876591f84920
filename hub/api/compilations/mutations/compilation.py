"""``createCompilation``, ``updateCompilation``, ``deleteCompilation``,
``addCompilationEditor`` and ``removeCompilationEditor``: a compilation and its editors team."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from hub.api.compilations.mutations.common import (
    CompilationPayload,
    changed_event,
    check_version,
    payload,
    require_editorial,
    require_team,
)
from hub.api.compilations.settings import UnboundSettingsInput, chosen_settings
from hub.api.compilations.types import load_compilation
from hub.api.context import Context
from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem, Problem
from hub.core.events import Event
from hub.core.relay import decode_id, encode_id, input_pk
from hub.core.validation import Problems, clean_text
from hub.domain.compilations import credits, service, store, workflow
from hub.domain.compilations.service import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    MAX_WINDOW_DAYS,
    MIN_WINDOW_DAYS,
)
from hub.plugin_api import DetailsError


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


@strawberry.input(description="Changes to a DRAFT compilation: the fields you give change, the "
                  "ones you leave out (or set to null) stay as they are.")
class UpdateCompilationInput:
    id: strawberry.ID = strawberry.field(description="The DRAFT compilation to change.")
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET, description="The `version` you edited. If the compilation "
        "changed since (an edit, an item, the team, a status…), nothing is written and you get "
        "CONFLICT with the current compilation. Omitted or null: no check (last write wins).")
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description=f"The new title (1 to {MAX_TITLE} characters); "
        "omitted or null keeps it.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description=f"The new description (at most "
        f"{MAX_DESCRIPTION:,} characters; empty clears it); omitted or null keeps it.")
    settings: UnboundSettingsInput | None = strawberry.field(
        default=strawberry.UNSET, description="The target's new settings, which REPLACE the "
        "current ones as a whole (a field left out of the member takes the target's default). "
        "Exactly one member, named after the compilation's target; checked as at creation. "
        "Omitted or null keeps the current settings.")


@strawberry.input(description="Removes a member from a compilation's editors team.")
class RemoveCompilationEditorInput:
    compilation_id: strawberry.ID = strawberry.field(description="The compilation.")
    member_id: strawberry.ID = strawberry.field(description="An editor on its team (yourself "
                                                "included); the last one cannot leave.")


@strawberry.type(description="The deleted compilation's ID, or the errors that stopped it.")
class DeleteCompilationPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was deleted.",
                                              directives=sized_list(MAX_USER_ERRORS))
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global ID of the compilation deleted; null on errors.")


def _target(context: Context, raw: str) -> str:
    target = raw.strip()
    if target not in context.plugins.publishing_targets:
        raise InputProblem(ErrorCode.TARGET_NOT_ENABLED, f"The publishing target {target!r} is "
                           "not enabled.", "target")
    return target


def _settings(context: Context, input: CreateCompilationInput) -> tuple[str, dict[str, Any]]:
    target = _target(context, input.target)
    if input.settings is None:
        return target, {}
    return target, checked_settings(context, input.settings, target)


def checked_settings(context: Context, settings_input: Any, target: str) -> dict[str, Any]:
    """The settings JSON of a ``CompilationSettingsInput``: exactly one member, the target's
    (its Strawberry input type has already checked the member's field types; the target's
    ``check_settings`` checks their values)."""
    try:
        key, settings = chosen_settings(settings_input)
    except ValueError as error:
        raise InputProblem(ErrorCode.INVALID_INPUT, str(error), "settings") from None
    if key != target:
        raise InputProblem(ErrorCode.INVALID_INPUT, f"settings are for {key!r}, but the target "
                           f"is {target!r}.", "settings")
    check = context.plugins.publishing_targets[target].check_settings
    if check is not None:
        try:
            check(settings)
        except DetailsError as error:
            raise InputProblem.many([
                Problem(field=f"settings.{target}" + (f".{p.field}" if p.field else ""),
                        message=p.message, code=ErrorCode.INVALID_INPUT)
                for p in error.problems
            ]) from None
    return settings


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
        member = encode_id("Member", member_id)
        await store.add_history(tx, row["id"], viewer, "add_editor", None, None, member,
                                {"member": member})
        updated = await store.touch(tx, row["id"])
        return Outcome(payload(context, updated),
                       [changed_event(context, updated, "EDITORS_CHANGED")])

    return await run_mutation(context, CompilationPayload, work)


def _given(value: Any) -> bool:
    return value is not None and value is not strawberry.UNSET


def _changes(context: Context, row: Any, input: UpdateCompilationInput,
             problems: Problems) -> dict[str, Any]:
    """The columns ``input`` changes (checked; problems noted), the unchanged ones left out."""
    changes: dict[str, Any] = {}
    if _given(input.title):
        changes["title"] = problems.check(clean_text, input.title, "title",
                                          max_length=MAX_TITLE, required=True)
    if _given(input.description):
        changes["description"] = problems.check(clean_text, input.description, "description",
                                                max_length=MAX_DESCRIPTION)
    if _given(input.settings):
        with problems.collecting():
            if row["target"] not in context.plugins.publishing_targets:
                raise InputProblem(ErrorCode.TARGET_NOT_ENABLED, f"The publishing target "
                                   f"{row['target']!r} is not enabled.", "settings")
            changes["settings"] = checked_settings(context, input.settings, row["target"])
    return {name: value for name, value in changes.items() if value != row[name]}


def changed_fields(row: Any, changes: dict[str, Any]) -> list[str]:
    """The input fields a change touched, as the history names them: ``title``,
    ``description``, ``settings.<target>.<field>`` (camelCase, as the API spells them)."""
    fields: list[str] = [name for name in ("title", "description") if name in changes]
    if "settings" in changes:
        old, new = row["settings"], changes["settings"]
        fields += [f"settings.{row['target']}.{to_camel_case(key)}"
                   for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
    return fields


async def update_compilation(
    context: Context, input: UpdateCompilationInput,
) -> CompilationPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await service.locked(tx, input.id)
        viewer = await require_team(tx, context, row)
        check_version(row, input.expected_version)
        service.require_draft(row, what="Its title, description and settings")
        problems = Problems()
        changes = _changes(context, row, input, problems)
        problems.raise_any()
        if not changes:
            return Outcome(payload(context, row))  # nothing differs: nothing written
        fields = changed_fields(row, changes)
        updated = await store.update_compilation(tx, row["id"], changes)
        await store.add_history(tx, row["id"], viewer, "update", None, None, ", ".join(fields),
                                {"fields": fields})
        return Outcome(payload(context, updated),
                       [changed_event(context, updated, "DETAILS_CHANGED")])

    async def current() -> dict[str, Any]:
        return {"compilation": await load_compilation(context, decode_id(input.id,
                                                                         "Compilation"))}

    return await run_mutation(context, CompilationPayload, work, on_conflict=current)


async def remove_editor(
    context: Context, input: RemoveCompilationEditorInput,
) -> CompilationPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await service.locked(tx, input.compilation_id, "compilationId")
        viewer = await require_team(tx, context, row)
        member_id = input_pk(input.member_id, "Member", "memberId")
        if not await store.is_editor(tx, row["id"], member_id):
            raise InputProblem(ErrorCode.NOT_FOUND, "The member is not on this compilation's "
                               "editors team.", "memberId")
        if await store.editor_count(tx, row["id"]) <= 1:
            raise InputProblem(ErrorCode.LAST_EDITOR, "A compilation keeps at least one editor: "
                               "add another before the last one leaves.", "memberId")
        await store.remove_editor(tx, row["id"], member_id)
        member = encode_id("Member", member_id)
        await store.add_history(tx, row["id"], viewer, "remove_editor", None, None, member,
                                {"member": member})
        updated = await store.touch(tx, row["id"])
        return Outcome(payload(context, updated),
                       [changed_event(context, updated, "EDITORS_CHANGED")])

    return await run_mutation(context, CompilationPayload, work)


async def delete_compilation(context: Context, global_id: str) -> DeleteCompilationPayload:
    require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await service.locked(tx, global_id)
        await require_team(tx, context, row)
        if row["status"] != workflow.DRAFT:
            raise InputProblem(ErrorCode.ARCHIVE_INSTEAD, f"Only a DRAFT compilation can be "
                               f"deleted; this one is {row['status']}. Archive it instead "
                               "(archiveCompilation): its history and publications stay.", "id")
        await store.delete_compilation(tx, row["id"])
        return Outcome({"deleted_id": strawberry.ID(encode_id("Compilation", row["id"]))},
                       [changed_event(context, row, "DELETED")])

    return await run_mutation(context, DeleteCompilationPayload, work)
