"""The business rules of Class Projects' writes, without GraphQL (hub/api/classes/mutations/
calls them inside its transactions and turns their rows into payloads).

Permission rules:

* Any signed-in member creates a class (as a DRAFT) and becomes its instructor. Instructors
  (and ADMINs, for moderation) edit, publish and archive it, add co-instructors and manage its
  lessons; anyone else gets FORBIDDEN. A draft someone may not see is NOT_FOUND, so its
  existence does not leak.
* ``enroll`` needs a subscription that counts as active (SUBSCRIPTION_REQUIRED; the billing
  plugins are asked first, see ``hub_billing_subscription``) and a PUBLISHED class.
  ``completeLesson`` and ``submitToLesson`` need an enrollment (NOT_ENROLLED) and an active
  subscription. ``leaveClass`` deletes the enrollment; completions and submissions are kept,
  so re-enrolling restores progress.
* ``submitToLesson`` takes the learner's own published record. ``giveFeedback`` is for the
  class's instructors and enrolled members (FORBIDDEN for others).
* Lesson positions are 1-based and stay 1..n without gaps: every change to a class's lessons
  locks the class row first, so concurrent moves apply one after the other. A lesson that has
  submissions cannot be removed (the learners' work would lose its context).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.core.relay import input_pk
from hub.core.validation import Problems, clean_labels, clean_text
from hub.domain.classes import store
from hub.domain.records import store as record_store

# Limits of what a class holds (characters, unless said otherwise).
MAX_TITLE = 200
MAX_SUMMARY = 500
MAX_DESCRIPTION = 10_000
MAX_SKILL = 40
MAX_LESSON_BODY = 20_000
MAX_PROMPT = 2_000
MAX_FEEDBACK = 5_000
VIDEO_MEDIA_TYPE = "film"


@dataclass(frozen=True)
class Actor:
    """Who writes: the signed-in member's id and whether they are an ADMIN."""

    member_id: int | None
    admin: bool


def slugify(title: str) -> str:
    """``"Writing a Verse: 101"`` → ``"writing-a-verse-101"`` (ASCII, at most 60 characters)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:store.MAX_SLUG].strip("-")
    return slug or "class"


def unique_slug(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


async def locked_class(tx: Executor, actor: Actor, class_id: int, field: str,
                       ) -> tuple[Any, list[int]]:
    """The class, locked for this transaction, and its instructors' ids; NOT_FOUND unless the
    actor may see it."""
    row = await store.class_for_update(tx, class_id)
    teachers = await store.instructor_ids(tx, class_id) if row is not None else []
    hidden = row is not None and row["status"] == "DRAFT" and not (
        actor.admin or actor.member_id in teachers
    )
    if row is None or hidden:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such class.", field)
    return row, teachers


def require_teacher(actor: Actor, teachers: list[int]) -> None:
    if actor.member_id not in teachers and not actor.admin:
        raise Forbidden("Only the class's instructors can do this.")


async def class_to_edit(tx: Executor, actor: Actor, global_id: str, field: str) -> Any:
    """The class named by ``global_id``, locked; FORBIDDEN unless the actor teaches it."""
    row, teachers = await locked_class(tx, actor, input_pk(global_id, "Class", field), field)
    require_teacher(actor, teachers)
    return row


async def lesson_in_locked_class(
    tx: Executor, actor: Actor, global_id: str, field: str,
) -> tuple[Any, Any, list[int]]:
    """(class, lesson, instructor ids) with the class locked; the lesson is read after the lock,
    so its position is current."""
    lesson_id = input_pk(global_id, "Lesson", field)
    lesson = await store.lesson_by_id(tx, lesson_id)
    if lesson is None:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such lesson.", field)
    class_row, teachers = await locked_class(tx, actor, lesson["class_id"], field)
    lesson = await store.lesson_by_id(tx, lesson_id)
    if lesson is None:  # removed while we waited for the lock
        raise InputProblem(ErrorCode.NOT_FOUND, "No such lesson.", field)
    return class_row, lesson, teachers


async def video(tx: Executor, global_id: str | None) -> int | None:
    """The record id of a lesson video: a published film record (INVALID_VIDEO otherwise)."""
    if global_id is None:
        return None
    record_id = input_pk(global_id, "Record", "videoRecordId")
    rows = await record_store.records_by_ids(tx, [record_id])
    row = rows[0] if rows else None
    if row is None or row["deleted_at"] is not None or row["status"] != "PUBLISHED":
        raise InputProblem(ErrorCode.INVALID_VIDEO, "The video must be a published record.",
                           "videoRecordId")
    if row["media_type"] != VIDEO_MEDIA_TYPE:
        raise InputProblem(ErrorCode.INVALID_VIDEO, "The video must be a film record; this one "
                           f"is {row['media_type']!r}.", "videoRecordId")
    return record_id


def class_fields(given: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned columns from the fields a create or update gave (``level`` by its stored
    name); the problems of every field are raised together."""
    problems = Problems()
    changes: dict[str, Any] = {}
    if "title" in given:
        changes["title"] = problems.check(clean_text, given["title"], "title",
                                          max_length=MAX_TITLE, required=True)
    if "summary" in given:
        changes["summary"] = problems.check(clean_text, given["summary"], "summary",
                                            max_length=MAX_SUMMARY)
    if "description" in given:
        changes["description"] = problems.check(clean_text, given["description"], "description",
                                                max_length=MAX_DESCRIPTION)
    if "skill" in given:
        skills = problems.check(clean_labels, [given["skill"]], "skill", max_items=1,
                                max_length=MAX_SKILL)
        changes["skill"] = skills[0] if skills else None
    if "level" in given:
        changes["level"] = given["level"]
    if "free_preview" in given:
        changes["free_preview"] = given["free_preview"]
    problems.raise_any()
    return changes


def lesson_fields(given: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    """Cleaned columns from the fields a lesson input gave; each problem is noted in
    ``problems``."""
    changes: dict[str, Any] = {}
    if "title" in given:
        changes["title"] = problems.check(clean_text, given["title"], "title",
                                          max_length=MAX_TITLE, required=True)
    if "body" in given:
        changes["body"] = problems.check(clean_text, given["body"], "body",
                                         max_length=MAX_LESSON_BODY)
    if "prompt" in given:
        changes["prompt"] = problems.check(clean_text, given["prompt"], "prompt",
                                           max_length=MAX_PROMPT)
    return changes


async def own_published_record(tx: Executor, member_id: int, global_id: str) -> int:
    """The id of the member's own published record named ``global_id`` (what a submission
    takes); NOT_FOUND, NOT_YOUR_RECORD or RECORD_NOT_PUBLISHED otherwise."""
    record_id = input_pk(global_id, "Record", "recordId")
    rows = await record_store.records_by_ids(tx, [record_id], member_id)
    row = rows[0] if rows else None
    if row is None or not row["_visible"]:
        raise InputProblem(ErrorCode.NOT_FOUND, "No such record.", "recordId")
    if row["author_id"] != member_id:
        raise InputProblem(ErrorCode.NOT_YOUR_RECORD,
                           "You can only submit your own records.", "recordId")
    if row["status"] != "PUBLISHED":
        raise InputProblem(ErrorCode.RECORD_NOT_PUBLISHED,
                           "Publish the record before submitting it.", "recordId")
    return record_id
