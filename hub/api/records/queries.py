"""Query fields of the records slice: ``record``, ``records``, ``mediaTypes``."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from hub.api.compiled.derive import twin
from hub.api.federation import UNCAPPED_LIST_SIZE, priced_connection, sized_list
from hub.api.members.types import preload_members
from hub.api.records import twins
from hub.api.records.types import MediaTypeInfo, Record, RecordOrder, load_record
from hub.api.relay import After, Before, Connection, First, Last, connection_from_rows
from hub.api.selection import selects_in_items
from hub.core.pages import Filters, root_count, root_page
from hub.core.relay import PageArgs, decode_id
from hub.domain.records import rules


@strawberry.input(description="Narrows `records`; all given conditions must hold.")
class RecordFilter:
    media_type: str | None = strawberry.field(default=None, description="A media-type "
                                         "key; null: any media type.")
    author: strawberry.ID | None = strawberry.field(default=None, description="A member's "
                                                   "ID; null: any author.")
    collaboration: strawberry.ID | None = strawberry.field(
        default=None, description="A collaboration's ID: the records accepted as contributions "
        "to it (not those offered, declined or withdrawn); none for a collaboration you may not "
        "see. Null: any records, contributed or not.")
    tag: str | None = strawberry.field(default=None, description="Records carrying "
                                  "this tag; null: any tags.")
    search: str | None = strawberry.field(
        default=None, description="Full-text search over title, description, tags and the text "
        "the media-type plugin indexes (web-search syntax: `\"exact phrase\" -excluded or`); "
        "null: no search.",
    )

    def cleaned(self) -> Filters:
        """The given conditions as the feed's listing binds them (rules.FILTERS)."""
        given = {"media_type": self.media_type, "author": self.author, "tag": self.tag,
                 "search": self.search, "collaboration": self.collaboration}
        return tuple(sorted(rules.FEED.cleaned_filters(given).items()))


@strawberry.type
class RecordsQuery:
    @strawberry.field(description="A record by ID; null if it does not exist or you may not "
                      "see it (drafts are visible to their author only).",
                      metadata=twin(twins.RecordById()))
    async def record(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The record's global ID.")],
    ) -> Record | None:
        return await load_record(info.context, decode_id(id, "Record"))

    @strawberry.field(description="Published records, newest first by default (the feed).",
                      directives=priced_connection(), metadata=twin(twins.FEED))
    async def records(
        self, info: Info,
        filter: Annotated[RecordFilter | None, strawberry.argument(
            description="Only the records that match; all published records when null.")] = None,
        order_by: Annotated[RecordOrder, strawberry.argument(
            description="The order of the list.")] = RecordOrder.NEWEST,
        first: First = None, after: After = None, last: Last = None, before: Before = None,
    ) -> Connection[Record]:
        context = info.context
        page = PageArgs.of(first, after, last, before)
        filters = dict((filter or RecordFilter()).cleaned())
        rows = await root_page(context.db, rules.FEED, context.viewer_id, order_by.name, page,
                               filters)
        if selects_in_items(info, "author"):
            await preload_members(context, (row["author_id"] for row in rows))
        return connection_from_rows(
            rows, page, rules.ORDERINGS[order_by.name],
            lambda row: Record.from_row(row, context),
            count=lambda: root_count(context.db, rules.FEED, context.viewer_id, filters),
        )

    @strawberry.field(description="The media types of the enabled plugins.",
                      directives=sized_list(UNCAPPED_LIST_SIZE))
    def media_types(self, info: Info) -> list[MediaTypeInfo]:
        return [
            MediaTypeInfo(key=m.key, label=m.label, description=m.description)
            for m in info.context.plugins.media_types.values()
        ]
