"""The executor's side of a :class:`hub.core.rules.Listing`: pages and counts in SQL, batched.

One statement answers a page for every parent of a DataLoader batch (``unnest`` of their ids,
then ``cross join lateral`` the listing's page for each); one statement counts them. The
compiled twins render the same listing, correlated to the parent row instead
(hub/api/compiled/listing.py). Each row of a page carries the listing's columns, ``_parent``
(for a child list) and the order's keys ``_k0…`` (for cursors).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from hub.core.db import Database, Executor
from hub.core.loaders import MAX_BATCH, DataLoader, grouped
from hub.core.relay import PageArgs
from hub.core.rules import Filter, Listing, Ordering

ROW = "r"  # the alias of the listed rows in the executor's statements
PARENT_ROW = "parent_row"  # … and of the parent's row, where an order reads it


class Params:
    """Collects a statement's values; each :meth:`add` returns its typed placeholder."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any, cast: str) -> str:
        self.values.append(value)
        return f"${len(self.values)}::{cast}"

    def when_used(self, value: Any, cast: str) -> _Placeholder:
        """A placeholder numbered, and its value passed, only if the statement names it (the
        viewer: a listing whose rows do not depend on who reads does not)."""
        return _Placeholder(self, value, cast)


class _Placeholder:
    def __init__(self, params: Params, value: Any, cast: str) -> None:
        self.params, self.value, self.cast = params, value, cast
        self.text: str | None = None

    def __str__(self) -> str:
        if self.text is None:
            self.text = self.params.add(self.value, self.cast)
        return self.text

    def __format__(self, spec: str) -> str:
        return str(self)


def keyset(ordering: Ordering, page: PageArgs, params: Params) -> list[str]:
    """The conditions placing a page after ``page.after`` and before ``page.before``."""
    conditions = []
    for cursor, after in ((page.after, True), (page.before, False)):
        if cursor is None:
            continue
        placeholders = [params.add(value, kind) for value, kind
                        in zip(ordering.checked(cursor), ordering.casts, strict=True)]
        conditions.append(ordering.beyond(ROW, placeholders, after=after))
    return conditions


def _filters(listing: Listing, filters: Mapping[str, Any], params: Params,
             ) -> list[tuple[Filter, str]]:
    return [(listing.filters[name], params.add(value, listing.filters[name].cast))
            for name, value in sorted(filters.items())]


def page_statement(
    listing: Listing, viewer: int | None, order: str, page: PageArgs,
    filters: Mapping[str, Any], parents: Sequence[int] | None,
) -> tuple[str, list[Any]]:
    """The statement of one page per parent (or of the root list when ``parents`` is None),
    in the page's order, ``page.limit + 1`` rows at most per parent."""
    ordering = listing.ordering(order, PARENT_ROW if parents is not None else None)
    params = Params()
    parent_ids = params.add(list(parents), "bigint[]") if parents is not None else None
    viewer_p = params.when_used(viewer, "bigint")
    narrowed = _filters(listing, filters, params)
    beyond = keyset(ordering, page, params)
    parent = "parent.id" if parents is not None else None
    where = listing.from_where(ROW, viewer_p, parent, narrowed, ordering)
    if beyond:
        where += " and " + " and ".join(beyond)
    backward = not page.forward
    rows = (f"select {listing.select(ROW, viewer_p)}, {ordering.select_keys(ROW)} "
            f"{', parent.id as _parent' if parent else ''} from {where} "
            f"order by {ordering.order_by(ROW, backward=backward)} limit {page.limit + 1}")
    if parent_ids is None:
        return rows, params.values
    # The parent's row, for an order that reads it: once per parent, not per listed row.
    parent_row = (f"join {listing.parent_table} {PARENT_ROW} on {PARENT_ROW}.id = parent.id "
                  if listing.parent_table else "")
    return (f"select p.* from unnest({parent_ids}) as parent(id) {parent_row}"
            f"cross join lateral ({rows}) p"), params.values


def count_statement(
    listing: Listing, viewer: int | None, filters: Mapping[str, Any],
    parents: Sequence[int] | None,
) -> tuple[str, list[Any]]:
    params = Params()
    parent_ids = params.add(list(parents), "bigint[]") if parents is not None else None
    viewer_p = params.when_used(viewer, "bigint")
    narrowed = _filters(listing, filters, params)
    if parent_ids is None:
        return f"select count(*) from {listing.from_where(ROW, viewer_p, None, narrowed)}", \
            params.values
    counted = listing.from_where(ROW, viewer_p, "parent.id", narrowed)
    return (f"select parent.id as _parent, (select count(*) from {counted}) as n "
            f"from unnest({parent_ids}) as parent(id)"), params.values


async def root_page(
    ex: Executor, listing: Listing, viewer: int | None, order: str, page: PageArgs,
    filters: Mapping[str, Any],
) -> list[asyncpg.Record]:
    statement, values = page_statement(listing, viewer, order, page, filters, None)
    return await ex.fetch(statement, *values)


async def root_count(
    ex: Executor, listing: Listing, viewer: int | None, filters: Mapping[str, Any],
) -> int:
    statement, values = count_statement(listing, viewer, filters, None)
    count: int = await ex.fetchval(statement, *values)
    return count


Filters = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class PageKey:
    """One parent's page: the parent's id, the order, the page and the cleaned filters."""

    parent: int
    order: str
    page: PageArgs
    filters: Filters = ()


class PagesLoader(DataLoader[PageKey, list[asyncpg.Record]]):
    """Pages of one listing for many parents: one statement per distinct (order, page,
    filters) in a batch, however many parents ask."""

    def __init__(self, db: Database, viewer: int | None, listing: Listing) -> None:
        self.db, self.viewer, self.listing = db, viewer, listing
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def _load(self, keys: Sequence[PageKey]) -> list[list[asyncpg.Record]]:
        by_shape: dict[tuple[Any, ...], list[PageKey]] = {}
        for key in keys:
            by_shape.setdefault((key.order, key.page, key.filters), []).append(key)
        found: dict[PageKey, list[asyncpg.Record]] = {}
        for (order, page, filters), shape_keys in by_shape.items():
            parents = list(dict.fromkeys(key.parent for key in shape_keys))
            statement, values = page_statement(self.listing, self.viewer, order, page,
                                               dict(filters), parents)
            rows = await self.db.fetch(statement, *values)
            groups = dict(zip(parents, grouped(parents, rows, lambda row: row["_parent"]),
                              strict=True))
            for key in shape_keys:
                found[key] = groups[key.parent]
        return [found[key] for key in keys]


@dataclass(frozen=True)
class CountKey:
    parent: int
    filters: Filters = ()


class CountsLoader(DataLoader[CountKey, int]):
    """``totalCount`` of one listing for many parents, one statement per distinct filters."""

    def __init__(self, db: Database, viewer: int | None, listing: Listing) -> None:
        self.db, self.viewer, self.listing = db, viewer, listing
        super().__init__(load_fn=self._load, max_batch_size=MAX_BATCH)

    async def _load(self, keys: Sequence[CountKey]) -> list[int]:
        by_filters: dict[Filters, list[CountKey]] = {}
        for key in keys:
            by_filters.setdefault(key.filters, []).append(key)
        counts: dict[CountKey, int] = {}
        for filters, filter_keys in by_filters.items():
            parents = list(dict.fromkeys(key.parent for key in filter_keys))
            statement, values = count_statement(self.listing, self.viewer, dict(filters),
                                                parents)
            found = {row["_parent"]: row["n"] for row in await self.db.fetch(statement, *values)}
            for key in filter_keys:
                counts[key] = found.get(key.parent, 0)
        return [counts[key] for key in keys]
