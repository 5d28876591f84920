"""DataLoaders of notifications: one statement per batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.core.loaders import RowsByIdLoader
from hub.domain.notifications import rules


class NotificationByIdLoader(RowsByIdLoader[Any]):
    """Notifications by id, only the viewer's own (anyone else's is None), with
    ``_available`` (rules.AVAILABLE for the viewer)."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        available = rules.AVAILABLE.sql("n", "$2::bigint")
        return await self.db.fetch(
            f"select {rules.NOTIFICATIONS.select('n')}, {available} as _available "
            "from notifications n where n.id = any($1::bigint[]) and n.recipient_id = $2",
            ids, self.viewer)


class UnreadCountLoader(RowsByIdLoader[Any]):
    """Per member: ``unread_count``."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await self.db.fetch(
            f"select m.id, {rules.UNREAD_COUNT.format(t='m')} as unread_count "
            "from unnest($1::bigint[]) as m(id)", ids)
