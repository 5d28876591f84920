"""SQL twins of the notifications slice's computed fields, rendered from
hub/domain/notifications/rules.py (the plain columns of ``Notification`` are derived)."""

from __future__ import annotations

from typing import Any

from hub.api.compiled.derive import RuleSql, _named
from hub.api.compiled.listing import GuardedListing
from hub.api.compiled.plan import Bound, Builder, Selection, Spec
from hub.core.rules import Condition, Table
from hub.domain.collaborations import rules as collaborations
from hub.domain.compilations import rules as compilations
from hub.domain.notifications import rules
from hub.domain.records import rules as records


class Inbox(GuardedListing):
    """``Member.notifications``: the member's own only; ``unreadOnly`` is the listing's
    filter of that name (bound as the resolver binds it)."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        filtered = {**arguments, "filter": {"unreadOnly": arguments.get("unreadOnly")}}
        return super().bind(filtered, viewer_id)


class SeenReference(Spec):
    """The row of ``table`` that the parent row's ``column`` names, null when there is none
    or the viewer may not see it by the table's own rule ``visible``."""

    def __init__(self, table: Table, column: str, visible: Condition) -> None:
        self.table, self.column, self.visible = table, column, visible

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        assert selection.definition is not None
        named = _named(selection.definition.type)
        r = b.alias("s")
        return (f"(select {b.object(named.name, selection.children, r)} "
                f"from {self.table.name} {r} where {r}.id = {row}.{self.column} "
                f"and {self.visible.sql(r, b.VIEWER)})")


class Actor(Spec):
    """``Notification.actor``: the member behind it, null for kinds whose acts are private
    (rules.ANONYMOUS_ACTORS) and for the hub's sweeps."""

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        assert selection.definition is not None
        named = _named(selection.definition.type)
        m = b.alias("m")
        hidden = ", ".join(f"'{kind}'" for kind in sorted(rules.ANONYMOUS_ACTORS))
        return (f"(select {b.object(named.name, selection.children, m)} from members {m} "
                f"where {m}.id = {row}.actor_id and {row}.kind not in ({hidden}))")


INBOX = Inbox(rules.INBOX, rules.OWN)
UNREAD_COUNT = RuleSql("case when " + rules.OWN.template + " then "
                       + rules.UNREAD_COUNT + " end")
AVAILABLE = RuleSql(rules.AVAILABLE.template)
ACTOR = Actor()
RECORD = SeenReference(records.RECORDS, "record_id", records.VISIBLE)
COLLABORATION = SeenReference(collaborations.COLLABORATIONS, "collaboration_id",
                              collaborations.VISIBLE)
COMPILATION = SeenReference(compilations.COMPILATIONS, "compilation_id", compilations.VISIBLE)
