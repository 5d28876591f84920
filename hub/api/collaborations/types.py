"""GraphQL types of the collaborations slice. Who may see what is decided in one place,
hub/domain/collaborations/rules.py; every list here is one of its listings, read by the
executor through loaders (hub/core/pages.py, hub/domain/collaborations/loaders.py) and by the
compiled path through the twins declared beside each field (twins.py)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from hub.api.collaborations import twins
from hub.api.compiled.derive import no_twin, twin
from hub.api.conversations import twins as conversation_twins
from hub.api.conversations.types import comments_field
from hub.api.federation import priced_connection, sized_list
from hub.api.media.types import MediaFile, media_file
from hub.api.nodes import node_resolver
from hub.api.relay import After, Before, Connection, First, Last, Node, connection_from_rows
from hub.core.pages import CountKey, PageKey
from hub.core.relay import PageArgs, decode_id, encode_id
from hub.core.rules import Listing, Table
from hub.domain.collaborations import rules
from hub.domain.collaborations.loaders import (
    CollaborationByIdLoader,
    NeedByIdLoader,
    WholeListsLoader,
)
from hub.domain.collaborations.service import MAX_NEEDS, MAX_OWNERS, MAX_STEPS
from hub.domain.community.loaders import FollowsByCollaborationIdLoader
from hub.domain.conversations import rules as conversation_rules
from hub.domain.media.loaders import CoverByCollaborationIdLoader

if TYPE_CHECKING:
    from hub.api.context import Context
    from hub.api.members.types import Member
    from hub.api.records.types import Record

MemberType = Annotated["Member", strawberry.lazy("hub.api.members.types")]
RecordType = Annotated["Record", strawberry.lazy("hub.api.records.types")]
MAX_RESULTS = 50
MAX_CREDITS = 1_000


@strawberry.enum(description="Where a collaboration is in its life.")
class CollaborationStatus(enum.Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Being prepared; its owners' only.")
    OPEN = strawberry.enum_value("OPEN", description="Taking contributions until its deadline.")
    CLOSED = strawberry.enum_value("CLOSED", description="No new contributions; owners still "
                                   "decide on those offered.")
    COMPLETED = strawberry.enum_value("COMPLETED", description="Finished: it names its "
                                      "result records and credits its contributors.")
    ARCHIVED = strawberry.enum_value("ARCHIVED", description="Set aside, kept for the record.")


@strawberry.enum(description="What became of a contribution.")
class ContributionStatus(enum.Enum):
    OFFERED = strawberry.enum_value("OFFERED", description="Offered, not yet decided.")
    SHORTLISTED = strawberry.enum_value("SHORTLISTED", description="Kept in mind by the owners.")
    ACCEPTED = strawberry.enum_value("ACCEPTED", description="Accepted: it fills a slot.")
    DECLINED = strawberry.enum_value("DECLINED", description="Declined, maybe with a reason.")
    WITHDRAWN = strawberry.enum_value("WITHDRAWN", description="Withdrawn by its contributor; "
                                      "if it had been accepted, it keeps its credit.")


@strawberry.enum(description="Orders of the collaborations list.")
class CollaborationOrder(enum.Enum):
    DEADLINE = strawberry.enum_value("DEADLINE", description="Nearest deadline first.")
    NEWEST = strawberry.enum_value("NEWEST", description="Newest first.")
    MOST_NEEDED = strawberry.enum_value("MOST_NEEDED", description="Most open slots first.")


@strawberry.enum(description="Orders of contribution lists.")
class ContributionOrder(enum.Enum):
    NEWEST = strawberry.enum_value("NEWEST", description="Newest offer first.")
    OLDEST = strawberry.enum_value("OLDEST", description="Oldest offer first.")


@strawberry.enum(description="How a member takes part in a collaboration.")
class CollaborationRole(enum.Enum):
    OWNER = strawberry.enum_value("OWNER", description="Runs it (owner or co-owner).")
    CONTRIBUTOR = strawberry.enum_value("CONTRIBUTOR", description="Offered a record to it.")


def _whole_loader(listing: Listing, order: str) -> type[WholeListsLoader]:
    """A loader class of one whole listing (a request keeps one instance per class)."""

    class Loader(WholeListsLoader):
        def __init__(self, db: Any, viewer: int | None) -> None:
            super().__init__(db, viewer, listing, order)

    return Loader


StepsLoader = _whole_loader(rules.STEPS_OF, "LISTED")
NeedsLoader = _whole_loader(rules.NEEDS_OF, "LISTED")
OwnersLoader = _whole_loader(rules.OWNERS_OF, "ADDED")
CreditsLoader = _whole_loader(rules.CREDITS_OF, "CREDITED")
ResultsLoader = _whole_loader(rules.RESULTS_OF, "LISTED")


def _members(rows: list[Any]) -> list[Any]:
    from hub.api.members.types import Member

    return [Member.from_row(row) for row in rows]


async def contributions_page(
    context: Context, listing: Listing, parent: int, order: ContributionOrder | None,
    status: ContributionStatus | None, first: int | None, after: str | None,
    last: int | None, before: str | None,
) -> Connection[Contribution]:
    order_name = order.name if order else "NEWEST"
    page = PageArgs.of(first, after, last, before)
    filters = tuple(sorted(listing.cleaned_filters({"status": status}).items()))
    rows = await context.pages(listing).load(PageKey(parent, order_name, page, filters))
    return connection_from_rows(
        rows, page, listing.orderings[order_name], Contribution.from_row,
        count=lambda: context.counts(listing).load(CountKey(parent, filters)))


_STATUS_ARG = Annotated[ContributionStatus | None, strawberry.argument(
    description="Only contributions in this state; null: every state.")]
_ORDER_ARG = Annotated[ContributionOrder | None, strawberry.argument(
    description="The order; NEWEST when omitted.")]


@strawberry.federation.type(keys=["id"], description="An open call that members answer with "
                            "their records: owners post what they need, in steps; members "
                            "offer records; the owners' picks become the finished work, every "
                            "accepted contributor credited. A DRAFT is seen by its owners only.")
class Collaboration(Node):
    table: ClassVar[Table] = rules.COLLABORATIONS  # the plain fields named like its columns

    id: strawberry.ID = strawberry.field(description="The collaboration's opaque global ID.")
    title: str = strawberry.field(description="The collaboration's title.")
    brief: str = strawberry.field(description="What it is about, as its owners wrote it "
                                  "(Markdown).")
    brief_html: str = strawberry.field(description="The brief rendered as HTML: raw HTML is "
                                       "shown as text, links carry rel=\"nofollow ugc\".")
    status: CollaborationStatus = strawberry.field(description="Where it is in its life.")
    deadline: dt.datetime = strawberry.field(description="When it stops taking contributions "
                                             "(each step may end earlier).")
    tags: list[str] = strawberry.field(description="Lower-case labels for browsing.")
    open_slots: int = strawberry.field(description="Slots still open over all its needs "
                                       "(the sum of `remaining`).")
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    updated_at: dt.datetime = strawberry.field(description="When it last changed.")
    opened_at: dt.datetime | None = strawberry.field(description="When it was opened; null "
                                                     "while a draft.")
    completed_at: dt.datetime | None = strawberry.field(description="When it was completed; "
                                                        "null until then.")
    pk: strawberry.Private[int]
    comments = comments_field(conversation_rules.OF_COLLABORATION,
                              conversation_twins.OF_COLLABORATION, "collaboration")

    @strawberry.field(description="How many members follow the collaboration.",
                      metadata=twin(twins.FOLLOWER_COUNT))
    async def follower_count(self, info: Info) -> int:
        row = await info.context.loader(FollowsByCollaborationIdLoader).load(self.pk)
        return int(row["follower_count"])

    @strawberry.field(description="Whether you follow the collaboration; false when anonymous.",
                      metadata=twin(twins.VIEWER_FOLLOWS))
    async def viewer_follows(self, info: Info) -> bool:
        if info.context.viewer_id is None:
            return False
        row = await info.context.loader(FollowsByCollaborationIdLoader).load(self.pk)
        return bool(row["viewer_follows"])

    @strawberry.field(description="Its owners (the creator first, then co-owners as added).",
                      metadata=twin(twins.OWNERS), directives=sized_list(MAX_OWNERS))
    async def owners(self, info: Info) -> list[MemberType]:
        return _members(await info.context.loader(OwnersLoader).load(self.pk))

    @strawberry.field(description="Its steps in order, each with its needs.",
                      metadata=twin(twins.STEPS), directives=sized_list(MAX_STEPS))
    async def steps(self, info: Info) -> list[CollaborationStep]:
        rows = await info.context.loader(StepsLoader).load(self.pk)
        return [CollaborationStep.from_row(row) for row in rows]

    @strawberry.field(description="Every contribution offered to it, newest first by default.",
                      metadata=twin(twins.OF_COLLABORATION), directives=priced_connection())
    async def contributions(
        self, info: Info, status: _STATUS_ARG = None, order_by: _ORDER_ARG = None,
        first: First = None, after: After = None, last: Last = None, before: Before = None,
    ) -> Connection[Contribution]:
        return await contributions_page(info.context, rules.OF_COLLABORATION, self.pk, order_by,
                                        status, first, after, last, before)

    @strawberry.field(description="Its credits, through lineage: every member with a "
                      "contribution accepted (withdrawn ones keep their credit), in order of "
                      "first acceptance, then the authors of the sources (at any generation) "
                      "of its accepted records and results, nearest generation first, as "
                      "`Record.contributors` credits them (tombstones too).",
                      metadata=twin(twins.CREDITS), directives=sized_list(MAX_CREDITS))
    async def credits(self, info: Info) -> list[MemberType]:
        return _members(await info.context.loader(CreditsLoader).load(self.pk))

    @strawberry.field(description="The records it produced, in order, once COMPLETED (empty "
                      "before); null for a record you may no longer see.",
                      metadata=twin(twins.RESULTS), directives=sized_list(MAX_RESULTS))
    async def results(self, info: Info) -> list[RecordType | None]:
        from hub.api.records.types import seen

        rows = await info.context.loader(ResultsLoader).load(self.pk)
        return [seen(row, info.context) for row in rows]

    @strawberry.field(description="Its cover image, set by its owners with "
                      "`setCollaborationCover` (an image checked as image records' files are); "
                      "null when it has none. A DRAFT's cover has a signed URL that expires, "
                      "like an unpublished record's files.",
                      metadata=no_twin("file URLs are signed per request by the executor"))
    async def cover(self, info: Info) -> MediaFile | None:
        row = await info.context.loader(CoverByCollaborationIdLoader).load(self.pk)
        if row is None:
            return None
        return media_file(info.context, row, public=self.status is not CollaborationStatus.DRAFT)

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID, **_representation: Any,
    ) -> Collaboration | None:
        return await load_collaboration(info.context, decode_id(id, "Collaboration"))

    @classmethod
    def from_row(cls, row: Any) -> Collaboration:
        return cls(
            id=strawberry.ID(encode_id("Collaboration", row["id"])), pk=row["id"],
            title=row["title"], brief=row["brief"], brief_html=row["brief_html"],
            status=CollaborationStatus(row["status"]), deadline=row["deadline"],
            tags=list(row["tags"]), open_slots=row["open_slots"], created_at=row["created_at"],
            updated_at=row["updated_at"], opened_at=row["opened_at"],
            completed_at=row["completed_at"],
        )


@node_resolver("Collaboration")
async def load_collaboration(context: Context, pk: int) -> Collaboration | None:
    row = await context.loader(CollaborationByIdLoader).load(pk)
    return Collaboration.from_row(row) if row is not None and row["_visible"] else None


@strawberry.type(description="One stage of a collaboration (e.g. lyrics, then music, then "
                 "vocals), with its own deadline and needs.")
class CollaborationStep:
    table: ClassVar[Table] = rules.STEPS

    position: int = strawberry.field(description="Its place in the order, from 1.")
    title: str = strawberry.field(description="What the step is.")
    description: str = strawberry.field(description="More about it, in the owners' words.")
    deadline: dt.datetime = strawberry.field(description="When offers to its needs end.")
    pk: strawberry.Private[int]

    @strawberry.field(description="The step's opaque ID (for addCollaborationNeed…).",
                      metadata=twin(twins.STEP_ID))
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("CollaborationStep", self.pk))

    @strawberry.field(description="What the step still needs and has, in the order added.",
                      metadata=twin(twins.NEEDS), directives=sized_list(MAX_NEEDS))
    async def needs(self, info: Info) -> list[CollaborationNeed]:
        rows = await info.context.loader(NeedsLoader).load(self.pk)
        return [CollaborationNeed.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Any) -> CollaborationStep:
        return cls(pk=row["id"], position=row["position"], title=row["title"],
                   description=row["description"], deadline=row["deadline"])


@strawberry.type(description="A need of a step: `count` slots for records of a media type "
                 "(and skill); accepted contributions fill them.")
class CollaborationNeed:
    table: ClassVar[Table] = rules.NEEDS

    media_type: str = strawberry.field(description="The media type wanted (`music`…).")
    skill: str = strawberry.field(description="The skill wanted (lower-case); empty for any.")
    count: int = strawberry.field(description="How many records the need takes.")
    description: str = strawberry.field(description="What is wanted, in the owners' words.")
    filled: int = strawberry.field(description="Slots filled by accepted contributions.")
    remaining: int = strawberry.field(description="Slots still open (`count - filled`).")
    pk: strawberry.Private[int]

    @strawberry.field(description="The need's opaque ID (for offerContribution…).",
                      metadata=twin(twins.NEED_ID))
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("CollaborationNeed", self.pk))

    @strawberry.field(description="Contributions offered to this need, newest first by default.",
                      metadata=twin(twins.OF_NEED), directives=priced_connection())
    async def contributions(
        self, info: Info, status: _STATUS_ARG = None, order_by: _ORDER_ARG = None,
        first: First = None, after: After = None, last: Last = None, before: Before = None,
    ) -> Connection[Contribution]:
        return await contributions_page(info.context, rules.OF_NEED, self.pk, order_by, status,
                                        first, after, last, before)

    @classmethod
    def from_row(cls, row: Any) -> CollaborationNeed:
        return cls(pk=row["id"], media_type=row["media_type"], skill=row["skill"],
                   count=row["count"], description=row["description"], filled=row["filled"],
                   remaining=row["remaining"])


@strawberry.type(description="A record offered to a need of a collaboration, and what became "
                 "of it. Seen wherever its collaboration is.")
class Contribution(Node):
    table: ClassVar[Table] = rules.CONTRIBUTIONS

    id: strawberry.ID = strawberry.field(description="The contribution's opaque global ID.")
    note: str = strawberry.field(description="The contributor's words to the owners.")
    status: ContributionStatus = strawberry.field(description="What became of it.")
    credited: bool = strawberry.field(description="True once accepted, and still after a "
                                      "withdrawal: its contributor is credited.")
    created_at: dt.datetime = strawberry.field(description="When it was offered.")
    decided_at: dt.datetime | None = strawberry.field(description="When the owners accepted or "
                                                      "declined it; null until then.")
    accepted_at: dt.datetime | None = strawberry.field(description="When it was accepted; null "
                                                       "unless it was.")
    withdrawn_at: dt.datetime | None = strawberry.field(description="When its contributor "
                                                        "withdrew it; null unless they did.")
    decline_reason: str | None = strawberry.field(
        description="Why the owners declined it; shown to its contributor and the owners only "
        "(null for everyone else, and when no reason was given).", metadata=twin(twins.REASON))
    pk: strawberry.Private[int]
    record_pk: strawberry.Private[int]
    contributor_pk: strawberry.Private[int]
    need_pk: strawberry.Private[int]
    collaboration_pk: strawberry.Private[int]

    @strawberry.field(description="The record offered; null if you may no longer see it (its "
                      "contributor stays credited).", metadata=twin(twins.RECORD))
    async def record(self, info: Info) -> RecordType | None:
        from hub.api.records.types import load_record

        return await load_record(info.context, self.record_pk)

    @strawberry.field(description="The member who offered it.", metadata=twin(twins.CONTRIBUTOR))
    async def contributor(self, info: Info) -> MemberType:
        from hub.api.members.types import load_member

        return await load_member(info.context, self.contributor_pk)

    @strawberry.field(description="The need it was offered to.", metadata=twin(twins.NEED))
    async def need(self, info: Info) -> CollaborationNeed:
        return CollaborationNeed.from_row(await info.context.loader(NeedByIdLoader).load(
            self.need_pk))

    @strawberry.field(description="The collaboration it was offered to.",
                      metadata=twin(twins.COLLABORATION))
    async def collaboration(self, info: Info) -> Collaboration:
        row = await info.context.loader(CollaborationByIdLoader).load(self.collaboration_pk)
        return Collaboration.from_row(row)

    @classmethod
    def from_row(cls, row: Any) -> Contribution:
        return cls(
            id=strawberry.ID(encode_id("Contribution", row["id"])), pk=row["id"],
            record_pk=row["record_id"], contributor_pk=row["contributor_id"],
            need_pk=row["need_id"], collaboration_pk=row["collaboration_id"], note=row["note"],
            status=ContributionStatus(row["status"]), credited=row["credited"],
            created_at=row["created_at"], decided_at=row["decided_at"],
            accepted_at=row["accepted_at"], withdrawn_at=row["withdrawn_at"],
            decline_reason=row["_reason"],
        )


@node_resolver("Contribution")
async def load_contribution(context: Context, pk: int) -> Contribution | None:
    from hub.domain.collaborations.loaders import ContributionByIdLoader

    row = await context.loader(ContributionByIdLoader).load(pk)
    return Contribution.from_row(row) if row is not None else None
