"""DataLoaders of the lineage slice: one SQL statement per batch and per argument shape, so
``sources``/``remixes``/``ancestors`` on every record of a feed page cost the same as on one."""

from __future__ import annotations

from collections.abc import Awaitable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader

from hub.core.db import Database
from hub.core.loaders import MAX_BATCH, grouped
from hub.core.relay import PageArgs
from hub.domain.lineage import store
from hub.domain.lineage.store import Walk

K = TypeVar("K", bound=Hashable)
S = TypeVar("S", bound=Hashable)


class _ByShapeLoader(DataLoader[K, list[Any]], Generic[K, S]):
    """Groups a batch's keys by their arguments (the "shape") and runs one statement per
    shape for all the records in it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    def shape(self, key: K) -> S:
        raise NotImplementedError

    def record_id(self, key: K) -> int:
        raise NotImplementedError

    def fetch(self, record_ids: list[int], shape: S) -> Awaitable[Sequence[Any]]:
        raise NotImplementedError

    def owner(self, row: Any) -> int:
        """The record a fetched row belongs to."""
        return row["_from"]

    async def _load(self, keys: Sequence[K]) -> list[list[Any]]:
        by_shape: dict[S, list[K]] = {}
        for key in keys:
            by_shape.setdefault(self.shape(key), []).append(key)
        found: dict[K, list[Any]] = {}
        for shape, shape_keys in by_shape.items():
            ids = list(dict.fromkeys(self.record_id(key) for key in shape_keys))
            rows = await self.fetch(ids, shape)
            groups = dict(zip(ids, grouped(ids, rows, self.owner), strict=True))
            for key in shape_keys:
                found[key] = groups[self.record_id(key)]
        return [found[key] for key in keys]


@dataclass(frozen=True)
class LinkPageKey:
    record_id: int
    page: PageArgs


class SourcesByRecordIdLoader(_ByShapeLoader[LinkPageKey, PageArgs]):
    """A page of direct sources per record (tombstones included), in the author's order."""

    def shape(self, key: LinkPageKey) -> PageArgs:
        return key.page

    def record_id(self, key: LinkPageKey) -> int:
        return key.record_id

    def fetch(self, record_ids: list[int], shape: PageArgs) -> Awaitable[Sequence[Any]]:
        return store.links_of_records(self.db, record_ids, Walk.ANCESTORS, shape)


class RemixesByRecordIdLoader(SourcesByRecordIdLoader):
    """A page of direct remixes per record (tombstones included), newest first."""

    def fetch(self, record_ids: list[int], shape: PageArgs) -> Awaitable[Sequence[Any]]:
        return store.links_of_records(self.db, record_ids, Walk.DESCENDANTS, shape)


class _CountLoader(DataLoader[int, int]):
    walk: Walk

    def __init__(self, db: Database) -> None:
        self.db = db
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def _load(self, ids: Sequence[int]) -> list[int]:
        counts = await store.link_counts(self.db, list(ids), self.walk)
        return [counts.get(record_id, 0) for record_id in ids]


class SourceCountByRecordIdLoader(_CountLoader):
    """How many direct sources each record has."""

    walk = Walk.ANCESTORS


class RemixCountByRecordIdLoader(_CountLoader):
    """How many direct remixes each record has (``Record.remixCount``)."""

    walk = Walk.DESCENDANTS


@dataclass(frozen=True)
class WalkKey:
    record_id: int
    walk: Walk
    max_depth: int


class LineageByRecordIdLoader(_ByShapeLoader[WalkKey, tuple[Walk, int]]):
    """Ancestors or descendants per record, each once at its shortest depth, nearest first
    (at most :data:`MAX_ENTRIES` per record); one recursive statement per batch."""

    MAX_ENTRIES = 10_000

    def owner(self, row: Any) -> int:
        return row["_root"]

    def shape(self, key: WalkKey) -> tuple[Walk, int]:
        return key.walk, key.max_depth

    def record_id(self, key: WalkKey) -> int:
        return key.record_id

    def fetch(self, record_ids: list[int], shape: tuple[Walk, int]) -> Awaitable[Sequence[Any]]:
        walk, max_depth = shape
        return store.walk_records(self.db, record_ids, walk, max_depth, self.MAX_ENTRIES)
