"""GraphQL types of the lineage slice and the resolvers of the ``Record`` lineage fields.

Visibility: the lineage of a record you can see shows every ancestor and descendant, because
naming sources is the credit owed to their authors. A linked record you may not see in full
(deleted, unpublished, someone else's draft) is a **tombstone**: ``tombstone: true``, its
author still named (the credit stays), its content hidden. Concretely:

* ``RecordLinkEdge`` (``sources``/``remixes``) and ``LineageEntry`` (``ancestors``,
  ``descendants``, ``Contributor.records``) carry ``tombstone``, ``author`` and the record's
  ID always, and ``node``/``record`` only when you may see the record in full (null for a
  tombstone), so a frontend never receives hidden content and never loses the credit; a
  link's attribution ``note`` is null for a tombstone too (a draft remix's note says what it
  took, before its author chose to publish it);
* ``LineageNode`` (``lineageGraph``) has a null ``title`` for a tombstone.

Walks are capped: ``maxDepth`` at most :data:`MAX_DEPTH` generations, a graph at most
:data:`MAX_GRAPH_NODES` nodes (nearest first, ``truncated`` says when more exist), an
ancestors/descendants list at most 10,000 entries (nearest first).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from hub.api.compiled.derive import PART, twin
from hub.api.federation import sized_list
from hub.api.lineage import twins
from hub.api.relay import After, Before, First, Last, PageInfo
from hub.core.pages import CountKey, PageKey
from hub.core.relay import PageArgs, encode_id
from hub.core.rules import Listing, Table
from hub.domain.lineage import rules, store
from hub.domain.lineage.loaders import (
    LineageByRecordIdLoader,
    WalkKey,
)
from hub.domain.lineage.rules import DEFAULT_DEPTH, MAX_DEPTH, MAX_GRAPH_NODES, Walk, checked_depth

if TYPE_CHECKING:
    from hub.api.context import Context
    from hub.api.members.types import Member
    from hub.api.records.types import Record

# The most edges a graph holds: each node names at most HUB_MAX_SOURCES (default 50) sources.
MAX_GRAPH_EDGES = MAX_GRAPH_NODES * 50

RecordRef = Annotated["Record", strawberry.lazy("hub.api.records.types")]
MemberRef = Annotated["Member", strawberry.lazy("hub.api.members.types")]


async def _member(info: Info, member_pk: int) -> Member:
    from hub.api.members.types import load_member

    member = await load_member(info.context, member_pk)
    assert member is not None, "records.author_id references members"
    return member


def _full_record(row: Any, context: Context) -> Record | None:
    """The record if the viewer may see it in full, else None (a tombstone)."""
    from hub.api.records.types import seen

    return seen(row, context)


@strawberry.enum(description="Which part of a record's lineage to walk.")
class LineageDirection(enum.Enum):
    ANCESTORS = strawberry.enum_value(
        "ANCESTORS", description="The record's sources, their sources, and so on.")
    DESCENDANTS = strawberry.enum_value(
        "DESCENDANTS", description="The record's remixes, their remixes, and so on.")
    BOTH = strawberry.enum_value("BOTH", description="Ancestors and descendants.")

    def walks(self) -> list[Walk]:
        if self is LineageDirection.BOTH:
            return [Walk.ANCESTORS, Walk.DESCENDANTS]
        return [Walk[self.value]]


# --- direct links: sources and remixes -----------------------------------------------------------


@strawberry.type(description="A direct source or remix of a record, with the attribution note.")
class RecordLinkEdge:
    table: ClassVar[Table] = rules.LINKS

    cursor: str = strawberry.field(description="Pass as `after` (or `before`) to get the items "
                                   "after (or before) this one.")
    record_id: strawberry.ID = strawberry.field(description="The linked record's ID (always "
                                                "given, tombstone or not).",
                                                metadata=twin(twins.RECORD_ID))
    note: str | None = strawberry.field(description="What the remix took from the source, in "
                                        "the remix author's words; null for a tombstone.")
    added_at: dt.datetime = strawberry.field(description="When the link was made.")
    tombstone: bool = strawberry.field(description="True when you may not see the linked record "
                                       "in full (deleted, unpublished, someone else's draft).",
                                       metadata=twin(twins.TOMBSTONE))
    node: RecordRef | None = strawberry.field(description="The linked record; null for a "
                                              "tombstone.", metadata=twin(twins.SEEN_RECORD))
    author_pk: strawberry.Private[int]

    @strawberry.field(description="The linked record's author, credited even for a tombstone.",
                      metadata=twin(twins.AUTHOR))
    async def author(self, info: Info) -> MemberRef:
        return await _member(info, self.author_pk)


@strawberry.type(description="A page of a record's direct sources or remixes.")
class RecordLinkConnection:
    edges: list[RecordLinkEdge] = strawberry.field(description="The links, each with its cursor.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    record_pk: strawberry.Private[int]
    listing: strawberry.Private[Listing]

    @strawberry.field(description="The linked records of this page; null for each tombstone.")
    def nodes(self) -> list[RecordRef | None]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many links the whole list holds, tombstones included.")
    async def total_count(self, info: Info) -> int:
        return await info.context.counts(self.listing).load(CountKey(self.record_pk))


async def _links(info: Info, listing: Listing, record_pk: int, page: PageArgs,
                 ) -> RecordLinkConnection:
    context: Context = info.context
    order = listing.default_order
    rows = await context.pages(listing).load(PageKey(record_pk, order, page))
    ordering = listing.orderings[order]
    has_more = len(rows) > page.limit
    rows = list(rows[: page.limit])
    if not page.forward:
        rows.reverse()  # a backward page is read from its end; edges stay in list order
    edges = [
        RecordLinkEdge(
            cursor=ordering.cursor_of(row),
            record_id=strawberry.ID(encode_id("Record", row["id"])),
            node=_full_record(row, context), tombstone=not row["_visible"], note=row["note"],
            added_at=row["added_at"], author_pk=row["author_id"],
        )
        for row in rows
    ]
    return RecordLinkConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_more if page.forward else page.before is not None,
            has_previous_page=page.after is not None if page.forward else has_more,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        record_pk=record_pk, listing=listing,
    )


async def resolve_sources(
    root: Any, info: Info, first: First = None, after: After = None, last: Last = None,
    before: Before = None,
) -> RecordLinkConnection:
    return await _links(info, rules.SOURCES, root.pk, PageArgs.of(first, after, last, before))


async def resolve_remixes(
    root: Any, info: Info, first: First = None, after: After = None, last: Last = None,
    before: Before = None,
) -> RecordLinkConnection:
    return await _links(info, rules.REMIXES, root.pk, PageArgs.of(first, after, last, before))


async def resolve_remix_count(root: Any, info: Info) -> int:
    return await info.context.counts(rules.REMIXES).load(CountKey(root.pk))


# --- ancestors and descendants -------------------------------------------------------------------


@strawberry.type(description="A record in another's ancestry or descent, at its shortest "
                 "distance. A tombstone keeps its author and ID; its `record` is null.")
class LineageEntry:
    table: ClassVar[Table] = rules.WALKED

    depth: int = strawberry.field(description="Generations away (1 = a direct source/remix).")
    record_id: strawberry.ID = strawberry.field(description="The record's ID (always given).",
                                                metadata=twin(twins.RECORD_ID))
    tombstone: bool = strawberry.field(description="True when you may not see the record in "
                                       "full (deleted, unpublished, someone else's draft).",
                                       metadata=twin(twins.TOMBSTONE))
    record: RecordRef | None = strawberry.field(description="The record; null for a tombstone.",
                                                metadata=twin(twins.SEEN_RECORD))
    author_pk: strawberry.Private[int]

    @strawberry.field(description="The record's author, credited even for a tombstone.",
                      metadata=twin(twins.AUTHOR))
    async def author(self, info: Info) -> MemberRef:
        return await _member(info, self.author_pk)

    @classmethod
    def from_row(cls, row: Any, depth: int, context: Context) -> LineageEntry:
        record = _full_record(row, context)
        return cls(depth=depth, record_id=strawberry.ID(encode_id("Record", row["id"])),
                   tombstone=record is None, record=record, author_pk=row["author_id"])


async def _walk(
    info: Info, record_pk: int, walk: Walk, max_depth: int | None,
) -> list[LineageEntry]:
    rows = await info.context.loader(LineageByRecordIdLoader).load(
        WalkKey(record_pk, walk, checked_depth(max_depth))
    )
    return [LineageEntry.from_row(row, row["depth"], info.context) for row in rows]


DEPTH_HELP = (f"How many generations to walk (0–{MAX_DEPTH}); each record is listed once, at "
              "its shortest distance, nearest first (at most 10,000 entries).")


async def resolve_ancestors(
    root: Any, info: Info,
    max_depth: Annotated[int | None, strawberry.argument(description=DEPTH_HELP)] = DEFAULT_DEPTH,
) -> list[LineageEntry]:
    return await _walk(info, root.pk, Walk.ANCESTORS, max_depth)


async def resolve_descendants(
    root: Any, info: Info,
    max_depth: Annotated[int | None, strawberry.argument(description=DEPTH_HELP)] = DEFAULT_DEPTH,
) -> list[LineageEntry]:
    return await _walk(info, root.pk, Walk.DESCENDANTS, max_depth)


# --- contributors --------------------------------------------------------------------------------


@strawberry.type(description="A member credited in a record: its author (depth 0) or the author "
                 "of one of its ancestors.")
class Contributor:
    depth: int = strawberry.field(description="The nearest generation the member is credited "
                                  "at (0 = the record's own author).",
                                  metadata=twin(twins.CONTRIBUTOR_DEPTH))
    # The walk's entries are shared among the contributors (at most MAX_ENTRIES + 1 in all,
    # the size of `Record.contributors`), so one per contributor prices the total exactly.
    records: list[LineageEntry] = strawberry.field(description="The member's records in the "
                                                   "lineage, nearest first (tombstones too).",
                                                   directives=sized_list(1),
                                                   metadata=twin(twins.CONTRIBUTOR_RECORDS))
    member_pk: strawberry.Private[int]

    @strawberry.field(description="The credited member.", metadata=twin(twins.AUTHOR))
    async def member(self, info: Info) -> MemberRef:
        return await _member(info, self.member_pk)


async def resolve_contributors(root: Any, info: Info) -> list[Contributor]:
    rows = await info.context.loader(LineageByRecordIdLoader).load(
        WalkKey(root.pk, Walk.ANCESTORS, MAX_DEPTH)
    )
    own = LineageEntry(depth=0, record_id=root.id, tombstone=False, record=root,
                       author_pk=root.author_pk)
    credited: dict[int, list[LineageEntry]] = {root.author_pk: [own]}
    for row in rows:  # nearest first, so each member's first entry is their nearest depth
        entry = LineageEntry.from_row(row, row["depth"], info.context)
        credited.setdefault(row["author_id"], []).append(entry)
    return [Contributor(depth=entries[0].depth, records=entries, member_pk=member_pk)
            for member_pk, entries in credited.items()]


# --- the graph -----------------------------------------------------------------------------------


@strawberry.type(description="A record in a lineage graph. A tombstone has a null title.")
class LineageNode:
    table: ClassVar[Table] = rules.GRAPH_NODES

    id: strawberry.ID = strawberry.field(description="The record's ID.",
                                         metadata=twin(twins.RECORD_ID))
    title: str | None = strawberry.field(description="The title; null for a tombstone.",
                                         metadata=twin(twins.SHOWN_TITLE))
    media_type: str = strawberry.field(description="The record's media-type key.")
    tombstone: bool = strawberry.field(description="True when you may not see the record in "
                                       "full (deleted, unpublished, someone else's draft).",
                                       metadata=twin(twins.TOMBSTONE))
    generation: int = strawberry.field(description="0 for the record the graph is about, -n for "
                                       "an ancestor n generations up, +n for a descendant.")
    author_pk: strawberry.Private[int]

    @strawberry.field(description="The record's author, credited even for a tombstone.",
                      metadata=twin(twins.AUTHOR))
    async def author(self, info: Info) -> MemberRef:
        return await _member(info, self.author_pk)


@strawberry.type(description="An edge of a lineage graph: `remix` was made from `source`.")
class LineageEdge:
    remix: strawberry.ID = strawberry.field(description="The `id` of the remix node.",
                                            metadata=twin(twins.EDGE_REMIX))
    source: strawberry.ID = strawberry.field(description="The `id` of the source node.",
                                             metadata=twin(twins.EDGE_SOURCE))


@strawberry.type(description="A record's lineage as a graph, for frontends to draw.")
class LineageGraph:
    nodes: list[LineageNode] = strawberry.field(description="The records, nearest first; the "
                                                "first is the record the graph is about.",
                                                directives=sized_list(MAX_GRAPH_NODES),
                                                metadata=twin(PART))
    edges: list[LineageEdge] = strawberry.field(description="Every source link among the nodes.",
                                                directives=sized_list(MAX_GRAPH_EDGES),
                                                metadata=twin(PART))
    truncated: bool = strawberry.field(description=f"True when the lineage holds more than "
                                       f"{MAX_GRAPH_NODES} records and the farthest were left out.",
                                       metadata=twin(PART))


async def load_graph(
    context: Context, record_pk: int, direction: LineageDirection, max_depth: int | None,
) -> LineageGraph:
    """The graph around a record the caller has checked is visible (two statements)."""
    found = await store.graph_records(
        context.db, record_pk, direction.walks(), checked_depth(max_depth), MAX_GRAPH_NODES + 1,
        context.viewer_id,
    )
    rows = found[:MAX_GRAPH_NODES]
    nodes = [_graph_node(row, context) for row in rows]
    edges = await store.edges_among(context.db, [row["id"] for row in rows])
    return LineageGraph(
        nodes=nodes,
        edges=[LineageEdge(remix=strawberry.ID(encode_id("Record", e["remix_id"])),
                           source=strawberry.ID(encode_id("Record", e["source_id"])))
               for e in edges],
        truncated=len(found) > MAX_GRAPH_NODES,
    )


def _graph_node(row: Any, context: Context) -> LineageNode:
    shown = row["_visible"]
    return LineageNode(
        id=strawberry.ID(encode_id("Record", row["id"])), media_type=row["media_type"],
        title=row["title"] if shown else None, tombstone=not shown,
        generation=row["generation"], author_pk=row["author_id"],
    )


async def resolve_lineage_graph(
    root: Any, info: Info,
    max_depth: Annotated[int | None, strawberry.argument(
        description=f"How many generations to walk each way (0–{MAX_DEPTH}).")] = DEFAULT_DEPTH,
    direction: Annotated[LineageDirection, strawberry.argument(
        description="Ancestors, descendants, or both.")] = LineageDirection.BOTH,
) -> LineageGraph:
    return await load_graph(info.context, root.pk, direction, max_depth)
