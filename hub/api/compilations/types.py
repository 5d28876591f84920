"""GraphQL types of compilations: the compilation, its items, history, publications, credit
lines and payout proposals (the money's types are in payouts.py, re-exported here).

Who may see a compilation is declared once, in hub/domain/compilations/rules.py (``VISIBLE``),
and read here as the row's ``_visible``; the compiled twins (twins.py, declared beside each
field) render the same declarations. Changing one needs a place on its editors team (or
ADMIN), see hub/api/compilations/mutations.py.

(Over 400 lines: a GraphQL type's fields are one class: ``Compilation``'s resolvers stay
here, thin, while what they read lives beside it (the money in payouts.py, the review's
comments, queue and changes in review.py, the typed history in history.py).)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from hub.api.compilations import twins
from hub.api.compilations.history import CompilationHistoryEvent, event_of
from hub.api.compilations.payouts import (  # the types of the money, re-exported (__all__)
    CreditLine,
    MemberPayout,
    MoneyInput,
    PayoutProposal,
    PayoutStatus,
    credit_lines,
    frozen_lines,
    list_page,
    member_payouts,
    member_payouts_connection,
)
from hub.api.compilations.preview import CompilationPreview, resolve_preview
from hub.api.compilations.review import (
    ASSIGNEE,
    COMMENTS_OF_COMPILATION,
    COMMENTS_OF_ITEM,
    CompilationChangesSinceReview,
    ReviewComment,
    changes_since_review,
    review_comments,
)
from hub.api.compiled.derive import no_twin, twin
from hub.api.conversations import twins as conversation_twins
from hub.api.conversations.types import comments_field
from hub.api.federation import UNCAPPED_LIST_SIZE, priced_connection, sized_list
from hub.api.nodes import node_resolver
from hub.api.relay import After, Before, Connection, First, Last, Node, connection_from_rows
from hub.core.errors import BadRequest
from hub.core.relay import PageArgs, decode_id, encode_id
from hub.core.rules import Table
from hub.domain.compilations import credits, loaders, rules
from hub.domain.compilations.service import EDITORIAL_ROLES, MAX_ITEMS
from hub.domain.conversations import rules as conversation_rules
from hub.domain.media.urls import publication_path

if TYPE_CHECKING:
    from hub.api.context import Context
    from hub.api.members.types import Member
    from hub.api.records.types import Record

__all__ = [
    "Compilation", "CompilationItem", "CompilationStatus", "CreditLine", "HistoryEntry",
    "MemberPayout", "MoneyInput", "PayoutProposal", "PayoutStatus", "Publication",
    "PublishingTargetInfo", "compilations_connection", "editorial", "frozen_lines",
    "load_compilation", "member_payouts", "member_payouts_connection",
]

MemberRef = Annotated["Member", strawberry.lazy("hub.api.members.types")]
RecordRef = Annotated["Record", strawberry.lazy("hub.api.records.types")]


@strawberry.enum(description="Where a compilation is in its editorial life.")
class CompilationStatus(enum.Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Being assembled: items can be added, "
                                  "moved and removed. Visible to editors and admins only.")
    IN_REVIEW = strawberry.enum_value("IN_REVIEW", description="Submitted; waiting for an "
                                      "editor other than the submitter to approve or return "
                                      "it. Visible to editors and admins only.")
    APPROVED = strawberry.enum_value("APPROVED", description="Approved, with the version of "
                                     "every item's record pinned; ready to publish. Visible to "
                                     "editors and admins only.")
    PUBLISHED = strawberry.enum_value("PUBLISHED", description="Published to its target at "
                                      "least once; visible to everyone, with its items, "
                                      "history, publications and payouts.")
    ARCHIVED = strawberry.enum_value("ARCHIVED", description="Closed: no more changes; its "
                                     "publications stay. Visible to everyone.")


@strawberry.type(description="Stands in for the plugin union until the schema is assembled.")
class UnboundSettings:
    unbound: bool


# --- visibility ---------------------------------------------------------------------------------


def editorial(context: Context) -> bool:
    """Whether the viewer may do editorial work (create, review, publish compilations)."""
    return context.viewer_role in EDITORIAL_ROLES


@node_resolver("Compilation")
async def load_compilation(context: Context, pk: int) -> Compilation | None:
    row = await context.loader(loaders.CompilationByIdLoader).load(pk)
    return Compilation.from_row(row, context) if row is not None and row["_visible"] else None


async def _load_member(context: Context, pk: int | None) -> Member | None:
    from hub.api.members.types import load_member

    return await load_member(context, pk) if pk is not None else None


# --- items, history, problems, publications ------------------------------------------------------


@strawberry.type(description="A record in a compilation, at its place in the order.")
class CompilationItem(Node):
    table: ClassVar[Table] = rules.ITEMS  # the plain fields named like its columns
    id: strawberry.ID = strawberry.field(description="The item's opaque global ID.")
    position: int = strawberry.field(description="1-based place in the compilation.")
    note: str = strawberry.field(description="The editors' note on why it is here.")
    weight: Decimal = strawberry.field(description="Its weight in the credit split.",
                                       metadata=twin(twins.decimal("weight")))
    added_at: dt.datetime = strawberry.field(description="When it was added.")
    record_pk: strawberry.Private[int]
    pk: strawberry.Private[int]
    compilation_pk: strawberry.Private[int]

    @strawberry.field(description="The review comments on this item, oldest first, a page at "
                      "a time; null unless you are on the compilation's editors team (or an "
                      "ADMIN): they are the reviewers' working notes.",
                      directives=priced_connection(), metadata=twin(COMMENTS_OF_ITEM))
    async def review_comments(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[ReviewComment] | None:
        return await review_comments(info.context, self.compilation_pk,
                                     PageArgs.of(first, after, last, before), item_pk=self.pk)

    @strawberry.field(description="The record; null if it is no longer visible to you "
                      "(unpublished or deleted since: see `Compilation.problems`).",
                      metadata=twin(twins.VisibleRecord()))
    async def record(self, info: Info) -> RecordRef | None:
        from hub.api.records.types import load_record

        return await load_record(info.context, self.record_pk)

    @classmethod
    def from_row(cls, row: Any) -> CompilationItem:
        return cls(id=strawberry.ID(encode_id("CompilationItem", row["id"])),
                   position=row["position"], note=row["note"],
                   weight=row["weight"].normalize(), added_at=row["created_at"],
                   record_pk=row["record_id"], pk=row["id"],
                   compilation_pk=row["compilation_id"])


@strawberry.type(description="One step of a compilation's history: who did what, when.")
class HistoryEntry:
    table: ClassVar[Table] = rules.HISTORY  # the plain fields named like its columns
    action: str = strawberry.field(description="`create`, `submit`, `approve`, `return`, "
                                   "`reopen` (back to review: a record changed after "
                                   "approval), `publish`, `archive`, `update` (title, "
                                   "description or settings), `add_item`, `move_item`, "
                                   "`reweight_item`, `annotate_item` (its note), `remove_item`, "
                                   "`add_editor`, `remove_editor`, `assign_reviewer`, "
                                   "`review_comment`, `propose_payout`, `finalize_payout`. "
                                   "`event` says the same, typed.")
    from_status: CompilationStatus | None = strawberry.field(
        description="Status before; null for `create` and for steps that keep the status "
        "(items, editors, updates, payouts).")
    to_status: CompilationStatus | None = strawberry.field(
        description="Status after; null for steps that keep the status (items, editors, "
        "updates, payouts).")
    reason: str = strawberry.field(description="Why (a return's reason, the record an item "
                                   "holds, the records that changed…).",
                                   deprecation_reason="Use `event`: its typed fields say what "
                                   "this text spelled differently for each action.")
    at: dt.datetime = strawberry.field(description="When.")
    actor_pk: strawberry.Private[int | None]
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> HistoryEntry:
        return cls(
            action=row["action"], reason=row["reason"], at=row["at"], actor_pk=row["actor_id"],
            from_status=CompilationStatus(row["from_status"]) if row["from_status"] else None,
            to_status=CompilationStatus(row["to_status"]) if row["to_status"] else None,
            row=row,
        )

    @strawberry.field(description="What happened, typed by kind (item added, moved, "
                      "reweighted, settings changed, submitted, returned, approved, "
                      "published…), with its facts as fields.",
                      metadata=no_twin("the event's type and fields are chosen per entry from "
                                       "its action and details by the executor "
                                       "(hub/api/compilations/history.py)"))
    def event(self) -> CompilationHistoryEvent:
        return event_of(self.row)

    @strawberry.field(description="The member who did it (the editor whose publish attempt "
                      "sent it back to review, for a `reopen`); null only for an entry stored "
                      "without one (every entry the hub writes names its actor).", metadata=twin(twins.ACTOR))
    async def actor(self, info: Info) -> MemberRef | None:
        return await _load_member(info.context, self.actor_pk)


@strawberry.type(description="Something that blocks publishing, found by the hub or the target.")
class CompilationProblem:
    code: str = strawberry.field(description="A stable word, e.g. `RECORD_UNAVAILABLE`, "
                                 "`WRONG_MEDIA_TYPE`, `TOO_LONG`, `TOO_SHORT`.")
    message: str = strawberry.field(description="A sentence for a person.")
    item_id: strawberry.ID | None = strawberry.field(description="The item at fault; null when "
                                                     "the problem is the whole compilation's.")


@strawberry.type(description="A file of a publication.")
class PublicationFile:
    name: str = strawberry.field(description="File name, e.g. `book.epub`.")
    mime_type: str = strawberry.field(description="Its MIME type.")
    size: int = strawberry.field(description="Size in bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the bytes (lower-case hex).")
    url: str = strawberry.field(description="Where to download it (public, immutable).")


@strawberry.type(description="One published version of a compilation: the target's files.")
class Publication:
    version: int = strawberry.field(description="1 for the first publication, then 2, 3…")
    files: list[PublicationFile] = strawberry.field(description="The rendered files.",
                                                    directives=sized_list(UNCAPPED_LIST_SIZE))
    published_at: dt.datetime = strawberry.field(description="When it was published.")
    published_by_pk: strawberry.Private[int | None]

    @strawberry.field(description="The editor who published it; null only for a publication "
                      "stored without one (the hub always records who published).")
    async def published_by(self, info: Info) -> MemberRef | None:
        return await _load_member(info.context, self.published_by_pk)

    @classmethod
    def from_row(cls, row: Any, base_url: str) -> Publication:
        return cls(
            version=row["version"], published_at=row["published_at"],
            published_by_pk=row["published_by"],
            files=[PublicationFile(name=f["name"], mime_type=f["mime_type"], size=f["size"],
                                   sha256=f["sha256"],
                                   url=base_url + publication_path(f["sha256"], f["name"]))
                   for f in row["files"]],
        )


def _base_url(context: Context) -> str:
    return str(context.request.url.origin()) if context.request is not None else ""


# --- the compilation ----------------------------------------------------------------------------


@strawberry.federation.type(keys=["id"], description="An editorial team's ordered selection of "
                            "published records, reviewed and published to a target (a book, a "
                            "TV episode…), with a transparent credit split and payouts.")
class Compilation(Node):
    table: ClassVar[Table] = rules.COMPILATIONS  # the plain fields named like its columns
    id: strawberry.ID = strawberry.field(description="The compilation's opaque global ID.")
    title: str = strawberry.field(description="The compilation's title.")
    description: str = strawberry.field(description="What it is, for readers and reviewers.")
    target: str = strawberry.field(description="The publishing-target plugin's key (`book`…).")
    settings: UnboundSettings | None = strawberry.field(
        description="The target's settings; null while the target's plugin is disabled.",
        metadata=no_twin("the target plugin's settings type is read by the executor "
                         "(load_settings)"),
    )
    status: CompilationStatus = strawberry.field(description="DRAFT, IN_REVIEW, APPROVED, "
                                                 "PUBLISHED or ARCHIVED.")
    lineage_share: Decimal = strawberry.field(description="The share of an item's value that "
                                              "flows to its record's sources (0–1, default 0.5).",
                                              metadata=twin(twins.decimal("lineage_share")))
    max_depth: int = strawberry.field(description="How many lineage steps credit flows down.")
    editors_percent: Decimal = strawberry.field(description="Percent of a pool shared by the "
                                                "editors, off the top (default 0).",
                                                metadata=twin(twins.decimal("editors_percent")))
    payout_window_days: int = strawberry.field(description="Days a payout proposal stays open "
                                               "for comments before it can be finalized.")
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    updated_at: dt.datetime = strawberry.field(description="When it last changed.")
    version: int = strawberry.field(description="Incremented by every change (its title, "
                                    "settings, items, team or status); pass it as "
                                    "`expectedVersion` to updateCompilation and "
                                    "updateCompilationItem.")
    pk: strawberry.Private[int]
    row: strawberry.Private[Any]
    comments = comments_field(conversation_rules.OF_COMPILATION,
                              conversation_twins.OF_COMPILATION, "compilation")

    @strawberry.field(description="The editors team, the creator first.",
                      directives=sized_list(UNCAPPED_LIST_SIZE), metadata=twin(twins.EDITORS))
    async def editors(self, info: Info) -> list[MemberRef]:
        rows = await info.context.loader(loaders.EditorsByCompilationIdLoader).load(self.pk)
        # Gathered, so the member loader batches the whole team (and every compilation's).
        members = await asyncio.gather(*(_load_member(info.context, r["member_id"]) for r in rows))
        return [m for m in members if m is not None]

    @strawberry.field(description="The editor of the team asked to review it (never the "
                      "submitter; `assignReviewer`); null when none is assigned, and once they "
                      "left the team.", metadata=twin(ASSIGNEE))
    async def assignee(self, info: Info) -> MemberRef | None:
        return await _load_member(info.context, self.row["assignee_id"])

    @strawberry.field(description="The review comments, on the whole compilation and on its "
                      "items, oldest first, a page at a time; null unless you are on its "
                      "editors team (or an ADMIN): they are the reviewers' working notes.",
                      directives=priced_connection(), metadata=twin(COMMENTS_OF_COMPILATION))
    async def review_comments(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[ReviewComment] | None:
        return await review_comments(info.context, self.pk,
                                     PageArgs.of(first, after, last, before))

    @strawberry.field(description="What changed since it was last approved or returned "
                      "(items added, removed, moved, reweighted, re-noted; settings changed), "
                      "derived from the typed history.",
                      metadata=no_twin("netted in Python from the typed history "
                                       "(hub/domain/compilations/review.py)"))
    async def changes_since_review(self, info: Info) -> CompilationChangesSinceReview:
        return await changes_since_review(info.context, self.pk)

    @strawberry.field(description="The items, in order.", directives=sized_list(MAX_ITEMS),
                      metadata=twin(twins.ITEMS),
                      deprecation_reason="Use `itemConnection`: it pages.")
    async def items(self, info: Info) -> list[CompilationItem]:
        rows = await info.context.loader(loaders.ItemsByCompilationIdLoader).load(self.pk)
        return [CompilationItem.from_row(row) for row in rows]

    @strawberry.field(description="The items, in order (position 1 first), a page at a time.",
                      directives=priced_connection(), metadata=twin(twins.ITEM_PAGES))
    async def item_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[CompilationItem]:
        return await list_page(info.context, rules.ITEM_PAGES, self.pk,
                               PageArgs.of(first, after, last, before), CompilationItem.from_row)

    @strawberry.field(description="What blocks publishing now, from the hub (records since "
                      "unpublished, no items) and the target plugin (wrong media types, too "
                      "long…). Empty when the compilation can be published.",
                      directives=sized_list(UNCAPPED_LIST_SIZE),
                      metadata=no_twin("found at read time by the hub's checks and the target "
                                       "plugin's code (hub_compilation_problems)"))
    async def problems(self, info: Info) -> list[CompilationProblem]:
        from hub.domain.compilations.publishing import find_problems

        context: Context = info.context
        found = await find_problems(context, context.db, self.row)
        return [CompilationProblem(code=p.code, message=p.message,
                                   item_id=strawberry.ID(p.item_id) if p.item_id else None)
                for p in found]

    @strawberry.field(description="What it would publish as now, from its target plugin: a "
                      "book's pages with their credits, a TV cut's timeline. Only its editors "
                      "team and ADMINs get one; null for everyone else, and when the target "
                      "has no preview. Items whose records are not public are left out.",
                      metadata=no_twin("rendered at read time by the target plugin's code "
                                       "(hub_preview_publication), for the team only"))
    async def preview(self, info: Info) -> CompilationPreview | None:
        return await resolve_preview(info.context, self.row)

    @strawberry.field(description="Every status change and edit, oldest first.",
                      directives=sized_list(UNCAPPED_LIST_SIZE), metadata=twin(twins.HISTORY),
                      deprecation_reason="Use `historyConnection`: it pages.")
    async def history(self, info: Info) -> list[HistoryEntry]:
        rows = await info.context.loader(loaders.HistoryByCompilationIdLoader).load(self.pk)
        return [HistoryEntry.from_row(r) for r in rows]

    @strawberry.field(description="Every status change and edit, oldest first, a page at a "
                      "time.", directives=priced_connection(),
                      metadata=twin(twins.HISTORY_PAGES))
    async def history_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[HistoryEntry]:
        return await list_page(info.context, rules.HISTORY_PAGES, self.pk,
                               PageArgs.of(first, after, last, before), HistoryEntry.from_row)

    @strawberry.field(description="Published versions, newest first; old versions stay.",
                      directives=sized_list(UNCAPPED_LIST_SIZE),
                      metadata=no_twin("file URLs are absolute, built from the request's "
                                       "origin by the executor"),
                      deprecation_reason="Use `publicationConnection`: it pages.")
    async def publications(self, info: Info) -> list[Publication]:
        rows = await info.context.loader(loaders.PublicationsByCompilationIdLoader).load(self.pk)
        base = _base_url(info.context)
        return [Publication.from_row(row, base) for row in rows]

    @strawberry.field(description="Published versions, newest first, a page at a time; old "
                      "versions stay.", directives=priced_connection(),
                      metadata=no_twin("file URLs are absolute, built from the request's "
                                       "origin by the executor"))
    async def publication_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[Publication]:
        base = _base_url(info.context)
        return await list_page(info.context, rules.PUBLICATION_PAGES, self.pk,
                               PageArgs.of(first, after, last, before),
                               lambda row: Publication.from_row(row, base))

    @strawberry.field(description="Payout proposals, newest first.",
                      directives=sized_list(UNCAPPED_LIST_SIZE),
                      metadata=no_twin("deprecated and unpaged (an assumed 100 items): its "
                                       "connection is the one compiled"),
                      deprecation_reason="Use `payoutProposalsConnection`: it pages, and has "
                      "`totalCount`.")
    async def payout_proposals(self, info: Info) -> list[PayoutProposal]:
        rows = await info.context.loader(loaders.ProposalsByCompilationIdLoader).load(self.pk)
        return [PayoutProposal.from_row(row) for row in rows]

    @strawberry.field(description="Payout proposals, newest first, a page at a time; "
                      "transparent: visible to whoever sees the compilation.",
                      directives=priced_connection(), metadata=twin(twins.PROPOSAL_PAGES))
    async def payout_proposals_connection(
        self, info: Info, first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[PayoutProposal]:
        return await list_page(info.context, rules.PROPOSAL_PAGES, self.pk,
                               PageArgs.of(first, after, last, before), PayoutProposal.from_row)

    @strawberry.field(description="A preview of how `pool` would be shared among everyone "
                      "credited (rules: docs/compilations.md). Nothing is stored.",
                      directives=sized_list(UNCAPPED_LIST_SIZE),
                      metadata=no_twin("computed in Python by the credit split "
                                       "(hub/domain/compilations/credits.py); nothing is stored"))
    async def credit_split(
        self, info: Info,
        pool: Annotated[MoneyInput, strawberry.argument(
            description="The money to share, e.g. `{amount: \"1000.00\", currency: \"USD\"}`.")],
    ) -> list[CreditLine]:
        from hub.domain.compilations.snapshot import credit_inputs

        try:
            money = pool.parse()
        except credits.CreditError as error:
            raise BadRequest(error.message, field=error.field) from None
        items, lineage, rules = await credit_inputs(info.context.db, self.row)
        try:
            shares = credits.split(money.minor, items, lineage, rules)
        except credits.CreditError as error:
            raise BadRequest(error.message, field=error.field) from None
        return credit_lines(shares, money)

    @classmethod
    async def resolve_reference(
        cls, info: Info, id: strawberry.ID, **_representation: Any,
    ) -> Compilation | None:
        return await load_compilation(info.context, decode_id(id, "Compilation"))

    @classmethod
    def from_row(cls, row: Any, context: Context) -> Compilation:
        from hub.api.compilations.settings import load_settings

        return cls(
            id=strawberry.ID(encode_id("Compilation", row["id"])), pk=row["id"], row=row,
            title=row["title"], description=row["description"], target=row["target"],
            settings=load_settings(context.plugins.publishing_targets.get(row["target"]),
                                   row["settings"]),
            status=CompilationStatus(row["status"]),
            lineage_share=row["lineage_share"].normalize(), max_depth=row["max_depth"],
            editors_percent=row["editors_percent"].normalize(),
            payout_window_days=row["payout_window_days"],
            created_at=row["created_at"], updated_at=row["updated_at"],
            version=row["version"],
        )


def compilations_connection(
    context: Context, rows: list[Any], page: PageArgs, count: Any,
) -> Connection[Compilation]:
    return connection_from_rows(rows, page, rules.ORDERINGS["NEWEST"],
                                lambda r: Compilation.from_row(r, context), count=count)


@strawberry.type(name="PublishingTarget", description="A publishing target an enabled plugin "
                 "provides.")
class PublishingTargetInfo:
    key: str = strawberry.field(description="The key compilations carry as `target`.")
    label: str = strawberry.field(description="A name for people.")
    description: str = strawberry.field(description="What the target produces.")
    accepted_media_types: list[str] = strawberry.field(description="Media types it publishes "
                                                       "(empty: any).")
    credit_roles: list[str] = strawberry.field(description="Roles its credits name.")

