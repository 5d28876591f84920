"""Query fields of compilations: ``compilation``, ``compilations``, ``publishingTargets``."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from hub.api.compilations import twins
from hub.api.compilations.types import (
    Compilation,
    CompilationStatus,
    PublishingTargetInfo,
    compilations_connection,
    load_compilation,
)
from hub.api.compiled.derive import twin
from hub.api.federation import UNCAPPED_LIST_SIZE, priced_connection, sized_list
from hub.api.relay import After, Before, Connection, First, Last
from hub.core.pages import root_count, root_page
from hub.core.relay import PageArgs, decode_id
from hub.domain.compilations import rules


@strawberry.input(description="Narrows `compilations`; all given conditions must hold.")
class CompilationFilter:
    status: CompilationStatus | None = strawberry.field(
        default=None, description="Only this status (DRAFT, IN_REVIEW and APPROVED ones are "
        "listed for editors and admins only); null: any status you may see.",
    )
    target: str | None = strawberry.field(default=None, description="Only this "
                                  "target (`book`…); null: any target.")

    def cleaned(self) -> dict[str, Any]:
        """The given conditions as the listing binds them (rules.FILTERS)."""
        return rules.LISTING.cleaned_filters({"status": self.status, "target": self.target})


@strawberry.type
class CompilationsQuery:
    @strawberry.field(description="A compilation by ID; null if it does not exist or you may not "
                      "see it (work in progress is for editors and admins).",
                      metadata=twin(twins.CompilationById()))
    async def compilation(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(
            description="The compilation's global ID (`Compilation.id`).")],
    ) -> Compilation | None:
        return await load_compilation(info.context, decode_id(id, "Compilation"))

    @strawberry.field(description="Compilations, newest first: PUBLISHED and ARCHIVED ones for "
                      "everyone, every status for editors and admins.",
                      directives=priced_connection(), metadata=twin(twins.COMPILATIONS))
    async def compilations(
        self, info: Info,
        filter: Annotated[CompilationFilter | None, strawberry.argument(
            description="Only the compilations that match; null or omitted: every visible "
            "one.")] = None,
        first: First = None, after: After = None, last: Last = None, before: Before = None,
    ) -> Connection[Compilation]:
        context = info.context
        page = PageArgs.of(first, after, last, before)
        filters = (filter or CompilationFilter()).cleaned()
        rows = await root_page(context.db, rules.LISTING, context.viewer_id, "NEWEST", page,
                               filters)
        return compilations_connection(
            context, rows, page,
            count=lambda: root_count(context.db, rules.LISTING, context.viewer_id, filters),
        )

    @strawberry.field(description="The publishing targets of the enabled plugins.",
                      directives=sized_list(UNCAPPED_LIST_SIZE))
    def publishing_targets(self, info: Info) -> list[PublishingTargetInfo]:
        return [
            PublishingTargetInfo(key=t.key, label=t.label, description=t.description,
                                 accepted_media_types=list(t.accepted_media_types),
                                 credit_roles=list(t.credit_roles))
            for t in info.context.plugins.publishing_targets.values()
        ]
