"""SQL shapes the slices' field twins share: keyset orders and cursor connections.

A connection renders as one correlated subquery: the page's rows (``LIMIT first + 1``, as
hub.relay does, then numbered by ``row_number()`` in the keyset order) aggregated into ``edges``,
``nodes`` and ``pageInfo``; ``totalCount`` is a count over the same rows, only when selected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.api.compiled.plan import Builder, NotCompilable, Part, Selection, literal
from hub.core.errors import BadRequest
from hub.core.relay import FOREIGN_CURSOR, InvalidCursor, PageArgs, cursor_value, decode_cursor

# Marks the fields a connection renders itself, for a registry: (type, field) → PART.
PART = Part()
CONNECTION_FIELDS = ("edges", "nodes", "pageInfo", "totalCount")
PAGE_INFO_FIELDS = ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor")


def connection_parts(connection_type: str) -> dict[tuple[str, str], Part]:
    parts = {(connection_type, name): PART for name in CONNECTION_FIELDS}
    parts.update({("PageInfo", name): PART for name in PAGE_INFO_FIELDS})
    return parts


@dataclass(frozen=True)
class KeysetOrder:
    """A keyset order as SQL over a row alias ``{t}``, twin of a :class:`hub.relay.Ordering`:
    ``cursor`` builds the text :func:`hub.relay.encode_cursor` would, before base64. Each
    expression is a column (``{t}.name``) the page's select list carries under that name."""

    expressions: tuple[str, ...]
    casts: tuple[str, ...]
    descending: bool
    cursor_json: str

    def order_by(self, t: str) -> str:
        direction = "desc" if self.descending else "asc"
        return ", ".join(f"{e.format(t=t)} {direction}" for e in self.expressions)

    def cursor(self, t: str) -> str:
        return f"hub_b64url({self.cursor_json.format(t=t)})"

    def after(self, t: str, placeholders: list[str]) -> str:
        op = "<" if self.descending else ">"
        keys = ", ".join(e.format(t=t) for e in self.expressions)
        return f"({keys}) {op} ({', '.join(placeholders)})"

    def bind_after(self, cursor: str) -> tuple[Any, ...]:
        """The values of an ``after`` cursor, checked as hub.relay checks them."""
        values = decode_cursor(cursor, "after")
        if len(values) != len(self.expressions):
            raise InvalidCursor(FOREIGN_CURSOR)
        return tuple(cursor_value(v, cast) for v, cast in zip(values, self.casts, strict=True))


def page_of(arguments: dict[str, Any], order: KeysetOrder) -> tuple[int, tuple[Any, ...] | None]:
    """(limit, after values) of forward pagination; backward pages take the ordinary path,
    as does anything the resolver would refuse."""
    if arguments.get("last") is not None or arguments.get("before") is not None:
        raise NotCompilable("backward pagination")
    try:
        page = PageArgs.of(arguments.get("first"), None)
        after = arguments.get("after")
        return page.limit, (order.bind_after(after) if after else None)
    except BadRequest:
        raise NotCompilable("arguments the resolver refuses") from None


def page_limit(selection: Selection, b: Builder) -> str:
    """The page size, the first value a paged field binds (an int hub.relay.PageArgs
    checked, part of the field's shape), written into the statement as a constant. With a
    parameter PostgreSQL cannot estimate the page, so it plans the statement again on every
    execution; with a constant it keeps one generic plan."""
    limit = b.bound(selection).values[0]
    assert isinstance(limit, int) and not isinstance(limit, bool)
    return str(limit)


def after_placeholders(selection: Selection, b: Builder, order: KeysetOrder, first: int,
                       ) -> list[str]:
    """Placeholders of the after-cursor values bound from parameter ``first`` on."""
    return [b.param(selection, first + i, cast) for i, cast in enumerate(order.casts)]


def connection(
    selection: Selection, b: Builder, *, columns: str, source: str, order: KeysetOrder,
    keys_alias: str, limit: str, has_previous: bool, node: Callable[[Selection, str, Builder], str],
    count: str | None = None,
) -> str:
    """The JSON of a connection whose page is ``select {columns} from {source}`` (already
    filtered, keyset condition included) in ``order`` over ``keys_alias``."""
    rows = b.alias("c")
    wants_cursor = any(
        child.name == "cursor" for part in selection.children if part.name == "edges"
        for child in part.children
    ) or any(
        child.name in ("startCursor", "endCursor") for part in selection.children
        if part.name == "pageInfo" for child in part.children
    )
    cursor = f", {order.cursor(keys_alias)} as _cursor" if wants_cursor else ""
    # Numbered outside the LIMIT: a window function under it would keep PostgreSQL from a
    # top-N sort (every matching row sorted, e.g. for a full-text search).
    numbered = b.alias("p")
    page = (f"select *, row_number() over (order by {order.order_by(numbered)}) as _ord "
            f"from (select {columns}{cursor} from {source} "
            f"order by {order.order_by(keys_alias)} limit {limit} + 1) {numbered}")
    in_page = f"{rows}._ord <= {limit}"
    parts = []
    for part in selection.children:
        if part.name == "edges":
            edge_type = part.parent_type.removesuffix("Connection") + "Edge"
            value = _aggregate(b.object(edge_type, part.children, rows), rows, in_page)
        elif part.name == "nodes":
            value = _aggregate(node(part, rows, b), rows, in_page)
        elif part.name == "pageInfo":
            value = _page_info(part, rows, limit, in_page, has_previous)
        elif part.name == "totalCount":
            if count is None:
                raise NotCompilable("totalCount")
            value = count
        else:  # __typename
            value = literal(part.parent_type)
        parts.append(f"{literal(part.key)}, {value}")
    # One group, so one row even when no aggregate is selected (only totalCount, say).
    return (f"(select json_build_object({', '.join(parts)}) from ({page}) {rows} "
            f"group by ())")


def _aggregate(item: str, rows: str, in_page: str) -> str:
    return f"coalesce(json_agg({item} order by {rows}._ord) filter (where {in_page}), '[]'::json)"


def _page_info(
    selection: Selection, rows: str, limit: str, in_page: str, has_previous: bool,
) -> str:
    values = {
        "hasNextPage": f"count(*) > {limit}",
        "hasPreviousPage": "true" if has_previous else "false",
        "startCursor": (f"(array_agg({rows}._cursor order by {rows}._ord) "
                        f"filter (where {in_page}))[1]"),
        "endCursor": (f"(array_agg({rows}._cursor order by {rows}._ord desc) "
                      f"filter (where {in_page}))[1]"),
        "__typename": literal("PageInfo"),
    }
    parts = [f"{literal(child.key)}, {values[child.name]}" for child in selection.children]
    return f"json_build_object({', '.join(parts)})"


def aggregate_list(item: str, order: str) -> str:
    """A JSON list of ``item`` over the rows aggregated, in ``order``; ``[]`` when empty."""
    return f"coalesce(json_agg({item} order by {order}), '[]'::json)"
