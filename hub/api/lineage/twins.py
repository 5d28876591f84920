"""SQL twins of the lineage fields, declared beside them (types.py, hub/api/records/types.py)
and rendered from the lineage's rules (hub/domain/lineage/rules.py): the direct links are its
listings, the walks its recursive CTE — the same SQL the executor's loaders run, correlated to
the record instead of batched over many. A tombstone keeps its ID and author; its
``node``/``record``, title and note are null (the records' ``VISIBLE`` rule, one place).
"""

from __future__ import annotations

from typing import Any

from hub.api.compiled.derive import Reference, ThisRow
from hub.api.compiled.listing import ListingTwin
from hub.api.compiled.plan import Bound, Builder, Column, NotCompilable, Selection, Spec, literal
from hub.core.errors import BadRequest
from hub.core.rules import Listing
from hub.domain.lineage import rules
from hub.domain.lineage.rules import (
    MAX_DEPTH,
    MAX_ENTRIES,
    MAX_GRAPH_NODES,
    Walk,
    checked_depth,
    nearest,
    walk_cte,
)
from hub.domain.members.rules import MEMBERS
from hub.domain.records import rules as records

AUTHOR = Reference(MEMBERS, "author_id")
SEEN_RECORD = ThisRow(seen_only=True)
TOMBSTONE = Column("(not {row}._visible)")
RECORD_ID = Column("hub_global_id('Record', {row}.id)")


def _seen_record(selection: Selection, row: str, b: Builder) -> str:
    return SEEN_RECORD.sql(selection, row, b)


SOURCES = ListingTwin(rules.SOURCES, node=_seen_record)
REMIXES = ListingTwin(rules.REMIXES, node=_seen_record)


class LinkCount(Spec):
    """How many rows a record's listing holds (``remixCount``: tombstones included)."""

    def __init__(self, listing: Listing) -> None:
        self.listing = listing

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        t = b.alias("r")
        return f"(select count(*) from {self.listing.from_where(t, b.VIEWER, f'{row}.id')})"


REMIX_COUNT = LinkCount(rules.REMIXES)


def _depth(arguments: dict[str, Any]) -> int:
    try:
        return checked_depth(arguments.get("maxDepth"))
    except BadRequest:
        raise NotCompilable("maxDepth out of range") from None


def _entries(walk: Walk, root: str, max_depth: str, b: Builder, *, limit: int = MAX_ENTRIES,
             ) -> tuple[str, str]:
    """(CTE, select): the records ``walk`` reaches from ``root`` in ``max_depth`` steps, each
    once at its shortest depth, with ``_visible``, ``depth`` and ``rank`` (nearest first)."""
    walked, k, r = b.alias("walk"), b.alias("k"), b.alias("r")
    cte = walk_cte(walked, walk, f"select {root}", max_depth)
    columns = records.COLUMNS_SEEN.format(t=r, viewer=b.VIEWER)
    rows = (f"select {columns}, {k}.depth, {k}.rank from ({nearest(walked)}) {k} "
            f"join records {r} on {r}.id = {k}.id where {k}.rank <= {limit}")
    return cte, rows


class WalkEntries(Spec):
    """``Record.ancestors``/``descendants(maxDepth)``: each record once at its shortest
    depth, nearest first, at most rules.MAX_ENTRIES."""

    def __init__(self, walk: Walk) -> None:
        self.walk = walk

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        depth = _depth(arguments)
        return Bound(True, (depth,)) if depth > 0 else Bound(False)

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        if not b.bound(selection).shape:
            return "'[]'::json"
        cte, rows = _entries(self.walk, f"{row}.id", b.param(selection, 0, "int"), b)
        e = b.alias("e")
        item = b.object("LineageEntry", selection.children, e)
        return (f"(with recursive {cte} select coalesce(json_agg({item} order by {e}.rank), "
                f"'[]'::json) from ({rows}) {e})")


class Contributors(Spec):
    """``Record.contributors``: the record's author (depth 0, the record itself) and the
    authors of its ancestors (MAX_DEPTH generations), in order of first appearance, each
    with their records nearest first (types.resolve_contributors)."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        cte, rows = _entries(Walk.ANCESTORS, f"{row}.id", str(MAX_DEPTH), b)
        own, g, c = b.alias("r"), b.alias("g"), b.alias("c")
        itself = (f"select {records.COLUMNS_SEEN.format(t=own, viewer=b.VIEWER)}, 0 as depth, "
                  f"0::bigint as rank from records {own} where {own}.id = {row}.id")
        contributor = b.object("Contributor", selection.children, g)
        return (f"(with recursive {cte} select coalesce(json_agg({c}.contributor order by "
                f"{c}.first), '[]'::json) from (select min({g}.rank) as first, {contributor} "
                f"as contributor from ({itself} union all {rows}) {g} group by {g}.author_id) "
                f"{c})")


class ContributorRecords(Spec):
    """A contributor's entries: an aggregate over the rows grouped by author."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        entry = b.object("LineageEntry", selection.children, row)
        return f"json_agg({entry} order by {row}.rank)"


CONTRIBUTOR_DEPTH = Column("min({row}.depth)")


class Graph(Spec):
    """``Record.lineageGraph(maxDepth, direction)``: store.graph_records and edges_among in
    one statement; at most MAX_GRAPH_NODES nodes, nearest first."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        depth = _depth(arguments)
        direction = arguments.get("direction")
        walks = getattr(direction, "value", direction) or "BOTH"
        return Bound((walks, depth > 0), (depth,))

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        walks, deep = b.bound(selection).parts()
        depth = b.param(selection, 0, "int")
        ctes, parts = [], [f"select {row}.id, 0, 0"]
        for walk in (Walk.ANCESTORS, Walk.DESCENDANTS):
            if deep and walks in (walk.name, "BOTH"):
                walked = b.alias("walk")
                ctes.append(walk_cte(walked, walk, f"select {row}.id", depth))
                sign = "-" if walk is Walk.ANCESTORS else ""
                parts.append(f"select id, {sign}min(depth), min(depth) from {walked} group by id")
        ranked, kept = b.alias("ranked"), b.alias("kept")
        ctes.append(f"""{ranked} as (select n.*, row_number() over (
                order by distance, generation, id) as seq
                from ({' union all '.join(parts)}) as n(id, generation, distance))""")
        ctes.append(f"{kept} as (select * from {ranked} where seq <= {MAX_GRAPH_NODES})")
        values = {}
        for part in selection.children:
            if part.name == "nodes":
                k, r, x = b.alias("k"), b.alias("r"), b.alias("x")
                node = b.object("LineageNode", part.children, x)
                columns = records.COLUMNS_SEEN.format(t=r, viewer=b.VIEWER)
                values[part.key] = (
                    f"(select coalesce(json_agg({node} order by {x}.seq), '[]'::json) from ("
                    f"select {columns}, {k}.generation, {k}.seq from {kept} {k} "
                    f"join records {r} on {r}.id = {k}.id) {x})")
            elif part.name == "edges":
                e = b.alias("e")
                edge = b.object("LineageEdge", part.children, e)
                values[part.key] = (
                    f"(select coalesce(json_agg({edge} order by {e}.remix_id, {e}.position, "
                    f"{e}.source_id), '[]'::json) from record_sources {e} "
                    f"where {e}.remix_id in (select id from {kept}) "
                    f"and {e}.source_id in (select id from {kept}))")
            elif part.name == "truncated":
                values[part.key] = f"(select count(*) > {MAX_GRAPH_NODES} from {ranked})"
            else:
                values[part.key] = literal(part.parent_type)
        pairs = ", ".join(f"{literal(key)}, {value}" for key, value in values.items())
        return f"(with recursive {', '.join(ctes)} select json_build_object({pairs}))"


ANCESTORS = WalkEntries(Walk.ANCESTORS)
DESCENDANTS = WalkEntries(Walk.DESCENDANTS)
CONTRIBUTORS = Contributors()
CONTRIBUTOR_RECORDS = ContributorRecords()
GRAPH = Graph()
SHOWN_TITLE = Column("(case when {row}._visible then {row}.title end)")
EDGE_REMIX = Column("hub_global_id('Record', {row}.remix_id)")
EDGE_SOURCE = Column("hub_global_id('Record', {row}.source_id)")
