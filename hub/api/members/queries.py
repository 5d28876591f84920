"""Query fields of the members slice: ``viewer``, ``member``, ``members``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from hub.api.federation import priced_connection
from hub.api.limits import checked_search
from hub.api.members.types import Member
from hub.core.relay import Connection, PageArgs, connection_from_rows
from hub.domain.members import store

# Far beyond any handle (auth.HANDLE_PATTERN): a longer lookup is null without a query.
LONGEST_HANDLE = 100


@strawberry.input(description="Narrows `members`; all given conditions must hold.")
class MemberFilter:
    skill: str | None = strawberry.field(default=None, description="Members with this skill.")
    search: str | None = strawberry.field(
        default=None, description="Full-text search over handle, display name and bio."
    )

    def to_store(self) -> store.MemberFilter:
        return store.MemberFilter(skill=self.skill, search=checked_search(self.search))


@strawberry.type
class MembersQuery:
    @strawberry.field(description="You, when signed in (Authorization: Bearer <token>).")
    def viewer(self, info: Info) -> Member | None:
        row = info.context.viewer_row
        return Member.from_row(row) if row is not None else None

    @strawberry.field(description="A member by handle (case-insensitive).")
    async def member(self, info: Info, handle: str) -> Member | None:
        if len(handle) > LONGEST_HANDLE:
            return None
        row = await store.member_by_handle(info.context.db, handle)
        return Member.from_row(row) if row is not None else None

    @strawberry.field(description="Members, newest first.", directives=priced_connection())
    async def members(
        self, info: Info, filter: MemberFilter | None = None,
        first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Member]:
        db = info.context.db
        page = PageArgs.of(first, after, last, before)
        member_filter = (filter or MemberFilter()).to_store()
        rows = await store.list_members(db, member_filter, page)
        return connection_from_rows(
            rows, page, store.NEWEST, Member.from_row,
            count=lambda: store.count_members(db, member_filter),
        )
