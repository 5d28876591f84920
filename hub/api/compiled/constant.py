"""Twins of lists the hub holds in memory, not in tables: the enabled plugins' publishing
targets and media types. They change only when the process starts with other plugins, and the
twins are derived at start-up from the same plugins the resolvers read, so the statement
carries the list as constants (a ``VALUES`` relation) in the resolver's order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from hub.api.compiled.plan import Builder, Column, Registry, Selection, Spec, literal


def _constant(value: Any) -> str:
    if value is None:
        return "null::text"
    if isinstance(value, str):
        return literal(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}::integer"
    return "'" + orjson.dumps(value).decode().replace("'", "''") + "'::jsonb"


class ConstantRows(Spec):
    """A list field whose items are ``rows`` (GraphQL field name → value), in order."""

    def __init__(self, type_name: str, fields: Sequence[str],
                 rows: Sequence[Mapping[str, Any]]) -> None:
        self.type_name, self.fields, self.rows = type_name, tuple(fields), tuple(rows)

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        if not self.rows:
            return "'[]'::json"
        t = b.alias("v")
        names = ", ".join(["_ord", *(f"f{i}" for i in range(len(self.fields)))])
        values = ", ".join(
            "(" + ", ".join([str(n), *(_constant(r.get(f)) for f in self.fields)]) + ")"
            for n, r in enumerate(self.rows))
        return (f"(select json_agg({b.object(self.type_name, selection.children, t)} "
                f"order by {t}._ord) from (values {values}) as {t}({names}))")


def constant_rows(parent: str, field: str, type_name: str,
                  rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> Registry:
    """The twins of ``parent.field``, a list of ``type_name`` objects that are ``rows``, and
    of the object's ``fields`` (each a column of the ``VALUES`` relation)."""
    registry: Registry = {(parent, field): ConstantRows(type_name, fields, rows)}
    for index, name in enumerate(fields):
        registry[(type_name, name)] = Column(f"{{row}}.f{index}")
    return registry
