"""The outbox: change events written in the same transaction as the change.

:func:`write` inserts the events, in one statement; PostgreSQL notifies the channel at commit
(never for a rollback), waking every hub instance's listener.

Ordering: readers (the listener, replay from a cursor, the plugin dispatcher) read "every
event after id N", so id order must be commit order: a plain sequence does not give it
(transaction A may take id 5, B id 6, and B commit first; a reader at "after 5" would then
skip 5 forever). So a row is inserted with a provisional id (negative; no other transaction
ever sees it), and a deferred constraint trigger (migration 0019) gives it its final id at
COMMIT: it takes a transaction-scoped advisory lock (:data:`OUTBOX_LOCK_KEY`), which
PostgreSQL releases only after the commit is visible, so no writer takes an id between
another's id and its commit. The trigger fires in insert order, so the events of one
transaction keep their order; and it queues the ``pg_notify``.

What this serializes is PostgreSQL's own commit work (the trigger, the WAL flush), never a
round trip of the app: the lock is taken after the client sent COMMIT. Nothing may read the
id of an event before its commit (it is the provisional one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from hub.core.db.pool import Executor, note_events
from hub.core.events import Event

CHANNEL = "hub_events"
# "hubevent" in ASCII: the advisory lock the commit trigger takes (migration 0019 spells it
# in decimal).
OUTBOX_LOCK_KEY = 0x6875626576656E74

COLUMNS = "id, kind, subject, actor, payload, created_at"


async def write(tx: Executor, events: Sequence[Event]) -> None:
    """Append ``events`` to the outbox, in order, inside the caller's transaction."""
    if not events:
        return
    note_events(tx)
    await tx.execute(
        """insert into events (kind, subject, actor, payload, created_at)
           select kind, subject, actor, payload::jsonb, created_at
           from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
                with ordinality as e(kind, subject, actor, payload, created_at, n)
           order by n""",
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
