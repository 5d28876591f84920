"""Query fields of the collaborations slice: ``collaboration``, ``collaborations``; and the
fields it adds to members and records (``Member.collaborations``, ``Record.contributions``),
whose resolvers live here and are declared on those types."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from hub.api.collaborations import twins
from hub.api.collaborations.types import (
    Collaboration,
    CollaborationOrder,
    CollaborationRole,
    CollaborationStatus,
    Contribution,
    ContributionOrder,
    ContributionStatus,
    contributions_page,
    load_collaboration,
)
from hub.api.compiled.derive import twin
from hub.api.federation import priced_connection
from hub.api.relay import After, Before, Connection, First, Last, connection_from_rows
from hub.core.pages import CountKey, Filters, PageKey, root_count, root_page
from hub.core.relay import PageArgs, decode_id
from hub.domain.collaborations import rules


@strawberry.input(description="Narrows `collaborations`; all given conditions must hold.")
class CollaborationFilter:
    status: CollaborationStatus | None = strawberry.field(
        default=None, description="Only collaborations in this state (drafts are never listed); "
        "null: any listed state.")
    media_type: str | None = strawberry.field(
        default=None, description="Only those with a need of this media type; null: any.")
    skill: str | None = strawberry.field(
        default=None, description="Only those with a need of this skill; null: any.")
    tag: str | None = strawberry.field(default=None, description="Only those "
                                  "carrying this tag; null: any tags.")
    search: str | None = strawberry.field(
        default=None, description="Full-text search over titles, tags, briefs and needs "
        "(web-search syntax: `\"exact phrase\" -excluded or`); null: no search.")
    needs_open: bool | None = strawberry.field(
        default=None, description="True: only those with a slot still open; false: only those "
        "whose needs are all filled; null: either.")

    def cleaned(self) -> Filters:
        given = {"status": self.status, "media_type": self.media_type, "skill": self.skill,
                 "tag": self.tag, "search": self.search, "needs_open": self.needs_open}
        return tuple(sorted(rules.LISTED.cleaned_filters(given).items()))


@strawberry.type
class CollaborationsQuery:
    @strawberry.field(description="A collaboration by ID; null if it does not exist or you may "
                      "not see it (a draft is its owners' only).",
                      metadata=twin(twins.CollaborationById()))
    async def collaboration(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Its global ID.")],
    ) -> Collaboration | None:
        return await load_collaboration(info.context, decode_id(id, "Collaboration"))

    @strawberry.field(description="Collaborations (every state but drafts), nearest deadline "
                      "first by default: the open calls.", directives=priced_connection(),
                      metadata=twin(twins.LISTED))
    async def collaborations(
        self, info: Info,
        filter: Annotated[CollaborationFilter | None, strawberry.argument(
            description="Conditions they must meet; omitted or null: none.")] = None,
        order_by: Annotated[CollaborationOrder, strawberry.argument(
            description="The order.")] = CollaborationOrder.DEADLINE,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Collaboration]:
        context = info.context
        page = PageArgs.of(first, after, last, before)
        filters = dict((filter or CollaborationFilter()).cleaned())
        rows = await root_page(context.db, rules.LISTED, context.viewer_id, order_by.name, page,
                               filters)
        return connection_from_rows(
            rows, page, rules.ORDERINGS[order_by.name], Collaboration.from_row,
            count=lambda: root_count(context.db, rules.LISTED, context.viewer_id, filters))


async def member_collaborations(
    info: Info, member_pk: int, role: CollaborationRole, first: int | None, after: str | None,
    last: int | None, before: str | None,
) -> Connection[Collaboration]:
    """``Member.collaborations(role:)``, newest first; drafts only for their owners."""
    context: Any = info.context
    page = PageArgs.of(first, after, last, before)
    filters = tuple(sorted(rules.BY_MEMBER.cleaned_filters({"role": role}).items()))
    rows = await context.pages(rules.BY_MEMBER).load(PageKey(member_pk, "NEWEST", page, filters))
    return connection_from_rows(
        rows, page, rules.ORDERINGS["NEWEST"], Collaboration.from_row,
        count=lambda: context.counts(rules.BY_MEMBER).load(CountKey(member_pk, filters)))


async def record_contributions(
    info: Info, record_pk: int, status: ContributionStatus | None,
    order_by: ContributionOrder | None, first: int | None, after: str | None,
    last: int | None, before: str | None,
) -> Connection[Contribution]:
    """``Record.contributions``: where the record was offered and what became of it."""
    return await contributions_page(info.context, rules.OF_RECORD, record_pk, order_by, status,
                                    first, after, last, before)


MEMBER_COLLABORATIONS = dict(
    description="Collaborations the member owns (OWNER) or offered records to (CONTRIBUTOR), "
    "newest first; drafts only when you own them too.",
    metadata=twin(twins.BY_MEMBER), directives=priced_connection())
RECORD_CONTRIBUTIONS = dict(
    description="Where this record was offered to collaborations and what became of each "
    "offer, newest first by default.",
    metadata=twin(twins.OF_RECORD), directives=priced_connection())
