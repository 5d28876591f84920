"""SQL twins of the lineage fields of ``Record``, for the compiled query path (hub/compiled/).

The same statements as store.py, correlated to the record instead of batched over many: direct
links in the author's order (sources) or newest first (remixes), walks as recursive CTEs that
keep each record at its shortest depth. A tombstone keeps its ID and author, and its
``node``/``record`` is null (types.py). ``contributors`` and ``lineageGraph`` are single
statements too: the walks, the grouping by author, the node cap and the edges among nodes.
"""

from __future__ import annotations

from typing import Any

from hub.api.compiled.plan import Bound, Builder, Column, NotCompilable, Registry, Selection, Spec, literal
from hub.api.compiled.sql import (
    PART,
    KeysetOrder,
    after_placeholders,
    aggregate_list,
    connection,
    connection_parts,
    page_limit,
    page_of,
)
from hub.api.lineage.types import checked_depth
from hub.api.records.twins import Author, record_object, visible
from hub.core.errors import BadRequest
from hub.domain.lineage.loaders import LineageByRecordIdLoader

# Twins of store.SOURCE_ORDER and store.REMIX_ORDER, over record_sources.
SOURCE_ORDER = KeysetOrder(("{t}.position", "{t}.source_id"), ("bigint", "bigint"), False,
                           "'[' || {t}.position || ',' || {t}.source_id || ']'")
REMIX_ORDER = KeysetOrder(("{t}.remix_id",), ("bigint",), True, "'[' || {t}.remix_id || ']'")


def record_or_tombstone(selection: Selection, row: str, b: Builder) -> str:
    return f"(case when {visible(row)} then {record_object(selection, row, b)} end)"


class RecordOrTombstone(Spec):
    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        return record_or_tombstone(selection, row, b)


class Links(Spec):
    """``Record.sources`` (towards ancestors) or ``Record.remixes``."""

    def __init__(self, near: str, far: str, order: KeysetOrder) -> None:
        self.near, self.far, self.order = near, far, order

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        limit, after = page_of(arguments, self.order)
        return Bound((after is not None, limit), (limit, *(after or ())))

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        has_after, _ = b.bound(selection).shape
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
            order=self.order, keys_alias=s, limit=page_limit(selection, b),
            has_previous=has_after, node=record_or_tombstone,
            count=(f"(select count(*) from record_sources {counted} "
                   f"where {counted}.{self.near} = {row}.id)"),
        )


class RemixCount(Spec):
    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        s = b.alias("s")
        return f"(select count(*) from record_sources {s} where {s}.source_id = {row}.id)"


class WalkEntries(Spec):
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
        walk, k, r, e = (b.alias(p) for p in ("walk", "k", "r", "e"))
        cte = _walk_cte(walk, self.near, self.far, f"{row}.id",
                        b.param(selection, 0, "int"), b)
        entries = f"""(with recursive {cte}
            select {r}.*, {k}.depth from (
                select id, min(depth) as depth from {walk} group by id
                order by min(depth), id limit {LineageByRecordIdLoader.MAX_ENTRIES}
            ) {k} join records {r} on {r}.id = {k}.id)"""
        item = b.object("LineageEntry", selection.children, e)
        return f"(select {aggregate_list(item, f'{e}.depth, {e}.id')} from {entries} {e})"


def _walk_cte(name: str, near: str, far: str, start: str, max_depth: str, b: Builder) -> str:
    """``name(id, depth)``: every record ``max_depth`` steps from ``start`` at most, once per
    distinct depth (store._walk_cte for one root)."""
    s, w = b.alias("s"), b.alias("w")
    return f"""{name}(id, depth) as (
            select {s}.{far}, 1 from record_sources {s} where {s}.{near} = {start}
          union
            select {s}.{far}, {w}.depth + 1 from {name} {w}
            join record_sources {s} on {s}.{near} = {w}.id
            where {w}.depth < {max_depth})"""


class Contributors(Spec):
    """``Record.contributors``: the record's author (depth 0, the record itself) and the
    authors of its ancestors (MAX_DEPTH generations), in order of first appearance, each
    with their records nearest first (types.resolve_contributors)."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        from hub.api.lineage.types import MAX_DEPTH

        walk, k, e, r, g, c = (b.alias(p) for p in ("walk", "k", "e", "r", "g", "c"))
        cte = _walk_cte(walk, "remix_id", "source_id", f"{row}.id", str(MAX_DEPTH), b)
        contributor = b.object("Contributor", selection.children, g)
        return f"""(with recursive {cte},
            {e}(id, depth, seq) as (
                select {row}.id, 0, 0::bigint
              union all
                select id, depth, row_number() over (order by depth, id) from (
                    select id, min(depth) as depth from {walk} group by id
                    order by min(depth), id limit {LineageByRecordIdLoader.MAX_ENTRIES}) {k}
            )
            select {aggregate_list(f'{c}.contributor', f'{c}.first')} from (
                select min({g}.seq) as first, {contributor} as contributor from (
                    select {r}.*, {e}.depth, {e}.seq from {e} join records {r} on {r}.id = {e}.id
                ) {g} group by {g}.author_id
            ) {c})"""


class ContributorRecords(Spec):
    """A contributor's entries: an aggregate over the rows grouped by author."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        entry = b.object("LineageEntry", selection.children, row)
        return f"json_agg({entry} order by {row}.seq)"


class Graph(Spec):
    """``Record.lineageGraph(maxDepth, direction)``: store.graph_records and edges_among in
    one statement; at most MAX_GRAPH_NODES nodes, nearest first."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        try:
            depth = checked_depth(arguments.get("maxDepth"))
        except BadRequest:
            raise NotCompilable("maxDepth out of range") from None
        direction = arguments.get("direction")
        walks = getattr(direction, "value", direction) or "BOTH"
        return Bound((walks, depth > 0), (depth,))

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        from hub.api.lineage.types import MAX_GRAPH_NODES

        walks, deep = b.bound(selection).shape
        depth = b.param(selection, 0, "int")
        anc, des, nodes, ranked, kept = (b.alias(p) for p in ("anc", "des", "n", "ranked",
                                                               "kept"))
        ctes = [_walk_cte(anc, "remix_id", "source_id", f"{row}.id", depth, b),
                _walk_cte(des, "source_id", "remix_id", f"{row}.id", depth, b)]
        parts = [f"select {row}.id, 0, 0"]
        if deep and walks in ("ANCESTORS", "BOTH"):
            parts.append(f"select id, -min(depth), min(depth) from {anc} group by id")
        if deep and walks in ("DESCENDANTS", "BOTH"):
            parts.append(f"select id, min(depth), min(depth) from {des} group by id")
        k, r, e = b.alias("k"), b.alias("r"), b.alias("e")
        values = {}
        for part in selection.children:
            if part.name == "nodes":
                x = b.alias("x")
                node = b.object("LineageNode", part.children, x)
                values[part.key] = (
                    f"(select {aggregate_list(node, f'{x}.seq')} from (select {r}.*, "
                    f"{k}.generation, {k}.seq from {kept} {k} join records {r} on {r}.id = {k}.id"
                    f") {x})")
            elif part.name == "edges":
                edge = b.object("LineageEdge", part.children, e)
                order = f"{e}.remix_id, {e}.position, {e}.source_id"
                values[part.key] = (
                    f"(select {aggregate_list(edge, order)} from record_sources {e} "
                    f"where {e}.remix_id in (select id from {kept}) "
                    f"and {e}.source_id in (select id from {kept}))")
            elif part.name == "truncated":
                values[part.key] = f"(select count(*) > {MAX_GRAPH_NODES} from {ranked})"
            else:
                values[part.key] = literal(part.parent_type)
        pairs = ", ".join(f"{literal(key)}, {value}" for key, value in values.items())
        return f"""(with recursive {', '.join(ctes)},
            {nodes}(id, generation, distance) as ({' union all '.join(parts)}),
            {ranked} as (select {nodes}.*, row_number() over (
                order by distance, generation, id) as seq from {nodes}),
            {kept} as (select * from {ranked} where seq <= {MAX_GRAPH_NODES})
            select json_build_object({pairs}))"""


LINK_EDGE = {
    "cursor": Column("{row}._cursor"),
    "recordId": Column("hub_global_id('Record', {row}.id)"),
    "addedAt": Column("hub_iso({row}.added_at)"),
}


def specs() -> Registry:
    tombstone = Column("(not " + visible("{row}") + ")")
    registry: Registry = {("RecordLinkEdge", name): spec for name, spec in LINK_EDGE.items()}
    registry.update({
        ("RecordLinkEdge", "tombstone"): tombstone,
        # A tombstone's note is hidden, like its node (types.RecordLinkEdge).
        ("RecordLinkEdge", "note"): Column(f"(case when {visible('{row}')} then {{row}}.note end)"),
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
        ("Record", "ancestors"): WalkEntries("remix_id", "source_id"),
        ("Record", "descendants"): WalkEntries("source_id", "remix_id"),
        ("Record", "contributors"): Contributors(),
        ("Contributor", "depth"): Column("min({row}.depth)"),
        ("Contributor", "member"): Author(),
        ("Contributor", "records"): ContributorRecords(),
        ("Record", "lineageGraph"): Graph(),
        ("LineageGraph", "nodes"): PART,
        ("LineageGraph", "edges"): PART,
        ("LineageGraph", "truncated"): PART,
        ("LineageNode", "id"): Column("hub_global_id('Record', {row}.id)"),
        ("LineageNode", "title"): Column(f"(case when {visible('{row}')} then {{row}}.title end)"),
        ("LineageNode", "mediaType"): Column("{row}.media_type"),
        ("LineageNode", "tombstone"): tombstone,
        ("LineageNode", "generation"): Column("{row}.generation"),
        ("LineageNode", "author"): Author(),
        ("LineageEdge", "remix"): Column("hub_global_id('Record', {row}.remix_id)"),
        ("LineageEdge", "source"): Column("hub_global_id('Record', {row}.source_id)"),
    })
    registry.update(connection_parts("RecordLinkConnection"))
    return registry
