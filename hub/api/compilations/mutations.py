"""Mutations of compilations and the service logic behind them.

Permission rules:

* Only EDITORs and ADMINs work on compilations; anyone else gets FORBIDDEN. An EDITOR creates
  a compilation (as a DRAFT) and joins its editors team; the team (and ADMINs) change it and
  add editors (who must be EDITORs or ADMINs themselves).
* The workflow (hub/compilations/workflow.py) allows only its transitions (INVALID_STATE
  otherwise); ``approveCompilation`` needs an editor other than the submitter
  (OWN_SUBMISSION) and pins the version of every item's record. Items change only in DRAFT,
  and only published, undeleted records join.
* ``publishCompilation`` fails with PUBLISHING_BLOCKED, one error per problem, while
  ``Compilation.problems`` is not empty; otherwise it renders a new version, holding the
  items' records unchanged (a share lock) until it commits, so what it renders is what was
  approved.
* A record changed after approval (its version moved: an edit, a file attached) is the
  problem CHANGED_SINCE_APPROVAL. Publishing an APPROVED compilation then fails with one
  CHANGED_SINCE_APPROVAL error per changed item *and* sends the compilation back to IN_REVIEW
  (``reopen``; the history names the records), so the change is reviewed and approved (which
  pins the new versions) before anyone publishes it; that is the one failure that writes,
  and its payload carries the compilation to show it. A PUBLISHED compilation cannot go back
  to review (it is public): publishing it again is refused, nothing is written, and the
  publications made stay as they were approved.
* ``proposePayout`` (PUBLISHED compilations) freezes a split; comments are open to the
  editors, ADMINs and everyone with a line until the window closes (WINDOW_CLOSED after);
  ``finalizePayout`` needs the window closed (WINDOW_OPEN before) and an editor other than
  the one who proposed it (OWN_PROPOSAL: four eyes, as for approval), and makes it
  immutable. The window is 1 to 365 days.

Every change writes a history entry; every other failure leaves the database as it was.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from hub.api.compilations.settings import UnboundSettingsInput, chosen_settings
from hub.api.compilations.types import (
    Compilation,
    CompilationItem,
    MoneyInput,
    PayoutProposal,
    Publication,
    editorial,
    frozen_lines,
)
from hub.api.context import Context
from hub.api.errors import UserError, user_errors
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem, Problem
from hub.core.events import Event
from hub.core.numbers import plain
from hub.core.relay import encode_id, input_pk
from hub.core.validation import Problems, clean_text
from hub.domain.compilations import credits, publishing, store, workflow
from hub.domain.compilations.snapshot import credit_inputs
from hub.domain.records import store as record_store

MAX_TITLE = 200
MAX_DESCRIPTION = 5_000
MAX_NOTE = 1_000
MAX_REASON = 2_000
MAX_COMMENT = 2_000
MAX_ITEMS = 500
MAX_WEIGHT = Decimal(1_000_000)
# A payout proposal's comment window: at least a day, so that those credited can object before
# another editor finalizes it.
MIN_WINDOW_DAYS = 1
MAX_WINDOW_DAYS = 365


# --- inputs and payloads ------------------------------------------------------------------------


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


@strawberry.input(description="Names a compilation.")
class CompilationIdInput:
    id: strawberry.ID = strawberry.field(description="The compilation.")


@strawberry.input(description="Sends a compilation back to DRAFT.")
class ReturnCompilationInput:
    id: strawberry.ID = strawberry.field(description="The compilation.")
    reason: str = strawberry.field(description=f"What to change (required, ≤ {MAX_REASON:,}).")


@strawberry.input(description="Adds a member to a compilation's editors team.")
class AddCompilationEditorInput:
    compilation_id: strawberry.ID = strawberry.field(description="The compilation.")
    member_id: strawberry.ID = strawberry.field(description="An EDITOR or ADMIN.")


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


@strawberry.input(description="Freezes a credit split of a pool as a payout proposal.")
class ProposePayoutInput:
    compilation_id: strawberry.ID = strawberry.field(description="A PUBLISHED compilation.")
    pool: MoneyInput = strawberry.field(description="The money to share.")


@strawberry.input(description="A comment on an open payout proposal.")
class CommentOnPayoutInput:
    proposal_id: strawberry.ID = strawberry.field(description="The proposal.")
    body: str = strawberry.field(description=f"The comment (≤ {MAX_COMMENT:,} characters).")


@strawberry.input(description="Names a payout proposal.")
class PayoutIdInput:
    proposal_id: strawberry.ID = strawberry.field(description="The proposal.")


@strawberry.type(description="The compilation after the mutation, or the errors that stopped it.")
class CompilationPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written.",
                                              directives=sized_list(MAX_USER_ERRORS))
    compilation: Compilation | None = strawberry.field(default=None, description="The result.")


@strawberry.type(description="The item and its compilation after the mutation, or the errors.")
class CompilationItemPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written.",
                                              directives=sized_list(MAX_USER_ERRORS))
    compilation: Compilation | None = strawberry.field(default=None, description="The result.")
    item: CompilationItem | None = strawberry.field(default=None, description="The item.")


@strawberry.type(description="The published compilation and its new publication, or the errors "
                 "(one per problem) that blocked publishing.")
class PublishCompilationPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was published. Nothing "
                                               "was written either, except after "
                                               "CHANGED_SINCE_APPROVAL errors: the compilation "
                                               "went back to IN_REVIEW (see `compilation`).",
                                               directives=sized_list(MAX_USER_ERRORS))
    compilation: Compilation | None = strawberry.field(default=None, description="The result "
                                                       "(null when nothing was written).")
    publication: Publication | None = strawberry.field(default=None, description="The version "
                                                       "just published.")


@strawberry.type(description="The payout proposal after the mutation, or the errors.")
class PayoutPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written.",
                                              directives=sized_list(MAX_USER_ERRORS))
    proposal: PayoutProposal | None = strawberry.field(default=None, description="The proposal.")
    compilation: Compilation | None = strawberry.field(default=None, description="Its compilation.")


# --- permissions and lookups --------------------------------------------------------------------


def _require_editorial(context: Context) -> int:
    viewer = context.require_viewer()
    if not editorial(context):
        raise Forbidden("Only editors and admins work on compilations.")
    return viewer


async def _require_team(tx: Executor, context: Context, row: Any) -> int:
    viewer = _require_editorial(context)
    if not context.is_admin and not await store.is_editor(tx, row["id"], viewer):
        raise Forbidden("Only this compilation's editors can do this.")
    return viewer


async def _locked(tx: Executor, global_id: str, field: str = "id") -> Any:
    row = await store.compilation_for_update(tx, input_pk(global_id, "Compilation", field))
    if row is None:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such compilation.", field)
    return row


async def _locked_item(tx: Executor, global_id: str) -> tuple[Any, Any]:
    """The item and its compilation, the compilation locked first (the order every item
    change takes, so two moves never deadlock)."""
    item = await store.item_by_id(tx, input_pk(global_id, "CompilationItem", "itemId"))
    if item is None:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such compilation item.", "itemId")
    row = await store.compilation_for_update(tx, item["compilation_id"])
    item = await store.item_by_id(tx, item["id"])  # re-read under the lock
    if item is None:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such compilation item.", "itemId")
    return row, item


def _require_draft(row: Any) -> None:
    if row["status"] not in workflow.EDITABLE_STATUSES:
        raise InputProblem(ErrorCode.INVALID_STATE, f"Items change only while the compilation is "
                           f"a DRAFT; it is {row['status']} (return it to DRAFT first).")


def _status_event(context: Context, row: Any, previous: str) -> Event:
    return Event("compilation.status_changed", encode_id("Compilation", row["id"]), context.viewer_global_id,
                 {"status": row["status"], "previousStatus": previous, "target": row["target"]})


def _payload(context: Context, row: Any, **more: Any) -> dict[str, Any]:
    return {"compilation": Compilation.from_row(row, context), **more}


# --- input checks -------------------------------------------------------------------------------


def _decimal(number: Decimal, field: str, low: Decimal, high: Decimal, places: int) -> Decimal:
    """A decimal input (the scalar already refused non-numbers) within its range and places."""
    if not number.is_finite() or not low <= number <= high:
        raise InputProblem(ErrorCode.INVALID_INPUT, f"{field} must be between {plain(low)} and "
                           f"{plain(high)}.", field)
    if number != number.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN"):
        raise InputProblem(ErrorCode.INVALID_INPUT, f"{field} has at most {places} decimal "
                           "places.", field)
    return number


def _weight(value: Decimal) -> Decimal:
    weight = _decimal(value, "weight", Decimal(0), MAX_WEIGHT, 6)
    if weight <= 0:
        raise InputProblem(ErrorCode.INVALID_INPUT, "weight must be positive.", "weight")
    return weight


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


def _money(pool: MoneyInput) -> credits.Money:
    try:
        return pool.parse()
    except credits.CreditError as error:
        code = ErrorCode.UNKNOWN_CURRENCY if (error.field or "").endswith("currency") else (
            ErrorCode.INVALID_MONEY)
        raise InputProblem(code, error.message, error.field) from None


# --- compilations -------------------------------------------------------------------------------


async def create_compilation(context: Context, input: CreateCompilationInput) -> CompilationPayload:
    viewer = _require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        problems = Problems()
        title = problems.check(clean_text, input.title, "title", max_length=MAX_TITLE,
                               required=True)
        description = problems.check(clean_text, input.description, "description",
                                     max_length=MAX_DESCRIPTION)
        target, settings = problems.check(_settings, context, input) or (None, None)
        share = problems.check(_decimal, input.lineage_share, "lineageShare", Decimal(0),
                               Decimal(1), 6)
        percent = problems.check(_decimal, input.editors_percent, "editorsPercent", Decimal(0),
                                 Decimal(100), 4)
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
        return Outcome(_payload(context, row), [Event(
            "compilation.created", encode_id("Compilation", row["id"]), context.viewer_global_id,
            {"status": row["status"], "target": target})])

    return await run_mutation(context, CompilationPayload, work)


async def add_editor(context: Context, input: AddCompilationEditorInput) -> CompilationPayload:
    _require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await _locked(tx, input.compilation_id, "compilationId")
        viewer = await _require_team(tx, context, row)
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
        return Outcome(_payload(context, await store.touch(tx, row["id"])))

    return await run_mutation(context, CompilationPayload, work)


# --- items --------------------------------------------------------------------------------------


async def _publishable_record(tx: Executor, context: Context, global_id: str) -> Any:
    record = await record_store.record_for_update(tx, input_pk(global_id, "Record", "recordId"),
                                                  context.viewer_id)
    # A deleted record is named (and refused as deleted); another's draft stays unseen.
    if record is None or not (record["_nameable"] or record["deleted_at"] is not None):
        raise InputProblem(ErrorCode.NOT_FOUND, "No such record.", "recordId")
    if record["deleted_at"] is not None:
        raise InputProblem(ErrorCode.RECORD_NOT_PUBLISHED, "The record was deleted.", "recordId")
    if record["status"] != "PUBLISHED":
        raise InputProblem(ErrorCode.RECORD_NOT_PUBLISHED, "Only published records can join a "
                           f"compilation; this one is {record['status']}.", "recordId")
    return record


async def add_item(context: Context, input: AddCompilationItemInput) -> CompilationItemPayload:
    _require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await _locked(tx, input.compilation_id, "compilationId")
        viewer = await _require_team(tx, context, row)
        _require_draft(row)
        problems = Problems()
        note = problems.check(clean_text, input.note, "note", max_length=MAX_NOTE)
        weight = problems.check(_weight, input.weight)
        with problems.collecting():
            record = await _publishable_record(tx, context, input.record_id)
        problems.raise_any()
        if await store.has_item(tx, row["id"], record["id"]):
            raise InputProblem(ErrorCode.CONFLICT, "The record is already in the compilation.",
                               "recordId")
        if await store.item_count(tx, row["id"]) >= MAX_ITEMS:
            raise InputProblem(ErrorCode.TOO_LONG, f"A compilation holds at most {MAX_ITEMS} "
                               "items.", "recordId")
        item = await store.append_item(tx, compilation_id=row["id"], record_id=record["id"],
                                       note=note, weight=weight, added_by=viewer)
        # The record's ID, not its title: the history of a published compilation is public,
        # and the record may be unpublished later.
        await store.add_history(tx, row["id"], viewer, "add_item", None, None,
                                encode_id("Record", record["id"]))
        return Outcome(_payload(context, await store.touch(tx, row["id"]),
                                item=CompilationItem.from_row(item)))

    return await run_mutation(context, CompilationItemPayload, work)


async def move_item(context: Context, input: MoveCompilationItemInput) -> CompilationItemPayload:
    _require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row, item = await _locked_item(tx, input.item_id)
        viewer = await _require_team(tx, context, row)
        _require_draft(row)
        count = await store.item_count(tx, row["id"])
        if not 1 <= input.position <= count:
            raise InputProblem(ErrorCode.INVALID_POSITION, f"position must be between 1 and "
                               f"{count}.", "position")
        await store.move_item(tx, row["id"], item["position"], input.position)
        await store.add_history(tx, row["id"], viewer, "move_item", None, None,
                                f"{item['position']} → {input.position}")
        moved = await store.item_by_id(tx, item["id"])
        return Outcome(_payload(context, await store.touch(tx, row["id"]),
                                item=CompilationItem.from_row(moved)))

    return await run_mutation(context, CompilationItemPayload, work)


async def remove_item(context: Context, input: CompilationItemIdInput) -> CompilationItemPayload:
    _require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row, item = await _locked_item(tx, input.item_id)
        viewer = await _require_team(tx, context, row)
        _require_draft(row)
        await store.remove_item(tx, item["id"])
        await store.add_history(tx, row["id"], viewer, "remove_item", None, None,
                                encode_id("Record", item["record_id"]))
        return Outcome(_payload(context, await store.touch(tx, row["id"])))

    return await run_mutation(context, CompilationItemPayload, work)


# --- the workflow -------------------------------------------------------------------------------


async def _transition(
    tx: Executor, context: Context, row: Any, action: str, reason: str = "",
) -> tuple[Any, Event]:
    viewer = await _require_team(tx, context, row)
    status = workflow.next_status(action, row["status"])
    if status is None:
        allowed = " or ".join(workflow.allowed_from(action))
        raise InputProblem(ErrorCode.INVALID_STATE, f"Cannot {action} a compilation that is "
                           f"{row['status']} (only from {allowed}).")
    submitted_by = viewer if action == "submit" else (
        None if status == workflow.DRAFT else row["submitted_by"])
    updated = await store.set_status(tx, row["id"], status, submitted_by)
    await store.add_history(tx, row["id"], viewer, action, row["status"], status, reason)
    return updated, _status_event(context, updated, row["status"])


async def change_status(
    context: Context, global_id: str, action: str, reason: str = "",
) -> CompilationPayload:
    _require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await _locked(tx, global_id)
        if action == "approve":
            await _require_team(tx, context, row)
            if row["status"] == workflow.IN_REVIEW and row["submitted_by"] == context.viewer_id:
                raise InputProblem(ErrorCode.OWN_SUBMISSION, "You submitted this compilation; "
                                   "another editor must approve it.")
            if row["status"] == workflow.IN_REVIEW:
                await store.pin_versions(tx, row["id"])
        if action == "submit":
            await _require_team(tx, context, row)
            if not await store.item_count(tx, row["id"]) and row["status"] == workflow.DRAFT:
                raise InputProblem(ErrorCode.INVALID_STATE, "Add items before submitting.")
        clean_reason = reason
        if action == "return":
            clean_reason = clean_text(reason, "reason", max_length=MAX_REASON, required=True)
        updated, event = await _transition(tx, context, row, action, clean_reason)
        return Outcome(_payload(context, updated), [event])

    return await run_mutation(context, CompilationPayload, work)


def _problem_errors(problems: list[Any]) -> list[Problem]:
    return [
        Problem(field="items" if p.item_id else None, message=f"{p.code}: {p.message}",
                code=(ErrorCode.CHANGED_SINCE_APPROVAL
                        if p.code == publishing.CHANGED_SINCE_APPROVAL
                        else ErrorCode.PUBLISHING_BLOCKED))
        for p in problems
    ]


async def _reopen(tx: Executor, context: Context, row: Any) -> Outcome:
    """Send an APPROVED compilation whose records changed back to review (see the module
    docstring); the history says which records changed, from which version to which."""
    changes = "; ".join(
        f"record {encode_id('Record', item['record_id'])} changed after approval (version "
        f"{item['approved_version'] or '?'} → {item['version']})"
        for item in await store.changed_items(tx, row["id"]))
    updated, event = await _transition(tx, context, row, "reopen", f"Back to review: {changes}.")
    return Outcome(_payload(context, updated), [event])


async def publish(context: Context, input: CompilationIdInput) -> PublishCompilationPayload:
    _require_editorial(context)
    written: list[str] = []
    reopened: list[Problem] = []

    def payload(errors: list[UserError], **fields: Any) -> PublishCompilationPayload:
        # A reopen commits (and its payload shows the compilation) but publishes nothing.
        return PublishCompilationPayload(errors=errors or user_errors(reopened), **fields)

    async def work(tx: Executor) -> Outcome:
        row = await _locked(tx, input.id)
        await _require_team(tx, context, row)
        if workflow.next_status("publish", row["status"]) is None:
            raise InputProblem(ErrorCode.INVALID_STATE, f"Cannot publish a compilation that is "
                               f"{row['status']}; it must be APPROVED first.")
        await store.lock_item_records(tx, row["id"])
        problems = await publishing.find_problems(context, tx, row)
        changed = any(p.code == publishing.CHANGED_SINCE_APPROVAL for p in problems)
        if changed and row["status"] == workflow.APPROVED:
            reopened.extend(_problem_errors(problems))
            return await _reopen(tx, context, row)
        if problems:
            raise InputProblem.many(_problem_errors(problems))
        publication = await publishing.store_publication(
            context, tx, row, context.require_viewer(), written)
        updated, event = await _transition(tx, context, row, "publish",
                                           f"version {publication['version']}")
        published = Event("compilation.published", encode_id("Compilation", row["id"]),
                          context.viewer_global_id, {"version": publication["version"],
                                            "target": row["target"]})
        rows = await store.publications_of(tx, [row["id"]])
        return Outcome(_payload(context, updated, publication=Publication.from_row(
            rows[0], str(context.request.url.origin()) if context.request else "")),
            [event, published])

    try:
        return await run_mutation(context, payload, work)
    finally:
        await publishing.forget_unrecorded(context, written)


# --- payouts ------------------------------------------------------------------------------------


async def propose_payout(context: Context, input: ProposePayoutInput) -> PayoutPayload:
    _require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row = await _locked(tx, input.compilation_id, "compilationId")
        viewer = await _require_team(tx, context, row)
        money = _money(input.pool)
        if row["status"] != workflow.PUBLISHED:
            raise InputProblem(ErrorCode.INVALID_STATE, "Only a PUBLISHED compilation is paid "
                               f"out; this one is {row['status']}.", "compilationId")
        items, lineage, rules = await credit_inputs(tx, row)
        try:
            shares = credits.split(money.minor, items, lineage, rules)
        except credits.CreditError as error:
            raise InputProblem(ErrorCode.INVALID_INPUT, error.message, error.field) from None
        proposal = await store.insert_proposal(
            tx, compilation_id=row["id"], pool_minor=money.minor, currency=money.currency,
            rules={"lineageShare": str(rules.lineage_share), "maxDepth": rules.max_depth,
                   "editorsPercent": str(row["editors_percent"])},
            proposed_by=viewer, window_days=row["payout_window_days"],
        )
        await store.insert_lines(tx, proposal["id"], frozen_lines(shares, money))
        await store.add_history(tx, row["id"], viewer, "propose_payout", None, None,
                                f"{money.decimal()} {money.currency}")
        event = Event("payout.proposed", encode_id("PayoutProposal", proposal["id"]),
                      context.viewer_global_id, {"compilation": encode_id("Compilation", row["id"]),
                                        "pool": money.decimal(), "currency": money.currency})
        return Outcome(_payload(context, row, proposal=PayoutProposal.from_row(proposal)), [event])

    return await run_mutation(context, PayoutPayload, work)


async def _locked_proposal(tx: Executor, global_id: str) -> tuple[Any, Any]:
    pk = input_pk(global_id, "PayoutProposal", "proposalId")
    found = await store.proposals_by_ids(tx, [pk])
    if not found:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such payout proposal.", "proposalId")
    row = await store.compilation_for_update(tx, found[0]["compilation_id"])
    return row, await store.proposal_for_update(tx, pk)


async def comment_on_payout(context: Context, input: CommentOnPayoutInput) -> PayoutPayload:
    viewer = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        row, proposal = await _locked_proposal(tx, input.proposal_id)
        on_team = editorial(context) and (
            context.is_admin or await store.is_editor(tx, row["id"], viewer))
        if not on_team and not await store.has_line(tx, proposal["id"], viewer):
            raise Forbidden("Only the editors and the members credited can comment.")
        if proposal["status"] != "PROPOSED" or proposal["now"] >= proposal["window_closes_at"]:
            raise InputProblem(ErrorCode.WINDOW_CLOSED, "The comment window of this proposal "
                               "has closed.", "proposalId")
        body = clean_text(input.body, "body", max_length=MAX_COMMENT, required=True)
        await store.insert_comment(tx, proposal["id"], viewer, body)
        return Outcome(_payload(context, row, proposal=PayoutProposal.from_row(proposal)))

    return await run_mutation(context, PayoutPayload, work)


async def finalize_payout(context: Context, input: PayoutIdInput) -> PayoutPayload:
    _require_editorial(context)

    async def work(tx: Executor) -> Outcome:
        row, proposal = await _locked_proposal(tx, input.proposal_id)
        viewer = await _require_team(tx, context, row)
        if proposal["status"] != "PROPOSED":
            raise InputProblem(ErrorCode.INVALID_STATE, "The proposal is already final.",
                               "proposalId")
        if proposal["now"] < proposal["window_closes_at"]:
            raise InputProblem(ErrorCode.WINDOW_OPEN, "The comment window is open until "
                               f"{proposal['window_closes_at'].isoformat()}; finalize after it "
                               "closes.", "proposalId")
        if proposal["proposed_by"] == viewer:
            raise InputProblem(ErrorCode.OWN_PROPOSAL, "You proposed this payout; another "
                               "editor must finalize it.", "proposalId")
        final = await store.finalize_proposal(tx, proposal["id"], viewer)
        await store.add_history(tx, row["id"], viewer, "finalize_payout", None, None,
                                encode_id("PayoutProposal", proposal["id"]))
        event = Event("payout.finalized", encode_id("PayoutProposal", proposal["id"]),
                      context.viewer_global_id, {"compilation": encode_id("Compilation", row["id"])})
        return Outcome(_payload(context, row, proposal=PayoutProposal.from_row(final)), [event])

    return await run_mutation(context, PayoutPayload, work)


# --- the Mutation fields ------------------------------------------------------------------------


@strawberry.type
class CompilationsMutation:
    @strawberry.mutation(description="Create a compilation (EDITORs and ADMINs); you join its "
                         "editors team.")
    async def create_compilation(self, info: Info, input: CreateCompilationInput) -> CompilationPayload:
        return await create_compilation(info.context, input)

    @strawberry.mutation(description="Add an EDITOR or ADMIN to a compilation's editors team.")
    async def add_compilation_editor(
        self, info: Info, input: AddCompilationEditorInput,
    ) -> CompilationPayload:
        return await add_editor(info.context, input)

    @strawberry.mutation(description="Append a published record to a DRAFT compilation.")
    async def add_compilation_item(
        self, info: Info, input: AddCompilationItemInput,
    ) -> CompilationItemPayload:
        return await add_item(info.context, input)

    @strawberry.mutation(description="Move an item of a DRAFT compilation to another place.")
    async def move_compilation_item(
        self, info: Info, input: MoveCompilationItemInput,
    ) -> CompilationItemPayload:
        return await move_item(info.context, input)

    @strawberry.mutation(description="Remove an item from a DRAFT compilation.")
    async def remove_compilation_item(
        self, info: Info, input: CompilationItemIdInput,
    ) -> CompilationItemPayload:
        return await remove_item(info.context, input)

    @strawberry.mutation(description="Submit a DRAFT for review (IN_REVIEW).")
    async def submit_compilation(self, info: Info, input: CompilationIdInput) -> CompilationPayload:
        return await change_status(info.context, input.id, "submit")

    @strawberry.mutation(description="Approve a compilation IN_REVIEW (an editor other than the "
                         "one who submitted it); pins the version of every item's record.")
    async def approve_compilation(self, info: Info, input: CompilationIdInput) -> CompilationPayload:
        return await change_status(info.context, input.id, "approve")

    @strawberry.mutation(description="Send a compilation IN_REVIEW or APPROVED back to DRAFT, "
                         "with a reason.")
    async def return_compilation(
        self, info: Info, input: ReturnCompilationInput,
    ) -> CompilationPayload:
        return await change_status(info.context, input.id, "return", input.reason)

    @strawberry.mutation(description="Render an APPROVED (or already PUBLISHED) compilation "
                         "through its target and publish it as a new version; fails with its "
                         "problems listed while it has any. An item's record changed since "
                         "approval sends an APPROVED compilation back to IN_REVIEW "
                         "(CHANGED_SINCE_APPROVAL).")
    async def publish_compilation(
        self, info: Info, input: CompilationIdInput,
    ) -> PublishCompilationPayload:
        return await publish(info.context, input)

    @strawberry.mutation(description="Archive a compilation (its publications stay).")
    async def archive_compilation(self, info: Info, input: CompilationIdInput) -> CompilationPayload:
        return await change_status(info.context, input.id, "archive")

    @strawberry.mutation(description="Freeze the credit split of a pool as a payout proposal, "
                         "open for comments until its window closes.")
    async def propose_payout(self, info: Info, input: ProposePayoutInput) -> PayoutPayload:
        return await propose_payout(info.context, input)

    @strawberry.mutation(description="Comment on an open payout proposal (editors and the "
                         "members credited).")
    async def comment_on_payout(self, info: Info, input: CommentOnPayoutInput) -> PayoutPayload:
        return await comment_on_payout(info.context, input)

    @strawberry.mutation(description="Finalize a payout proposal after its window closed "
                         "(an editor other than the one who proposed it); it becomes "
                         "immutable.")
    async def finalize_payout(self, info: Info, input: PayoutIdInput) -> PayoutPayload:
        return await finalize_payout(info.context, input)
