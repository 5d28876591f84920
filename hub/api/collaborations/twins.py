"""SQL twins of the collaborations slice's fields, declared beside them in types.py and
queries.py and rendered from the slice's rules (hub/domain/collaborations/rules.py): the
same listings the executor's loaders read, correlated to the parent row."""

from __future__ import annotations

from typing import Any

from hub.api.compiled.derive import Reference, RuleSql, ThisRow
from hub.api.compiled.listing import ListingTwin, NodeSql
from hub.api.compiled.plan import Bound, Builder, Column, NotCompilable, Selection, Spec
from hub.core.errors import BadRequest
from hub.core.relay import decode_id
from hub.core.rules import Listing
from hub.domain.collaborations import rules
from hub.domain.community import rules as community
from hub.domain.members.rules import MEMBERS
from hub.domain.records import rules as records


def _named(selection: Selection) -> str:
    assert selection.definition is not None
    named: Any = selection.definition.type
    while hasattr(named, "of_type"):
        named = named.of_type
    return str(named.name)


class WholeList(Spec):
    """A list read whole (bounded by the writes) in one of its listing's orders: the rows of
    ``listing`` for the parent row, aggregated in that order."""

    def __init__(self, listing: Listing, order: str, node: NodeSql | None = None) -> None:
        self.listing, self.order, self.node = listing, order, node

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        ordering = self.listing.orderings[self.order]
        t, w = b.alias("w"), b.alias("w")
        where = self.listing.from_where(t, b.VIEWER, f"{row}.id")
        rows = f"select {self.listing.select(t, b.VIEWER)}, {ordering.select_keys(t)} from {where}"
        item = (self.node(selection, w, b) if self.node
                else b.object(_named(selection), selection.children, w))
        return (f"(select coalesce(json_agg({item} order by {ordering.order_by_keys(w)}), "
                f"'[]'::json) from ({rows}) {w})")


class CollaborationById(Spec):
    """``Query.collaboration(id)``: null when missing or not visible."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        try:
            return Bound(values=(decode_id(arguments["id"], "Collaboration"),))
        except BadRequest:
            raise NotCompilable("invalid id") from None

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        c = b.alias("c")
        return (f"(select {b.object('Collaboration', selection.children, c)} "
                f"from collaborations {c} where {c}.id = {b.param(selection, 0, 'bigint')} "
                f"and {rules.VISIBLE.sql(c, b.VIEWER)})")


class SeenRecord(Spec):
    """A contribution's record: null where the viewer may not see it (records' VISIBLE)."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        r = b.alias("r")
        return (f"(select {b.object('Record', selection.children, r)} from records {r} "
                f"where {r}.id = {row}.record_id and {records.VISIBLE.sql(r, b.VIEWER)})")


class FilteredByArguments(ListingTwin):
    """A listing whose filters are the field's own arguments (``role:``, ``status:``) rather
    than a ``filter`` input object."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        given = {name: arguments.get(name) for name in self.listing.filters}
        return super().bind({**arguments, "filter": given}, viewer_id)


def _seen_record(selection: Selection, row: str, b: Builder) -> str:
    return ThisRow(seen_only=True).sql(selection, row, b)


def global_id(type_name: str) -> Column:
    return Column(f"hub_global_id('{type_name}', {{row}}.id)")


LISTED = ListingTwin(rules.LISTED)
BY_MEMBER = FilteredByArguments(rules.BY_MEMBER)
OF_COLLABORATION = FilteredByArguments(rules.OF_COLLABORATION)
OF_NEED = FilteredByArguments(rules.OF_NEED)
OF_RECORD = FilteredByArguments(rules.OF_RECORD)
STEPS = WholeList(rules.STEPS_OF, "LISTED")
NEEDS = WholeList(rules.NEEDS_OF, "LISTED")
OWNERS = WholeList(rules.OWNERS_OF, "ADDED")
CREDITS = WholeList(rules.CREDITS_OF, "CREDITED")
RESULTS = WholeList(rules.RESULTS_OF, "LISTED", node=_seen_record)
STEP_ID = global_id("CollaborationStep")
NEED_ID = global_id("CollaborationNeed")
REASON = Column("{row}._reason")
RECORD = SeenRecord()
CONTRIBUTOR = Reference(MEMBERS, "contributor_id")
NEED = Reference(rules.NEEDS, "need_id")
COLLABORATION = Reference(rules.COLLABORATIONS, "collaboration_id")

# Follows (hub/domain/community/rules.py).
FOLLOWER_COUNT = RuleSql(community.COLLABORATION_FOLLOWER_COUNT)
VIEWER_FOLLOWS = RuleSql(community.VIEWER_FOLLOWS_COLLABORATION.template)
