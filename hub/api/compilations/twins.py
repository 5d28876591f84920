"""SQL twins of the compilations slice's computed fields, each declared beside its field in
types.py and queries.py (``metadata=twin(…)``); the stored columns' twins are derived
(hub/api/compiled/derive.py). Visibility is the one rule of hub/domain/compilations/rules.py.
"""

from __future__ import annotations

from typing import Any

from hub.api.compiled.constant import constant_rows
from hub.api.compiled.derive import Reference
from hub.api.compiled.listing import GuardedListing, ListingTwin
from hub.api.compiled.plan import (
    Bound,
    Builder,
    Column,
    NotCompilable,
    Registry,
    Selection,
    Spec,
)
from hub.core.errors import BadRequest
from hub.core.relay import decode_id
from hub.domain.compilations import rules
from hub.domain.members.rules import MEMBERS
from hub.domain.records import rules as record_rules
from hub.plugins import HubPlugins


class CompilationById(Spec):
    """``Query.compilation(id)``: null when missing or not visible; a bad ID is the
    resolver's error."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        try:
            return Bound(values=(decode_id(arguments["id"], "Compilation"),))
        except BadRequest:
            raise NotCompilable("invalid id") from None

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        c = b.alias("c")
        return (f"(select {b.object('Compilation', selection.children, c)} from compilations {c} "
                f"where {c}.id = {b.param(selection, 0, 'bigint')} "
                f"and {rules.VISIBLE.sql(c, b.VIEWER)})")


class Children(Spec):
    """A list of the rows of ``table`` whose ``parent`` column is the parent row's id, in
    ``order`` (SQL over ``{t}``), each rendered as the field's type; ``join`` adds the row the
    object is read from (``{t}_o``), when it is not the child row itself."""

    def __init__(self, table: str, parent: str, order: str, join: str = "") -> None:
        self.table, self.parent, self.order, self.join = table, parent, order, join

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        assert selection.definition is not None
        named = selection.definition.type
        while hasattr(named, "of_type"):
            named = named.of_type
        t = b.alias("k")
        source = f"{t}_o" if self.join else t
        value = b.object(named.name, selection.children, source)
        join = self.join.format(t=t)
        return (f"(select coalesce(json_agg({value} order by {self.order.format(t=t)}), "
                f"'[]'::json) from {self.table} {t} {join} "
                f"where {t}.{self.parent} = {row}.id)")


def decimal(column: str) -> Column:
    """A ``Decimal`` column as the executor shows it: normalized (``0.50`` is ``"0.5"``), in
    plain notation (PostgreSQL writes numerics without an exponent)."""
    return Column(f"to_json(trim_scale({{row}}.{column})::text)")


class VisibleRecord(Spec):
    """``CompilationItem.record``: the item's record, null when the viewer may not see it
    (the records' one rule, hub/domain/records/rules.py)."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        r = b.alias("r")
        return (f"(select {b.object('Record', selection.children, r)} from records {r} "
                f"where {r}.id = {row}.record_id and {record_rules.VISIBLE.sql(r, b.VIEWER)})")


COMPILATIONS = ListingTwin(rules.LISTING)
ITEM_PAGES = ListingTwin(rules.ITEM_PAGES)
HISTORY_PAGES = ListingTwin(rules.HISTORY_PAGES)
EDITORS = Children("compilation_editors", "compilation_id", "{t}.added_at, {t}.member_id",
                   join=f"join {MEMBERS.name} {{t}}_o on {{t}}_o.id = {{t}}.member_id")
ITEMS = Children("compilation_items", "compilation_id", "{t}.position")
HISTORY = Children("compilation_history", "compilation_id", "{t}.id")
ACTOR = Reference(MEMBERS, "actor_id")
# ``Member.payoutsConnection``: over the member's row, null unless the viewer may read them.
PAYOUTS_OF_MEMBER = GuardedListing(rules.PAYOUT_LINES_OF_MEMBER, rules.READS_PAYOUTS)


def plugin_twins(plugins: HubPlugins) -> Registry:
    """``Query.publishingTargets``: the enabled plugins' targets, as the resolver lists them
    (hub/api/compiled/constant.py)."""
    rows = [{"key": t.key, "label": t.label, "description": t.description,
             "acceptedMediaTypes": list(t.accepted_media_types),
             "creditRoles": list(t.credit_roles)}
            for t in plugins.publishing_targets.values()]
    return constant_rows("Query", "publishingTargets", "PublishingTarget", rows,
                         ("key", "label", "description", "acceptedMediaTypes", "creditRoles"))
