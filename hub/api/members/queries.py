"""Query fields of the members slice: ``viewer``, ``member``, ``members``."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from hub.api.compiled.derive import twin
from hub.api.federation import priced_connection
from hub.api.members import twins
from hub.api.members.types import Member
from hub.api.relay import After, Before, Connection, First, Last, connection_from_rows
from hub.core.pages import root_count, root_page
from hub.core.relay import PageArgs
from hub.domain.members import rules, store


@strawberry.input(description="Narrows `members`; all given conditions must hold.")
class MemberFilter:
    skill: str | None = strawberry.field(default=None, description="Members with this "
                                         "skill; null: any skill.")
    search: str | None = strawberry.field(
        default=None, description="Full-text search over handle, display name and bio; null: no "
        "search."
    )

    def cleaned(self) -> dict[str, str]:
        """The given conditions as the directory's listing binds them (rules.FILTERS)."""
        return rules.DIRECTORY.cleaned_filters({"skill": self.skill, "search": self.search})


@strawberry.type
class MembersQuery:
    @strawberry.field(description="You, when signed in (Authorization: Bearer <token>); null "
                      "when not signed in.",
                      metadata=twin(twins.Viewer()))
    def viewer(self, info: Info) -> Member | None:
        row = info.context.viewer_row
        return Member.from_row(row) if row is not None else None

    @strawberry.field(description="A member by handle (case-insensitive); null when no member "
                      "has that handle.",
                      metadata=twin(twins.MemberByHandle()))
    async def member(
        self, info: Info,
        handle: Annotated[str, strawberry.argument(
            description="The member's handle, without the @ (case-insensitive).")],
    ) -> Member | None:
        if len(handle) > twins.LONGEST_HANDLE:
            return None
        row = await store.member_by_handle(info.context.db, handle)
        return Member.from_row(row) if row is not None else None

    @strawberry.field(description="Members, newest first.", directives=priced_connection(),
                      metadata=twin(twins.DIRECTORY))
    async def members(
        self, info: Info,
        filter: Annotated[MemberFilter | None, strawberry.argument(
            description="Only the members that match; all members when null.")] = None,
        first: First = None, after: After = None, last: Last = None, before: Before = None,
    ) -> Connection[Member]:
        context = info.context
        page = PageArgs.of(first, after, last, before)
        filters = (filter or MemberFilter()).cleaned()
        rows = await root_page(context.db, rules.DIRECTORY, context.viewer_id, "NEWEST", page,
                               filters)
        return connection_from_rows(
            rows, page, rules.ORDERINGS["NEWEST"], Member.from_row,
            count=lambda: root_count(context.db, rules.DIRECTORY, context.viewer_id, filters),
        )
