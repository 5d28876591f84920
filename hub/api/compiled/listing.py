"""The compiled twin of a list declared as a :class:`hub.core.rules.Listing`: the same SQL the
executor's loaders run (hub/core/pages.py), correlated to the parent row.

A connection renders as one subquery: the page's rows (``LIMIT first + 1``, forward or
backward, in the listing's order), numbered outside the limit by ``row_number()`` in the
forward order, aggregated into ``edges``, ``nodes`` and ``pageInfo``; ``totalCount`` counts the
same rows, only when selected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hub.api.compiled.plan import Bound, Builder, NotCompilable, Selection, Spec, literal
from hub.core.errors import BadRequest
from hub.core.relay import PageArgs
from hub.core.rules import Condition, Listing, Ordering

NodeSql = Callable[[Selection, str, Builder], str]


def _enum_value(value: Any) -> Any:
    return getattr(value, "value", value)


def _given(container: Any, python_name: str) -> Any:
    """An input object's field, whether graphql-core gave a dict or Strawberry an instance."""
    if container is None:
        return None
    if isinstance(container, Mapping):
        camel = python_name.split("_")[0] + "".join(
            part.title() for part in python_name.split("_")[1:])
        return container.get(camel, container.get(python_name))
    return getattr(container, python_name, None)


class ListingTwin(Spec):
    """A connection field over ``listing``: its ``first/after/last/before``, ``orderBy`` (an
    enum naming one of the listing's orderings) and ``filter`` (an input object whose fields
    are named like the listing's filters) bound as the executor's resolver binds them; a value
    the resolver refuses sends the request to the executor, which words the error."""

    def __init__(self, listing: Listing, node: NodeSql | None = None) -> None:
        self.listing = listing
        self.node = node

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        listing = self.listing
        order = _enum_value(arguments.get("orderBy")) or listing.default_order
        if order not in listing.orderings:
            raise NotCompilable(f"{order} order")
        ordering = listing.orderings[order]
        try:
            page = PageArgs.of(arguments.get("first"), arguments.get("after"),
                               arguments.get("last"), arguments.get("before"))
            after = ordering.decode(arguments["after"], "after") if page.after else ()
            before = ordering.decode(arguments["before"], "before") if page.before else ()
            given = {name: _given(arguments.get("filter"), name) for name in listing.filters}
            filters = sorted(listing.cleaned_filters(given).items())
        except BadRequest:
            raise NotCompilable("arguments the resolver refuses") from None
        shape = (order, page.forward, page.limit, bool(after), bool(before),
                 tuple(name for name, _ in filters))
        return Bound(shape, (*after, *before, *(value for _, value in filters)))

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        listing = self.listing
        order, forward, limit, has_after, has_before, filter_names = b.bound(selection).parts()
        ordering = listing.ordering(order, row)
        values = iter(range(len(b.bound(selection).values)))
        after = [b.param(selection, next(values), kind) for kind in ordering.casts] \
            if has_after else []
        before = [b.param(selection, next(values), kind) for kind in ordering.casts] \
            if has_before else []
        filters = [(listing.filters[name], b.param(selection, next(values),
                                                   listing.filters[name].cast))
                   for name in filter_names]
        parent = f"{row}.id" if listing.parent is not None else None
        t = b.alias("r")
        where = listing.from_where(t, b.VIEWER, parent, filters, ordering)
        if after:
            where += " and " + ordering.beyond(t, after, after=True)
        if before:
            where += " and " + ordering.beyond(t, before, after=False)
        rows = (f"select {listing.select(t, b.VIEWER)}, {ordering.select_keys(t)} from {where} "
                f"order by {ordering.order_by(t, backward=not forward)} limit {limit + 1}")
        counted = b.alias("r")
        count = f"(select count(*) from {listing.from_where(counted, b.VIEWER, parent, filters)})"
        return connection(selection, b, rows, ordering, limit, forward=forward,
                          has_after=has_after, has_before=has_before,
                          node=self.node or _this_row, count=count)


def _this_row(selection: Selection, row: str, b: Builder) -> str:
    assert selection.definition is not None
    named = selection.definition.type
    while hasattr(named, "of_type"):
        named = named.of_type
    return b.object(named.name, selection.children, row)


def connection(
    selection: Selection, b: Builder, rows: str, ordering: Ordering, limit: int, *,
    forward: bool, has_after: bool, has_before: bool, node: NodeSql, count: str,
) -> str:
    """The JSON of a connection whose page is the statement ``rows`` (carrying ``_k0…``, in
    the page's order, ``limit + 1`` rows at most)."""
    c, numbered = b.alias("c"), b.alias("p")
    cursor = f", {ordering.cursor_sql(numbered)} as _cursor" if _wants_cursor(selection) else ""
    # Numbered outside the LIMIT: a window function under it would keep PostgreSQL from a
    # top-N sort (every matching row sorted, e.g. for a full-text search).
    page = (f"select *{cursor}, row_number() over (order by {ordering.order_by_keys(numbered)}) "
            f"as _ord, count(*) over () as _n from ({rows}) {numbered}")
    # A backward page's extra row is the first in forward order.
    in_page = f"{c}._ord <= {limit}" if forward else f"{c}._ord > {c}._n - {limit}"
    more = f"count(*) > {limit}"
    page_info = {
        "hasNextPage": more if forward else str(has_before).lower(),
        "hasPreviousPage": str(has_after).lower() if forward else more,
        "startCursor": f"(array_agg({c}._cursor order by {c}._ord) filter (where {in_page}))[1]",
        "endCursor": (f"(array_agg({c}._cursor order by {c}._ord desc) "
                      f"filter (where {in_page}))[1]"),
        "__typename": literal("PageInfo"),
    }
    parts = []
    for part in selection.children:
        if part.name == "edges":
            edge_type = part.parent_type.removesuffix("Connection") + "Edge"
            value = _aggregate(b.object(edge_type, part.children, c), c, in_page)
        elif part.name == "nodes":
            value = _aggregate(node(part, c, b), c, in_page)
        elif part.name == "pageInfo":
            value = "json_build_object(" + ", ".join(
                f"{literal(child.key)}, {page_info[child.name]}" for child in part.children) + ")"
        elif part.name == "totalCount":
            value = count
        else:  # __typename
            value = literal(part.parent_type)
        parts.append(f"{literal(part.key)}, {value}")
    # One group, so one row even when no aggregate is selected (only totalCount, say).
    return f"(select json_build_object({', '.join(parts)}) from ({page}) {c} group by ())"


def _wants_cursor(selection: Selection) -> bool:
    return any(child.name == "cursor" for part in selection.children if part.name == "edges"
               for child in part.children) or any(
        child.name in ("startCursor", "endCursor") for part in selection.children
        if part.name == "pageInfo" for child in part.children)


def _aggregate(item: str, rows: str, in_page: str) -> str:
    return f"coalesce(json_agg({item} order by {rows}._ord) filter (where {in_page}), '[]'::json)"


class GuardedListing(ListingTwin):
    """A connection that is null unless ``guard`` holds of the parent row for the viewer
    (a private list: a member's enrollments, their payouts; a submission's feedback)."""

    def __init__(self, listing: Listing, guard: Condition) -> None:
        super().__init__(listing)
        self.guard = guard

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        return (f"(case when {self.guard.sql(row, b.VIEWER)} "
                f"then {super().sql(selection, row, b)} end)")
