"""DataLoaders of the media slice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.core.db import Database
from hub.core.loaders import MAX_BATCH, DataLoader, RowsByIdLoader, grouped
from hub.domain.media import store


class MediaByRecordIdLoader(DataLoader[int, list[Any]]):
    """The files of each record (``Record.media`` for a whole page in one statement)."""

    def __init__(self, db: Database, viewer: int | None = None) -> None:
        self.db, self.viewer = db, viewer
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def _load(self, record_ids: list[int]) -> list[list[Any]]:
        rows = await store.media_of_records(self.db, list(record_ids))
        return grouped(record_ids, rows, lambda row: row["record_id"])


class CoverByCollaborationIdLoader(RowsByIdLoader[Any]):
    """The cover of each collaboration (None when it has none), in one statement per batch;
    the caller has checked that the viewer sees the collaboration."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.covers(self.db, ids)
