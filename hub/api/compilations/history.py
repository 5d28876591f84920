"""The typed history of a compilation: what one entry says happened, as a member of the
``CompilationHistoryEvent`` interface (``HistoryEntry.event``), instead of the one text field
(``reason``, deprecated) that held a title, a raw ID or "4 → 1" depending on the action.

Each entry's facts are its ``details`` JSON (migration 0014 lists the keys each action
writes, and filled them in for the entries written before); the comments of a return and a
reopen, and the pool of a payout proposal, are its ``reason``, as they always were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from hub.core.relay import try_decode_id

if TYPE_CHECKING:
    from hub.api.members.types import Member
    from hub.api.records.types import Record

MemberRef = Annotated["Member", strawberry.lazy("hub.api.members.types")]
RecordRef = Annotated["Record", strawberry.lazy("hub.api.records.types")]


@strawberry.interface(description="What one step of a compilation's history did, typed by "
                      "kind: select the kinds you show with `... on CompilationItemAdded` and "
                      "so on (new kinds may be added; show others by `at` and `actor`).")
class CompilationHistoryEvent:
    at: dt.datetime = strawberry.field(description="When.")
    actor_pk: strawberry.Private[int | None]

    @strawberry.field(description="The member who did it (the editor whose publish attempt "
                      "sent it back to review, for a reopening); null only for an entry "
                      "written without one (every entry the hub writes names its actor).")
    async def actor(self, info: Info) -> MemberRef | None:
        from hub.api.members.types import load_member

        return await load_member(info.context, self.actor_pk) if self.actor_pk else None


async def _record(info: Info, global_id: str) -> Record | None:
    from hub.api.records.types import load_record

    pk = try_decode_id(global_id, "Record")
    return await load_record(info.context, pk) if pk else None


async def _member(info: Info, global_id: str) -> Member | None:
    from hub.api.members.types import load_member

    pk = try_decode_id(global_id, "Member")
    return await load_member(info.context, pk) if pk else None


@strawberry.interface(description="A history event about one item of the compilation, named by "
                      "its record.")
class CompilationItemEvent(CompilationHistoryEvent):
    record_id: strawberry.ID | None = strawberry.field(
        description="The global ID of the item's record (kept when the record is gone); null "
        "only on moves recorded before the history was typed, which kept the places alone.")

    @strawberry.field(description="The item's record; null when it is no longer visible to "
                      "you (unpublished or deleted since), or not known (see `recordId`).")
    async def record(self, info: Info) -> RecordRef | None:
        return await _record(info, self.record_id) if self.record_id else None


@strawberry.type(description="The compilation was created, as a DRAFT.")
class CompilationCreated(CompilationHistoryEvent):
    pass


@strawberry.type(description="A record was added as an item (at the end).")
class CompilationItemAdded(CompilationItemEvent):
    pass


@strawberry.type(description="An item was removed; the ones after it moved up by one.")
class CompilationItemRemoved(CompilationItemEvent):
    pass


@strawberry.type(description="An item was moved; the ones between shifted by one.")
class CompilationItemMoved(CompilationItemEvent):
    from_position: int = strawberry.field(description="Its 1-based place before.")
    to_position: int = strawberry.field(description="Its 1-based place after.")


@strawberry.type(description="An item's weight in the credit split changed.")
class CompilationItemReweighted(CompilationItemEvent):
    from_weight: Decimal = strawberry.field(description="The weight before.")
    to_weight: Decimal = strawberry.field(description="The weight after.")


@strawberry.type(description="An item's note changed (the note is read on the item).")
class CompilationItemNoteChanged(CompilationItemEvent):
    pass


@strawberry.type(description="The title, description or target settings changed.")
class CompilationSettingsChanged(CompilationHistoryEvent):
    fields: list[str] = strawberry.field(description="The input fields that changed, as "
                                         "`updateCompilation` names them: `title`, "
                                         "`description`, `settings.<target>.<field>`.")


@strawberry.type(description="Submitted for review (DRAFT → IN_REVIEW).")
class CompilationSubmitted(CompilationHistoryEvent):
    pass


@strawberry.type(description="Sent back to DRAFT by a reviewer, with what to change.")
class CompilationReturned(CompilationHistoryEvent):
    comment: str = strawberry.field(description="The reviewer's reason: what to change.")


@strawberry.type(description="Approved by an editor other than the submitter (IN_REVIEW → "
                 "APPROVED); every item's record version was pinned.")
class CompilationApproved(CompilationHistoryEvent):
    pass


@strawberry.type(description="Sent back to review by a publish attempt: records changed after "
                 "approval (APPROVED → IN_REVIEW).")
class CompilationReopened(CompilationHistoryEvent):
    reason: str = strawberry.field(description="Which records changed, from which version to "
                                   "which.")


@strawberry.type(description="Published to its target as a new version.")
class CompilationPublished(CompilationHistoryEvent):
    version: int = strawberry.field(description="The publication's version (1, 2…).")
    target: str = strawberry.field(description="The publishing target's key (`book`…).")


@strawberry.type(description="Archived: no more changes; its publications stay.")
class CompilationArchived(CompilationHistoryEvent):
    pass


@strawberry.interface(description="A history event about the editors team, naming the member.")
class CompilationEditorEvent(CompilationHistoryEvent):
    member_id: strawberry.ID = strawberry.field(description="The member's global ID.")

    @strawberry.field(description="The member; null when their account is gone.")
    async def member(self, info: Info) -> MemberRef | None:
        return await _member(info, self.member_id)


@strawberry.type(description="A member joined the editors team.")
class CompilationEditorAdded(CompilationEditorEvent):
    pass


@strawberry.type(description="A member left (or was removed from) the editors team.")
class CompilationEditorRemoved(CompilationEditorEvent):
    pass


@strawberry.type(description="An editor of the team was asked to review it "
                 "(`assignReviewer`).")
class CompilationReviewerAssigned(CompilationEditorEvent):
    pass


@strawberry.type(description="A review comment was written, during the review or with the "
                 "approval or return; its text is read by the editors team only "
                 "(`Compilation.reviewComments`).")
class CompilationReviewCommented(CompilationHistoryEvent):
    record_id: strawberry.ID | None = strawberry.field(
        description="The global ID of the commented item's record; null for a comment on the "
        "whole compilation.")

    @strawberry.field(description="The commented item's record; null for a comment on the "
                      "whole compilation, or when the record is no longer visible to you.")
    async def record(self, info: Info) -> RecordRef | None:
        return await _record(info, self.record_id) if self.record_id else None


@strawberry.type(description="A payout proposal was made: the credit split of a pool, open "
                 "for comments.")
class CompilationPayoutProposed(CompilationHistoryEvent):
    pool: str = strawberry.field(description="The pool shared, e.g. `1000.00 USD`.")


@strawberry.type(description="A payout proposal was finalized; it is immutable now.")
class CompilationPayoutFinalized(CompilationHistoryEvent):
    proposal_id: strawberry.ID = strawberry.field(description="The proposal's global ID.")


@strawberry.type(description="An entry of a kind this version of the API has no type for "
                 "(written by a newer hub); `action` and `text` say what it was.")
class CompilationOtherEvent(CompilationHistoryEvent):
    action: str = strawberry.field(description="The entry's action word.")
    text: str = strawberry.field(description="The entry's text, as the deprecated `reason`.")


# Every concrete type, for the schema (an interface's implementations are not reachable
# from the fields that return the interface).
EVENT_TYPES: tuple[type, ...] = (
    CompilationCreated, CompilationItemAdded, CompilationItemRemoved, CompilationItemMoved,
    CompilationItemReweighted, CompilationItemNoteChanged, CompilationSettingsChanged,
    CompilationSubmitted, CompilationReturned, CompilationApproved, CompilationReopened,
    CompilationPublished, CompilationArchived, CompilationEditorAdded,
    CompilationEditorRemoved, CompilationPayoutProposed, CompilationPayoutFinalized,
    CompilationReviewerAssigned, CompilationReviewCommented, CompilationOtherEvent,
)


def _id(value: Any, type_name: str) -> strawberry.ID:
    """``value`` if it is a global ID of ``type_name``; ValueError (an untyped entry) else."""
    if not isinstance(value, str) or try_decode_id(value, type_name) is None:
        raise ValueError(f"not a {type_name} ID")
    return strawberry.ID(value)


def _item(d: dict[str, Any], reason: str) -> dict[str, Any]:
    # Entries the collaborations import writes keep the record in `reason` only.
    return {"record_id": _id(d.get("record") or reason, "Record")}


def _moved(d: dict[str, Any], reason: str) -> dict[str, Any]:
    record = d.get("record")
    return {"from_position": int(d["from"]), "to_position": int(d["to"]),
            "record_id": _id(record, "Record") if record else None}


def _reweighted(d: dict[str, Any], reason: str) -> dict[str, Any]:
    return {"record_id": _id(d["record"], "Record"), "from_weight": Decimal(d["from"]),
            "to_weight": Decimal(d["to"])}


# action → (type, its fields from the entry's details and reason)
Fields = Callable[[dict[str, Any], str], dict[str, Any]]
_KINDS: dict[str, tuple[type[CompilationHistoryEvent], Fields]] = {
    "create": (CompilationCreated, lambda d, r: {}),
    "add_item": (CompilationItemAdded, _item),
    "remove_item": (CompilationItemRemoved, _item),
    "move_item": (CompilationItemMoved, _moved),
    "reweight_item": (CompilationItemReweighted, _reweighted),
    "annotate_item": (CompilationItemNoteChanged, _item),
    "update": (CompilationSettingsChanged, lambda d, r: {"fields": list(d["fields"])}),
    "submit": (CompilationSubmitted, lambda d, r: {}),
    "return": (CompilationReturned, lambda d, r: {"comment": r}),
    "approve": (CompilationApproved, lambda d, r: {}),
    "reopen": (CompilationReopened, lambda d, r: {"reason": r}),
    "publish": (CompilationPublished,
                lambda d, r: {"version": int(d["version"]), "target": d["target"]}),
    "archive": (CompilationArchived, lambda d, r: {}),
    "add_editor": (CompilationEditorAdded,
                   lambda d, r: {"member_id": _id(d.get("member") or r, "Member")}),
    "remove_editor": (CompilationEditorRemoved,
                      lambda d, r: {"member_id": _id(d.get("member") or r, "Member")}),
    "assign_reviewer": (CompilationReviewerAssigned,
                        lambda d, r: {"member_id": _id(d["member"], "Member")}),
    "review_comment": (CompilationReviewCommented,
                       lambda d, r: {"record_id": _id(d["record"], "Record")
                                     if d.get("record") else None}),
    "propose_payout": (CompilationPayoutProposed, lambda d, r: {"pool": r}),
    "finalize_payout": (CompilationPayoutFinalized,
                        lambda d, r: {"proposal_id": _id(d.get("proposal") or r,
                                                         "PayoutProposal")}),
}


def event_of(row: Any) -> CompilationHistoryEvent:
    """The typed event of a history row (``action``, ``reason``, ``details``, ``at``,
    ``actor_id``); an entry whose facts are missing or of an unknown action is an
    :class:`CompilationOtherEvent`, never an error."""
    common = {"at": row["at"], "actor_pk": row["actor_id"]}
    kind = _KINDS.get(row["action"])
    if kind is not None:
        event_type, fields = kind
        try:
            return event_type(**common, **fields(row["details"] or {}, row["reason"]))
        except (KeyError, TypeError, ValueError, ArithmeticError):
            pass  # an entry without the facts its kind needs: shown as it was written
    return CompilationOtherEvent(**common, action=row["action"], text=row["reason"])
