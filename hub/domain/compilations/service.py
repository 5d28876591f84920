"""The services of compilation mutations that need no API: input checks, the locks every
change takes (in the same order, so two changes never deadlock), status transitions with their
history entries. The API's mutation modules (hub/api/compilations/mutations/) call these inside
their transaction; an :class:`~hub.core.errors.InputProblem` rolls the transaction back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
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
# Who works on compilations at all (the compilation's own team is checked by require_team).
EDITORIAL_ROLES = frozenset({"EDITOR", "ADMIN"})
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


def require_draft(row: Any, field: str | None = None) -> None:
    """Items change only while the compilation is a DRAFT."""
    if row["status"] not in workflow.EDITABLE_STATUSES:
        raise InputProblem(ErrorCode.INVALID_STATE, f"Items change only while the compilation is "
                           f"a DRAFT; it is {row['status']} (return it to DRAFT first).", field)


# --- who may change a compilation ---------------------------------------------------------------


def require_editorial(role: str | None) -> None:
    """Only EDITORs and ADMINs work on compilations; FORBIDDEN for anyone else."""
    if role not in EDITORIAL_ROLES:
        raise Forbidden("Only editors and admins work on compilations.")


async def require_team(tx: Executor, row: Any, viewer: int, is_admin: bool) -> None:
    """Only the compilation's editors team (or an ADMIN) changes it."""
    if not is_admin and not await store.is_editor(tx, row["id"], viewer):
        raise Forbidden("Only this compilation's editors can do this.")


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
    require_published(record, "recordId")
    return record


def require_published(record: Any, field: str) -> None:
    """An item is a published record that is not deleted (``record`` has ``status`` and
    ``deleted_at``)."""
    if record["deleted_at"] is not None:
        raise InputProblem(ErrorCode.RECORD_NOT_PUBLISHED, "The record was deleted.", field)
    if record["status"] != "PUBLISHED":
        raise InputProblem(ErrorCode.RECORD_NOT_PUBLISHED, "Only published records can join a "
                           f"compilation; this one is {record['status']}.", field)


# --- items --------------------------------------------------------------------------------------


async def require_room(tx: Executor, row: Any, adding: int, field: str) -> None:
    """A compilation holds at most :data:`MAX_ITEMS` items, ``adding`` more included."""
    if await store.item_count(tx, row["id"]) + adding > MAX_ITEMS:
        raise InputProblem(ErrorCode.TOO_LONG, f"A compilation holds at most {MAX_ITEMS} "
                           "items.", field)


async def append_item(tx: Executor, row: Any, viewer: int, record_id: int, note: str,
                      weight: Decimal) -> Any:
    """Append ``record_id`` to the locked compilation ``row`` and write its history entry; the
    caller has checked the team, the status, the record and the room. Returns the item."""
    item = await store.append_item(tx, compilation_id=row["id"], record_id=record_id,
                                   note=note, weight=weight, added_by=viewer)
    # The record's ID, not its title: the history of a published compilation is public, and
    # the record may be unpublished later.
    await store.add_history(tx, row["id"], viewer, "add_item", None, None,
                            encode_id("Record", record_id))
    return item


async def add_records(tx: Executor, row: Any, viewer: int, record_ids: list[int], note: str,
                      field: str) -> int:
    """Append those of ``record_ids`` (published, checked by the caller) not already items of
    the locked DRAFT compilation ``row``, all or none (TOO_LONG past :data:`MAX_ITEMS`), each
    weighing 1; returns how many were added."""
    require_draft(row, field)
    new = [record_id for record_id in dict.fromkeys(record_ids)
           if not await store.has_item(tx, row["id"], record_id)]
    await require_room(tx, row, len(new), field)
    for record_id in new:
        await append_item(tx, row, viewer, record_id, note, Decimal(1))
    return len(new)


# --- the workflow -------------------------------------------------------------------------------


async def transition(tx: Executor, row: Any, viewer: int, action: str, reason: str = "") -> Any:
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
    await store.add_history(tx, row["id"], viewer, action, row["status"], status, reason)
    return updated


async def reopen_reason(tx: Executor, row: Any) -> str:
    """The history's reason when publishing sends an APPROVED compilation back to review:
    which records changed, from which version to which."""
    changes = "; ".join(
        f"record {encode_id('Record', item['record_id'])} changed after approval (version "
        f"{item['approved_version'] or '?'} → {item['version']})"
        for item in await store.changed_items(tx, row["id"]))
    return f"Back to review: {changes}."
