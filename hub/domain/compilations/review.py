"""Review with four eyes, fuller: the assignee (the editor of the team asked to review),
review comments (on the whole compilation or on one item), and what changed since the last
review. The workflow's transitions themselves are workflow.py and service.py.

* **Assignee** — ``assignReviewer`` names an editor of the compilation's team other than the
  submitter, while it is IN_REVIEW. It stays through a return, so a resubmission goes back to
  the same reviewer, and is cleared when they leave the team. "The review queue assigned to
  me" (``Member.reviewQueue``) lists the compilations IN_REVIEW assigned to the viewer.
* **Comments** — written by the team while the compilation is IN_REVIEW
  (``addReviewComment``), or sent with an approval or a return; read by the team (and ADMINs)
  only: they are the reviewers' working notes, not part of what is published
  (:data:`TEAM_OF_COMPILATION`). The history says that a comment was written, never its text.
* **Changes since review** — derived from the typed history (not from the pinned versions):
  the item and settings entries written after the last approval or return, netted (an item
  added then removed is no change). Records whose content changed after approval are the
  pinned versions' business (``Compilation.problems`` and publishing's reopen).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg

from hub.core.db import Executor
from hub.core.relay import encode_id
from hub.core.rules import Condition, Key, Listing, Ordering, Table, of_viewer
from hub.domain.compilations import rules, store

# --- read rules ---------------------------------------------------------------------------------

# The viewer is on the editors team of the compilation ``{t}`` (or an ADMIN).
_ADMIN = "exists (select from members {t}_ra where {t}_ra.id = {viewer} and {t}_ra.role = 'ADMIN')"
TEAM_OF_COMPILATION = of_viewer(
    "exists (select from compilation_editors {t}_re where {t}_re.compilation_id = {t}.id "
    "and {t}_re.member_id = {viewer}) or " + _ADMIN)
# … of the compilation of the item ``{t}``.
TEAM_OF_ITEM = of_viewer(
    "exists (select from compilation_editors {t}_re where {t}_re.compilation_id = "
    "{t}.compilation_id and {t}_re.member_id = {viewer}) or " + _ADMIN)
# The member ``{t}`` is the viewer (their own review queue).
OWN = of_viewer("{t}.id = {viewer}")

COMMENTS = Table("compilation_review_comments", (
    "id", "compilation_id", "item_id", "record_id", "author_id", "body", "kind", "created_at",
))
_OLDEST = {"OLDEST": Ordering((Key("{t}.id", "bigint"),), False)}
# ``Compilation.reviewComments`` and ``CompilationItem.reviewComments``, oldest first; who
# reads them is decided once for the parent (TEAM_OF_*), not per row.
COMMENT_PAGES = Listing(source="compilation_review_comments {t}", columns=COMMENTS.select("{t}"),
                        where=Condition("true"), parent="{t}.compilation_id",
                        orderings=_OLDEST)
ITEM_COMMENT_PAGES = Listing(source="compilation_review_comments {t}",
                             columns=COMMENTS.select("{t}"), where=Condition("true"),
                             parent="{t}.item_id", orderings=_OLDEST)
# ``Member.reviewQueue``: the compilations IN_REVIEW assigned to the member, newest first.
REVIEW_QUEUE = Listing(source="compilations {t}", columns=rules.COLUMNS,
                       where=Condition("{t}.status = 'IN_REVIEW'") & rules.VISIBLE,
                       parent="{t}.assignee_id", orderings=rules.ORDERINGS)

MAX_COMMENTS = 100  # per approval or return: a review of at most this many notes at once
KINDS = ("COMMENT", "APPROVE", "RETURN")


# --- store --------------------------------------------------------------------------------------


async def set_assignee(ex: Executor, compilation_id: int, member_id: int) -> asyncpg.Record:
    return await ex.fetchrow(
        f"""update compilations as c set assignee_id = $2, updated_at = now(),
                version = c.version + 1
            where c.id = $1 returning {store.COLUMNS}""",
        compilation_id, member_id,
    )


async def add_comment(ex: Executor, compilation_id: int, item: Any, author_id: int, body: str,
                      kind: str) -> None:
    """Store a comment (on ``item``, a compilation_items row, or the whole compilation when
    None) and its history entry, in one statement."""
    record = item["record_id"] if item is not None else None
    details: dict[str, Any] = {"kind": kind}
    if record is not None:
        details["record"] = encode_id("Record", record)
    await ex.execute(
        """with comment as (
               insert into compilation_review_comments
                   (compilation_id, item_id, record_id, author_id, body, kind)
               values ($1, $2, $3, $4, $5, $6) returning id)
           insert into compilation_history (compilation_id, actor_id, action, reason, details)
           select $1, $4, 'review_comment', '',
                  $7::jsonb || jsonb_build_object('comment', comment.id) from comment""",
        compilation_id, item["id"] if item is not None else None, record, author_id, body,
        kind, details,
    )


# --- changes since the last review ----------------------------------------------------------------

ITEM_ACTIONS = frozenset({"add_item", "remove_item", "move_item", "reweight_item",
                          "annotate_item"})
REVIEWS = frozenset({"approve", "return"})


@dataclass
class ItemChange:
    """What happened to one record's item since the last review, netted."""
    record: str
    kind: str  # ADDED, REMOVED, MOVED, REWEIGHTED, NOTE_CHANGED
    from_position: int | None = None
    to_position: int | None = None
    from_weight: Decimal | None = None
    to_weight: Decimal | None = None


@dataclass
class Changes:
    review: Any | None  # the last approve/return history row; None when never reviewed
    entries: list[Any] = field(default_factory=list)  # item and settings entries since
    items: list[ItemChange] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)


def changes_since_review(history: Sequence[Any]) -> Changes:
    """The item and settings changes in ``history`` (a compilation's rows, oldest first) after
    its last approval or return, netted per record: added then removed is nothing; removed
    then added again is no addition (a place it may have changed shows as a move); a weight
    back where it was is no reweighting."""
    last = max((i for i, row in enumerate(history) if row["action"] in REVIEWS), default=-1)
    changes = Changes(review=history[last] if last >= 0 else None)
    added: dict[str, bool] = {}  # record → added since (True) or removed since (False)
    moved: dict[str, list[int]] = {}
    weights: dict[str, list[Decimal]] = {}
    notes: list[str] = []
    for row in history[last + 1:]:
        action, details = row["action"], row["details"] or {}
        if action == "update":
            changes.entries.append(row)
            changes.settings.extend(f for f in details.get("fields", [])
                                    if f not in changes.settings)
            continue
        record = details.get("record") or (row["reason"] if action in {"add_item",
                                                                       "remove_item"} else None)
        if action not in ITEM_ACTIONS or not record:
            continue  # status, team, payout entries; moves from before typed history
        changes.entries.append(row)
        if action == "add_item":
            # Re-added after a removal since the review: it was there at the review.
            if added.get(record) is False:
                del added[record]
            else:
                added[record] = True
        elif action == "remove_item":
            if added.get(record) is True:
                del added[record]  # added and removed since: no change
                for lost in (moved, weights):
                    lost.pop(record, None)
                notes = [n for n in notes if n != record]
            else:
                added[record] = False
        elif action == "move_item":
            span = moved.setdefault(record, [int(details["from"]), int(details["to"])])
            span[1] = int(details["to"])
        elif action == "reweight_item":
            span_w = weights.setdefault(record, [Decimal(details["from"]),
                                                 Decimal(details["to"])])
            span_w[1] = Decimal(details["to"])
        elif record not in notes:
            notes.append(record)
    for record, is_added in added.items():
        changes.items.append(ItemChange(record, "ADDED" if is_added else "REMOVED"))
    gone = set(added)
    for record, (start, end) in moved.items():
        if record not in gone and start != end:
            changes.items.append(ItemChange(record, "MOVED", from_position=start,
                                            to_position=end))
    for record, (before, after) in weights.items():
        if record not in gone and before != after:
            changes.items.append(ItemChange(record, "REWEIGHTED", from_weight=before,
                                            to_weight=after))
    changes.items.extend(ItemChange(record, "NOTE_CHANGED") for record in notes
                         if record not in gone)
    return changes
