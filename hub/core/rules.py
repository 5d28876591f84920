"""The language of read rules: each rule is declared once, as SQL, by the slice that owns it.

A domain slice's ``rules.py`` declares who may see its rows (:class:`Condition`), the orders
its lists offer (:class:`Ordering`), their filters (:class:`Filter`) and the lists themselves
(:class:`Listing`). Both ways of answering a read render these same declarations:

* the executor's stores and DataLoaders (hub/core/pages.py), which batch many parents into one
  statement (``unnest($1) as parent(id) cross join lateral (…)``);
* the compiled twins (hub/api/compiled), which correlate the same SQL to the parent row inside
  the one statement of a compiled operation.

Templates name the row alias ``{t}`` and the viewer's member id ``{viewer}`` (a bigint, null
when anonymous). Values never enter a template: callers pass placeholders (``$3::bigint``), so
every value is a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from hub.core.relay import FOREIGN_CURSOR, InvalidCursor, cursor_value, decode_cursor, encode_cursor

KeyKind = Literal["timestamptz", "bigint", "text"]

# The viewer of a statement that reads for nobody in particular (what anyone may see).
ANYONE = "null::bigint"


class SqlPart(Protocol):
    """What a template's ``{viewer}`` is filled with: a str, or an object that becomes SQL text
    only when a template names it (hub/core/pages.py numbers the viewer's parameter then)."""

    def __format__(self, spec: str, /) -> str: ...


@dataclass(frozen=True)
class Condition:
    """A boolean SQL expression over the row ``{t}`` and the viewer's id ``{viewer}``."""

    template: str

    def sql(self, t: str, viewer: SqlPart = ANYONE) -> str:
        return "(" + self.template.format(t=t, viewer=viewer) + ")"

    def __and__(self, other: Condition) -> Condition:
        return Condition(f"({self.template}) and ({other.template})")

    def __or__(self, other: Condition) -> Condition:
        return Condition(f"({self.template}) or ({other.template})")

    def __invert__(self) -> Condition:
        return Condition(f"not ({self.template})")


EVERY_ROW = Condition("true")


def of_viewer(template: str) -> Condition:
    """A condition only a signed-in viewer can meet (``template`` compares ``{viewer}`` with a
    column that is never null: an author, an instructor, an enrollment's member).

    It is guarded by ``{viewer} is not null``: for an anonymous viewer the compiled path writes
    the viewer as the constant null (hub/api/compiled/plan.py), and PostgreSQL folds
    ``null is not null and …`` to false before it plans the subqueries inside, so an anonymous
    page does not pay, in planning or in execution, for the rules of signed-in viewers."""
    return Condition("{viewer} is not null and (" + template + ")")


@dataclass(frozen=True)
class Table:
    """What a row of ``name`` carries wherever it is read: its ``columns`` as stored, and
    ``computed`` ones (SQL over ``{t}``) under their names. The API binds a type to its table,
    and a plain field named like a column is read from it on both paths (its twin is derived,
    hub/api/compiled/derive.py)."""

    name: str
    columns: tuple[str, ...]
    computed: Mapping[str, str] = field(default_factory=dict)

    def select(self, t: str) -> str:
        """The select list of a row of this table aliased ``t``."""
        parts = [f"{t}.{column}" for column in self.columns]
        parts.extend(f"({sql.format(t=t)}) as {name}" for name, sql in self.computed.items())
        return ", ".join(parts)

    def expression(self, name: str, t: str) -> str | None:
        """SQL of the column ``name`` of the row ``t``; None when the table has none."""
        if name in self.columns:
            return f"{t}.{name}"
        if name in self.computed:
            return "(" + self.computed[name].format(t=t) + ")"
        return None


# --- keyset orders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One sort key of a keyset order: an SQL expression over ``{t}``, and its type."""

    expression: str
    kind: KeyKind

    def sql(self, t: str) -> str:
        return self.expression.format(t=t)

    def cursor_json(self, value: str) -> str:
        """SQL writing the key's value as :func:`hub.core.relay.encode_cursor` writes it."""
        if self.kind == "timestamptz":
            return f"'\"' || hub_iso({value}) || '\"'"
        if self.kind == "bigint":
            return f"({value})::text"
        return f"to_json({value})::text"


@dataclass(frozen=True)
class Ordering:
    """A keyset order. All keys sort the same way, so one row comparison finds the next page;
    the last key is unique (an id), so the order is total and a cursor names one place.

    Rows of a page carry the keys as ``_k0``, ``_k1``… (:meth:`select_keys`), from which the
    executor builds a cursor in Python (:meth:`cursor_of`) and a compiled statement in SQL
    (:meth:`cursor_sql`): the same text both ways.
    """

    keys: tuple[Key, ...]
    descending: bool
    # What the keys read besides the listed rows: a join over ``{t}`` added to the FROM of a
    # page in this order (and only then: a count or another order does not pay for it).
    join: str = ""

    def order_by(self, t: str, *, backward: bool = False) -> str:
        """ORDER BY of the page (reversed for a backward page, ``last``/``before``)."""
        direction = "desc" if self.descending != backward else "asc"
        return ", ".join(f"{key.sql(t)} {direction}" for key in self.keys)

    def order_by_keys(self, t: str, *, backward: bool = False) -> str:
        """ORDER BY over the ``_k0…`` columns a page's rows carry."""
        direction = "desc" if self.descending != backward else "asc"
        return ", ".join(f"{t}._k{i} {direction}" for i in range(len(self.keys)))

    def select_keys(self, t: str) -> str:
        return ", ".join(f"{key.sql(t)} as _k{i}" for i, key in enumerate(self.keys))

    def key_of(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(row[f"_k{i}"] for i in range(len(self.keys)))

    def cursor_of(self, row: Mapping[str, Any]) -> str:
        return encode_cursor(self.key_of(row))

    def cursor_sql(self, t: str) -> str:
        """SQL of :meth:`cursor_of` for the row ``{t}`` carrying ``_k0…``."""
        parts = " || ',' || ".join(key.cursor_json(f"{t}._k{i}")
                                   for i, key in enumerate(self.keys))
        return f"hub_b64url('[' || {parts} || ']')"

    def beyond(self, t: str, placeholders: Sequence[str], *, after: bool) -> str:
        """Rows after (or before) the place whose key values are ``placeholders``."""
        keys = ", ".join(key.sql(t) for key in self.keys)
        op = ">" if after != self.descending else "<"
        return f"({keys}) {op} ({', '.join(placeholders)})"

    def decode(self, cursor: str, argument: str) -> tuple[Any, ...]:
        """The key values of a cursor of this order; ``INVALID_CURSOR`` otherwise."""
        return self.checked(decode_cursor(cursor, argument))

    def checked(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """A decoded cursor's values as this order's key types; ``INVALID_CURSOR`` when they
        cannot be (another order's cursor, a value PostgreSQL would refuse)."""
        if len(values) != len(self.keys):
            raise InvalidCursor(FOREIGN_CURSOR)
        return tuple(cursor_value(value, key.kind)
                     for value, key in zip(values, self.keys, strict=True))

    @property
    def casts(self) -> tuple[KeyKind, ...]:
        return tuple(key.kind for key in self.keys)


def newest_first(t_column: str = "created_at") -> Ordering:
    """Creation time, newest first, ties by id: the order of most lists."""
    return Ordering((Key("{t}." + t_column, "timestamptz"), Key("{t}.id", "bigint")), True)


def oldest_first(t_column: str = "created_at") -> Ordering:
    return Ordering((Key("{t}." + t_column, "timestamptz"), Key("{t}.id", "bigint")), False)


# --- filters and lists --------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """A list argument narrowing its rows: ``template`` over ``{t}`` and the value's
    placeholder ``{p}``. ``clean`` turns the client's value into the bound one (None: the
    filter is not applied; it raises the client's error for a value it refuses)."""

    template: str
    cast: str
    clean: Callable[[Any], Any] = lambda value: value

    def sql(self, t: str, placeholder: str) -> str:
        return "(" + self.template.format(t=t, p=placeholder) + ")"


@dataclass(frozen=True)
class Listing:
    """A list that pages by keyset: the feed, a member's records, a record's sources…

    ``source`` is the FROM clause, over ``{t}`` (the rows listed; extra aliases are written
    ``{t}_x``); ``columns`` what a row of the page carries (over ``{t}`` and ``{viewer}``);
    ``parent`` correlates a row to the object the list belongs to (an SQL expression over
    ``{t}`` equal to the parent's id), None for a list at the root of the API; ``where``
    holds for every row listed, the viewer's rule included; ``orderings`` and ``filters`` are
    what the API offers, keyed by their API names.

    An order's keys may read the parent object's own row as ``{parent}`` (a class's
    ``created_by`` to list its creator first) when ``parent_table`` names its table. The
    parent's row is then read where it already is, never joined per listed row: a compiled
    twin names the outer row it is nested in, the executor's batch joins ``parent_table`` once
    per parent (:meth:`ordering`).
    """

    source: str
    columns: str
    where: Condition
    orderings: Mapping[str, Ordering]
    parent: str | None = None
    filters: Mapping[str, Filter] = field(default_factory=dict)
    parent_table: str | None = None

    def __post_init__(self) -> None:
        if self.parent_table is not None and self.parent is None:
            raise ValueError("a listing that reads its parent's row needs a parent")

    @property
    def default_order(self) -> str:
        return next(iter(self.orderings))

    def ordering(self, name: str, parent_row: str | None) -> Ordering:
        """The order ``name`` as SQL renders it, its keys reading the parent's row from the
        alias ``parent_row`` (a listing without ``parent_table`` needs none). An order whose
        keys read ``{parent}`` cannot be rendered from :attr:`orderings` directly (``format``
        finds no ``parent``): only its cursors, which are built from the rows, can."""
        ordering = self.orderings[name]
        if self.parent_table is None:
            return ordering
        assert parent_row is not None, "an order reading its parent's row needs that row"
        keys = tuple(replace(key, expression=key.expression.replace("{parent}", parent_row))
                     for key in ordering.keys)
        return replace(ordering, keys=keys)

    def from_where(self, t: str, viewer: SqlPart, parent: str | None,
                   filters: Sequence[tuple[Filter, str]] = (),
                   ordering: Ordering | None = None) -> str:
        """``<source> where <conditions>``: the rows of the parent ``parent`` (an SQL
        expression of its id) or of the root list, narrowed by ``(filter, placeholder)``s,
        with what ``ordering``'s keys read joined (a page's rows; a count passes none)."""
        source = self.source.format(t=t)
        if ordering is not None and ordering.join:
            source += " " + ordering.join.format(t=t)
        conditions = [self.where.sql(t, viewer)]
        if self.parent is not None:
            assert parent is not None, "a child list needs its parent's id"
            conditions.append(f"{self.parent.format(t=t)} = {parent}")
        conditions.extend(f.sql(t, placeholder) for f, placeholder in filters)
        return f"{source} where {' and '.join(conditions)}"

    def select(self, t: str, viewer: SqlPart) -> str:
        return self.columns.format(t=t, viewer=viewer)

    def cleaned_filters(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """The filters the client gave (API names), cleaned; those that do not apply dropped."""
        cleaned = {}
        for name, value in given.items():
            if value is None:
                continue
            value = self.filters[name].clean(value)
            if value is not None:
                cleaned[name] = value
        return cleaned
