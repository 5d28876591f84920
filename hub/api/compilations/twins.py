"""SQL twins of the compilations slice's computed fields, each declared beside its field in
types.py and queries.py (``metadata=twin(…)``); the stored columns' twins are derived
(hub/api/compiled/derive.py). Visibility is the one rule of hub/domain/compilations/rules.py.
"""

from __future__ import annotations

from typing import Any

from hub.api.compiled.constant import constant_rows
from hub.api.compiled.derive import Reference, ThisRow
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
from hub.domain.compilations import credits, rules
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


class VisibleCompilation(Spec):
    """``PayoutProposal.compilation``: the proposal's compilation, null when the viewer may not
    see it (a member reading their own payouts of a compilation in review, say)."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        c = b.alias("c")
        return (f"(select {b.object('Compilation', selection.children, c)} from compilations {c} "
                f"where {c}.id = {row}.compilation_id and {rules.VISIBLE.sql(c, b.VIEWER)})")


class MoneyOf(Spec):
    """An amount of money (``Money``) from the parent row's ``minor`` column, in minor units,
    and its ``currency`` column: the amount shown in the currency's places as the executor
    shows it (credits.major_sql), read by ``Money``'s twins as ``{row}.amount``."""

    def __init__(self, minor: str) -> None:
        self.minor = minor

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        m = b.alias("m")
        amount = credits.major_sql(f"{row}.{self.minor}", f"{row}.currency")
        return (f"(select {b.object('Money', selection.children, m)} "
                f"from (select {amount} as amount, {row}.currency as currency) {m})")


def record_pk(global_id: str) -> str:
    """SQL of ``try_decode_id(global_id, "Record")`` for the SQL text ``global_id``: the
    record's id, null when it is not a record's global ID as ``encode_id`` writes it (checked
    by writing it again, as parse_id does). No error for any text: base64 is decoded only
    when well formed, its bytes read as escaped text, the id taken only when it fits bigint.
    Trailing ``=`` padding is accepted as parse_id accepts it; surrounding whitespace, which
    parse_id also strips, is not (the hub writes these IDs itself, with none)."""
    global_id = f"rtrim({global_id}, '=')"
    padded = f"rpad(translate({global_id}, '-_', '+/'), (length({global_id}) + 3) / 4 * 4, '=')"
    raw = f"encode(decode({padded}, 'base64'), 'escape')"
    pk = f"substring({raw} from '^Record:([1-9][0-9]{{0,17}})$')::bigint"
    well_formed = f"{global_id} ~ '^[A-Za-z0-9_-]{{2,200}}$' and length({global_id}) % 4 <> 1"
    return (f"(case when {well_formed} and hub_global_id('Record', {pk}) = {global_id} "
            f"then {pk} end)")


class RecordTitle(Spec):
    """``CreditPart.recordTitle``: the title of the record a frozen part names by global ID,
    null when the viewer may not see it (the records' one rule, as ``visible_title``)."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        r = b.alias("r")
        named = "(" + row + ".part ->> 'recordId')"
        return (f"(select to_json({r}.title) from records {r} where {r}.id = {record_pk(named)} "
                f"and {record_rules.VISIBLE.sql(r, b.VIEWER)})")


class Breakdown(Spec):
    """``CreditLine.breakdown``: the parts of a payout line, frozen as a JSON array (in its
    order), each read by ``CreditPart``'s twins as ``{row}.part``."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        e = b.alias("e")
        value = b.object("CreditPart", selection.children, e)
        return (f"(select coalesce(json_agg({value} order by {e}.ord), '[]'::json) "
                f"from jsonb_array_elements({row}.breakdown) with ordinality {e}(part, ord))")


def part(key: str) -> Column:
    """A key of a frozen breakdown part, as stored (JSON: strings, numbers and nulls)."""
    return Column(f"({{row}}.part -> '{key}')")


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


# The payout lists, paged (payouts.py): visible to whoever reaches the proposal, as the lists.
PROPOSAL_PAGES = ListingTwin(rules.PROPOSAL_PAGES)
LINE_PAGES = ListingTwin(rules.LINE_PAGES)
COMMENT_PAGES = ListingTwin(rules.COMMENT_PAGES)
COMPILATION_OF_PROPOSAL = VisibleCompilation()
POOL = MoneyOf("pool_minor")
LINE_AMOUNT = MoneyOf("amount_minor")
BREAKDOWN = Breakdown()
RECORD_TITLE = RecordTitle()
MEMBER_OF_LINE = Reference(MEMBERS, "member_id")
AUTHOR = Reference(MEMBERS, "author_id")
# ``Money``'s own fields, over the row MoneyOf builds.
MONEY_AMOUNT = Column("to_json({row}.amount)")
MONEY_CURRENCY = Column("to_json({row}.currency)")
SHARE = Column("to_json({row}.share)")  # stored as the executor shows it (``0.250000``)
# ``MemberPayout.line`` and ``.proposal``: the member's page row carries both.
SAME_ROW = ThisRow()
