"""Relay conventions in the API: the ``Node`` interface, ``PageInfo``, and cursor connections
built from the rows of a keyset page (IDs, page arguments and cursors: hub/core/relay.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Generic, Protocol, TypeVar

import strawberry

from hub.core.errors import BadRequest
from hub.core.relay import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageArgs, encode_cursor

T = TypeVar("T")


class KeyedOrder(Protocol):
    """A keyset order that reads a row's sort keys (hub/core/rules.py)."""

    def key_of(self, row: Any) -> tuple[Any, ...]: ...


@strawberry.interface(description="An object with a globally unique, opaque ID.")
class Node:
    id: strawberry.ID = strawberry.field(description="The object's opaque global ID.")


# --- connections ------------------------------------------------------------------------------


# Shareable: other subgraphs with Relay connections define the same value type.
@strawberry.federation.type(
    shareable=True, description="Where a page sits in its list (Relay cursor connections)."
)
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="More items precede this page.")
    start_cursor: str | None = strawberry.field(description="The cursor of the first item; "
                                                "null when the page is empty.")
    end_cursor: str | None = strawberry.field(description="The cursor of the last item; null "
                                              "when the page is empty.")


@strawberry.type(description="One item of a connection, with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="An opaque position in the list: pass it as `after` (or `before`) to read "
        "the items after (or before) this one. Valid as long as the list's order is the same.")
    node: T = strawberry.field(description="The item.")


# The page arguments of every connection (Relay cursor connections). Forward: `first` items
# `after` a cursor; backward: `last` items `before` a cursor.
First = Annotated[int | None, strawberry.argument(
    description=f"Read forward: at most this many items (0 to {MAX_PAGE_SIZE}; "
    f"{DEFAULT_PAGE_SIZE} when neither `first` nor `last` is given). Not with `last`.")]
After = Annotated[str | None, strawberry.argument(
    description="Read forward from after this cursor (an edge's `cursor` or "
    "`pageInfo.endCursor`); from the start when null.")]
Last = Annotated[int | None, strawberry.argument(
    description=f"Read backward: at most this many items, the ones just before `before` (or "
    f"the last ones), in list order (0 to {MAX_PAGE_SIZE}). Not with `first`; null: read "
    "forward.")]
Before = Annotated[str | None, strawberry.argument(
    description="Read backward from before this cursor (an edge's `cursor` or "
    "`pageInfo.startCursor`); from the end when null.")]


@strawberry.type(description="A page of a list, with cursors to move forward and back.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items, each with its cursor.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    count: strawberry.Private[Callable[[], Awaitable[int]] | None] = None

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many items the whole list holds (one extra statement).")
    async def total_count(self) -> int:
        if self.count is None:
            raise BadRequest("totalCount is not available on this list.")
        return await self.count()


def connection_from_rows(
    rows: Sequence[Any], page: PageArgs, ordering: KeyedOrder,
    to_node: Callable[[Any], T], count: Callable[[], Awaitable[int]] | None = None,
) -> Connection[T]:
    """Build a page from rows fetched with ``LIMIT page.limit + 1`` in the page's order."""
    has_more = len(rows) > page.limit
    rows = list(rows[: page.limit])
    if not page.forward:
        rows.reverse()
    edges = [Edge(cursor=encode_cursor(ordering.key_of(row)), node=to_node(row)) for row in rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_more if page.forward else page.before is not None,
            has_previous_page=page.after is not None if page.forward else has_more,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=count,
    )
