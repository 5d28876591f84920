"""SQL twins of the lineage fields of ``Record``, for the compiled query path (hub/compiled/).

The same statements as store.py, correlated to the record instead of batched over many: direct
links in the author's order (sources) or newest first (remixes), walks as recursive CTEs that
keep each record at its shortest depth. A tombstone keeps its ID and author, and its
``node``/``record`` is null (types.py). ``contributors`` and ``lineageGraph`` keep their
resolvers.
"""

from __future__ import annotations

from typing import Any

from hub.compiled.plan import Bound, Builder, Column, NotCompilable, Registry, Selection, Spec
from hub.compiled.sql import (
    KeysetOrder,
    after_placeholders,
    aggregate_list,
    connection,
    connection_parts,
    page_of,
)
from hub.errors import BadRequest
from hub.lineage.loaders import LineageByRecordIdLoader
from hub.lineage.types import checked_depth
from hub.members.compiled import member_by_id
from hub.records.compiled import record_object, visible

# Twins of store.SOURCE_ORDER and store.REMIX_ORDER, over record_sources.
SOURCE_ORDER = KeysetOrder(("{t}.position", "{t}.source_id"), ("bigint", "bigint"), False,
                           "'[' || {t}.position || ',' || {t}.source_id || ']'")
REMIX_ORDER = KeysetOrder(("{t}.remix_id",), ("bigint",), True, "'[' || {t}.remix_id || ']'")


def record_or_tombstone(selection: Selection, row: str, b: Builder) -> str:
    return f"(case when {visible(row)} then {record_object(selection, row, b)} end)"


class Author(Spec):
    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        return member_by_id(selection, f"{row}.author_id", b)


class RecordOrTombstone(Spec):
    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        return record_or_tombstone(selection, row, b)


class Links(Spec):
    """``Record.sources`` (towards ancestors) or ``Record.remixes``."""

    def __init__(self, near: str, far: str, order: KeysetOrder) -> None:
        self.near, self.far, self.order = near, far, order

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        limit, after = page_of(arguments, self.order)
        return Bound(after is not None, (limit, *(after or ())))

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        has_after = b.bound(selection).shape
        s, r, counted = b.alias("s"), b.alias("r"), b.alias("s")
        conditions = [f"{s}.{self.near} = {row}.id"]
        if has_after:
            conditions.append(self.order.after(s, after_placeholders(selection, b, self.order, 1)))
        return connection(
            selection, b,
            columns=(f"{r}.*, {s}.note, {s}.created_at as added_at, {s}.position, "
                     f"{s}.source_id, {s}.remix_id"),
            source=(f"record_sources {s} join records {r} on {r}.id = {s}.{self.far} "
                    f"where {' and '.join(conditions)}"),
            order=self.order, keys_alias=s, limit=b.param(selection, 0, "int"),
            has_previous=has_after, node=record_or_tombstone,
            count=(f"(select count(*) from record_sources {counted} "
                   f"where {counted}.{self.near} = {row}.id)"),
        )


class RemixCount(Spec):
    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        s = b.alias("s")
        return f"(select count(*) from record_sources {s} where {s}.source_id = {row}.id)"


class Walk(Spec):
    """``Record.ancestors``/``descendants(maxDepth)``: each record once at its shortest
    depth, nearest first, at most LineageByRecordIdLoader.MAX_ENTRIES."""

    def __init__(self, near: str, far: str) -> None:
        self.near, self.far = near, far

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        try:
            depth = checked_depth(arguments.get("maxDepth"))
        except BadRequest:
            raise NotCompilable("maxDepth out of range") from None
        return Bound(depth > 0, (depth,)) if depth > 0 else Bound(False)

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        if not b.bound(selection).shape:
            return "'[]'::json"
        walk, s, w, k, r, e = (b.alias(p) for p in ("walk", "s", "w", "k", "r", "e"))
        near, far = self.near, self.far
        entries = f"""(with recursive {walk}(id, depth) as (
                select {s}.{far}, 1 from record_sources {s} where {s}.{near} = {row}.id
              union
                select {s}.{far}, {w}.depth + 1 from {walk} {w}
                join record_sources {s} on {s}.{near} = {w}.id
                where {w}.depth < {b.param(selection, 0, 'int')}
            )
            select {r}.*, {k}.depth from (
                select id, min(depth) as depth from {walk} group by id
                order by min(depth), id limit {LineageByRecordIdLoader.MAX_ENTRIES}
            ) {k} join records {r} on {r}.id = {k}.id)"""
        item = b.object("LineageEntry", selection.children, e)
        return (f"(select {aggregate_list(item, e, f'{e}.depth, {e}.id')} "
                f"from {entries} {e})")


LINK_EDGE = {
    "cursor": Column("{row}._cursor"),
    "recordId": Column("hub_global_id('Record', {row}.id)"),
    "note": Column("{row}.note"),
    "addedAt": Column("hub_iso({row}.added_at)"),
}


def specs() -> Registry:
    tombstone = Column("(not " + visible("{row}") + ")")
    registry: Registry = {("RecordLinkEdge", name): spec for name, spec in LINK_EDGE.items()}
    registry.update({
        ("RecordLinkEdge", "tombstone"): tombstone,
        ("RecordLinkEdge", "node"): RecordOrTombstone(),
        ("RecordLinkEdge", "author"): Author(),
        ("LineageEntry", "depth"): Column("{row}.depth"),
        ("LineageEntry", "recordId"): Column("hub_global_id('Record', {row}.id)"),
        ("LineageEntry", "tombstone"): tombstone,
        ("LineageEntry", "record"): RecordOrTombstone(),
        ("LineageEntry", "author"): Author(),
        ("Record", "sources"): Links("remix_id", "source_id", SOURCE_ORDER),
        ("Record", "remixes"): Links("source_id", "remix_id", REMIX_ORDER),
        ("Record", "remixCount"): RemixCount(),
        ("Record", "ancestors"): Walk("remix_id", "source_id"),
        ("Record", "descendants"): Walk("source_id", "remix_id"),
    })
    registry.update(connection_parts("RecordLinkConnection"))
    return registry
