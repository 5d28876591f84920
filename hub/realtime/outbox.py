"""The outbox: change events written in the same transaction as the change.

:func:`write` inserts the events and calls ``pg_notify``; PostgreSQL delivers the
notification at commit (never for a rollback), waking every hub instance's listener.

Ordering: ids come from an identity column, and a sequence alone does not give commit order
(transaction A may take id 5, B id 6, and B commit first; a reader at "after 5" would then
skip 5 forever). So :func:`write` first takes a transaction-scoped advisory lock: between the
insert and the commit no other writer can take ids, which makes id order the commit order.
The lock is held only for the tail of a transaction (the insert is its last statement).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from hub.core.db.pool import Executor, note_events
from hub.core.events import Event

CHANNEL = "hub_events"
# "hubevent" in ASCII: an arbitrary constant shared by every hub process.
OUTBOX_LOCK_KEY = 0x6875626576656E74

COLUMNS = "id, kind, subject, actor, payload, created_at"


async def write(tx: Executor, events: Sequence[Event]) -> None:
    """Append ``events`` to the outbox, in order, inside the caller's transaction."""
    if not events:
        return
    note_events(tx)
    await tx.execute("select pg_advisory_xact_lock($1)", OUTBOX_LOCK_KEY)
    await tx.execute(
        f"""with written as (
                insert into events (kind, subject, actor, payload, created_at)
                select kind, subject, actor, payload::jsonb, created_at
                from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
                     with ordinality as e(kind, subject, actor, payload, created_at, n)
                order by n
                returning id)
            select pg_notify('{CHANNEL}', max(id)::text) from written""",
        [e.kind for e in events], [e.subject for e in events], [e.actor for e in events],
        [orjson.dumps(e.payload).decode() for e in events], [e.occurred_at for e in events],
    )


def from_row(row: Any) -> Event:
    """An :class:`Event` from an ``events`` row (``payload`` decoded)."""
    payload = row["payload"]
    if isinstance(payload, str | bytes):  # a connection without the jsonb codec
        payload = orjson.loads(payload)
    return Event(kind=row["kind"], subject=row["subject"], actor=row["actor"], payload=payload,
                 occurred_at=row["created_at"], id=row["id"])
