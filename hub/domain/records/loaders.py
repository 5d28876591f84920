"""DataLoaders of the records slice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from hub.core.db import Database
from hub.core.loaders import MAX_BATCH, RowsByIdLoader, grouped
from hub.core.relay import PageArgs
from hub.domain.records import store


class RecordByIdLoader(RowsByIdLoader[Any]):
    """Record rows by id (deleted and drafts included; callers apply visibility)."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.records_by_ids(self.db, ids)


@dataclass(frozen=True)
class AuthorPageKey:
    author_id: int
    with_drafts_of: int | None
    order: str
    page: PageArgs


class RecordsByAuthorLoader(DataLoader[AuthorPageKey, list[Any]]):
    """A page of records per author: ``Member.records`` for a whole list of members costs one
    statement per distinct (page arguments, order) in the request, not one per member."""

    def __init__(self, db: Database) -> None:
        self.db = db
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def _load(self, keys: list[AuthorPageKey]) -> list[list[Any]]:
        by_shape: dict[tuple[Any, ...], list[AuthorPageKey]] = {}
        for key in keys:
            by_shape.setdefault((key.with_drafts_of, key.order, key.page), []).append(key)
        found: dict[AuthorPageKey, list[Any]] = {}
        for (with_drafts_of, order, page), shape_keys in by_shape.items():
            author_ids = [key.author_id for key in shape_keys]
            rows = await store.records_of_authors(self.db, author_ids, with_drafts_of, order, page)
            for key, group in zip(
                shape_keys, grouped(author_ids, rows, lambda row: row["author_id"]), strict=True
            ):
                found[key] = group
        return [found[key] for key in keys]


class RecordCountByAuthorLoader(DataLoader[tuple[int, int | None], int]):
    """``Member.records.totalCount`` for many members in one statement; keys are
    (author id, viewer id) since the viewer's own drafts count for the viewer."""

    def __init__(self, db: Database) -> None:
        self.db = db
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def _load(self, keys: list[tuple[int, int | None]]) -> list[int]:
        viewer = keys[0][1]  # one viewer per request, so one statement per batch
        counts = await store.counts_of_authors(self.db, [author for author, _ in keys], viewer)
        return [counts.get(author, 0) for author, _ in keys]
