"""The daily email digest: the ``hub_notify`` hook, called once a day per member due one.

Every hub instance's dispatcher calls :func:`run_if_due` on its schedule; from
``HUB_DIGEST_HOUR`` (UTC) on, the first instance to take the advisory lock sends the digests
of the members due one (hub/domain/notifications/digest.py says who), the others skip.
``recordhub digest --send-now`` calls :func:`run` at once. A digest's notifications are
marked sent only when a plugin says it delivered it (returns True).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import asyncpg

from hub.core.config import Settings
from hub.core.relay import decode_id
from hub.domain.notifications import digest
from hub.plugins import HubPlugins

log = logging.getLogger("hub.realtime.digest")

# pg_try_advisory_xact_lock's key: "digest" in ASCII.
LOCK_KEY = 0x646967657374
HOOK = "hub_notify"


@dataclass(frozen=True)
class Sent:
    """What one run did: digests delivered, and digests no plugin delivered (or failed)."""

    delivered: int
    undelivered: int


def last_slot(settings: Settings, now: dt.datetime) -> dt.datetime:
    """The latest moment at ``HUB_DIGEST_HOUR`` (UTC) not after ``now``."""
    slot = now.astimezone(dt.UTC).replace(hour=settings.digest_hour, minute=0, second=0,
                                          microsecond=0)
    return slot if slot <= now else slot - dt.timedelta(days=1)


async def run(pool: asyncpg.Pool, plugins: HubPlugins, settings: Settings, *,
              since: dt.datetime | None = None) -> Sent | None:
    """Send every digest due (members without a digest since ``since``; default: the last
    digest hour). None when another instance is sending now."""
    now = dt.datetime.now(dt.UTC)
    since = since or last_slot(settings, now)
    delivered = undelivered = 0
    if not plugins.implementers(HOOK):
        return Sent(0, 0)
    async with pool.acquire() as tx, tx.transaction():
        # Held while sending, so two instances never send the same digest.
        if not await tx.fetchval("select pg_try_advisory_xact_lock($1)", LOCK_KEY):
            return None
        for item, ids in await digest.due(tx, settings, since):
            try:
                answers = await plugins.each(HOOK, digest=item)
            except Exception:
                log.exception("hub_notify failed for %s; offered again next run", item.handle)
                undelivered += 1
                continue
            if any(answer is True for _, answer in answers):
                await digest.mark_sent(tx, decode_id(item.member_id, "Member"), ids)
                delivered += 1
            else:
                undelivered += 1
    return Sent(delivered, undelivered)


async def run_if_due(pool: asyncpg.Pool, plugins: HubPlugins, settings: Settings) -> Sent | None:
    """:func:`run`, from the digest hour on (members already sent one since are not due)."""
    if not plugins.implementers(HOOK):
        return None
    return await run(pool, plugins, settings)
