"""The email digest's data: who is due one, what it says, marking it sent, unsubscribing.

A member is due a digest when they gave an address (``notification_emails``), have not
unsubscribed, had no digest since ``since`` (the last digest hour), and have notifications
not yet emailed whose kinds they keep on for email. Each item's text is written here from the
notification's subjects *as the recipient may see them now* (records.VISIBLE and the other
slices' rules, rendered with the recipient as the viewer): a hidden record reads as "a record
no longer available", never its title. Delivering is the ``hub_notify`` hook's
(hub/realtime/digest.py runs it).

Unsubscribing is one click: the link carries the member's id and an HMAC of it with the hub's
secret (``HUB_SECRET_KEY``), so it needs no sign-in and cannot be forged for someone else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

from hub.core.config import Settings
from hub.core.db import Executor
from hub.core.relay import encode_id
from hub.domain.collaborations import rules as collaborations
from hub.domain.compilations import rules as compilations
from hub.domain.media.urls import secret_key
from hub.domain.notifications import rules
from hub.domain.records import rules as records
from hub.plugin_api import DIGEST_MAX_ITEMS, Digest, DigestItem

UNSUBSCRIBE_PATH = "/notifications/unsubscribe"
MAX_ADDRESS = 254  # RFC 5321's longest path


def _seen(table: str, rule: Any, column: str) -> str:
    """The title of ``table``'s row named by ``n.<column>`` when the recipient may see it."""
    return (f"(select s.title from {table} s where s.id = n.{column} and "
            f"{rule.sql('s', 'n.recipient_id')})")


_DUE = f"""
select e.member_id, e.address, m.handle, m.display_name, n.id, n.kind, n.created_at,
       {rules.NOTIFICATIONS.computed['actor_count'].format(t='n')} as actor_count,
       a.handle as actor_handle, n.record_id, n.collaboration_id, n.compilation_id,
       {_seen('records', records.VISIBLE, 'record_id')} as record_title,
       {_seen('collaborations', collaborations.VISIBLE, 'collaboration_id')}
           as collaboration_title,
       {_seen('compilations', compilations.VISIBLE, 'compilation_id')} as compilation_title
  from notification_emails e
  join members m on m.id = e.member_id
  join notifications n on n.recipient_id = e.member_id and n.emailed_at is null
  left join members a on a.id = n.actor_id
 where e.unsubscribed_at is null
   and (e.last_digest_at is null or e.last_digest_at < $1)
   and not exists (select 1 from notification_preferences p
                    where p.member_id = n.recipient_id and p.kind = n.kind and not p.email)
 order by e.member_id, n.created_at desc, n.id desc
"""


def _text(row: Any) -> str:
    """The item's sentence, from what the recipient may see."""
    actor = ("Someone" if row["actor_handle"] is None or row["kind"] in rules.ANONYMOUS_ACTORS
             else f"@{row['actor_handle']}")
    record = (f"“{row['record_title']}”" if row["record_title"] is not None
              else "a record no longer available")
    collaboration = (f"“{row['collaboration_title']}”" if row["collaboration_title"]
                     is not None else "a collaboration no longer available")
    compilation = (f"“{row['compilation_title']}”" if row["compilation_title"] is not None
                   else "a compilation no longer available")
    count = row["actor_count"]
    members = "1 member" if count == 1 else f"{count} members"
    texts = {
        rules.RECORD_REMIXED: f"{actor} remixed your record: {record}.",
        rules.RECORD_COMMENTED: f"{actor} commented on {record}.",
        rules.MENTIONED: f"{actor} mentioned you in a comment on {record}.",
        rules.RECORD_HEARTED: f"{members} hearted {record}.",
        rules.CONTRIBUTION_ACCEPTED: f"{actor} accepted {record} into {collaboration}.",
        rules.CONTRIBUTION_DECLINED: f"{actor} declined {record} for {collaboration}.",
        rules.FOLLOWED_COLLABORATION_CLOSING: f"{collaboration} closes within 24 hours.",
        rules.CLASS_FEEDBACK: f"{actor} gave feedback on {record}.",
        rules.PAYOUT_PROPOSED: f"A payout of {compilation} credits you.",
        rules.PAYOUT_FINALIZED: f"The payout of {compilation} was finalized.",
        rules.COMPILATION_RETURNED: f"{actor} returned {compilation} to draft.",
        rules.COMPILATION_APPROVED: f"{actor} approved {compilation}.",
    }
    return texts[row["kind"]]


async def due(tx: Executor, settings: Settings, since: dt.datetime,
              ) -> list[tuple[Digest, list[int]]]:
    """Every digest due (see the module), with the ids of the notifications it covers (all of
    the member's unsent ones it stands for, the items beyond the first
    :data:`DIGEST_MAX_ITEMS` included)."""
    rows = await tx.fetch(_DUE, since)
    by_member: dict[int, list[Any]] = {}
    for row in rows:
        by_member.setdefault(row["member_id"], []).append(row)
    digests = []
    for member_id, items in by_member.items():
        first = items[0]
        digests.append((Digest(
            member_id=encode_id("Member", member_id), handle=first["handle"],
            display_name=first["display_name"], address=first["address"],
            items=tuple(DigestItem(row["kind"], _text(row), row["created_at"])
                        for row in items[:DIGEST_MAX_ITEMS]),
            more=max(0, len(items) - DIGEST_MAX_ITEMS),
            unsubscribe_url=unsubscribe_url(settings, member_id)), [row["id"] for row in items]))
    return digests


async def mark_sent(tx: Executor, member_id: int, ids: Sequence[int]) -> None:
    await tx.execute("update notifications set emailed_at = now() where id = any($1::bigint[])",
                     list(ids))
    await tx.execute("update notification_emails set last_digest_at = now() "
                     "where member_id = $1", member_id)


# --- the address and unsubscribing --------------------------------------------------------------


async def set_address(tx: Executor, member_id: int, address: str | None) -> None:
    """Give (or, with None, forget) the digest's address; giving one subscribes again."""
    if address is None:
        await tx.execute("delete from notification_emails where member_id = $1", member_id)
        return
    # The first digest goes at the next digest hour (not at once): as if one went just now.
    await tx.execute(
        "insert into notification_emails (member_id, address, last_digest_at) "
        "values ($1, $2, now()) on conflict (member_id) do update "
        "set address = excluded.address, unsubscribed_at = null", member_id, address)


async def address_of(ex: Executor, member_id: int) -> Any:
    """``address`` and ``unsubscribed_at`` of the member's digest, or None."""
    return await ex.fetchrow("select address, unsubscribed_at from notification_emails "
                             "where member_id = $1", member_id)


def _signature(settings: Settings, member_id: int) -> str:
    return hmac.new(secret_key(settings), f"unsubscribe:{member_id}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def unsubscribe_token(settings: Settings, member_id: int) -> str:
    return f"{member_id}.{_signature(settings, member_id)}"


def unsubscribe_url(settings: Settings, member_id: int) -> str:
    return f"{settings.base_url}{UNSUBSCRIBE_PATH}?token={unsubscribe_token(settings, member_id)}"


def member_of_token(settings: Settings, token: str) -> int | None:
    """The member an unsubscribe token names, None when it is not one the hub signed."""
    member, _, signature = token.partition(".")
    if not member.isdigit() or len(member) > 18:
        return None
    member_id = int(member)
    return member_id if hmac.compare_digest(signature, _signature(settings, member_id)) else None


async def unsubscribe(tx: Executor, member_id: int) -> bool:
    """Stop the member's digests; False when they had none to stop."""
    status = await tx.execute("update notification_emails set unsubscribed_at = now() "
                              "where member_id = $1 and unsubscribed_at is null", member_id)
    return status != "UPDATE 0"
