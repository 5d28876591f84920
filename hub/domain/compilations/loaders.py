"""DataLoaders of the compilations slice: one statement per batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hub.core.db import Database
from hub.core.loaders import MAX_BATCH, DataLoader, RowsByIdLoader, grouped
from hub.domain.compilations import store


class CompilationByIdLoader(RowsByIdLoader[Any]):
    """Compilation rows by id (every status), each with ``_visible`` for the viewer."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.compilations_by_ids(self.db, ids, self.viewer)


class ProposalByIdLoader(RowsByIdLoader[Any]):
    """Payout proposals by id."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await store.proposals_by_ids(self.db, ids)


class _GroupedLoader(DataLoader[int, list[Any]]):
    """Rows grouped by a key column, in key order (one-to-many relations)."""

    key_column = ""
    query: Callable[[Any, list[int]], Any]

    def __init__(self, db: Database, viewer: int | None = None) -> None:
        self.db, self.viewer = db, viewer
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def _load(self, keys: list[int]) -> list[list[Any]]:
        rows = await type(self).query(self.db, list(keys))
        return grouped(keys, rows, lambda row: row[self.key_column])


class EditorsByCompilationIdLoader(_GroupedLoader):
    key_column = "compilation_id"
    query = staticmethod(store.editors_of)


class ItemsByCompilationIdLoader(_GroupedLoader):
    key_column = "compilation_id"
    query = staticmethod(store.items_of)


class HistoryByCompilationIdLoader(_GroupedLoader):
    key_column = "compilation_id"
    query = staticmethod(store.history_of)


class PublicationsByCompilationIdLoader(_GroupedLoader):
    key_column = "compilation_id"
    query = staticmethod(store.publications_of)


class ProposalsByCompilationIdLoader(_GroupedLoader):
    key_column = "compilation_id"
    query = staticmethod(store.proposals_of)


class LinesByProposalIdLoader(_GroupedLoader):
    key_column = "proposal_id"
    query = staticmethod(store.lines_of)


class CommentsByProposalIdLoader(_GroupedLoader):
    key_column = "proposal_id"
    query = staticmethod(store.comments_of)


class LinesByMemberIdLoader(_GroupedLoader):
    key_column = "member_id"
    query = staticmethod(store.lines_of_members)
