"""The rules of collaborations' writes, each refusal a clear error code and nothing written.

Every function runs inside the mutation's transaction (hub/api/mutations.py: an
:class:`InputProblem` rolls it back) and returns what it wrote with the events it caused.

* Any signed-in member creates a collaboration (a DRAFT, they its first owner); only owners
  change it, open, close, complete or archive it, manage its owners, steps and needs, and decide
  on contributions. A draft is NOT_FOUND to everyone else (its existence does not leak).
* Deadlines in the past are refused (``DEADLINE_PASSED``), at creation and on every change.
* Status: DRAFT → OPEN → CLOSED → COMPLETED, or ARCHIVED from any of them; opening needs at
  least one need. Contributions are offered only while OPEN (``NOT_OPEN``) and before both the
  step's and the collaboration's deadlines (``DEADLINE_PASSED``); owners decide while OPEN or
  CLOSED.
* The last owner cannot be removed (``LAST_OWNER``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.core.events import Event
from hub.core.relay import encode_id
from hub.core.validation import Problems, clean_labels, clean_text
from hub.domain.collaborations import brief as briefs
from hub.domain.collaborations import store

MAX_TITLE = 200
MAX_BRIEF = 20_000
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
MAX_STEPS = 20
MAX_NEEDS = 20  # per step
MAX_NEED_COUNT = 100
MAX_NOTE = 2_000
MAX_OWNERS = 20


@dataclass
class NeedSpec:
    media_type: str
    count: int
    skill: str = ""
    description: str = ""


@dataclass
class StepSpec:
    title: str
    deadline: dt.datetime
    description: str = ""
    needs: list[NeedSpec] = field(default_factory=list)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def collaboration_event(kind: str, actor: int, row: Any, **payload: Any) -> Event:
    return Event(kind=kind, subject=encode_id("Collaboration", row["id"]),
                 actor=encode_id("Member", actor), payload={"status": row["status"], **payload})


def contribution_event(kind: str, actor: int, row: Any) -> Event:
    return Event(kind=kind, subject=encode_id("Contribution", row["id"]),
                 actor=encode_id("Member", actor),
                 payload={"collaboration": encode_id("Collaboration", row["collaboration_id"]),
                          "contributor": encode_id("Member", row["contributor_id"]),
                          "record": encode_id("Record", row["record_id"]),
                          "status": row["status"]})


# --- input checks (every problem at once) --------------------------------------------------------


def check_deadline(value: dt.datetime, field: str, *, not_after: dt.datetime | None = None) -> dt.datetime:
    if value.tzinfo is None:
        raise InputProblem(ErrorCode.INVALID_INPUT, f"{field} needs a time zone.", field)
    if value <= now():
        raise InputProblem(ErrorCode.DEADLINE_PASSED,
                           f"{field} {value.isoformat()} is in the past.", field)
    if not_after is not None and value > not_after:
        raise InputProblem(ErrorCode.INVALID_INPUT, f"{field} {value.isoformat()} is after the "
                           f"collaboration's deadline ({not_after.isoformat()}).", field)
    return value


def check_need(problems: Problems, need: NeedSpec, field: str, media_types: set[str],
               ) -> NeedSpec:
    if need.media_type not in media_types:
        problems.add(ErrorCode.MEDIA_TYPE_NOT_ENABLED,
                     f"Media type {need.media_type!r} is not enabled.", f"{field}.mediaType")
    if not 1 <= need.count <= MAX_NEED_COUNT:
        problems.add(ErrorCode.INVALID_INPUT,
                     f"count must be between 1 and {MAX_NEED_COUNT}; it is {need.count}.",
                     f"{field}.count")
    skill = problems.check(clean_labels, [need.skill] if need.skill.strip() else [],
                           f"{field}.skill", max_items=1, max_length=MAX_TAG_LENGTH)
    description = problems.check(clean_text, need.description, f"{field}.description",
                                 max_length=MAX_TITLE * 5)
    return NeedSpec(need.media_type, need.count, (skill or [""])[0], description or "")


def check_step(problems: Problems, step: StepSpec, field: str, media_types: set[str],
               deadline: dt.datetime | None) -> StepSpec:
    title = problems.check(clean_text, step.title, f"{field}.title", max_length=MAX_TITLE,
                           required=True)
    description = problems.check(clean_text, step.description, f"{field}.description",
                                 max_length=MAX_BRIEF)
    step_deadline = problems.check(check_deadline, step.deadline, f"{field}.deadline",
                                   not_after=deadline)
    if len(step.needs) > MAX_NEEDS:
        problems.add(ErrorCode.TOO_LONG, f"A step has at most {MAX_NEEDS} needs.",
                     f"{field}.needs")
    needs = [check_need(problems, need, f"{field}.needs.{i}", media_types)
             for i, need in enumerate(step.needs)]
    return StepSpec(title, step_deadline, description, needs)


# --- collaborations ------------------------------------------------------------------------------


async def create(
    tx: Executor, owner: int, *, title: str, brief: str, deadline: dt.datetime,
    tags: list[str], steps: list[StepSpec], media_types: set[str],
) -> Any:
    problems = Problems()
    title = problems.check(clean_text, title, "title", max_length=MAX_TITLE, required=True)
    brief = problems.check(clean_text, brief, "brief", max_length=MAX_BRIEF)
    deadline = problems.check(check_deadline, deadline, "deadline")
    tags = problems.check(clean_labels, tags, "tags", max_items=MAX_TAGS,
                          max_length=MAX_TAG_LENGTH)
    if len(steps) > MAX_STEPS:
        problems.add(ErrorCode.TOO_LONG, f"A collaboration has at most {MAX_STEPS} steps.",
                     "steps")
    checked = [check_step(problems, step, f"steps.{i}", media_types, deadline)
               for i, step in enumerate(steps)]
    problems.raise_any()
    row = await store.insert_collaboration(tx, owner=owner, title=title, brief=brief,
                                           brief_html=briefs.render(brief), deadline=deadline,
                                           tags=tags)
    for step in checked:
        await _insert_step(tx, row["id"], step)
    await store.refresh_needs_text(tx, row["id"])
    return row


async def _insert_step(tx: Executor, pk: int, step: StepSpec) -> Any:
    step_row = await store.insert_step(tx, pk, title=step.title, description=step.description,
                                       deadline=step.deadline)
    for need in step.needs:
        await store.insert_need(tx, step_row, media_type=need.media_type, skill=need.skill,
                                count=need.count, description=need.description)
    return step_row


async def owned(tx: Executor, pk: int, viewer: int, field: str = "id") -> Any:
    """The collaboration, locked; NOT_FOUND unless visible, FORBIDDEN unless an owner's."""
    row = await store.collaboration_for_update(tx, pk, viewer)
    if row is None or not row["_visible"]:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such collaboration.", field)
    if not row["_owner"]:
        raise Forbidden("Only the collaboration's owners can do this.")
    return row


def _changeable(row: Any, field: str = "id") -> None:
    if row["status"] not in ("DRAFT", "OPEN"):
        raise InputProblem(ErrorCode.INVALID_STATE, "Only a draft or open collaboration can "
                           f"change; this one is {row['status']}.", field)


async def update(tx: Executor, viewer: int, pk: int, changes: dict[str, Any]) -> Any:
    row = await owned(tx, pk, viewer)
    _changeable(row)
    problems = Problems()
    cleaned: dict[str, Any] = {}
    if "title" in changes:
        cleaned["title"] = problems.check(clean_text, changes["title"], "title",
                                          max_length=MAX_TITLE, required=True)
    if "brief" in changes:
        cleaned["brief"] = problems.check(clean_text, changes["brief"], "brief",
                                          max_length=MAX_BRIEF)
        if cleaned["brief"] is not None:
            cleaned["brief_html"] = briefs.render(cleaned["brief"])
    if "deadline" in changes:
        cleaned["deadline"] = problems.check(check_deadline, changes["deadline"], "deadline")
        latest = await tx.fetchval("select max(deadline) from collaboration_steps "
                                   "where collaboration_id = $1", pk)
        if cleaned["deadline"] is not None and latest is not None and latest > cleaned["deadline"]:
            problems.add(ErrorCode.INVALID_INPUT, "deadline is before a step's deadline "
                         f"({latest.isoformat()}).", "deadline")
    if "tags" in changes:
        cleaned["tags"] = problems.check(clean_labels, changes["tags"], "tags",
                                         max_items=MAX_TAGS, max_length=MAX_TAG_LENGTH)
    problems.raise_any()
    return await store.update_collaboration(tx, pk, cleaned)


_MOVES = {
    "OPEN": ("DRAFT",),
    "CLOSED": ("OPEN",),
    "COMPLETED": ("OPEN", "CLOSED"),
    "ARCHIVED": ("DRAFT", "OPEN", "CLOSED", "COMPLETED"),
}
_KINDS = {"OPEN": "collaboration.opened", "CLOSED": "collaboration.closed",
          "COMPLETED": "collaboration.completed", "ARCHIVED": "collaboration.archived"}


async def move(tx: Executor, viewer: int, pk: int, status: str,
               results: list[int] | None = None) -> tuple[Any, list[Event]]:
    """Move the collaboration to ``status`` (opened, closed, completed, archived)."""
    row = await owned(tx, pk, viewer)
    if row["status"] not in _MOVES[status]:
        raise InputProblem(ErrorCode.INVALID_STATE, f"A {row['status']} collaboration cannot "
                           f"become {status}.", "id")
    changes: dict[str, Any] = {"status": status}
    if status == "OPEN":
        if row["deadline"] <= now():
            raise InputProblem(ErrorCode.DEADLINE_PASSED, "The deadline has passed; move it "
                               "before opening the collaboration.", "id")
        if await store.count_needs(tx, pk) == 0:
            raise InputProblem(ErrorCode.INVALID_STATE, "Add at least one need before opening "
                               "the collaboration.", "id")
        changes["opened_at"] = now()
    if status == "COMPLETED":
        await _check_results(tx, viewer, results or [])
        await store.set_results(tx, pk, results or [])
        changes["completed_at"] = now()
    updated = await store.update_collaboration(tx, pk, changes)
    return updated, [collaboration_event(_KINDS[status], viewer, updated,
                                         previousStatus=row["status"])]


async def _check_results(tx: Executor, viewer: int, results: list[int]) -> None:
    """Results are published records (or the owner's own), not deleted, at least one."""
    if not results:
        raise InputProblem(ErrorCode.INVALID_INPUT, "Name at least one result record.",
                           "results")
    rows = {row["id"]: row for row in await tx.fetch(
        "select id, author_id, status, deleted_at from records where id = any($1::bigint[])",
        results)}
    problems = Problems()
    for i, pk in enumerate(results):
        row = rows.get(pk)
        own = row is not None and row["author_id"] == viewer
        if row is None or (row["status"] != "PUBLISHED" and not own):
            problems.add(ErrorCode.NOT_FOUND, "No such record.", f"results.{i}")
        elif row["deleted_at"] is not None or row["status"] != "PUBLISHED":
            problems.add(ErrorCode.RECORD_NOT_PUBLISHED, "A result must be a published record.",
                         f"results.{i}")
    problems.raise_any()


async def add_owner(tx: Executor, viewer: int, pk: int, member: int | None) -> Any:
    row = await owned(tx, pk, viewer)
    if member is None:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such member.", "member")
    if len(await store.owner_ids(tx, pk)) >= MAX_OWNERS:
        raise InputProblem(ErrorCode.TOO_LONG, f"A collaboration has at most {MAX_OWNERS} "
                           "owners.", "member")
    await store.add_owner(tx, pk, member)
    return row


async def remove_owner(tx: Executor, viewer: int, pk: int, member: int | None) -> Any:
    row = await owned(tx, pk, viewer)
    owners = await store.owner_ids(tx, pk)
    if member is None or member not in owners:
        raise InputProblem(ErrorCode.NOT_FOUND, "That member is not an owner.", "member")
    if owners == [member]:
        raise InputProblem(ErrorCode.LAST_OWNER, "A collaboration keeps at least one owner; "
                           "add another before removing this one.", "member")
    await store.remove_owner(tx, pk, member)
    return row


# --- steps and needs ----------------------------------------------------------------------------


async def add_step(tx: Executor, viewer: int, pk: int, step: StepSpec,
                   media_types: set[str]) -> Any:
    row = await owned(tx, pk, viewer, "collaborationId")
    _changeable(row, "collaborationId")
    problems = Problems()
    checked = check_step(problems, step, "step", media_types, row["deadline"])
    if await tx.fetchval("select count(*) from collaboration_steps where collaboration_id = $1",
                         pk) >= MAX_STEPS:
        problems.add(ErrorCode.TOO_LONG, f"A collaboration has at most {MAX_STEPS} steps.",
                     "step")
    problems.raise_any()
    await _insert_step(tx, pk, checked)
    await store.refresh_needs_text(tx, pk)
    return row


async def _step_owned(tx: Executor, viewer: int, step_id: int, field: str) -> tuple[Any, Any]:
    step_row = await store.step(tx, step_id)
    if step_row is None:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such step.", field)
    row = await owned(tx, step_row["collaboration_id"], viewer, field)
    _changeable(row, field)
    return row, step_row


async def remove_step(tx: Executor, viewer: int, step_id: int) -> Any:
    row, _ = await _step_owned(tx, viewer, step_id, "stepId")
    if await store.has_contributions(tx, step_id=step_id):
        raise InputProblem(ErrorCode.INVALID_STATE, "This step has contributions; it can no "
                           "longer be removed.", "stepId")
    await store.delete_step(tx, step_id)
    await store.refresh_needs_text(tx, row["id"])
    return row


async def add_need(tx: Executor, viewer: int, step_id: int, need: NeedSpec,
                   media_types: set[str]) -> Any:
    row, step_row = await _step_owned(tx, viewer, step_id, "stepId")
    problems = Problems()
    checked = check_need(problems, need, "need", media_types)
    if await tx.fetchval("select count(*) from collaboration_needs where step_id = $1",
                         step_id) >= MAX_NEEDS:
        problems.add(ErrorCode.TOO_LONG, f"A step has at most {MAX_NEEDS} needs.", "need")
    problems.raise_any()
    await store.insert_need(tx, step_row, media_type=checked.media_type, skill=checked.skill,
                            count=checked.count, description=checked.description)
    await store.refresh_needs_text(tx, row["id"])
    return row


async def _need_owned(tx: Executor, viewer: int, need_id: int) -> tuple[Any, Any]:
    need_row = await store.need(tx, need_id)
    if need_row is None:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such need.", "needId")
    row = await owned(tx, need_row["collaboration_id"], viewer, "needId")
    _changeable(row, "needId")
    # Locked: the count must not drop under the accepted while an accept runs.
    need_row = await tx.fetchrow("select * from collaboration_needs where id = $1 for update",
                                 need_id)
    return row, need_row


async def update_need(tx: Executor, viewer: int, need_id: int, count: int | None,
                      description: str | None) -> Any:
    row, need_row = await _need_owned(tx, viewer, need_id)
    problems = Problems()
    changes: dict[str, Any] = {}
    if count is not None:
        if not max(1, need_row["filled"]) <= count <= MAX_NEED_COUNT:
            problems.add(ErrorCode.INVALID_INPUT, f"count must be between "
                         f"{max(1, need_row['filled'])} (the slots filled) and "
                         f"{MAX_NEED_COUNT}; it is {count}.", "count")
        changes["count"] = count
    if description is not None:
        changes["description"] = problems.check(clean_text, description, "description",
                                                max_length=MAX_TITLE * 5)
    problems.raise_any()
    if changes:
        await store.update_need(tx, need_id, changes)
        await store.refresh_needs_text(tx, row["id"])
    return row


async def remove_need(tx: Executor, viewer: int, need_id: int) -> Any:
    row, _ = await _need_owned(tx, viewer, need_id)
    if await store.has_contributions(tx, need_id=need_id):
        raise InputProblem(ErrorCode.INVALID_STATE, "This need has contributions; it can no "
                           "longer be removed.", "needId")
    await store.delete_need(tx, need_id)
    await store.refresh_needs_text(tx, row["id"])
    return row
