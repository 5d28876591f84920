"""DataLoaders of the records slice (its lists are loaded by hub/core/pages.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.core.loaders import RowsByIdLoader
from hub.domain.records import store


class RecordByIdLoader(RowsByIdLoader[Any]):
    """Record rows by id (deleted and drafts included), each with ``_visible``: whether this
    request's viewer may see it."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.records_by_ids(self.db, ids, self.viewer)
