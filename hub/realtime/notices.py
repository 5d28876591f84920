"""The hub's scheduled notices: FOLLOWED_COLLABORATION_CLOSING, on the pruning schedule.

Every hub instance's dispatcher calls :func:`sweep` after pruning (every
``HUB_PRUNE_INTERVAL_SECONDS``); a transaction-level advisory lock lets one instance at a time
do it. The notifications and their ``notification.added`` events are written in one
transaction (hub/domain/notifications/service.py), so ``notificationAdded`` delivers them.
"""

from __future__ import annotations

from hub.core.db import Executor
from hub.domain.notifications.service import notify_closing
from hub.realtime import outbox

# pg_try_advisory_xact_lock's key: "notice" in ASCII.
LOCK_KEY = 0x6E6F74696365


async def sweep(tx: Executor) -> int | None:
    """Notify the followers of collaborations closing within 24 h; returns how many
    notifications were written, None when another instance holds the sweep."""
    if not await tx.fetchval("select pg_try_advisory_xact_lock($1)", LOCK_KEY):
        return None
    events = await notify_closing(tx)
    await outbox.write(tx, events)
    return len(events)
