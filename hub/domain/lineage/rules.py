"""The read rules of the remix lineage, each declared once (hub/core/rules.py): the direct
links (``sources``, ``remixes``) as listings, and the walks over the graph (ancestors,
descendants, contributors, the drawn graph) as one recursive CTE that the executor runs for
many roots at once and a compiled statement for one.

A linked record the viewer may not see (deleted, unpublished, someone else's draft) is a
tombstone: its author stays credited, its content — its title, the remix's note — is hidden
(hub/domain/records/rules.py decides who sees a record).

Walks follow one edge per step on an index (the primary key ``(remix_id, source_id)`` towards
ancestors, ``record_sources_source_idx (source_id, remix_id)`` towards descendants); ``UNION``
(not ``UNION ALL``) drops a (root, record, depth) row already produced, so a record reached by
many paths of one length (diamonds) is expanded once per depth, and the depth cap bounds the
work on a graph both wide and deep.
"""

from __future__ import annotations

import enum

from hub.core.errors import BadRequest
from hub.core.rules import EVERY_ROW, Key, Listing, Ordering, Table
from hub.domain.records import rules as records

DEFAULT_DEPTH = 10
MAX_DEPTH = 50
MAX_GRAPH_NODES = 500
MAX_ENTRIES = 10_000  # of one ancestors or descendants list


class Walk(enum.Enum):
    """Which way a walk follows the edges: (the column it comes from, the column it goes to)."""

    ANCESTORS = ("remix_id", "source_id")
    DESCENDANTS = ("source_id", "remix_id")


def walk_cte(name: str, walk: Walk, roots: str, max_depth: str) -> str:
    """The CTE ``name(root, id, depth)``: every record at most ``max_depth`` steps from each
    root of the SQL ``roots`` (a select of one column), once per distinct depth."""
    near, far = walk.value
    return f"""{name}(root, id, depth) as (
            select _roots.root, _s.{far}, 1 from ({roots}) as _roots(root)
            join record_sources _s on _s.{near} = _roots.root
          union
            select _w.root, _s.{far}, _w.depth + 1 from {name} _w
            join record_sources _s on _s.{near} = _w.id
            where _w.depth < {max_depth})"""


def nearest(walked: str) -> str:
    """Each record of the CTE ``walked`` once per root, at its shortest depth, numbered nearest
    first (``rank``; ties by id)."""
    return (f"select root, id, min(depth) as depth, row_number() over (partition by root "
            f"order by min(depth), id) as rank from {walked} group by root, id")


# A direct link: the linked record (deleted and drafts included, with ``_visible``) and the
# edge; the note is the remix author's words about a record the viewer may not see: hidden.
LINK_COLUMNS = (records.COLUMNS_SEEN
                + ", (case when " + records.VISIBLE.template + " then {t}_s.note end) as note"
                + ", {t}_s.created_at as added_at, {t}_s.position, {t}_s.source_id, "
                  "{t}_s.remix_id")

# Record.sources: in the order the author listed them.
SOURCES = Listing(
    source="record_sources {t}_s join records {t} on {t}.id = {t}_s.source_id",
    columns=LINK_COLUMNS, where=EVERY_ROW, parent="{t}_s.remix_id",
    orderings={"LISTED": Ordering((Key("{t}_s.position", "bigint"),
                                   Key("{t}_s.source_id", "bigint")), False)},
)
# Record.remixes: newest remix first (ids grow with time), on record_sources_source_idx.
REMIXES = Listing(
    source="record_sources {t}_s join records {t} on {t}.id = {t}_s.remix_id",
    columns=LINK_COLUMNS, where=EVERY_ROW, parent="{t}_s.source_id",
    orderings={"NEWEST": Ordering((Key("{t}_s.remix_id", "bigint"),), True)},
)

# The rows the lineage's types are read from, beyond a record's own columns: a link (its note
# hidden for a tombstone, above), a walked record (its depth), a node of a drawn graph.
LINKS = Table("record_sources", ("note", "added_at"))
WALKED = Table("records", ("depth",))
GRAPH_NODES = Table("records", ("media_type", "generation"))


def checked_depth(max_depth: int | None) -> int:
    """``maxDepth`` within 0..MAX_DEPTH (null means the default); BAD_USER_INPUT otherwise."""
    if max_depth is None:
        return DEFAULT_DEPTH
    if not 0 <= max_depth <= MAX_DEPTH:
        raise BadRequest(
            f"maxDepth must be between 0 and {MAX_DEPTH} (got {max_depth}).", limit=MAX_DEPTH
        )
    return max_depth
