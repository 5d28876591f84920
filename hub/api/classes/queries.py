"""Query fields of Class Projects: ``class(slug:)`` and ``classes(...)``."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from hub.api.classes import twins
from hub.api.classes.arguments import After, Before, First, Last
from hub.api.classes.types import Class, ClassLevel, ClassStatus, classes_connection, load_class
from hub.api.compiled.derive import twin
from hub.api.federation import priced_connection
from hub.api.relay import Connection
from hub.core import pages
from hub.core.relay import PageArgs
from hub.domain.classes import rules, store


@strawberry.input(description="Narrows `classes`; all given conditions must hold.")
class ClassFilter:
    skill: str | None = strawberry.field(default=None, description="Classes teaching this "
                                         "skill; null: any skill.")
    instructor: strawberry.ID | None = strawberry.field(
        default=None, description="Classes this member (ID) teaches; null: any instructor."
    )
    level: ClassLevel | None = strawberry.field(default=None, description="Classes of "
                                                "this level; null: any level.")
    search: str | None = strawberry.field(
        default=None, description="Full-text search over title, summary, description and skill "
        "(web-search syntax: `\"exact phrase\" -excluded or`); null: no search.",
    )
    status: ClassStatus = strawberry.field(
        default=ClassStatus.PUBLISHED, description="PUBLISHED (the default), ARCHIVED, or DRAFT "
        "(drafts you teach; every draft for admins).",
    )

    def cleaned(self) -> dict[str, Any]:
        """The filters of rules.ALL_CLASSES this one applies, cleaned (a bad ID, a bad search
        raise the client's error)."""
        return rules.ALL_CLASSES.cleaned_filters({
            "status": self.status, "skill": self.skill, "level": self.level,
            "instructor": self.instructor, "search": self.search,
        })


@strawberry.type
class ClassesQuery:
    @strawberry.field(name="class", description="A class by its slug; null if it does not exist "
                      "or you may not see it (drafts are for their instructors).",
                      metadata=twin(twins.CLASS_BY_SLUG))
    async def class_(
        self, info: Info,
        slug: Annotated[str, strawberry.argument(
            description="The class's slug, any case, e.g. `the-one-page-screenplay`.")],
    ) -> Class | None:
        if len(slug) > store.LONGEST_SLUG:
            return None
        class_id = await store.class_id_by_slug(info.context.db, slug.strip().lower())
        return await load_class(info.context, class_id) if class_id else None

    @strawberry.field(description="Classes, newest first; published ones unless `filter.status` "
                      "says otherwise.", directives=priced_connection(),
                      metadata=twin(twins.CLASSES))
    async def classes(
        self, info: Info,
        filter: Annotated[ClassFilter | None, strawberry.argument(
            description="Which classes; omitted or null: every published class.")] = None,
        first: First = None, after: After = None, last: Last = None, before: Before = None,
    ) -> Connection[Class]:
        context = info.context
        page = PageArgs.of(first, after, last, before)
        filters = (filter or ClassFilter()).cleaned()
        listing = rules.ALL_CLASSES
        rows = await pages.root_page(context.db, listing, context.viewer_id,
                                     listing.default_order, page, filters)
        return classes_connection(
            rows, page,
            count=lambda: pages.root_count(context.db, listing, context.viewer_id, filters),
        )

