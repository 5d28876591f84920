"""The services of compilation mutations that need no API: input checks, the locks every
change takes (in the same order, so two changes never deadlock), status transitions with their
history entries. The API's mutation modules (hub/api/compilations/mutations/) call these inside
their transaction; an :class:`~hub.core.errors.InputProblem` rolls the transaction back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hub.core.db import Executor
from hub.core.errors import ErrorCode, InputProblem
from hub.core.numbers import plain
from hub.core.relay import encode_id, input_pk
from hub.domain.compilations import store, workflow
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


# --- input checks -------------------------------------------------------------------------------


def checked_decimal(number: Decimal, field: str, low: Decimal, high: Decimal,
                    places: int) -> Decimal:
    """A decimal input (the scalar already refused non-numbers) within its range and places."""
    if not number.is_finite() or not low <= number <= high:
        raise InputProblem(ErrorCode.INVALID_INPUT, f"{field} must be between {plain(low)} and "
                           f"{plain(high)}.", field)
    if number != number.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN"):
        raise InputProblem(ErrorCode.INVALID_INPUT, f"{field} has at most {places} decimal "
                           "places.", field)
    return number


def checked_weight(value: Decimal) -> Decimal:
    """An item's weight: positive, at most :data:`MAX_WEIGHT`, 6 places."""
    weight = checked_decimal(value, "weight", Decimal(0), MAX_WEIGHT, 6)
    if weight <= 0:
        raise InputProblem(ErrorCode.INVALID_INPUT, "weight must be positive.", "weight")
    return weight


def require_draft(row: Any, what: str = "Items") -> None:
    """Items (and title, description, settings) change only while the compilation is a
    DRAFT: a review approves a fixed compilation."""
    if row["status"] not in workflow.EDITABLE_STATUSES:
        raise InputProblem(ErrorCode.INVALID_STATE, f"{what} change only while the compilation "
                           f"is a DRAFT; it is {row['status']} (return it to DRAFT first).")


# --- locks --------------------------------------------------------------------------------------


async def locked(tx: Executor, global_id: str, field: str = "id") -> Any:
    """The compilation named by ``global_id``, locked for the transaction; NOT_FOUND else."""
    row = await store.compilation_for_update(tx, input_pk(global_id, "Compilation", field))
    if row is None:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such compilation.", field)
    return row


async def locked_item(tx: Executor, global_id: str) -> tuple[Any, Any]:
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


async def locked_proposal(tx: Executor, global_id: str) -> tuple[Any, Any]:
    """The payout proposal and its compilation, the compilation locked first."""
    pk = input_pk(global_id, "PayoutProposal", "proposalId")
    found = await store.proposals_by_ids(tx, [pk])
    if not found:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such payout proposal.", "proposalId")
    row = await store.compilation_for_update(tx, found[0]["compilation_id"])
    return row, await store.proposal_for_update(tx, pk)


async def publishable_record(tx: Executor, viewer_id: int | None, global_id: str) -> Any:
    """The record an item would hold, locked: published and not deleted."""
    record = await record_store.record_for_update(tx, input_pk(global_id, "Record", "recordId"),
                                                  viewer_id)
    # A deleted record is named (and refused as deleted); another's draft stays unseen.
    if record is None or not (record["_nameable"] or record["deleted_at"] is not None):
        raise InputProblem(ErrorCode.NOT_FOUND, "No such record.", "recordId")
    if record["deleted_at"] is not None:
        raise InputProblem(ErrorCode.RECORD_NOT_PUBLISHED, "The record was deleted.", "recordId")
    if record["status"] != "PUBLISHED":
        raise InputProblem(ErrorCode.RECORD_NOT_PUBLISHED, "Only published records can join a "
                           f"compilation; this one is {record['status']}.", "recordId")
    return record


# --- the workflow -------------------------------------------------------------------------------


async def transition(tx: Executor, row: Any, viewer: int, action: str, reason: str = "",
                     details: dict[str, Any] | None = None) -> Any:
    """Move the locked compilation ``row`` by ``action`` (INVALID_STATE where the workflow
    does not allow it) and write the history entry; returns the updated row."""
    status = workflow.next_status(action, row["status"])
    if status is None:
        allowed = " or ".join(workflow.allowed_from(action))
        raise InputProblem(ErrorCode.INVALID_STATE, f"Cannot {action} a compilation that is "
                           f"{row['status']} (only from {allowed}).")
    submitted_by = viewer if action == "submit" else (
        None if status == workflow.DRAFT else row["submitted_by"])
    updated = await store.set_status(tx, row["id"], status, submitted_by)
    await store.add_history(tx, row["id"], viewer, action, row["status"], status, reason,
                            details)
    return updated


async def reopen_reason(tx: Executor, row: Any) -> str:
    """The history's reason when publishing sends an APPROVED compilation back to review:
    which records changed, from which version to which."""
    changes = "; ".join(
        f"record {encode_id('Record', item['record_id'])} changed after approval (version "
        f"{item['approved_version'] or '?'} → {item['version']})"
        for item in await store.changed_items(tx, row["id"]))
    return f"Back to review: {changes}."
