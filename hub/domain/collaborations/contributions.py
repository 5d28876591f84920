"""The rules of contributions: members offer their records to needs, owners decide.

* Only the contributor's own published record may be offered (``NOT_YOUR_RECORD``,
  ``RECORD_NOT_PUBLISHED``), of the need's media type (``WRONG_MEDIA_TYPE``), once per need
  (``ALREADY_OFFERED``), while the collaboration is OPEN (``NOT_OPEN``) and before the step's
  and the collaboration's deadlines (``DEADLINE_PASSED``).
* A contribution to a later step names, by default, the records accepted in the earlier steps
  as its sources (or those of them the contributor names); when it is accepted they become its
  record's sources in the lineage slice, which then credits the chain.
* Only owners shortlist, accept or decline; a decline may carry a reason that the contributor
  (and the owners) see. An accepted record fills a slot; a need never takes more than its
  count (``NEED_FILLED``), also under concurrent accepts (store.take_slot).
* A contributor withdraws their own contribution. An accepted one is not removed silently:
  it stays as a WITHDRAWN tombstone that keeps its credit (``accepted_at``), and its slot
  reopens.
"""

from __future__ import annotations

from typing import Any

from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.core.events import Event
from hub.core.validation import Problems, clean_text
from hub.domain.collaborations import store
from hub.domain.collaborations.service import MAX_NOTE, contribution_event, now, owned
from hub.domain.lineage import store as lineage
from hub.domain.records import store as records

UNDECIDED = ("OFFERED", "SHORTLISTED")


def _not_open(collaboration: Any) -> InputProblem:
    return InputProblem(ErrorCode.NOT_OPEN, "This collaboration is not open for "
                        f"contributions; it is {collaboration['status']}.", "needId")


async def offer(
    tx: Executor, viewer: int, *, need_id: int, record_id: int, note: str,
    sources: list[int] | None,
) -> tuple[Any, list[Event]]:
    problems = Problems()
    note = problems.check(clean_text, note, "note", max_length=MAX_NOTE)
    problems.raise_any()
    need = await store.need(tx, need_id)
    collaboration = None if need is None else await store.collaboration_for_update(
        tx, need["collaboration_id"], viewer)
    if need is None or collaboration is None or not collaboration["_visible"]:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such need.", "needId")
    if collaboration["status"] not in ("OPEN", "CLOSED"):
        raise _not_open(collaboration)
    # Before the CLOSED check: a collaboration past its deadline reads as CLOSED
    # (rules.STATUS), and the offer is told which deadline passed.
    deadline = min(need["step_deadline"], collaboration["deadline"])
    if deadline <= now():
        raise InputProblem(ErrorCode.DEADLINE_PASSED, "The deadline for this step passed at "
                           f"{deadline.isoformat()}.", "needId")
    if collaboration["status"] != "OPEN":
        raise _not_open(collaboration)
    record = await records.record_for_update(tx, record_id, viewer)
    if record is None or not record["_nameable"]:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such record.", "recordId")
    if record["author_id"] != viewer:
        raise InputProblem(ErrorCode.NOT_YOUR_RECORD, "Only your own records can be offered.",
                           "recordId")
    if record["status"] != "PUBLISHED" or record["deleted_at"] is not None:
        raise InputProblem(ErrorCode.RECORD_NOT_PUBLISHED, "Publish the record before offering "
                           "it.", "recordId")
    if record["media_type"] != need["media_type"]:
        raise InputProblem(ErrorCode.WRONG_MEDIA_TYPE, f"This need asks for "
                           f"{need['media_type']!r}; the record is {record['media_type']!r}.",
                           "recordId")
    earlier = await store.accepted_records_before(tx, collaboration["id"],
                                                  need["step_position"])
    earlier = [pk for pk in earlier if pk != record_id]
    if sources is None:
        source_ids = earlier
    else:
        for i, pk in enumerate(sources):
            if pk not in earlier:
                problems.add(ErrorCode.INVALID_INPUT, "A source must be a record accepted in an "
                             "earlier step of this collaboration.", f"sources.{i}")
        problems.raise_any()
        source_ids = list(dict.fromkeys(sources))
    row = await store.insert_contribution(tx, need, record_id=record_id, contributor=viewer,
                                          note=note, source_ids=source_ids)
    if row is None:
        raise InputProblem(ErrorCode.ALREADY_OFFERED, "This record was already offered to this "
                           "need.", "recordId")
    return row, [contribution_event("contribution.offered", viewer, row)]


async def _decided_by_owner(tx: Executor, viewer: int, pk: int) -> tuple[Any, Any]:
    row = await store.contribution_for_update(tx, pk)
    if row is None:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such contribution.", "id")
    collaboration = await owned(tx, row["collaboration_id"], viewer)
    if collaboration["status"] not in ("OPEN", "CLOSED"):
        raise InputProblem(ErrorCode.NOT_OPEN, "Contributions are decided while the "
                           f"collaboration is OPEN or CLOSED; it is {collaboration['status']}.",
                           "id")
    if row["status"] not in UNDECIDED:
        raise InputProblem(ErrorCode.INVALID_STATE, f"This contribution is {row['status']}; "
                           "only an offered or shortlisted one can be decided.", "id")
    return row, collaboration


async def shortlist(tx: Executor, viewer: int, pk: int) -> tuple[Any, list[Event]]:
    await _decided_by_owner(tx, viewer, pk)
    updated = await store.set_contribution(tx, pk, {"status": "SHORTLISTED"})
    return updated, [contribution_event("contribution.shortlisted", viewer, updated)]


async def accept(tx: Executor, viewer: int, pk: int) -> tuple[Any, list[Event]]:
    row, _ = await _decided_by_owner(tx, viewer, pk)
    if not await store.take_slot(tx, row["need_id"]):
        raise InputProblem(ErrorCode.NEED_FILLED, "Every slot of this need is filled; decline "
                           "or raise the need's count.", "id")
    moment = now()
    updated = await store.set_contribution(tx, pk, {"status": "ACCEPTED", "decided_at": moment,
                                                    "accepted_at": moment})
    await _credit_sources(tx, updated)
    return updated, [contribution_event("contribution.accepted", viewer, updated)]


async def _credit_sources(tx: Executor, row: Any) -> None:
    """Write the contribution's sources to the lineage (skipping links that exist or would
    make a cycle), through the lineage slice's own functions and its lock."""
    if not row["source_ids"]:
        return
    await lineage.lock_lineage(tx)
    existing = set(await lineage.source_ids_of(tx, row["record_id"]))
    added = []
    for source in row["source_ids"]:
        if source in existing or source == row["record_id"]:
            continue
        if await lineage.reaches(tx, source, row["record_id"]):
            continue  # already made from this record: naming it would close a cycle
        added.append((source, "Accepted in an earlier step of the same collaboration."))
    await lineage.insert_sources(tx, row["record_id"], added)


async def decline(tx: Executor, viewer: int, pk: int, reason: str) -> tuple[Any, list[Event]]:
    problems = Problems()
    reason = problems.check(clean_text, reason, "reason", max_length=MAX_NOTE)
    problems.raise_any()
    await _decided_by_owner(tx, viewer, pk)
    updated = await store.set_contribution(tx, pk, {"status": "DECLINED", "decided_at": now(),
                                                    "reason": reason or None})
    return updated, [contribution_event("contribution.declined", viewer, updated)]


async def withdraw(tx: Executor, viewer: int, pk: int) -> tuple[Any, list[Event]]:
    row = await store.contribution_for_update(tx, pk)
    if row is None:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such contribution.", "id")
    if row["contributor_id"] != viewer:
        raise Forbidden("Only the contributor can withdraw a contribution.")
    if row["status"] not in (*UNDECIDED, "ACCEPTED"):
        raise InputProblem(ErrorCode.INVALID_STATE, f"This contribution is {row['status']}.",
                           "id")
    if row["status"] == "ACCEPTED":
        # Lock order as in accept: contribution, then need.
        await store.free_slot(tx, row["need_id"])
    updated = await store.set_contribution(tx, pk, {"status": "WITHDRAWN", "withdrawn_at": now()})
    return updated, [contribution_event("contribution.withdrawn", viewer, updated)]
