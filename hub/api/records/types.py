"""GraphQL types of the records slice. Who may see a record is decided in one place,
hub/domain/records/rules.py (``VISIBLE``); rows arrive here with that verdict (``_visible``)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from hub.api.collaborations import twins as collaboration_twins
from hub.api.collaborations.types import ContributionOrder, ContributionStatus
from hub.api.compiled.derive import no_twin, twin
from hub.api.conversations import twins as conversation_twins
from hub.api.conversations.types import comments_field
from hub.api.federation import UNCAPPED_LIST_SIZE, priced_connection, sized_list
from hub.api.lineage import twins as lineage_twins
from hub.api.lineage import types as lineage
from hub.api.media import types as media_types
from hub.api.nodes import node_resolver
from hub.api.records import twins
from hub.api.records.details import load_details
from hub.api.relay import After, Before, Connection, First, Last, Node
from hub.core.relay import encode_id
from hub.core.rules import Table
from hub.domain.community.loaders import HeartsByRecordIdLoader
from hub.domain.conversations import rules as conversation_rules
from hub.domain.lineage import rules as lineage_rules
from hub.domain.records import rules
from hub.domain.records.loaders import RecordByIdLoader

if TYPE_CHECKING:
    from hub.api.collaborations.types import Contribution
    from hub.api.context import Context
    from hub.api.members.types import Member


@strawberry.enum(description="Where a record is in its life.")
class RecordStatus(enum.Enum):
    DRAFT = strawberry.enum_value(
        "DRAFT", description="Never published: only its author sees it (the state after "
        "`createRecord`).")
    PUBLISHED = strawberry.enum_value(
        "PUBLISHED", description="Visible to everyone, in the feed and search, and may be "
        "remixed.")
    UNPUBLISHED = strawberry.enum_value(
        "UNPUBLISHED", description="Withdrawn after publishing (`unpublishRecord`): only its "
        "author sees it; remixes keep crediting it as a tombstone.")


@strawberry.enum(description="The license a record is shared under; remixing needs attribution "
                 "in every case, which the hub's lineage provides.")
class License(enum.Enum):
    CC_BY_4_0 = strawberry.enum_value(
        "CC_BY_4_0", description="Creative Commons Attribution 4.0: any use, with credit.")
    CC_BY_SA_4_0 = strawberry.enum_value(
        "CC_BY_SA_4_0", description="Creative Commons Attribution-ShareAlike 4.0: any use, "
        "with credit; adaptations under the same license.")
    CC_BY_NC_4_0 = strawberry.enum_value(
        "CC_BY_NC_4_0", description="Creative Commons Attribution-NonCommercial 4.0: "
        "non-commercial use, with credit.")
    CC_BY_NC_SA_4_0 = strawberry.enum_value(
        "CC_BY_NC_SA_4_0", description="Creative Commons Attribution-NonCommercial-ShareAlike "
        "4.0: non-commercial use, with credit; adaptations under the same license.")
    CC0_1_0 = strawberry.enum_value(
        "CC0_1_0", description="Creative Commons Zero 1.0: dedicated to the public domain.")


@strawberry.enum(description="Orders of record lists.")
class RecordOrder(enum.Enum):
    NEWEST = strawberry.enum_value("NEWEST", description="Most recently created first.")
    OLDEST = strawberry.enum_value("OLDEST", description="Earliest created first.")
    TITLE = strawberry.enum_value("TITLE", description="By title, A to Z, ignoring case.")
    FRESH = strawberry.enum_value(
        "FRESH", description="Most appreciated first: hearts per unique viewer, smoothed toward "
        "the media type's mean and halved every 14 days of age; hearts from accounts younger "
        "than HUB_HEART_MIN_ACCOUNT_AGE_HOURS do not count (README, \"Hearts, views and "
        "discovery\").")
    UNDERSEEN = strawberry.enum_value(
        "UNDERSEEN", description="The records fewest members have seen first, in an order "
        "that rotates daily so each gets a turn.")


@strawberry.type(description="Stands in for the plugin union until the schema is assembled.")
class UnboundDetails:
    unbound: bool


@strawberry.federation.type(keys=["id"], description="A piece of media a member posted: a song, "
                            "a film clip, a story… Its `details` depend on its media type.")
class Record(Node):
    table: ClassVar[Table] = rules.RECORDS  # the plain fields named like its columns

    id: strawberry.ID = strawberry.field(
        description="The record's opaque global ID (also accepted by `node(id:)`).")
    title: str = strawberry.field(description="The record's title.")
    description: str = strawberry.field(description="What the record is, in the author's words.")
    media_type: str = strawberry.field(description="The key of the media-type plugin (`music`…).")
    details: UnboundDetails | None = strawberry.field(
        description="Media-specific details from the media-type plugin; null while that plugin "
        "is disabled (the stored details are kept and come back with it)."
    )
    tags: list[str] = strawberry.field(description="Lower-case labels for browsing.")
    license: License = strawberry.field(description="The license the record is shared under.")
    status: RecordStatus = strawberry.field(description="DRAFT, PUBLISHED or UNPUBLISHED.")
    version: int = strawberry.field(
        description="Incremented by every change; pass it as `expectedVersion` to updateRecord."
    )
    tombstone: bool = strawberry.field(description="True once the record has been deleted.")
    created_at: dt.datetime = strawberry.field(description="When the record was created.")
    updated_at: dt.datetime = strawberry.field(description="When the record last changed.")
    published_at: dt.datetime | None = strawberry.field(description="When first published; null "
                                                         "for a draft never published.")
    pk: strawberry.Private[int]
    author_pk: strawberry.Private[int]
    # Conversations (hub/domain/conversations): threads, anchored on a moment or a passage.
    comments = comments_field(conversation_rules.OF_RECORD, conversation_twins.OF_RECORD,
                              "record")

    @strawberry.field(description="The member who posted the record.", metadata=twin(twins.AUTHOR))
    def author(
        self, info: Info,
    ) -> Annotated[Member, strawberry.lazy("hub.api.members.types")]:
        # Synchronous when the list resolver preloaded the page's authors (hub/selection.py);
        # otherwise an awaitable through the DataLoader. records.author_id references members.
        from hub.api.members.types import member_now_or_later

        # A Member or an awaitable of one: Strawberry awaits either; the annotation names the type.
        return member_now_or_later(info.context, self.author_pk)  # type: ignore[return-value]

    # Remix lineage (hub/lineage/types.py): tombstones keep their author, hide their content.
    sources = strawberry.field(
        resolver=lineage.resolve_sources, metadata=twin(lineage_twins.SOURCES),
        description="The records this one was made from, in the author's order (attribution).",
        directives=priced_connection(),
    )
    remixes = strawberry.field(
        resolver=lineage.resolve_remixes, metadata=twin(lineage_twins.REMIXES),
        description="The records made from this one, newest first.",
        directives=priced_connection(),
    )
    remix_count = strawberry.field(
        resolver=lineage.resolve_remix_count, metadata=twin(lineage_twins.REMIX_COUNT),
        description="How many records were made directly "
        "from this one (tombstones included).",
    )
    ancestors = strawberry.field(
        resolver=lineage.resolve_ancestors, metadata=twin(lineage_twins.ANCESTORS),
        description="Every record this one descends from, "
        "each once at its shortest depth, nearest first.",
        directives=sized_list(lineage_rules.MAX_ENTRIES),
    )
    descendants = strawberry.field(
        resolver=lineage.resolve_descendants, metadata=twin(lineage_twins.DESCENDANTS),
        description="Every record that descends from this "
        "one, each once at its shortest depth, nearest first.",
        directives=sized_list(lineage_rules.MAX_ENTRIES),
    )
    lineage_graph = strawberry.field(
        resolver=lineage.resolve_lineage_graph, metadata=twin(lineage_twins.GRAPH),
        description="The lineage as nodes and edges, "
        f"for drawing (at most {lineage_rules.MAX_GRAPH_NODES} nodes).",
    )
    contributors = strawberry.field(
        resolver=lineage.resolve_contributors, metadata=twin(lineage_twins.CONTRIBUTORS),
        description="Every member credited in this record: "
        "its author (depth 0) and the authors of its ancestors, nearest first.",
        # Its author, then at most one per ancestor.
        directives=sized_list(lineage_rules.MAX_ENTRIES + 1),
    )
    @strawberry.field(description="Where this record was offered to collaborations and what "
                      "became of each offer, newest first by default.",
                      metadata=twin(collaboration_twins.OF_RECORD), directives=priced_connection())
    async def contributions(
        self, info: Info,
        status: Annotated[ContributionStatus | None, strawberry.argument(
            description="Only contributions in this state; null: every state.")] = None,
        order_by: Annotated[ContributionOrder | None, strawberry.argument(
            description="The order; NEWEST when omitted.")] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Contribution, strawberry.lazy("hub.api.collaborations.types")]]:
        from hub.api.collaborations.queries import record_contributions

        return await record_contributions(info, self.pk, status, order_by, first, after, last,
                                          before)

    # Hearts (hub/domain/community): counted from their rows, never from a counter.
    @strawberry.field(description="How many members hearted the record (all hearts, those of "
                      "new accounts too).", metadata=twin(twins.HEART_COUNT))
    async def heart_count(self, info: Info) -> int:
        row = await info.context.loader(HeartsByRecordIdLoader).load(self.pk)
        return int(row["heart_count"])

    @strawberry.field(description="Whether you hearted the record; false when anonymous.",
                      metadata=twin(twins.VIEWER_HEARTED))
    async def viewer_hearted(self, info: Info) -> bool:
        if info.context.viewer_id is None:
            return False
        row = await info.context.loader(HeartsByRecordIdLoader).load(self.pk)
        return bool(row["viewer_hearted"])

    # Media files (hub/media/types.py): signed, expiring URLs unless the record is published.
    media = strawberry.field(
        resolver=media_types.resolve_media, description="The files attached to the record (audio, "
        "images, text, video), oldest first; empty for a deleted record.",
        metadata=no_twin("file URLs are signed per request by the executor"),
        directives=sized_list(UNCAPPED_LIST_SIZE),  # nothing caps a record's files
    )

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID, **_representation: Any,
    ) -> Record | None:
        from hub.core.relay import decode_id

        return await load_record(info.context, decode_id(id, "Record"))

    @classmethod
    def from_row(cls, row: Any, context: Context) -> Record:
        media_type = context.plugins.media_types.get(row["media_type"])
        return cls(
            id=strawberry.ID(encode_id("Record", row["id"])),
            pk=row["id"],
            author_pk=row["author_id"],
            title=row["title"],
            description=row["description"],
            media_type=row["media_type"],
            details=load_details(media_type, row["details"]),
            tags=list(row["tags"]),
            license=License(row["license"]),
            status=RecordStatus(row["status"]),
            version=row["version"],
            tombstone=row["tombstone"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            published_at=row["published_at"],
        )


def seen(row: Any, context: Context) -> Record | None:
    """The record of a row read with ``_visible`` (hub/domain/records/rules.py) if the viewer
    may see it, else None: a tombstone where the row is linked, nothing where it is looked up."""
    return Record.from_row(row, context) if row is not None and row["_visible"] else None


@node_resolver("Record")
async def load_record(context: Context, pk: int) -> Record | None:
    return seen(await context.loader(RecordByIdLoader).load(pk), context)


@strawberry.type(name="MediaType", description="A media type an enabled plugin provides.")
class MediaTypeInfo:
    key: str = strawberry.field(description="The key records carry as `mediaType`.")
    label: str = strawberry.field(description="A name for people.")
    description: str = strawberry.field(description="What records of this type are.")
