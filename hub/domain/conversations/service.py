"""Writing comments and moderating them. Each function runs inside the mutation's transaction
and raises :class:`InputProblem` (nothing written) for the expected problems.

Permissions: a signed-in, unsuspended member comments on a subject they may see (the read
rule of rules.py: a draft record only its author; a compilation only its editorial team);
only the author edits or deletes a comment. Replies are one level deep: a reply to a reply
joins the thread of the root comment it answers (so threads keep a bounded depth). A deleted
or hidden comment takes no replies (COMMENT_CLOSED). Anchors are for top-level comments on
records only: ``atSeconds`` within a music or film record's duration, ``quote`` at
``quoteOffset`` of a writing record's text (ANCHOR_OUT_OF_RANGE otherwise).

Moderation: a record's author hides comments under their record; moderators (MODERATOR,
ADMIN) hide and restore any comment and suspend members. Every moderation act is written to
``moderation_log``; hiding or restoring resolves the comment's open reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from hub.core.db import Executor
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.domain.conversations import rules, store, text
from hub.plugin_api import AnchorSpan
from hub.plugins import HubPlugins


@dataclass(frozen=True)
class Anchor:
    at_seconds: float | None = None
    quote: str | None = None
    quote_offset: int | None = None

    @property
    def given(self) -> bool:
        return self.at_seconds is not None or self.quote is not None \
            or self.quote_offset is not None


async def _mentions(tx: Executor, body: str) -> list[int]:
    """The ids of the members ``body`` mentions; UNKNOWN_MENTION naming every unknown one."""
    handles = text.mentioned_handles(body)
    if not handles:
        return []
    found = await store.members_by_handles(tx, handles)
    unknown = [handle for handle in handles if handle not in found]
    if unknown:
        named = ", ".join(f"@{handle}" for handle in unknown[:text.MAX_MENTIONS])
        more = len(unknown) - text.MAX_MENTIONS
        raise InputProblem(ErrorCode.UNKNOWN_MENTION, f"No member has the handle {named}"
                           + (f" (and {more} more)." if more > 0 else "."), "body")
    # Every handle is checked; the first MAX_MENTIONS are kept (Comment.mentions' cap).
    return [found[handle] for handle in handles][:text.MAX_MENTIONS]


async def anchor_span(ex: Executor, plugins: HubPlugins, record_id: int) -> AnchorSpan:
    """What a comment on the record may point into, as its media type's plugin says
    (``hub_comment_anchors``); nothing when the plugin says nothing."""
    row = await store.record_details(ex, record_id)
    details = row["details"]
    if isinstance(details, str | bytes):  # a connection without the jsonb codec
        details = orjson.loads(details)
    span = await plugins.call_owner("hub_comment_anchors", row["media_type"],
                                    details=details or {})
    return span if isinstance(span, AnchorSpan) else AnchorSpan()


async def _anchor(tx: Executor, plugins: HubPlugins, kind: str, subject: int, anchor: Anchor,
                  ) -> dict[str, object]:
    if not anchor.given:
        return {}
    if kind != "Record":
        raise InputProblem(ErrorCode.ANCHOR_OUT_OF_RANGE, "Only comments on records are "
                           "anchored.", "atSeconds" if anchor.at_seconds is not None else "quote")
    if anchor.at_seconds is not None and (anchor.quote is not None
                                          or anchor.quote_offset is not None):
        raise InputProblem(ErrorCode.INVALID_INPUT, "Give a moment (atSeconds) or a passage "
                           "(quote and quoteOffset), not both.", "atSeconds")
    span = await anchor_span(tx, plugins, subject)
    if anchor.at_seconds is not None:
        duration = span.duration_seconds
        if duration is None:
            raise InputProblem(ErrorCode.ANCHOR_OUT_OF_RANGE, "This record has no duration to "
                               "point into (music and film records with a length do).",
                               "atSeconds")
        if not 0 <= anchor.at_seconds <= duration:
            raise InputProblem(ErrorCode.ANCHOR_OUT_OF_RANGE, f"atSeconds must be between 0 "
                               f"and the record's duration, {duration:g} s.", "atSeconds")
        return {"at_seconds": float(anchor.at_seconds)}
    if anchor.quote is None or anchor.quote_offset is None:
        raise InputProblem(ErrorCode.INVALID_INPUT, "A passage needs both quote and "
                           "quoteOffset.", "quote" if anchor.quote is None else "quoteOffset")
    if not anchor.quote.strip():
        raise InputProblem(ErrorCode.INVALID_INPUT, "A quote needs some text.", "quote")
    if len(anchor.quote) > rules.MAX_QUOTE:
        raise InputProblem(ErrorCode.TOO_LONG, f"A quote has at most {rules.MAX_QUOTE:,} "
                           "characters.", "quote")
    passage = span.text
    if passage is None:
        raise InputProblem(ErrorCode.ANCHOR_OUT_OF_RANGE, "This record has no text to quote "
                           "(writing records do).", "quote")
    offset = anchor.quote_offset
    if offset < 0 or passage[offset:offset + len(anchor.quote)] != anchor.quote:
        raise InputProblem(ErrorCode.ANCHOR_OUT_OF_RANGE, f"The record's text does not read "
                           f"this quote at offset {offset} (offsets count characters from 0).",
                           "quoteOffset")
    return {"quote": anchor.quote, "quote_offset": offset}


async def add_comment(tx: Executor, plugins: HubPlugins, viewer: int, kind: str, subject: int,
                      body: str, anchor: Anchor, reply_to: int | None) -> int:
    """The new comment's id. ``reply_to``: the comment it answers (then ``kind``/``subject``
    are that comment's, read here)."""
    if reply_to is not None:
        parent = await store.comment_for_update(tx, reply_to)
        visible = parent is not None and bool(await store.comments_by_ids(tx, [reply_to],
                                                                           viewer))
        if parent is None or not visible:
            raise InputProblem(ErrorCode.NOT_FOUND, "No such comment.", "replyTo")
        if parent["deleted_at"] is not None or parent["hidden_at"] is not None:
            raise InputProblem(ErrorCode.COMMENT_CLOSED, "This comment was deleted or hidden: "
                               "it takes no replies.", "replyTo")
        if anchor.given:
            raise InputProblem(ErrorCode.INVALID_INPUT, "A reply is not anchored: its thread's "
                               "first comment is.", "atSeconds")
        root = parent["parent_id"] or parent["id"]
        columns = {column: parent[column] for column, _ in store.SUBJECTS.values()}
        values: dict[str, object] = {**columns, "parent_id": root}
    else:
        if not await store.subject_visible(tx, kind, subject, viewer):
            raise InputProblem(ErrorCode.NOT_FOUND, f"No such {kind.lower()}.", "subjectId")
        values = {store.SUBJECTS[kind][0]: subject}
        values.update(await _anchor(tx, plugins, kind, subject, anchor))
    stored = text.checked_body(body)
    mentions = await _mentions(tx, stored)
    values.update(author_id=viewer, body=stored, body_html=text.render(stored),
                  mention_ids=mentions)
    return await store.insert_comment(tx, values)


async def _own_live(tx: Executor, viewer: int, pk: int, *, deleting: bool = False) -> None:
    comment = await store.comment_for_update(tx, pk)
    if comment is None or not await store.comments_by_ids(tx, [pk], viewer):
        raise InputProblem(ErrorCode.NOT_FOUND, "No such comment.", "id")
    if comment["author_id"] != viewer:
        raise Forbidden("Only its author changes a comment.")
    if comment["deleted_at"] is not None:
        raise InputProblem(ErrorCode.COMMENT_CLOSED, "This comment was deleted.", "id")
    if comment["hidden_at"] is not None and not deleting:
        # Editing would change what the moderators judged; deleting it is still the author's.
        raise InputProblem(ErrorCode.COMMENT_CLOSED, "This comment was hidden by moderation: "
                           "it cannot be edited (you may delete it).", "id")


async def edit_comment(tx: Executor, viewer: int, pk: int, body: str) -> None:
    await _own_live(tx, viewer, pk)
    stored = text.checked_body(body)
    mentions = await _mentions(tx, stored)
    await store.edit_comment(tx, pk, stored, text.render(stored), mentions)


async def delete_comment(tx: Executor, viewer: int, pk: int) -> None:
    await _own_live(tx, viewer, pk, deleting=True)
    await store.delete_comment(tx, pk)


async def report_comment(tx: Executor, viewer: int, pk: int, reason: str, details: str) -> int:
    if not await store.comments_by_ids(tx, [pk], viewer):
        raise InputProblem(ErrorCode.NOT_FOUND, "No such comment.", "id")
    details = details.strip()
    if len(details) > rules.MAX_REPORT_TEXT:
        raise InputProblem(ErrorCode.TOO_LONG, f"A report's text has at most "
                           f"{rules.MAX_REPORT_TEXT:,} characters.", "text")
    return await store.report(tx, pk, viewer, reason, details)


def checked_reason(reason: str) -> str:
    """A moderation act's reason, trimmed; TOO_LONG over MAX_REPORT_TEXT characters."""
    reason = reason.strip()
    if len(reason) > rules.MAX_REPORT_TEXT:
        raise InputProblem(ErrorCode.TOO_LONG, f"A reason has at most "
                           f"{rules.MAX_REPORT_TEXT:,} characters.", "reason")
    return reason


async def set_hidden(tx: Executor, viewer: int, pk: int, hidden: bool, reason: str) -> None:
    """Hide (or restore) a comment: a moderator any, a record's author those under their record
    (hiding only: restoring is the moderators')."""
    comment = await store.comment_for_update(tx, pk)
    if comment is None or not await store.comments_by_ids(tx, [pk], viewer):
        raise InputProblem(ErrorCode.NOT_FOUND, "No such comment.", "id")
    moderator = await store.is_moderator(tx, viewer)
    if not moderator:
        owner = comment["record_id"] is not None and \
            await store.record_author(tx, comment["record_id"]) == viewer
        if not (owner and hidden):
            raise Forbidden("Only moderators, and a record's author under their record, hide "
                            "comments; only moderators restore them.")
    await store.set_hidden(tx, pk, viewer if hidden else None)
    if moderator:
        await store.resolve_reports(tx, pk, viewer)
    await store.log(tx, viewer, "HIDE" if hidden else "RESTORE", comment_id=pk,
                    member_id=comment["author_id"], reason=reason)


async def set_suspended(tx: Executor, viewer: int, member: int, suspended: bool,
                        reason: str) -> None:
    if not await store.is_moderator(tx, viewer):
        raise Forbidden("Only moderators suspend members.")
    if member == viewer:
        raise Forbidden("You cannot suspend yourself.")
    if not await store.set_suspended(tx, member, suspended):
        raise InputProblem(ErrorCode.NOT_FOUND, "No such member.", "memberId")
    await store.log(tx, viewer, "SUSPEND" if suspended else "UNSUSPEND", member_id=member,
                    reason=reason)
