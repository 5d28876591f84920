"""Building blocks for DataLoaders: one SQL statement per batch, results in key order.

The one module below the API layer that imports Strawberry: its ``DataLoader`` is the batching
library (a plain asyncio class, no GraphQL in it). Domain slices take it from here, so the
layer contract "hub.domain never imports strawberry" holds (see [tool.importlinter] in
pyproject.toml)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader

from hub.core.db import Database

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_BATCH = 1000

__all__ = ["MAX_BATCH", "DataLoader", "RowsByIdLoader", "grouped", "load_all"]


class RowsByIdLoader(DataLoader[int, Any], Generic[V]):
    """Loads rows by primary key; missing keys give None. Subclasses set :meth:`fetch`."""

    def __init__(self, db: Database, viewer: int | None = None) -> None:
        self.db, self.viewer = db, viewer
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        raise NotImplementedError

    async def _load(self, ids: list[int]) -> list[Any]:
        rows = {row["id"]: row for row in await self.fetch(list(ids))}
        return [rows.get(pk) for pk in ids]


def grouped(keys: Sequence[K], rows: Sequence[Any], key_of: Callable[[Any], K]) -> list[list[Any]]:
    """Rows grouped per key, in the order of ``keys`` (for one-to-many loaders)."""
    groups: dict[K, list[Any]] = {key: [] for key in keys}
    for row in rows:
        groups[key_of(row)].append(row)
    return [groups[key] for key in keys]


async def load_all(loader: DataLoader[K, V], keys: Sequence[K]) -> list[V]:
    """``load_many`` with a type that says what it returns."""
    result: Awaitable[list[V]] = loader.load_many(keys)
    return await result
