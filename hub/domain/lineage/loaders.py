"""DataLoaders of the lineage slice: one recursive statement per batch and walk, so
``ancestors`` on every record of a feed page costs the same as on one. (The direct links,
``sources`` and ``remixes``, are listings: hub/core/pages.py loads them.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hub.core.db import Database
from hub.core.loaders import MAX_BATCH, DataLoader, grouped
from hub.domain.lineage import store
from hub.domain.lineage.rules import Walk


@dataclass(frozen=True)
class WalkKey:
    record_id: int
    walk: Walk
    max_depth: int


class LineageByRecordIdLoader(DataLoader[WalkKey, list[Any]]):
    """Ancestors or descendants per record, each once at its shortest depth, nearest first
    (at most rules.MAX_ENTRIES per record), with ``_visible`` for this request's viewer."""

    def __init__(self, db: Database, viewer: int | None = None) -> None:
        self.db, self.viewer = db, viewer
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def _load(self, keys: Sequence[WalkKey]) -> list[list[Any]]:
        by_walk: dict[tuple[Walk, int], list[WalkKey]] = {}
        for key in keys:
            by_walk.setdefault((key.walk, key.max_depth), []).append(key)
        found: dict[WalkKey, list[Any]] = {}
        for (walk, max_depth), walk_keys in by_walk.items():
            ids = list(dict.fromkeys(key.record_id for key in walk_keys))
            rows = await store.walk_records(self.db, ids, walk, max_depth, self.viewer)
            groups = dict(zip(ids, grouped(ids, rows, lambda row: row["_root"]), strict=True))
            for key in walk_keys:
                found[key] = groups[key.record_id]
        return [found[key] for key in keys]
