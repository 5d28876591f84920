"""Writing notifications: in the transaction of the change that causes them, with the
``notification.added`` events that deliver them (``notificationAdded``, hub/realtime).

Two ways in, one write (:func:`notify`):

* a slice calls :func:`notify` itself for a change that emits no event of its own (a heart)
  or whose recipients only it knows (a comment's mentions);
* :func:`from_events` turns the events a mutation already emits (``record.remixed``,
  ``contribution.accepted``…) into notifications; ``run_mutation`` (hub/api/mutations.py)
  calls it before the events are written, so every path that emits one notifies.

The rules, here once: never for the actor themself; never when the recipient turned the kind
off for the inbox (``notification_preferences``); grouped kinds (hearts: one notification per
record per day) add an actor to the day's notification instead of writing another, and move
it to the top of the inbox, unread again. What the recipient may see is decided when they
read it (rules.py), not here: a record that becomes a draft later reads as unavailable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from hub.core.db import Executor
from hub.core.events import Event
from hub.core.relay import encode_id, try_decode_id
from hub.domain.notifications import rules

ADDED = "notification.added"

# One statement: the notifications (a grouped one grown, moved up and unread again, unless
# this actor is already in it: a heart taken back and given again the same day is no news),
# and the grouped ones' new actor.
_WRITE = """
with written as (
    insert into notifications (recipient_id, kind, actor_id, record_id, collaboration_id,
                               compilation_id, group_key)
    select r.id, $2, $3, $4, $5, $6, $7
      from (select distinct unnest($1::bigint[]) as id) r
     where r.id is distinct from $3
       and not exists (select 1 from notification_preferences p
                        where p.member_id = r.id and p.kind = $2 and not p.inbox)
    on conflict (recipient_id, kind, group_key) where group_key is not null do update
       set actor_id = excluded.actor_id, created_at = now(), read_at = null
     where not exists (select 1 from notification_actors a
                        where a.notification_id = notifications.id and a.member_id = $3)
    returning id, recipient_id),
grouped as (
    insert into notification_actors (notification_id, member_id)
    select id, $3 from written where $7::text is not null and $3::bigint is not null
    on conflict do nothing)
select id, recipient_id from written
"""


async def notify(
    tx: Executor, recipient_ids: Iterable[int], kind: str, *, actor_id: int | None,
    record_id: int | None = None, collaboration_id: int | None = None,
    compilation_id: int | None = None, group_key: str | None = None,
) -> list[Event]:
    """Notify ``recipient_ids`` of ``kind`` (a :data:`rules.KINDS` value) about the subjects
    given, caused by ``actor_id`` (None for the hub's own sweeps). Returns the
    ``notification.added`` events, for the caller's transaction to write to the outbox (the
    ``Outcome`` of a mutation): one per notification written or grown. ``group_key`` groups
    the notifications of a kind into one per recipient and key (a RECORD_HEARTED's
    ``record:<id>:<day>``, :func:`heart_group`)."""
    assert kind in rules.KINDS, kind
    recipients = sorted(set(recipient_ids))
    if not recipients:
        return []
    rows = await tx.fetch(_WRITE, recipients, kind, actor_id, record_id, collaboration_id,
                          compilation_id, group_key)
    actor = encode_id("Member", actor_id) if actor_id is not None else None
    return [Event(ADDED, encode_id("Notification", row["id"]), actor,
                  {"recipient": encode_id("Member", row["recipient_id"]), "kind": kind})
            for row in rows]


def heart_group(record_id: int, day: dt.date | None = None) -> str:
    """The group of RECORD_HEARTED: one notification per record per (UTC) day."""
    day = day or dt.datetime.now(dt.UTC).date()
    return f"record:{record_id}:{day.isoformat()}"


# --- from the events mutations emit -------------------------------------------------------------


def _pk(global_id: Any, type_name: str) -> int | None:
    return try_decode_id(str(global_id), type_name) if global_id else None


async def from_events(tx: Executor, events: Sequence[Event]) -> list[Event]:
    """The notifications the ``events`` of a change cause, written in ``tx``; returns their
    ``notification.added`` events (to write with ``events``)."""
    added: list[Event] = []
    for event in events:
        added.extend(await _from_event(tx, event))
    return added


async def _from_event(tx: Executor, event: Event) -> list[Event]:
    actor = _pk(event.actor, "Member")
    payload = event.payload
    if event.kind == "record.remixed":
        # The source's author hears of the (published) remix.
        author = _pk(payload.get("sourceAuthor"), "Member")
        return await notify(tx, [author] if author else [], rules.RECORD_REMIXED,
                            actor_id=actor, record_id=_pk(payload.get("remix"), "Record"))
    if event.kind in ("contribution.accepted", "contribution.declined"):
        kind = (rules.CONTRIBUTION_ACCEPTED if event.kind == "contribution.accepted"
                else rules.CONTRIBUTION_DECLINED)
        contributor = _pk(payload.get("contributor"), "Member")
        return await notify(tx, [contributor] if contributor else [], kind, actor_id=actor,
                            record_id=_pk(payload.get("record"), "Record"),
                            collaboration_id=_pk(payload.get("collaboration"), "Collaboration"))
    if event.kind == "feedback.given":
        submission = _pk(payload.get("submission"), "Submission")
        row = await tx.fetchrow("select member_id, record_id from submissions where id = $1",
                                submission)
        if row is None:
            return []
        return await notify(tx, [row["member_id"]], rules.CLASS_FEEDBACK, actor_id=actor,
                            record_id=row["record_id"])
    if event.kind in ("payout.proposed", "payout.finalized"):
        kind = rules.PAYOUT_PROPOSED if event.kind == "payout.proposed" else rules.PAYOUT_FINALIZED
        proposal = _pk(event.subject, "PayoutProposal")
        members = await tx.fetch("select member_id from payout_lines where proposal_id = $1",
                                 proposal)
        return await notify(tx, [m["member_id"] for m in members], kind, actor_id=actor,
                            compilation_id=_pk(payload.get("compilation"), "Compilation"))
    if event.kind == "compilation.status_changed":
        return await _compilation_status(tx, event, actor)
    if event.kind == "comment.added":
        return await _comment_added(tx, event, actor)
    return []


async def _comment_added(tx: Executor, event: Event, actor: int | None) -> list[Event]:
    """A comment on a record tells the record's author (RECORD_COMMENTED); every member it
    mentions hears of it (MENTIONED), about its subject: whether they may see that subject is
    decided when they read the notification, by the subject's own rule."""
    row = await tx.fetchrow(
        "select c.record_id, c.collaboration_id, c.compilation_id, c.mention_ids, "
        "r.author_id as record_author from comments c "
        "left join records r on r.id = c.record_id where c.id = $1",
        _pk(event.subject, "Comment"))
    if row is None:
        return []
    subjects = {"record_id": row["record_id"], "collaboration_id": row["collaboration_id"],
                "compilation_id": row["compilation_id"]}
    added: list[Event] = []
    mentioned = set(row["mention_ids"])
    author = row["record_author"]
    if author is not None and author not in mentioned:  # a mention says more than a comment
        added += await notify(tx, [author], rules.RECORD_COMMENTED, actor_id=actor,
                              record_id=row["record_id"])
    if mentioned:
        added += await notify(tx, mentioned, rules.MENTIONED, actor_id=actor, **subjects)
    return added


async def _compilation_status(tx: Executor, event: Event, actor: int | None) -> list[Event]:
    """Returned (to DRAFT from review) or approved: its creator and its editors hear of it."""
    status, previous = event.payload.get("status"), event.payload.get("previousStatus")
    if status == "APPROVED":
        kind = rules.COMPILATION_APPROVED
    elif status == "DRAFT" and previous in ("IN_REVIEW", "APPROVED"):
        kind = rules.COMPILATION_RETURNED
    else:
        return []
    compilation = _pk(event.subject, "Compilation")
    rows = await tx.fetch(
        "select created_by as id from compilations where id = $1 "
        "union select member_id from compilation_editors where compilation_id = $1", compilation)
    return await notify(tx, [row["id"] for row in rows], kind, actor_id=actor,
                        compilation_id=compilation)


# --- FOLLOWED_COLLABORATION_CLOSING: a sweep on the hub's schedule -------------------------------

_CLOSING = """
with closing as (
    select c.id, c.deadline from collaborations c
     where c.status = 'OPEN' and c.deadline > now()
       and c.deadline <= now() + make_interval(hours => $1)
       and not exists (select 1 from collaboration_closing_notices n
                        where n.collaboration_id = c.id and n.deadline = c.deadline)
     order by c.deadline limit $2),
noted as (
    insert into collaboration_closing_notices (collaboration_id, deadline)
    select id, deadline from closing
    on conflict (collaboration_id) do update set deadline = excluded.deadline,
                                                 noticed_at = now()
    returning collaboration_id)
select collaboration_id from noted
"""

CLOSING_HOURS = 24
CLOSING_BATCH = 500  # collaborations per sweep: a busy hour is swept over a few rounds


async def notify_closing(tx: Executor, hours: int = CLOSING_HOURS) -> list[Event]:
    """Tell the followers of each OPEN collaboration whose deadline is within ``hours`` (once
    per deadline: a moved deadline is told again). Returns the events to write with it."""
    events: list[Event] = []
    for row in await tx.fetch(_CLOSING, hours, CLOSING_BATCH):
        pk = row["collaboration_id"]
        followers = await tx.fetch(
            "select member_id from collaboration_follows where collaboration_id = $1", pk)
        events.extend(await notify(tx, [f["member_id"] for f in followers],
                                   rules.FOLLOWED_COLLABORATION_CLOSING, actor_id=None,
                                   collaboration_id=pk))
    return events
