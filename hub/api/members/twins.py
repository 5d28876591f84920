"""SQL twins of the members slice's public fields, for the compiled query path (hub/compiled/).

Only the public profile is twinned; the private fields (``subscription``, ``enrollments``,
``payouts``) and ``classesTeaching`` keep their resolvers, so an operation that selects them
takes the ordinary path.
"""

from __future__ import annotations

from typing import Any

from hub.api.compiled.plan import Bound, Builder, Column, NotCompilable, Registry, Selection, Spec
from hub.api.compiled.sql import page_of
from hub.api.members.queries import LONGEST_HANDLE
from hub.api.records.twins import order_of, records_page

MEMBER_COLUMNS = {
    "id": "hub_global_id('Member', {row}.id)",
    "handle": "{row}.handle",
    "displayName": "{row}.display_name",
    "bio": "{row}.bio",
    "skills": "{row}.skills",
    "role": "{row}.role",
    "createdAt": "hub_iso({row}.created_at)",
}


def member_by_id(selection: Selection, member_id: str, b: Builder) -> str:
    """The member whose id is the SQL expression ``member_id`` (a foreign key: it exists)."""
    m = b.alias("m")
    return (f"(select {b.object('Member', selection.children, m)} from members {m} "
            f"where {m}.id = {member_id})")


class MemberByHandle(Spec):
    """``Query.member(handle)``, case-insensitive."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        handle = arguments["handle"]
        if len(handle) > LONGEST_HANDLE:
            raise NotCompilable("handle too long")
        return Bound(values=(handle,))

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        m = b.alias("m")
        return (f"(select {b.object('Member', selection.children, m)} from members {m} "
                f"where lower({m}.handle) = lower({b.param(selection, 0, 'text')}))")


class MemberRecords(Spec):
    """``Member.records``: published records, and drafts for the member themself."""

    def bind(self, arguments: dict[str, Any], viewer_id: int | None) -> Bound:
        order_name, order = order_of(arguments)
        limit, after = page_of(arguments, order)
        return Bound((order_name, after is not None, limit), (limit, *(after or ())))

    @staticmethod
    def _conditions(t: str, member: str) -> list[str]:
        return [f"{t}.author_id = {member}.id", f"{t}.deleted_at is null",
                f"({t}.status = 'PUBLISHED' or {t}.author_id = {Builder.VIEWER})"]

    def sql(self, selection: Selection, row: str, b: Builder) -> str:
        order_name, has_after, _ = b.bound(selection).shape
        return records_page(selection, b, order_name, has_after,
                            lambda t: self._conditions(t, row))


def specs() -> Registry:
    registry: Registry = {("Member", name): Column(template)
                          for name, template in MEMBER_COLUMNS.items()}
    registry[("Member", "records")] = MemberRecords()
    registry[("Query", "member")] = MemberByHandle()
    return registry
