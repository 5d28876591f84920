"""Query fields of compilations: ``compilation``, ``compilations``, ``publishingTargets``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from hub.api.compilations.types import (
    Compilation,
    CompilationStatus,
    PublishingTargetInfo,
    compilations_connection,
    editorial,
    load_compilation,
)
from hub.api.federation import UNCAPPED_LIST_SIZE, priced_connection, sized_list
from hub.api.relay import Connection
from hub.core.relay import PageArgs, decode_id
from hub.domain.compilations import store


@strawberry.input(description="Narrows `compilations`; all given conditions must hold.")
class CompilationFilter:
    status: CompilationStatus | None = strawberry.field(
        default=None, description="Only this status (DRAFT, IN_REVIEW and APPROVED ones are "
        "listed for editors and admins only).",
    )
    target: str | None = strawberry.field(default=None, description="Only this target (`book`…).")

    def to_store(self) -> store.CompilationFilter:
        return store.CompilationFilter(status=self.status.value if self.status else None,
                                       target=self.target)


@strawberry.type
class CompilationsQuery:
    @strawberry.field(description="A compilation by ID; null if it does not exist or you may not "
                      "see it (work in progress is for editors and admins).")
    async def compilation(self, info: Info, id: strawberry.ID) -> Compilation | None:
        return await load_compilation(info.context, decode_id(id, "Compilation"))

    @strawberry.field(description="Compilations, newest first: PUBLISHED and ARCHIVED ones for "
                      "everyone, every status for editors and admins.",
                      directives=priced_connection())
    async def compilations(
        self, info: Info, filter: CompilationFilter | None = None,
        first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Compilation]:
        context = info.context
        page = PageArgs.of(first, after, last, before)
        found = (filter or CompilationFilter()).to_store()
        sees_all = editorial(context)
        rows = await store.list_compilations(context.db, found, sees_all, page)
        return compilations_connection(
            context, rows, page, count=lambda: store.count_compilations(context.db, found, sees_all)
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
