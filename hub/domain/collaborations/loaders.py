"""DataLoaders of the collaborations slice: rows by id, and lists read whole (steps, needs,
owners, credits, results: bounded by the writes, so never paged) for many parents at once.
Paged lists go through hub/core/pages.py like every other listing."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import asyncpg

from hub.core.db import Database, Executor
from hub.core.loaders import MAX_BATCH, DataLoader, RowsByIdLoader, grouped
from hub.core.pages import ROW, Params
from hub.core.rules import Listing
from hub.domain.collaborations import rules


def whole_statement(listing: Listing, order: str, viewer: int | None, parents: Sequence[int],
                    ) -> tuple[str, list[Any]]:
    """Every row of ``listing`` for each parent, in ``order``, grouped by ``_parent``."""
    ordering = listing.orderings[order]
    params = Params()
    parent_ids = params.add(list(parents), "bigint[]")
    viewer_p = params.when_used(viewer, "bigint")
    where = listing.from_where(ROW, viewer_p, "parent.id")
    rows = (f"select {listing.select(ROW, viewer_p)}, {ordering.select_keys(ROW)}, "
            f"parent.id as _parent from {where}")
    return (f"select p.* from unnest({parent_ids}) as parent(id) cross join lateral ({rows}) p "
            f"order by p._parent, {ordering.order_by_keys('p')}"), params.values


class WholeListsLoader(DataLoader[int, list[asyncpg.Record]]):
    """The whole of one listing for many parents, in one statement per batch."""

    def __init__(self, db: Database, viewer: int | None, listing: Listing, order: str) -> None:
        self.db, self.viewer, self.listing, self.order = db, viewer, listing, order
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def _load(self, parents: Sequence[int]) -> list[list[asyncpg.Record]]:
        unique = list(dict.fromkeys(parents))
        statement, values = whole_statement(self.listing, self.order, self.viewer, unique)
        rows = await self.db.fetch(statement, *values)
        groups = dict(zip(unique, grouped(unique, rows, lambda row: row["_parent"]), strict=True))
        return [groups[parent] for parent in parents]


def whole_list_key(listing: Listing) -> Hashable:
    return ("whole", id(listing))


async def collaborations_by_ids(ex: Executor, ids: list[int], viewer: int | None,
                                ) -> list[asyncpg.Record]:
    """Collaborations by id, drafts included, each with ``_visible`` (rules.VISIBLE)."""
    columns = rules.COLUMNS_SEEN.format(t="c", viewer="$2::bigint")
    return await ex.fetch(
        f"select {columns} from collaborations c where c.id = any($1::bigint[])", ids, viewer)


class CollaborationByIdLoader(RowsByIdLoader[Any]):
    """Collaboration rows by id, each with ``_visible`` for this request's viewer."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await collaborations_by_ids(self.db, ids, self.viewer)


class NeedByIdLoader(RowsByIdLoader[Any]):
    """Need rows by id (a contribution's need); seen where their collaboration is."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        return await self.db.fetch(
            f"select {rules.NEEDS.select('n')} from collaboration_needs n "
            "where n.id = any($1::bigint[])", ids)


class ContributionByIdLoader(RowsByIdLoader[Any]):
    """Contribution rows by id, only those this request's viewer may see."""

    async def fetch(self, ids: list[int]) -> Sequence[Any]:
        columns = rules.CONTRIBUTION_COLUMNS.format(t="k", viewer="$2::bigint")
        seen = rules.CONTRIBUTION_VISIBLE.sql("k", "$2::bigint")
        return await self.db.fetch(
            f"select {columns} from contributions k where k.id = any($1::bigint[]) and {seen}",
            ids, self.viewer)
