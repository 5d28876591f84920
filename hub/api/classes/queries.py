"""Query fields of Class Projects: ``class(slug:)`` and ``classes(...)``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from hub.api.classes.types import Class, ClassLevel, ClassStatus, classes_connection, load_class
from hub.api.federation import priced_connection
from hub.api.relay import Connection
from hub.core.relay import PageArgs, decode_id
from hub.core.search import checked_search
from hub.domain.classes import store


@strawberry.input(description="Narrows `classes`; all given conditions must hold.")
class ClassFilter:
    skill: str | None = strawberry.field(default=None, description="Classes teaching this skill.")
    instructor: strawberry.ID | None = strawberry.field(
        default=None, description="Classes this member (ID) teaches."
    )
    level: ClassLevel | None = strawberry.field(default=None, description="Classes of this level.")
    search: str | None = strawberry.field(
        default=None, description="Full-text search over title, summary, description and skill "
        "(web-search syntax: `\"exact phrase\" -excluded or`).",
    )
    status: ClassStatus = strawberry.field(
        default=ClassStatus.PUBLISHED, description="PUBLISHED (the default), ARCHIVED, or DRAFT "
        "(drafts you teach; every draft for admins).",
    )

    def to_store(self) -> store.ClassFilter:
        return store.ClassFilter(
            status=self.status.value, skill=self.skill,
            level=self.level.value if self.level else None,
            instructor_id=decode_id(self.instructor, "Member") if self.instructor else None,
            search=checked_search(self.search),
        )


@strawberry.type
class ClassesQuery:
    @strawberry.field(name="class", description="A class by its slug; null if it does not exist "
                      "or you may not see it (drafts are for their instructors).")
    async def class_(self, info: Info, slug: str) -> Class | None:
        if len(slug) > store.LONGEST_SLUG:
            return None
        class_id = await store.class_id_by_slug(info.context.db, slug.strip().lower())
        return await load_class(info.context, class_id) if class_id else None

    @strawberry.field(description="Classes, newest first; published ones unless `filter.status` "
                      "says otherwise.", directives=priced_connection())
    async def classes(
        self, info: Info, filter: ClassFilter | None = None,
        first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Class]:
        context = info.context
        page = PageArgs.of(first, after, last, before)
        class_filter = (filter or ClassFilter()).to_store()
        rows = await store.list_classes(
            context.db, class_filter, context.viewer_id, context.is_admin, page
        )
        return classes_connection(
            rows, page, count=lambda: store.count_classes(
                context.db, class_filter, context.viewer_id, context.is_admin
            ),
        )

